#!/usr/bin/env bash
# Authz and Cerbos side by side on this machine, with equivalent policies, the same request generator (h2load) and the
# same concurrency sweep; prints the ratios the performance goals of issue 4 are stated in.
#
#   benchmarks/peer/run-side-by-side.sh [--duration 10] [--warmup 3] [--concurrency "16 64"] [--connections 4]
#                                       [--rounds 1] [--only both|cerbos|authz] [--out DIR]
#
# On a clean Debian machine it installs what it needs itself: nghttp2-client (h2load) and, when missing, nodejs and
# npm with apt-get; @cerbos/cerbos-linux-x64, @cerbos/api and protobufjs with npm into a temporary prefix. The Authz
# half needs the .NET 10 SDK (not in Debian's archive) and builds src/Authz.Server in Release.
#
# What runs (both servers are up together, but h2load drives one at a time while the other idles):
#   1. Cerbos (gRPC on a free loopback port, h2c, disk policy store, telemetry off, log level warn), with a resource
#      policy for `s3_object`: `read` allowed to role data-scientist on bucket ml-training-data, `delete` denied
#      unless the principal has role admin (and allowed to admin).
#   2. Authz (`dotnet run -c Release --project src/Authz.Server`, gRPC, silo, gateway and metrics ports and the data
#      directory from Authz__* environment variables, and a fresh administrator key that every Authz call carries,
#      h2load's included; the per-tenant rate limits stay on but are raised to 10 million per second, since a refusal
#      is an HTTP 200 that h2load would count as an answer), seeded through its Admin API with the equivalent: user alice in group data-scientists whose
#      managed policy allows s3:GetObject on arn:aws:s3:::ml-training-data/*, user bob (tag role=admin) with s3:*,
#      and a bucket policy denying s3:DeleteObject unless aws:PrincipalTag/role is admin.
# For each engine one gRPC request frame is prepared (read/GetObject by the data scientist: an Allow), and it and
# the three equivalence checks (read allowed, delete denied, delete by admin allowed) are sent once and their gRPC
# answers decoded and asserted, since h2load only sees HTTP status. Then h2load drives the frame at each
# concurrency c with `-c <connections> -m <c / connections>`. On Authz, grpc.health.v1.Health/Check is driven the
# same way as the transport floor (a trivial gRPC round trip on the same server), twice: bare, and carrying the
# same authorization header as the Authorize calls (h2load never indexes it, so every call pays for decoding it).
# With --rounds N the four sweeps (Cerbos, Authorize, the floor, the floor with the header) run N times, in turns (each
# round starts with the next of the four), so that a step that runs while the machine is slower does not decide a ratio
# alone: the summary gives every round and the median of each figure and of each round's ratios.
#
# Results go to --out (default benchmarks/peer/results/<UTC timestamp>/): h2load's output and per-request logs, and
# cerbos.json, authz.json, health.json and health-key.json (cerbos-r1.json and so on with --rounds) in the shape of
# `authz loadtest` results, compared with `authz loadtest --compare` when there is one round. Exit status is non-zero, with the failing step named, when anything fails.
set -euo pipefail

DURATION=10
WARMUP=3
CONCURRENCY="16 64"
CONNECTIONS=4
ROUNDS=1
ONLY=both
OUT=""
CERBOS_VERSION="${CERBOS_VERSION:-0.55.0}"
CERBOS_API_VERSION="${CERBOS_API_VERSION:-0.8.0}"
PROTOBUFJS_VERSION="${PROTOBUFJS_VERSION:-8.8.1}"

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "error: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="${2:?}"; shift 2 ;;
    --warmup) WARMUP="${2:?}"; shift 2 ;;
    --concurrency) CONCURRENCY="${2:?}"; shift 2 ;;
    --connections) CONNECTIONS="${2:?}"; shift 2 ;;
    --rounds) ROUNDS="${2:?}"; shift 2 ;;
    --only) ONLY="${2:?}"; shift 2 ;;
    --out) OUT="${2:?}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option \`$1\` (see --help)" ;;
  esac
done
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -gt 0 ]] || die "--duration must be whole seconds, not \`$DURATION\`"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "--warmup must be whole seconds, not \`$WARMUP\`"
[[ "$CONNECTIONS" =~ ^[0-9]+$ && "$CONNECTIONS" -gt 0 ]] || die "--connections must be a positive number, not \`$CONNECTIONS\`"
[[ "$ROUNDS" =~ ^[0-9]+$ && "$ROUNDS" -gt 0 ]] || die "--rounds must be a positive number, not \`$ROUNDS\`"
for c in $CONCURRENCY; do
  [[ "$c" =~ ^[0-9]+$ && "$c" -ge "$CONNECTIONS" && $((c % CONNECTIONS)) -eq 0 ]] \
    || die "each --concurrency value must be a multiple of --connections ($CONNECTIONS), not \`$c\`"
done
case "$ONLY" in both|cerbos|authz) ;; *) die "--only must be both, cerbos or authz, not \`$ONLY\`" ;; esac

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-$REPO/benchmarks/peer/results/$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
WORK="$(mktemp -d -t authz-peer.XXXXXX)"
STEP="starting"
CERBOS_PGID=""
AUTHZ_PGID=""

cleanup() {
  local status=$?
  stop_server CERBOS_PGID
  stop_server AUTHZ_PGID
  rm -rf "$WORK"
  if [[ $status -ne 0 ]]; then echo "error: failed during: $STEP (logs in $OUT)" >&2; fi
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }

# Runs a server in its own process group so that everything it starts (dotnet run starts the app as a child) is
# stopped together, by that group's id, which goes into the variable named first.
start_server() {
  local var="$1" log="$2"; shift 2
  setsid "$@" >"$log" 2>&1 &
  printf -v "$var" '%s' "$!"
}

# CPU clock ticks (user + system) used so far by the process group given.
server_cpu_ticks() {
  local total=0 pid ticks
  for pid in $(pgrep -g "$1"); do
    # Fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name, which may hold spaces.
    ticks="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')" || continue
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}

# Stops the server whose process group id is in the variable named.
stop_server() {
  local pgid="${!1}"
  if [[ -n "$pgid" ]]; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
    wait "$pgid" 2>/dev/null || true
    printf -v "$1" '%s' ""
  fi
}

check_load() {
  local load cores
  load="$(cut -d' ' -f1 /proc/loadavg)"
  cores="$(nproc)"
  if awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l > c) }'; then
    echo "warning: load average $load on $cores cores before $1: other processes compete for the CPU, so these figures understate both engines" | tee -a "$OUT/warnings.txt"
  fi
}

# ---- 1. Install ---------------------------------------------------------------------------------------------------
STEP="installing h2load, node and the npm packages"
say "$STEP"
if ! command -v h2load >/dev/null || ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  command -v apt-get >/dev/null || die "h2load, node or npm is missing and there is no apt-get to install them"
  SUDO=""; [[ "$(id -u)" -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  packages=(nghttp2-client)
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi
h2load --version | head -1
echo "node $(node --version), npm $(npm --version)"
node_major="$(node --version | sed 's/^v\([0-9]*\).*/\1/')"
if [[ "$node_major" -lt 20 ]]; then
  echo "warning: node $(node --version) is older than 20, which @cerbos/api declares (Debian 12's nodejs is 18); if building the Cerbos frame fails, install node 20 or newer"
fi
NPM_PREFIX="$WORK/npm"
mkdir -p "$NPM_PREFIX"
npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --loglevel=error \
  "@cerbos/cerbos-linux-x64@$CERBOS_VERSION" "@cerbos/api@$CERBOS_API_VERSION" "protobufjs@$PROTOBUFJS_VERSION" >/dev/null
CERBOS="$NPM_PREFIX/node_modules/@cerbos/cerbos-linux-x64/cerbos-linux-x64"
[[ -x "$CERBOS" ]] || die "the npm package @cerbos/cerbos-linux-x64 did not install $CERBOS"
"$CERBOS" --version | head -1
cp "$REPO/benchmarks/peer/grpc-peer.mjs" "$NPM_PREFIX/"
peer() { node "$NPM_PREFIX/grpc-peer.mjs" "$@"; }

# Runs h2load once per concurrency against one method with one frame of the server in process group <pgid>, and
# writes a results file. Extra arguments go to h2load (headers).
sweep() {
  local name="$1" pgid="$2" port="$3" path="$4" frame="$5" api="$6"
  shift 6
  local runs=()
  for c in $CONCURRENCY; do
    local streams=$((c / CONNECTIONS))
    STEP="$name: h2load at concurrency $c ($CONNECTIONS connections x $streams streams)"
    echo "  $STEP"
    check_load "$name c=$c"
    h2load -D "$DURATION" --warm-up-time="$WARMUP" -t 1 -c "$CONNECTIONS" -m "$streams" -d "$frame" \
      -H 'content-type: application/grpc' -H 'te: trailers' "$@" --log-file="$OUT/$name-c$c.log" \
      "http://127.0.0.1:$port$path" >"$OUT/$name-c$c.txt" 2>&1 &
    local h2load_pid=$!
    # The server's CPU over h2load's measured window (after its warm-up), for CPU per call: a cost that, unlike
    # calls/s, does not depend on how the two cores are shared with h2load at the time.
    sleep "$WARMUP"
    local cpu_before; cpu_before="$(server_cpu_ticks "$pgid")"
    wait "$h2load_pid" || die "h2load failed, see $OUT/$name-c$c.txt"
    echo "$(( $(server_cpu_ticks "$pgid") - cpu_before )) $(getconf CLK_TCK)" >"$OUT/$name-c$c.cpu"
    runs+=("c=$c@$OUT/$name-c$c.txt,$OUT/$name-c$c.log,$OUT/$name-c$c.cpu")
  done
  peer h2load-results "$OUT/$name.json" "$name 127.0.0.1:$port$path" "$api" "$CONNECTIONS" "$WARMUP" "$DURATION" "${runs[@]}"
}

# ---- 2. Cerbos ----------------------------------------------------------------------------------------------------
if [[ "$ONLY" != authz ]]; then
  STEP="cerbos: writing the policy and starting the server"
  say "$STEP"
  mkdir -p "$WORK/cerbos/policies"
  cat >"$WORK/cerbos/policies/s3_object.yaml" <<'YAML'
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  version: default
  resource: s3_object
  rules:
    - actions: ["read"]
      effect: EFFECT_ALLOW
      roles: ["data-scientist"]
      condition:
        match:
          expr: request.resource.attr.bucket == "ml-training-data"
    - actions: ["delete"]
      effect: EFFECT_DENY
      roles: ["*"]
      condition:
        match:
          expr: '!("admin" in request.principal.roles)'
    - actions: ["*"]
      effect: EFFECT_ALLOW
      roles: ["admin"]
YAML
  CERBOS_GRPC="$(peer free-port)"
  CERBOS_HTTP="$(peer free-port)"
  cat >"$WORK/cerbos/config.yaml" <<YAML
server:
  httpListenAddr: "127.0.0.1:$CERBOS_HTTP"
  grpcListenAddr: "127.0.0.1:$CERBOS_GRPC"
storage:
  driver: disk
  disk:
    directory: "$WORK/cerbos/policies"
    watchForChanges: false
audit:
  enabled: false
telemetry:
  disabled: true
YAML
  CERBOS_NO_TELEMETRY=1 start_server CERBOS_PGID "$OUT/cerbos-server.log" "$CERBOS" server --config="$WORK/cerbos/config.yaml" --log-level=warn
  STEP="cerbos: checking the answers once"
  echo "  cerbos $($CERBOS --version | head -1) on 127.0.0.1:$CERBOS_GRPC (pid $CERBOS_PGID)"
  peer cerbos-frame "$WORK/cerbos.frame"
  peer cerbos-check "$CERBOS_GRPC" "$WORK/cerbos.frame" \
    || { tail -n 20 "$OUT/cerbos-server.log" >&2; die "cerbos did not answer as expected (server log above)"; }
fi

# ---- 3. Authz -----------------------------------------------------------------------------------------------------
if [[ "$ONLY" != cerbos ]]; then
  STEP="authz: building the server (Release)"
  say "$STEP"
  command -v dotnet >/dev/null || die "the Authz half needs the .NET 10 SDK (dotnet), which Debian does not package; or run with --only cerbos"
  dotnet build -c Release "$REPO/src/Authz.Server" -nologo -v quiet >"$OUT/authz-build.log" 2>&1 || die "dotnet build failed, see $OUT/authz-build.log"
  AUTHZ_GRPC="$(peer free-port)"
  # Every authz.v1 call needs an access key: the server starts with a fresh administrator (bootstrap) key.
  AUTHZ_API_KEY="$(peer new-key)"
  export AUTHZ_API_KEY
  STEP="authz: starting the server"
  Authz__Security__BootstrapKey="$AUTHZ_API_KEY" \
  Authz__Server__GrpcPort="$AUTHZ_GRPC" \
  Authz__Server__DataDirectory="$WORK/authz-data" \
  Authz__Cluster__SiloPort="$(peer free-port)" \
  Authz__Cluster__GatewayPort="$(peer free-port)" \
  Authz__Server__MetricsPort=0 \
  Authz__Limits__RateLimits__Checks__PerSecond=10000000 \
  Authz__Limits__RateLimits__Checks__Burst=10000000 \
  Authz__Limits__RateLimits__Admin__PerSecond=10000000 \
  Authz__Limits__RateLimits__Admin__Burst=10000000 \
  Logging__LogLevel__Default=Warning \
    start_server AUTHZ_PGID "$OUT/authz-server.log" dotnet run -c Release --no-build --project "$REPO/src/Authz.Server"
  echo "  authz on 127.0.0.1:$AUTHZ_GRPC (process group $AUTHZ_PGID)"
  peer health-frame "$WORK/health.frame"
  peer health-check "$AUTHZ_GRPC" "$WORK/health.frame" \
    || { tail -n 20 "$OUT/authz-server.log" >&2; die "authz did not answer its health check (server log above)"; }
  STEP="authz: seeding the equivalent policies through the Admin API"
  peer authz-seed "$AUTHZ_GRPC" "$REPO/protos"
  STEP="authz: checking the answers once"
  peer authz-frame "$WORK/authz.frame" "$REPO/protos"
  peer authz-check "$AUTHZ_GRPC" "$WORK/authz.frame" "$REPO/protos"
fi

# ---- 4. The sweeps, in rounds --------------------------------------------------------------------------------------
cerbos_sweep() {
  say "cerbos: CheckResources$2"
  sweep "cerbos$1" "$CERBOS_PGID" "$CERBOS_GRPC" /cerbos.svc.v1.CerbosService/CheckResources "$WORK/cerbos.frame" CheckResources
}
authorize_sweep() {
  say "authz: Authorize$2"
  sweep "authz$1" "$AUTHZ_PGID" "$AUTHZ_GRPC" /authz.v1.Authorization/Authorize "$WORK/authz.frame" Authorize -H "authorization: Bearer $AUTHZ_API_KEY"
}
health_sweep() {
  say "authz: grpc.health.v1.Health/Check (transport floor)$2"
  sweep "health$1" "$AUTHZ_PGID" "$AUTHZ_GRPC" /grpc.health.v1.Health/Check "$WORK/health.frame" Health/Check
}
health_key_sweep() {
  say "authz: grpc.health.v1.Health/Check with the authorization header (the floor with the same request headers)$2"
  sweep "health-key$1" "$AUTHZ_PGID" "$AUTHZ_GRPC" /grpc.health.v1.Health/Check "$WORK/health.frame" Health/Check -H "authorization: Bearer $AUTHZ_API_KEY"
}
sweeps=()
if [[ "$ONLY" != authz ]]; then sweeps+=(cerbos_sweep); fi
if [[ "$ONLY" != cerbos ]]; then sweeps+=(authorize_sweep health_sweep health_key_sweep); fi
for ((round = 1; round <= ROUNDS; round++)); do
  suffix="" label=""
  if [[ "$ROUNDS" -gt 1 ]]; then suffix="-r$round" label=", round $round of $ROUNDS"; fi
  for ((i = 0; i < ${#sweeps[@]}; i++)); do "${sweeps[$(((round - 1 + i) % ${#sweeps[@]}))]}" "$suffix" "$label"; done
done
stop_server CERBOS_PGID
stop_server AUTHZ_PGID

# ---- 5. Ratios ----------------------------------------------------------------------------------------------------
STEP="comparing"
say "results ($CONNECTIONS connections, ${DURATION}s per step after ${WARMUP}s warm-up, one h2load thread, $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
# Each engine's results files, comma-separated, one per round.
files() { local f=() r; if [[ "$ROUNDS" -eq 1 ]]; then f=("$OUT/$1.json"); else for ((r = 1; r <= ROUNDS; r++)); do f+=("$OUT/$1-r$r.json"); done; fi; (IFS=,; echo "${f[*]}"); }
peer summary "$(files cerbos)" "$(files authz)" "$(files health)" "$(files health-key)"
if [[ "$ONLY" == both && "$ROUNDS" -eq 1 ]] && command -v dotnet >/dev/null; then
  dotnet build -c Release "$REPO/src/Authz.Cli" -nologo -v quiet >"$OUT/cli-build.log" 2>&1 || die "dotnet build of the CLI failed, see $OUT/cli-build.log"
  echo
  echo "Cerbos (A) against Authz (B):"
  dotnet run -c Release --no-build --project "$REPO/src/Authz.Cli" -- loadtest --compare "$OUT/cerbos.json" "$OUT/authz.json"
  echo
  echo "transport floor (A: Health/Check) against Authorize (B), same Authz server:"
  dotnet run -c Release --no-build --project "$REPO/src/Authz.Cli" -- loadtest --compare "$OUT/health.json" "$OUT/authz.json"
fi
echo
echo "results in $OUT"

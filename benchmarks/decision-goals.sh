#!/usr/bin/env bash
# The decision-path goals of issue 4 that `authz loadtest` measures, in one run against one fresh Release server:
#
#   - one hot principal against traffic spread uniformly over many principals (goal: hot >= 0.8x the calls/s);
#   - BatchAuthorize with 100 checks per call against single Authorize calls (goal: >= 10x the checks/s).
#
# (The goals against Cerbos and the transport floor come from benchmarks/peer/run-side-by-side.sh.)
#
#   benchmarks/decision-goals.sh [--duration 15s] [--warmup 3s] [--concurrency 16,64] [--principals 10000]
#                                [--distribution uniform|zipf] [--out DIR]
#
# It builds src/Authz.Server and src/Authz.Cli in Release, starts the server on free loopback ports with a fresh data
# directory and administrator key (per-tenant rate limits on, raised to 10 million per second so that they cost what
# they cost without refusing anything), seeds the ML platform population of `authz loadtest` (--principals of them), then
# runs, one after the other and with the same traffic seed: spread (--distribution, uniform by default), hot, and batches
# of 100 spread the same way. Each run writes results.json and report.html under --out; the ratios are printed with
# `authz loadtest --compare`.
set -euo pipefail

DURATION=15s
WARMUP=3s
CONCURRENCY=16,64
PRINCIPALS=10000
DISTRIBUTION=uniform
OUT=""

die() { echo "error: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="${2:?}"; shift 2 ;;
    --warmup) WARMUP="${2:?}"; shift 2 ;;
    --concurrency) CONCURRENCY="${2:?}"; shift 2 ;;
    --principals) PRINCIPALS="${2:?}"; shift 2 ;;
    --distribution) DISTRIBUTION="${2:?}"; shift 2 ;;
    --out) OUT="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option \`$1\` (see --help)" ;;
  esac
done
[[ "$PRINCIPALS" =~ ^[0-9]+$ && "$PRINCIPALS" -gt 0 ]] || die "--principals must be a positive number, not \`$PRINCIPALS\`"
[[ "$DISTRIBUTION" == uniform || "$DISTRIBUTION" == zipf ]] || die "--distribution must be uniform or zipf, not \`$DISTRIBUTION\`"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$REPO/benchmarks/results/decision-goals-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
DATA="$(mktemp -d -t authz-goals.XXXXXX)"
SERVER_PGID=""
cleanup() {
  if [[ -n "$SERVER_PGID" ]]; then kill -TERM -- "-$SERVER_PGID" 2>/dev/null || true; wait "$SERVER_PGID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

# A loopback port nothing listens on (Orleans does not fail when its ports are taken, so never guess).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

echo "== building the server and the CLI (Release)"
dotnet build -c Release "$REPO/src/Authz.Server" -nologo -v quiet >"$OUT/build.log" 2>&1 || die "build failed, see $OUT/build.log"
dotnet build -c Release "$REPO/src/Authz.Cli" -nologo -v quiet >>"$OUT/build.log" 2>&1 || die "build failed, see $OUT/build.log"

# The server's administrator key, in the shape it issues: AKIA + 16 base32 characters, a dot, a secret.
AUTHZ_API_KEY="AKIA$(head -c 10 /dev/urandom | base32).$(head -c 30 /dev/urandom | base64 | tr '+/' '-_')"
export AUTHZ_API_KEY
PORT="$(free_port)"
echo "== starting the server on 127.0.0.1:$PORT"
Authz__Security__BootstrapKey="$AUTHZ_API_KEY" \
Authz__Server__GrpcPort="$PORT" \
Authz__Server__DataDirectory="$DATA" \
Authz__Cluster__SiloPort="$(free_port)" \
Authz__Cluster__GatewayPort="$(free_port)" \
Authz__Server__MetricsPort=0 \
Authz__Limits__RateLimits__Checks__PerSecond=10000000 \
Authz__Limits__RateLimits__Checks__Burst=10000000 \
Authz__Limits__RateLimits__Admin__PerSecond=10000000 \
Authz__Limits__RateLimits__Admin__Burst=10000000 \
  setsid dotnet run -c Release --no-build --project "$REPO/src/Authz.Server" >"$OUT/server.log" 2>&1 &
SERVER_PGID=$!
for _ in $(seq 1 120); do
  grep -q "listening for gRPC" "$OUT/server.log" && break
  kill -0 "$SERVER_PGID" 2>/dev/null || { tail -n 20 "$OUT/server.log" >&2; die "the server stopped (log above)"; }
  sleep 1
done
grep -q "listening for gRPC" "$OUT/server.log" || die "the server did not start within 120 s, see $OUT/server.log"

authz() { dotnet run -c Release --no-build --project "$REPO/src/Authz.Cli" -- "$@"; }
run() {
  local name="$1"; shift
  echo
  echo "== $name (load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores)"
  authz loadtest --target "127.0.0.1:$PORT" --principals "$PRINCIPALS" --concurrency "$CONCURRENCY" \
    --duration "$DURATION" --warmup "$WARMUP" --note "$name" --out "$OUT/$name" "$@"
}

run "$DISTRIBUTION" --seed always --distribution "$DISTRIBUTION"
run hot --seed never --distribution hot
run batch100 --seed never --distribution "$DISTRIBUTION" --batch 100

echo
echo "== one hot principal (B) against $PRINCIPALS principals, $DISTRIBUTION (A); goal: calls/s B/A >= 0.8"
authz loadtest --compare "$OUT/$DISTRIBUTION/results.json" "$OUT/hot/results.json"
echo
echo "== BatchAuthorize of 100 (B) against single Authorize (A), both $DISTRIBUTION; goal: checks/s B/A >= 10"
authz loadtest --compare "$OUT/$DISTRIBUTION/results.json" "$OUT/batch100/results.json"
echo
echo "results in $OUT"

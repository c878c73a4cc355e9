#!/usr/bin/env bash
# Runs the cluster topology of docker-compose.yml without Docker: PostgreSQL and Redis from Debian's packages (installed
# with apt-get when missing) and three Authz silos on distinct loopback ports.
#
#   scripts/cluster-local.sh start     build the server (Release), start PostgreSQL, Redis and three silos
#   scripts/cluster-local.sh status    show what runs and where
#   scripts/cluster-local.sh stop      stop the silos gracefully (SIGTERM), then Redis and PostgreSQL
#   scripts/cluster-local.sh kill N    kill silo N (1-3) with SIGKILL, to watch the others declare it dead
#
# Silo N (1-3) serves gRPC on 127.0.0.1:$((50050+N)), its silo port is $((11110+N)) and its gateway $((29999+N)).
# Environment: AUTHZ_CLUSTER_DIR (state, logs, binaries; default /var/tmp/authz-cluster-local), AUTHZ_CLUSTER_PG_PORT
# (55433), AUTHZ_CLUSTER_REDIS_PORT (56380), AUTHZ_CLUSTER_SILOS (3). Any other Authz__... variable is passed to
# every silo, e.g. Authz__Cluster__Membership__ProbeTimeout=00:00:01.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/services.sh
. "$repo/scripts/lib/services.sh"

dir=${AUTHZ_CLUSTER_DIR:-/var/tmp/authz-cluster-local}
pg_port=${AUTHZ_CLUSTER_PG_PORT:-55433}
redis_port=${AUTHZ_CLUSTER_REDIS_PORT:-56380}
silos=${AUTHZ_CLUSTER_SILOS:-3}
cluster_id=${AUTHZ_CLUSTER_ID:-authz-local}

grpc_port() { echo $((50050 + $1)); }
silo_port() { echo $((11110 + $1)); }
gateway_port() { echo $((29999 + $1)); }
metrics_port() { echo $((9463 + $1)); }
pid_of() { cat "$dir/silo-$1.pid" 2>/dev/null || true; }
running() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

start_silo() {
  local n=$1
  if running "$n"; then
    authz_log "silo $n already running (pid $(pid_of "$n"))"
    return 0
  fi
  mkdir -p "$dir/logs" "$dir/silo-$n"
  authz_log "starting silo $n: gRPC 127.0.0.1:$(grpc_port "$n"), silo port $(silo_port "$n"), gateway $(gateway_port "$n")"
  (
    cd "$dir/silo-$n"
    export Authz__Server__GrpcPort=$(grpc_port "$n")
    export Authz__Server__MetricsPort=$(metrics_port "$n")
    export Authz__Server__DataDirectory="$dir/silo-$n"
    export Authz__Cluster__Clustering=Redis
    export Authz__Cluster__RedisConnectionString="127.0.0.1:$redis_port"
    export Authz__Cluster__ClusterId=$cluster_id
    export Authz__Cluster__ServiceId=$cluster_id
    export Authz__Cluster__SiloPort=$(silo_port "$n")
    export Authz__Cluster__GatewayPort=$(gateway_port "$n")
    export Authz__Storage__Provider=Postgres
    export Authz__Storage__ConnectionString="Host=127.0.0.1;Port=$pg_port;Database=authz;Username=authz;Password=authz"
    # A killed silo is declared dead in seconds rather than Orleans' default of about a minute.
    export Authz__Cluster__Membership__ProbeTimeout=${Authz__Cluster__Membership__ProbeTimeout:-00:00:02}
    export Authz__Cluster__Membership__NumMissedProbesLimit=${Authz__Cluster__Membership__NumMissedProbesLimit:-2}
    export Authz__Cluster__Membership__NumVotesForDeathDeclaration=${Authz__Cluster__Membership__NumVotesForDeathDeclaration:-2}
    export Authz__Cluster__Membership__TableRefreshTimeout=${Authz__Cluster__Membership__TableRefreshTimeout:-00:00:02}
    nohup dotnet "$dir/app/Authz.Server.dll" >"$dir/logs/silo-$n.log" 2>&1 &
    echo $! >"$dir/silo-$n.pid"
  )
}

wait_listening() {
  local n=$1 i
  for i in $(seq 1 600); do
    if grep -q "Authz is listening for gRPC" "$dir/logs/silo-$n.log" 2>/dev/null; then
      return 0
    fi
    if ! running "$n"; then
      authz_log "silo $n exited; last lines of $dir/logs/silo-$n.log:"
      tail -n 30 "$dir/logs/silo-$n.log" >&2
      return 1
    fi
    sleep 0.1
  done
  authz_log "silo $n did not start within 60 s; see $dir/logs/silo-$n.log"
  return 1
}

stop_silo() {
  local n=$1 pid i
  pid=$(pid_of "$n")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    authz_log "stopping silo $n (pid $pid)"
    kill -TERM "$pid"
    for i in $(seq 1 400); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      authz_log "silo $n did not stop within 40 s; killing it"
      kill -KILL "$pid"
    fi
  fi
  rm -f "$dir/silo-$n.pid"
}

case "${1:-}" in
  start)
    mkdir -p "$dir"
    authz_log "building the server into $dir/app"
    dotnet publish "$repo/src/Authz.Server/Authz.Server.csproj" -c Release -o "$dir/app" --nologo -v quiet >"$dir/publish.log" 2>&1 \
      || { cat "$dir/publish.log" >&2; exit 1; }
    authz_pg_start "$dir/postgres" "$pg_port"
    authz_redis_start "$dir/redis" "$redis_port"
    # One administrator key for the whole cluster (each silo would otherwise generate its own in its data directory).
    if [ -z "${Authz__Security__BootstrapKey:-}" ]; then
      if [ ! -s "$dir/bootstrap.key" ]; then
        (umask 077; printf 'AKIABOOTSTRAP%s.%s\n' "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)" \
          "$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" >"$dir/bootstrap.key")
      fi
      export Authz__Security__BootstrapKey
      Authz__Security__BootstrapKey=$(cat "$dir/bootstrap.key")
      authz_log "cluster administrator key: $dir/bootstrap.key (use it with AUTHZ_API_KEY)"
    fi
    for n in $(seq 1 "$silos"); do start_silo "$n"; done
    for n in $(seq 1 "$silos"); do wait_listening "$n"; done
    authz_log "cluster $cluster_id is up: gRPC on $(for n in $(seq 1 "$silos"); do printf '127.0.0.1:%s ' "$(grpc_port "$n")"; done)"
    ;;
  stop)
    for n in $(seq 1 "$silos"); do stop_silo "$n"; done
    authz_redis_stop "$dir/redis" "$redis_port"
    authz_pg_stop "$dir/postgres"
    ;;
  kill)
    n=${2:?usage: scripts/cluster-local.sh kill N}
    running "$n" || { authz_log "silo $n is not running"; exit 1; }
    authz_log "killing silo $n (pid $(pid_of "$n")) with SIGKILL"
    kill -KILL "$(pid_of "$n")"
    rm -f "$dir/silo-$n.pid"
    ;;
  status)
    for n in $(seq 1 "$silos"); do
      if running "$n"; then
        echo "silo $n: running (pid $(pid_of "$n")), gRPC 127.0.0.1:$(grpc_port "$n"), silo port $(silo_port "$n"), gateway $(gateway_port "$n")"
      else
        echo "silo $n: stopped"
      fi
    done
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && echo "redis: 127.0.0.1:$redis_port" || echo "redis: stopped"
    pg_isready -h 127.0.0.1 -p "$pg_port" >/dev/null 2>&1 && echo "postgres: 127.0.0.1:$pg_port" || echo "postgres: stopped"
    ;;
  *)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

# Shared helpers of scripts/ci-services.sh and scripts/cluster-local.sh: install PostgreSQL and Redis from Debian's
# packages when missing and run private instances of them (own data directory, own loopback port), without systemd
# or Docker. Source this file; it defines functions only and changes no shell options.

authz_log() { printf '[authz] %s\n' "$*" >&2; }

# apt-get install the given packages unless every one of them is installed already.
authz_apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  authz_log "installing ${missing[*]} (apt-get)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  # Keep the Debian package from creating and starting its own default cluster/service: we run private instances.
  $sudo mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' | $sudo tee /etc/postgresql-common/createcluster.d/authz-no-main.conf >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The newest installed PostgreSQL server's bin directory.
authz_pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] || { authz_log "no PostgreSQL server found under /usr/lib/postgresql"; return 1; }
  printf '%s\n' "$dir"
}

# Run a command as the postgres user when we are root (the server refuses to run as root).
authz_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# authz_pg_start DIR PORT: start (creating on first use) a PostgreSQL instance in DIR listening on 127.0.0.1:PORT,
# with role authz (password authz) owning databases authz and authz_test. Idempotent.
authz_pg_start() {
  local dir=$1 port=$2 bin
  authz_apt_install postgresql
  bin=$(authz_pg_bindir) || return 1
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    authz_log "initializing PostgreSQL in $dir/data"
    authz_as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  if authz_as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    authz_log "PostgreSQL already running in $dir"
  else
    authz_log "starting PostgreSQL on 127.0.0.1:$port"
    authz_as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
      || { tail -n 30 "$dir/postgres.log" >&2; return 1; }
  fi
  local psql=("$bin/psql" -h "$dir" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAtX)
  if [ "$(authz_as_postgres "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'authz'")" != "1" ]; then
    authz_as_postgres "${psql[@]}" -d postgres -c "CREATE ROLE authz LOGIN PASSWORD 'authz'" >/dev/null
  fi
  local db
  for db in authz authz_test; do
    if [ "$(authz_as_postgres "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
      authz_as_postgres "${psql[@]}" -d postgres -c "CREATE DATABASE $db OWNER authz" >/dev/null
    fi
  done
}

# authz_pg_stop DIR: stop the instance in DIR if it runs.
authz_pg_stop() {
  local dir=$1 bin
  [ -d "$dir/data" ] || return 0
  bin=$(authz_pg_bindir) || return 0
  if authz_as_postgres "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    authz_log "stopping PostgreSQL in $dir"
    authz_as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
}

# authz_redis_start DIR PORT: start a Redis instance (no persistence: it only holds cluster membership) on
# 127.0.0.1:PORT. Idempotent.
authz_redis_start() {
  local dir=$1 port=$2
  authz_apt_install redis-server
  mkdir -p "$dir"
  if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
    authz_log "Redis already running on 127.0.0.1:$port"
    return 0
  fi
  authz_log "starting Redis on 127.0.0.1:$port"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --save '' --appendonly no >/dev/null
  local i
  for i in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  authz_log "Redis did not answer on 127.0.0.1:$port"; tail -n 20 "$dir/redis.log" >&2
  return 1
}

# authz_redis_stop DIR PORT: stop the instance started by authz_redis_start.
authz_redis_stop() {
  local dir=$1 port=$2
  if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
    authz_log "stopping Redis on 127.0.0.1:$port"
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  fi
  rm -f "$dir/redis.pid"
}

#!/usr/bin/env bash
# Installs (apt-get) and starts the PostgreSQL and Redis that the cluster tests need, when they are missing, and
# exports their connection strings:
#   AUTHZ_TEST_POSTGRES  Npgsql connection string of an empty-able test database
#   AUTHZ_TEST_REDIS     StackExchange.Redis configuration string
# Usage:
#   source scripts/ci-services.sh        start when needed and export the variables into this shell (.ci/run)
#   scripts/ci-services.sh start         start when needed and print `export ...` lines
#   scripts/ci-services.sh stop          stop the instances this script started
# Already-set variables that answer are kept, so a developer can point the tests at servers of their own.
# Data lives in $AUTHZ_SERVICES_DIR (default /var/tmp/authz-ci-services); ports are AUTHZ_CI_PG_PORT (default 55432) and
# AUTHZ_CI_REDIS_PORT (default 56379).

_authz_ci_services() (
  set -euo pipefail
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  # shellcheck source=scripts/lib/services.sh
  . "$here/lib/services.sh"

  local dir=${AUTHZ_SERVICES_DIR:-/var/tmp/authz-ci-services}
  local pg_port=${AUTHZ_CI_PG_PORT:-55432} redis_port=${AUTHZ_CI_REDIS_PORT:-56379}
  local pg_cs="Host=127.0.0.1;Port=$pg_port;Database=authz_test;Username=authz;Password=authz"
  local redis_cs="127.0.0.1:$redis_port"

  case "${1:-start}" in
    start)
      if [ -n "${AUTHZ_TEST_POSTGRES:-}" ]; then
        pg_cs=$AUTHZ_TEST_POSTGRES
        authz_log "using AUTHZ_TEST_POSTGRES from the environment"
      else
        authz_pg_start "$dir/postgres" "$pg_port"
      fi
      if [ -n "${AUTHZ_TEST_REDIS:-}" ]; then
        redis_cs=$AUTHZ_TEST_REDIS
        authz_log "using AUTHZ_TEST_REDIS from the environment"
      else
        authz_redis_start "$dir/redis" "$redis_port"
      fi
      printf 'export AUTHZ_TEST_POSTGRES=%q\n' "$pg_cs"
      printf 'export AUTHZ_TEST_REDIS=%q\n' "$redis_cs"
      ;;
    stop)
      authz_redis_stop "$dir/redis" "$redis_port"
      authz_pg_stop "$dir/postgres"
      ;;
    *)
      echo "usage: scripts/ci-services.sh [start|stop]" >&2
      return 2
      ;;
  esac
)

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: run in a subshell (its `set -e` stays there) and export what it printed into the caller.
  _authz_ci_env=$(_authz_ci_services start) || return 1
  eval "$_authz_ci_env"
  unset _authz_ci_env
else
  _authz_ci_services "$@"
fi

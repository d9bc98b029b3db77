#!/usr/bin/env bash
# What `make test` runs: installs missing Debian packages (as root), starts a throwaway PostgreSQL cluster and
# Redis on free local ports, runs the suite on SQLite and again on PostgreSQL, and tears everything down.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
started=$(date +%s)

need=()
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "make test needs these Debian packages: ${need[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "== installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

work=$(mktemp -d /tmp/atelier-test.XXXXXX)
pgdata="$work/pg"
redis_pid="$work/redis.pid"
cleanup() {
  [ -f "$pgdata/postmaster.pid" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
  [ -f "$redis_pid" ] && kill "$(cat "$redis_pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port)
mkdir -p "$pgdata" && chown -R postgres: "$work"
runuser -u postgres -- "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/log" -w -t 30 \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pgdata -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE atelier_owner LOGIN PASSWORD 'owner' NOSUPERUSER CREATEROLE;
CREATE ROLE atelier_app LOGIN PASSWORD 'app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE atelier_test OWNER atelier_owner;
GRANT CONNECT, TEMP ON DATABASE atelier_test TO atelier_app;
SQL

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$redis_pid" --dir "$work" --logfile "$work/redis.log"

export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export TEST_CHROMIUM=/usr/bin/chromium
[ -x /usr/lib/chromium/chromium ] && TEST_CHROMIUM=/usr/lib/chromium/chromium
export ATELIER_REQUIRE_SERVICES=1
mkdir -p test-artifacts

status=0
echo "== pass 1: SQLite (embedded default)"
"$PY" -m pytest -p no:cacheprovider -m "not postgres and not browser" "$@" || status=1

echo "== pass 2: PostgreSQL $(basename "$(dirname "$pgbin")") with Row-Level Security, as a non-owner role"
TEST_DATABASE_URL="postgresql+psycopg://atelier_app:app@127.0.0.1:$pg_port/atelier_test" \
TEST_MIGRATION_DATABASE_URL="postgresql+psycopg://atelier_owner:owner@127.0.0.1:$pg_port/atelier_test" \
  "$PY" -m pytest -p no:cacheprovider "$@" || status=1

echo "== make test finished in $(( $(date +%s) - started )) s: $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status

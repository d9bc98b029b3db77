#!/usr/bin/env bash
# What `make test` runs (after lint). Arguments go to pytest: scripts/test.sh -k login
#
# 1. installs the Debian packages that are missing (as root): PostgreSQL, Redis, Chromium, CJK fonts;
# 2. starts a throwaway PostgreSQL cluster and a Redis server on free local ports (55432 / 56379 unless busy);
# 3. runs pytest on SQLite (the embedded default; no PostgreSQL-only or browser tests), then again on
#    PostgreSQL as a non-owner role without BYPASSRLS (Row-Level Security applies) with everything included;
#    each pass in pytest-xdist workers (TEST_WORKERS, default one per CPU), each worker with its own database
#    and Redis database (tests/workers.py);
# 4. stops both servers and deletes their files, whatever happens. Exits non-zero if either pass failed.
# Recipes: ../shared/TEST-INFRA.md.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
PY=.venv/bin/python
[ -x "$PY" ] || make --no-print-directory install

# --- 1. Debian packages ------------------------------------------------------------------------------------
pg_bin() { find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1; }
chromium_bin() {
  local c
  for c in /usr/lib/chromium/chromium /usr/bin/chromium; do [ -x "$c" ] && { echo "$c"; return; }; done
}
has_cjk_fonts() { compgen -G '/usr/share/fonts/opentype/noto/Noto*CJK*' >/dev/null; }

pgbin=$(pg_bin)
missing=()
{ [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ]; } || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -n "$(chromium_bin)" ] || missing+=(chromium)
has_cjk_fonts || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "make test needs these Debian packages: ${missing[*]}" >&2
    echo "install them (sudo apt-get install --no-install-recommends ${missing[*]}) or run make test as root" >&2
    exit 1
  fi
  echo "== installing Debian packages: ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  pgbin=$(pg_bin)
fi
chromium=$(chromium_bin)

# initdb refuses to run as root: as root, the cluster belongs to the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- teardown, armed before anything starts ---------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/atelier-test.XXXXXX")
pgdata="$work/pg"
redis_pidfile="$work/redis.pid"
pg_started=0
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$pg_started" = 1 ]; then
    as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      echo "warning: PostgreSQL did not stop cleanly (data dir $pgdata)" >&2
  fi
  if [ -s "$redis_pidfile" ]; then
    local pid
    pid=$(cat "$redis_pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The preferred port if nothing is bound to it, else one the kernel picks.
pick_port() {
  "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# --- 2. PostgreSQL -----------------------------------------------------------------------------------------
pg_port=$(pick_port 55432)
pg_version=$(basename "$(dirname "$pgbin")")
mkdir -p "$pgdata"
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$work"
  chown postgres: "$pgdata"
fi
as_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 ||
  { cat "$work/initdb.log" >&2; exit 1; }
pg_started=1
pg_opts="-p $pg_port -c listen_addresses=127.0.0.1 -k $pgdata"
pg_opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"  # throwaway data: speed over safety
if ! as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 30 -o "$pg_opts" start >/dev/null; then
  echo "PostgreSQL did not start:" >&2
  cat "$pgdata/server.log" >&2
  exit 1
fi
psql_as() { # psql_as USER DB [psql args...]
  local user=$1 db=$2
  shift 2
  "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U "$user" -d "$db" "$@"
}
psql_as postgres postgres <<'SQL'
CREATE ROLE atelier_owner LOGIN PASSWORD 'owner' NOSUPERUSER NOBYPASSRLS CREATEROLE;
CREATE ROLE atelier_app LOGIN PASSWORD 'app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE atelier_test OWNER atelier_owner;
GRANT CONNECT, TEMP ON DATABASE atelier_test TO atelier_app;
\connect atelier_test
GRANT USAGE, CREATE ON SCHEMA public TO atelier_owner;
-- LIKE cannot reveal a hidden row's content (its errors depend on the pattern only); marked leakproof, it may
-- use the trigram index under Row-Level Security instead of scanning the studio (README, "PostgreSQL").
ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF;
SQL
# The app role must be subject to RLS: fail here, plainly, rather than in a hundred tests.
check=$(psql_as atelier_app atelier_test -At -c \
  "SELECT rolsuper OR rolbypassrls OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
[ "$check" = f ] || { echo "atelier_app could not connect or is privileged ($check)" >&2; exit 1; }

# --- 3. Redis ----------------------------------------------------------------------------------------------
redis_port=$(pick_port 56379)
# One Redis database per pytest-xdist worker (tests/workers.py): 64 is more than any worker count here.
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --databases 64 \
  --pidfile "$redis_pidfile" --dir "$work" --logfile "$work/redis.log"
for _ in $(seq 100); do
  redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break
  sleep 0.05
done
redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG ||
  { echo "Redis did not start:" >&2; cat "$work/redis.log" >&2; exit 1; }
for _ in $(seq 40); do [ -s "$redis_pidfile" ] && break; sleep 0.05; done

echo "== services: PostgreSQL $pg_version on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port, $chromium"

# --- 4. the two passes -------------------------------------------------------------------------------------
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export TEST_CHROMIUM="$chromium"
export ATELIER_REQUIRE_SERVICES=1
unset TEST_DATABASE_URL TEST_MIGRATION_DATABASE_URL TEST_ADMIN_DATABASE_URL
mkdir -p test-artifacts

# Byte-compiled once here: where PYTHONDONTWRITEBYTECODE is set (this machine and CI), every process (each
# xdist worker, each `saas serve`, `saas worker` and CLI run the tests start) would otherwise compile some
# 1,400 modules again, ~1 s each time. A no-op when nothing changed; a file that does not compile is the
# tests' to report, not this step's.
"$PY" -m compileall -q -j 0 saas tests "$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
  >/dev/null 2>&1 || true

# Each pass runs in TEST_WORKERS pytest-xdist processes (default: one per CPU; 0 runs it in one process),
# each with its own database, Redis database and servers (tests/workers.py).
workers=${TEST_WORKERS:-auto}

failed=()
run_pass() { # run_pass NAME pytest-args...
  local name=$1 rc=0
  shift
  # worksteal: a worker that runs out of tests takes some of another's, so a pass does not end waiting on
  # one worker's queue of long (browser, subprocess) tests.
  "$PY" -m pytest -p no:cacheprovider -n "$workers" --dist worksteal "$@" || rc=$?
  # Any non-zero code fails the pass, 5 (no tests collected) included.
  [ "$rc" = 0 ] || { failed+=("$name (pytest exit $rc)"); echo "== $name: pytest exited with $rc"; }
}

echo
echo "== pass 1/2: SQLite (the embedded default), without the PostgreSQL-only and browser tests"
run_pass "SQLite" -m "not postgres and not browser" "$@"

echo
echo "== pass 2/2: PostgreSQL $pg_version as atelier_app (non-owner, no BYPASSRLS: Row-Level Security applies), all tests"
export TEST_DATABASE_URL="postgresql+psycopg://atelier_app:app@127.0.0.1:$pg_port/atelier_test"
export TEST_MIGRATION_DATABASE_URL="postgresql+psycopg://atelier_owner:owner@127.0.0.1:$pg_port/atelier_test"
# The cluster's superuser: copies atelier_test into each worker's database and empties tables past RLS.
export TEST_ADMIN_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$pg_port/postgres"
# Workers of both passes use the same Redis databases: nothing the first pass queued may run in the second.
redis-cli -p "$redis_port" flushall >/dev/null
run_pass "PostgreSQL" "$@"

echo
if [ ${#failed[@]} -eq 0 ]; then
  echo "== make test passed in $((SECONDS - started)) s"
  exit 0
fi
echo "== make test FAILED in $((SECONDS - started)) s: ${failed[*]}"
exit 1

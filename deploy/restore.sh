#!/usr/bin/env bash
# Restore a dump made by backup.sh over the current database, then migrate and re-grant the app role.
#
#   set -a; . /etc/atelier/env; set +a          # the app's settings: saas db upgrade needs them
#   deploy/restore.sh /var/backups/atelier/atelier-20260101T030000Z.dump [--yes]
#
# Stop the web and worker processes first. Runs as the table owner (MIGRATION_DATABASE_URL) in one
# transaction: either everything is restored or nothing changes. SAAS names the saas command (default: saas).
set -euo pipefail

dump="${1:?usage: restore.sh FILE.dump [--yes]}"
confirm="${2:-}"
saas="${SAAS:-saas}"
url="${MIGRATION_DATABASE_URL:?set MIGRATION_DATABASE_URL (the table owner) and the other app settings}"
[ -r "$dump" ] || { echo "restore.sh: cannot read $dump" >&2; exit 2; }
command -v "$saas" >/dev/null || { echo "restore.sh: $saas not found (set SAAS=/srv/atelier/.venv/bin/saas)" >&2; exit 2; }
pg_restore --list "$dump" >/dev/null  # a readable archive, before anything is dropped

url="${url/#postgresql+psycopg:/postgresql:}"
if [[ "$url" =~ ^([a-z]+://[^:/@]*):([^@]*)@(.*)$ ]]; then
  PGPASSWORD=$(printf '%b' "${BASH_REMATCH[2]//%/\\x}")  # percent-decoded, kept out of `ps`
  export PGPASSWORD
  url="${BASH_REMATCH[1]}@${BASH_REMATCH[3]}"
fi

if [ "$confirm" != --yes ]; then
  if [ ! -t 0 ]; then
    echo "restore.sh: this replaces every table of the database; pass --yes to confirm" >&2
    exit 2
  fi
  read -r -p "Replace every table of ${url#*@} with $dump? Type 'restore': " answer
  [ "$answer" = restore ] || { echo "not restored"; exit 1; }
fi

# --no-owner: objects belong to the connecting owner role; --no-privileges: `saas db upgrade` grants below.
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error -d "$url" "$dump"
"$saas" db upgrade
echo "restored $dump"

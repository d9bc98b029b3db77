#!/usr/bin/env bash
# Logical backup of the Atelier database (pg_dump --format=custom), keeping KEEP_DAYS days of dumps.
#
#   BACKUP_DATABASE_URL=postgresql://atelier_backup@db/atelier deploy/backup.sh /var/backups/atelier
#
# The role must bypass Row-Level Security (a BYPASSRLS role or a superuser): the studio tables FORCE RLS, so
# even their owner cannot dump them (see deploy/README.md, "Backups"). BACKUP_DATABASE_URL defaults to
# MIGRATION_DATABASE_URL. Needs pg_dump, pg_restore and psql of the server's major version or newer.
set -euo pipefail
umask 077

target="${1:?usage: backup.sh DIRECTORY  (env: BACKUP_DATABASE_URL or MIGRATION_DATABASE_URL, KEEP_DAYS)}"
keep_days="${KEEP_DAYS:-14}"
url="${BACKUP_DATABASE_URL:-${MIGRATION_DATABASE_URL:-}}"
[ -n "$url" ] || { echo "backup.sh: set BACKUP_DATABASE_URL (or MIGRATION_DATABASE_URL)" >&2; exit 2; }
if ! [[ "$keep_days" =~ ^[0-9]+$ ]] || [ "$keep_days" -lt 1 ]; then
  echo "backup.sh: KEEP_DAYS must be a whole number of days, at least 1" >&2
  exit 2
fi

# libpq does not know SQLAlchemy's driver suffix; move a password out of the URL so `ps` does not show it.
url="${url/#postgresql+psycopg:/postgresql:}"
if [[ "$url" =~ ^([a-z]+://[^:/@]*):([^@]*)@(.*)$ ]]; then
  PGPASSWORD=$(printf '%b' "${BASH_REMATCH[2]//%/\\x}")  # percent-decoded
  export PGPASSWORD
  url="${BASH_REMATCH[1]}@${BASH_REMATCH[3]}"
fi

can_read_all=$(psql -X -At -v ON_ERROR_STOP=1 -d "$url" \
  -c "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
if [ "$can_read_all" != t ]; then
  echo "backup.sh: this role is subject to Row-Level Security, so it cannot dump the studio tables." >&2
  echo "Use a role with BYPASSRLS (deploy/README.md, Backups) in BACKUP_DATABASE_URL." >&2
  exit 1
fi

mkdir -p "$target"
file="$target/atelier-$(date -u +%Y%m%dT%H%M%SZ).dump"
trap 'rm -f "$file.part"' EXIT
pg_dump --format=custom --compress=6 --file="$file.part" -d "$url"
pg_restore --list "$file.part" >/dev/null  # the archive reads back
mv "$file.part" "$file"
trap - EXIT
echo "backup written: $file ($(du -h "$file" | cut -f1))"

# Retention, only after a good dump: older than KEEP_DAYS days (by modification time).
find "$target" -maxdepth 1 -type f -name 'atelier-*.dump' -mmin +"$((keep_days * 24 * 60))" -print -delete |
  sed 's/^/deleted old backup: /'

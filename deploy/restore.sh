#!/usr/bin/env bash
# Restore a backup made by backup.sh, then re-apply migrations and the app role's grants.
# Usage: MIGRATION_DATABASE_URL=… DATABASE_URL=… deploy/restore.sh /var/backups/atelier/atelier-….dump
set -euo pipefail
dump="${1:?usage: restore.sh FILE.dump}"
url="${MIGRATION_DATABASE_URL:?set MIGRATION_DATABASE_URL (the table owner)}"
url="${url/postgresql+psycopg:/postgresql:}"
pg_restore --clean --if-exists --no-owner --dbname="$url" "$dump"
saas db upgrade
echo "restored $dump"

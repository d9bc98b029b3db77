#!/usr/bin/env bash
# Nightly logical backup of the Atelier database, kept for KEEP_DAYS days.
# Usage: MIGRATION_DATABASE_URL=postgresql://owner@host/atelier deploy/backup.sh /var/backups/atelier
set -euo pipefail
target="${1:?usage: backup.sh DIRECTORY}"
keep_days="${KEEP_DAYS:-14}"
url="${MIGRATION_DATABASE_URL:?set MIGRATION_DATABASE_URL (the table owner)}"
url="${url/postgresql+psycopg:/postgresql:}"
mkdir -p "$target"
file="$target/atelier-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --file="$file.part" "$url"
mv "$file.part" "$file"
find "$target" -name 'atelier-*.dump' -mtime +"$keep_days" -delete
echo "backup written: $file"

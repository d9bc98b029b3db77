#!/usr/bin/env bash
# Runs once, as the postgres superuser, when the compose `db` volume is first created
# (mounted into /docker-entrypoint-initdb.d/). The app role itself is made by `saas db roles`.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -X -q --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$ATELIER_OWNER_PASSWORD" -v backup_pw="$ATELIER_BACKUP_PASSWORD" <<'SQL'
CREATE ROLE atelier_owner LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS PASSWORD :'owner_pw';
CREATE DATABASE atelier OWNER atelier_owner;
CREATE ROLE atelier_backup LOGIN BYPASSRLS PASSWORD :'backup_pw';
GRANT pg_read_all_data TO atelier_backup;
\connect atelier
-- Lets client search use its trigram index under Row-Level Security (see the README).
ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF;
SQL

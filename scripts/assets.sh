#!/usr/bin/env bash
# Install the front-end libraries pinned in package-lock.json into node_modules (what `make install` runs after
# the venv). Served from there by saas/web/vendor.py; never committed. Without npm the app still works: charts
# show as the tables of numbers they are drawn over.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: charts will show as tables (Debian: apt-get install nodejs npm)" >&2
  exit 0
fi
echo "== node_modules: npm ci"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
touch node_modules/.installed

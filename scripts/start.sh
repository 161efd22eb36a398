#!/usr/bin/env bash
# Install (only when .venv is missing or stale, see setup.sh), create a demo database (demo.db) if
# there is none, upgrade it when the migrations changed, and open the terminal UI on it.
# Without a terminal (CI, a pipe) `xiaoqi tui` prints the database summary instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DB=${XIAOQI_DEMO_DB:-demo.db}
# the migrations this checkout has: when they change (a pull), the demo database is upgraded first
migrations=$(find core plugins -path '*migrations*' -name '*.py' -print | sort | xargs cat | sha256sum | cut -d' ' -f1)
DB_STAMP=.venv/.xiaoqi-db-stamp
if [ ! -f "$DB" ]; then
    .venv/bin/xiaoqi --db "$DB" init
    .venv/bin/xiaoqi --db "$DB" demo
    echo "$DB $migrations" >"$DB_STAMP"
elif [ ! -f "$DB_STAMP" ] || [ "$(cat "$DB_STAMP")" != "$DB $migrations" ]; then
    .venv/bin/xiaoqi --db "$DB" db upgrade
    echo "$DB $migrations" >"$DB_STAMP"
fi
exec .venv/bin/xiaoqi --db "$DB" tui "$@"

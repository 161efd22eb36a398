#!/usr/bin/env bash
# Install, create a demo database (demo.db) if there is none, and open the terminal UI on it.
# Without a terminal (CI, a pipe) `xiaoqi tui` prints the database summary instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DB=${XIAOQI_DEMO_DB:-demo.db}
if [ ! -f "$DB" ]; then
    .venv/bin/xiaoqi --db "$DB" init
    .venv/bin/xiaoqi --db "$DB" demo
fi
exec .venv/bin/xiaoqi --db "$DB" tui "$@"

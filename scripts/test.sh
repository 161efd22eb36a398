#!/usr/bin/env bash
# Install and run the whole test suite (SQLite and the local PostgreSQL at 127.0.0.1:5432).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k import`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"

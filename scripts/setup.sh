#!/usr/bin/env bash
# Create .venv (if missing) and install xiaoqi into it, editable, with the test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored: it is neither" >&2 || true
.venv/bin/python -m pip install --quiet -e '.[test]' 2>&1 | grep -v "is ignored: it is neither" >&2 || true
.venv/bin/python -c "import xiaoqi.core.cli" # fails loudly if the install did not work

#!/usr/bin/env bash
# Create .venv (if missing) and install xiaoqi into it, editable, with the test tools.
# The install runs only when the environment is missing or stale: .venv/.xiaoqi-stamp holds the
# SHA-256 of pyproject.toml (and the Python it was made with) from the last install that worked.
# `bash scripts/setup.sh --force` (or XIAOQI_REINSTALL=1) installs again anyway.
# start.sh and test.sh call this script: the one place that decides whether to install.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
STAMP=.venv/.xiaoqi-stamp
LOG=.venv/install.log
FORCE=${XIAOQI_REINSTALL:-}
[ "${1:-}" = "--force" ] && FORCE=1

wanted() {  # what the stamp must say for the environment to be current
    local py=$1
    "$py" - <<'EOF'
import hashlib, sys
print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest(), sys.version.split()[0])
EOF
}

if [ -z "$FORCE" ] && [ -x .venv/bin/python ] && [ -x .venv/bin/xiaoqi ] && [ -f "$STAMP" ] \
    && [ "$(cat "$STAMP")" = "$(wanted .venv/bin/python)" ]; then
    exit 0  # installed from this pyproject.toml: nothing to do
fi

if [ ! -x .venv/bin/python ]; then
    echo "正在创建虚拟环境 .venv …  (creating .venv)" >&2
    "$PY" -m venv .venv
fi
echo "正在安装 xiaoqi 及其依赖 …  (installing; the log goes to $LOG)" >&2
rm -f "$STAMP"
if ! { .venv/bin/python -m pip install --quiet --upgrade pip \
        && .venv/bin/python -m pip install --quiet -e '.[test]'; } >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "安装失败，详见上文 (install failed, see above)" >&2
    exit 1
fi
# setuptools always says, for an editable install of a package-dir layout, "Editable installation …
# be careful with folders of the same name" (InformationOnly), and this machine's pip configuration
# may name an index location that is absent; anything else pip or setuptools says is shown
.venv/bin/python - "$LOG" <<'EOF' >&2
import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
start = re.compile(r"^(\S|\s*\S+\.py:\d+: \w*Warning: )")  # a message of pip's, or a warning
blocks, block = [], []
for line in lines:
    if start.match(line) and block:
        blocks.append(block)
        block = []
    block.append(line)
blocks += [block] if block else []
for block in blocks:
    head = block[0]
    if "BuildBackendWarning: Editable installation." in head or "is ignored: it is neither a file nor a directory" in head:
        continue
    print("\n".join(block))
EOF
.venv/bin/python -c "import xiaoqi.core.cli"  # fails loudly if the install did not work
wanted .venv/bin/python >"$STAMP"

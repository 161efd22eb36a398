"""Benchmark of short commands: each figure beside its reference measured in the same run.

    .venv/bin/python bench/cli.py [--runs 7] [--db bench/out/cli-demo.db] [--rebuild]

Every command runs as a new process (what a user waits for: Python's start and every import
included), the runs of all commands interleaved so that a busy machine slows each alike; each figure
is the minimum and the median of ``--runs`` runs, and the ratio is median to median.

| figure | reference | target |
|---|---|---|
| ``xiaoqi --help`` | ``sqlite-utils --help`` | ≤ 1.5× |
| ``xiaoqi status``, ``records list internships`` (plain and with ``--where``/``--filter``), ``records list schools``, ``check`` on the demo database | ``python -c "import sqlalchemy"`` | ≤ 0.5 s |
| ``xiaoqi tui --open internships``, shell to the first rows (tmux) | a bare Textual app, shell to its first frame | ≤ 0.6 s |

``xiaoqi check`` is answered from the run kept by the first one (the warm-up): nothing changes
between runs, so the findings are the kept ones (``xiaoqi.core.lean_check``); ``check --as-of
TODAY``, which always runs every rule, is shown beside it for what running the rules costs.

Beside the wall clock, each command's median CPU seconds (user + system, with the same ratio): on a
busy machine the wall clock mostly measures the wait for other processes. Also shown, to tell where
the time goes: ``python -c pass``, ``import sqlalchemy.orm``,
``import pydantic``, ``import sqlmodel`` (what the record models are built on) and
``import xiaoqi.core.models`` (the core's table classes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from terminal import time_to_screen  # bench/ is the script directory, first on sys.path

HERE = Path(__file__).parent
DEFAULT_DB = HERE / "out" / "cli-demo.db"
BIN = Path(sys.executable).parent
PY = sys.executable
XIAOQI = str(BIN / "xiaoqi")
#: an internship's row on the TUI's table: its student's ID number, in full or masked
ROW = re.compile(r"\d{6}(?:\d{8}|\*{8})\d{3}[\dX*]")
BARE_APP = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class Bare(App):\n"
    "    def compose(self):\n"
    "        yield Static('bare-textual-ready')\n"
    "Bare().run()\n"
)


FILTERED = "xiaoqi records list internships --where start_on>=… --filter kind=岗位实习"

#: the short commands with the 0.5 s target
SHORT = ("xiaoqi status", "xiaoqi records list internships", "xiaoqi records list schools", FILTERED, "xiaoqi check")

#: CPU seconds (user + system) of each command's runs: on a busy machine the wall clock waits for
#: other processes, the CPU time much less so
CPU: dict[str, list[float]] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: the environment of every measured command: as a user's, whose Python keeps the bytecode it
#: compiles (a shell with PYTHONDONTWRITEBYTECODE set recompiles every module at every start)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], name: str | None = None) -> float:
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # check exits 1 on the demo's deliberate violations
        raise SystemExit(f"{shlex.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    if name is not None:
        CPU.setdefault(name, []).append(_children_cpu() - cpu)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (minimum and median shown)")
    args = parser.parse_args()
    db = args.db.absolute()
    if args.rebuild or not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            path.unlink(missing_ok=True)
        subprocess.run([XIAOQI, "--db", str(db), "demo", "--today", "2026-11-23"], check=True, capture_output=True)
    sqlite_utils = shutil.which("sqlite-utils", path=str(BIN)) or shutil.which("sqlite-utils")
    if sqlite_utils is None:
        raise SystemExit("sqlite-utils is not installed: pip install -e '.[test]'")

    commands: dict[str, list[str]] = {
        "sqlite-utils --help": [sqlite_utils, "--help"],
        "xiaoqi --help": [XIAOQI, "--help"],
        "python -c pass": [PY, "-c", "pass"],
        "import sqlalchemy": [PY, "-c", "import sqlalchemy"],
        "import sqlalchemy.orm": [PY, "-c", "import sqlalchemy.orm"],
        "import pydantic": [PY, "-c", "import pydantic"],
        "import sqlmodel": [PY, "-c", "import sqlmodel"],
        "import xiaoqi.core.models": [PY, "-c", "import xiaoqi.core.models"],
        "xiaoqi status": [XIAOQI, "--db", str(db), "status"],
        "xiaoqi records list internships": [XIAOQI, "--db", str(db), "records", "list", "internships"],
        "xiaoqi records list schools": [XIAOQI, "--db", str(db), "records", "list", "schools"],
        FILTERED: [XIAOQI, "--db", str(db), "records", "list", "internships", "--where", "start_on>=2026-03-01", "--filter",
                   "kind=岗位实习"],
        "xiaoqi check": [XIAOQI, "--db", str(db), "check"],
        "xiaoqi check --as-of TODAY (rules run)": [XIAOQI, "--db", str(db), "check", "--as-of", dt.date.today().isoformat()],
    }
    for argv in commands.values():  # warm the file cache and the bytecode
        timed(argv)
    runs: dict[str, list[float]] = {name: [] for name in commands}
    terminal = shutil.which("tmux") is not None
    tui = "xiaoqi tui --open internships (tmux, shell -> rows)"
    bare = "bare Textual app (tmux, shell -> first frame)"
    if terminal:
        runs[tui], runs[bare] = [], []
    for _ in range(max(1, args.runs)):
        for name, argv in commands.items():
            runs[name].append(timed(argv, name))
        if terminal:
            runs[tui].append(time_to_screen(f"{shlex.quote(XIAOQI)} --db {shlex.quote(str(db))} tui --open internships", ROW))
            runs[bare].append(time_to_screen(f"{shlex.quote(PY)} -c {shlex.quote(BARE_APP)}", re.compile("bare-textual-ready")))

    median = {name: statistics.median(values) for name, values in runs.items()}
    print(f"{len(runs['xiaoqi --help'])} runs of each, interleaved; min / median wall seconds, median CPU seconds "
          f"(user + system) with the same ratio; database {db}; load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    width = max(map(len, runs)) + 2

    cpu = {name: statistics.median(values) for name, values in CPU.items()}

    def line(name: str, reference: str | None = None, target: str = "") -> None:
        values = runs[name]
        text = f"{name:<{width}} min {min(values):6.3f}   median {median[name]:6.3f}"
        if reference:
            text += f"   x{median[name] / median[reference]:.2f} {reference}"
        if name in cpu:
            text += f"   cpu {cpu[name]:6.3f}" + (f" x{cpu[name] / cpu[reference]:.2f}" if reference in cpu else "")
        print(text + (f"   [{target}]" if target else ""))

    line("python -c pass")
    line("sqlite-utils --help")
    line("xiaoqi --help", "sqlite-utils --help", "target <= x1.5")
    line("import sqlalchemy")
    line("import sqlalchemy.orm", "import sqlalchemy")
    line("import pydantic", "import sqlalchemy")
    line("import sqlmodel", "import sqlalchemy")
    line("import xiaoqi.core.models", "import sqlalchemy")
    for name in SHORT:
        line(name, "import sqlalchemy", "target <= 0.5 s")
    line("xiaoqi check --as-of TODAY (rules run)", "import sqlalchemy")
    if terminal:
        line(bare)
        line(tui, bare, "target <= 0.6 s")
    verdicts = [("--help", median["xiaoqi --help"] <= 1.5 * median["sqlite-utils --help"])]
    verdicts += [(name, median[name] <= 0.5) for name in SHORT]
    if terminal:
        verdicts.append(("tui --open internships", median[tui] <= 0.6))
    print("; ".join(f"{'OK' if ok else 'SLOW'} {name}" for name, ok in verdicts))


if __name__ == "__main__":
    main()

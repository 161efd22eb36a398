"""Benchmark of how import and check grow with the registry: 10,000, 100,000 and 1,000,000 internships.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--out bench/out/scale] [--keep]

For each size, in the same run: the CSV files of bench/import.py (seeded; half as many students as
internships, and the schools, majors, enterprises and positions they refer to) are generated,
imported into a new SQLite database with ``xiaoqi import`` (every kind, then the internships:
validated and audited, timed as the whole command), and the full check runs on the result
(``xiaoqi check``, the whole command; exit status 1 for findings is expected). Prints seconds and
rows/s per size, each size's rows/s as a share of the smallest size's, and the marginal rows/s
(the rows a size adds to the previous one over the seconds it adds): linear growth keeps the
marginal rate steady (one that falls is cost that grows faster than the rows; the share also
carries each command's fixed cost, which weighs most at the smallest size).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
bench_import = importlib.import_module("import")  # bench/import.py (bench/ is first on sys.path)

KINDS = ("schools", "majors", "students", "enterprises", "positions")


def one_size(rows: int, out: Path, keep: bool) -> dict[str, float]:
    if not (keep and (out / "internships.csv").exists()):
        shutil.rmtree(out, ignore_errors=True)
        bench_import.generate(out, rows)
    db = out / "xiaoqi.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    xiaoqi = str(BIN / "xiaoqi")
    env = {**os.environ, "XIAOQI_LANG": "en"}
    quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    bench_import.run([xiaoqi, "--db", str(db), "init"], **quiet)
    references = 0.0
    for kind in KINDS:
        references += bench_import.run([xiaoqi, "--db", str(db), "import", kind, str(out / f"{kind}.csv")], **quiet)
    imported, peak = bench_import.measure([xiaoqi, "--db", str(db), "import", "internships", str(out / "internships.csv")], **quiet)
    started = time.perf_counter()
    done = subprocess.run([xiaoqi, "--db", str(db), "check", "--as-of", "2026-11-23"], **quiet)
    checked = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"xiaoqi check failed on {db} ({done.returncode})")
    return {"rows": rows, "references": references, "import": imported, "import_mb": peak, "check": checked}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="internship counts, comma-separated")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "scale")
    parser.add_argument("--keep", action="store_true", help="reuse the generated CSV files if present")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'internships':>12} {'import s':>9} {'rows/s':>9} {'share':>6} {'marginal':>9} {'peak MB':>8} {'check s':>8} "
          f"{'rows/s':>9} {'share':>6} {'marginal':>9} {'load':>5}   (references imported in s)", flush=True)
    base = previous = None
    for n in sizes:
        # each size's line is printed as soon as it is measured: a run stopped at the largest size
        # still shows the smaller ones
        r = one_size(n, args.out / str(n), args.keep)
        base = base or r
        imp, chk = r["rows"] / r["import"], r["rows"] / r["check"]
        # rows/s of the rows this size adds to the previous one: the fixed cost of a command
        # (process start, plugins, schema check) falls out, so linear growth keeps it steady
        if previous is None:
            more_imp = more_chk = "-"
        else:
            added = r["rows"] - previous["rows"]
            more_imp, more_chk = (f"{added / (r[k] - previous[k]):,.0f}" if r[k] > previous[k] else "(noise)"
                                  for k in ("import", "check"))
        print(f"{r['rows']:>12,} {r['import']:>9.1f} {imp:>9,.0f} {imp / (base['rows'] / base['import']):>6.2f} {more_imp:>9} "
              f"{r['import_mb']:>8,.0f} {r['check']:>8.1f} {chk:>9,.0f} {chk / (base['rows'] / base['check']):>6.2f} "
              f"{more_chk:>9} {os.getloadavg()[0]:>5.1f}   ({r['references']:.1f})", flush=True)
        previous = r
    print("load: the 1-minute average when the size's check ended (the machine is shared)")

if __name__ == "__main__":
    main()

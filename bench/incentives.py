"""Benchmark of ``xiaoqi incentives accrue`` on a large registry (SQLite), against the plain SQL
that selects the rows it claims, measured in the same run.

    .venv/bin/python bench/incentives.py [--db bench/out/check-1m.db] [--year 2026] [--keep]

The database is copied first (the original is never written). In the copy the enterprises of
province 44 are moved to the districts of two shipped city schemes (深圳南山 440305, 珠海香洲 440402)
and those of province 33 to 宁德 (350902), so that the schemes have cases by the ten thousand. Then:

1. the reference: the qualifying rows of the three schemes for the year — the same joins and
   filters as the schemes' own SQL, without figures, steps or ledger — read with the sqlite3
   module on the same file;
2. ``accrue --dry-run`` (everything computed, nothing posted);
3. ``accrue`` (the lines posted in one transaction, audited);
4. ``accrue`` again (every case claimed already: the idempotent path).

Prints seconds, the ratio to the reference and cases per second for each, and the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from large_db import build  # bench/ is the script directory, first on sys.path

DEFAULT_DB = Path(__file__).parent / "out" / "check-1m.db"

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MOVES = (("440305", "region LIKE '4401%' OR region LIKE '4403%'"), ("440402", "region LIKE '4406%'"), ("350902", "region LIKE '33%'"))

#: the rows the schemes claim from, by the same joins and filters as their own SQL (the region's
#: enterprises first), without figures, steps or ledger
REFERENCE = """
    SELECT i.id_number, i.uscc, i.school_code, i.start_on, i.end_on, e.region FROM internships i JOIN enterprises e ON e.uscc = i.uscc
    WHERE i.kind = '岗位实习' AND i.start_on >= :first AND i.start_on <= :last
      AND i.uscc IN (SELECT uscc FROM enterprises WHERE region >= '3509' AND region < '3510') AND substr(e.region, 1, 4) = '3509'
    UNION ALL
    SELECT i.id_number, i.uscc, i.school_code, i.start_on, i.end_on, e.region FROM internships i JOIN enterprises e ON e.uscc = i.uscc
    WHERE i.kind = '岗位实习' AND i.start_on >= :first AND i.start_on <= :last
      AND i.uscc IN (SELECT uscc FROM enterprises WHERE region >= '440402' AND region < '440403') AND substr(e.region, 1, 6) = '440402'
    UNION ALL
    SELECT i.id_number, i.uscc, i.school_code, i.start_on, i.end_on, e.region FROM internships i JOIN enterprises e ON e.uscc = i.uscc
    JOIN schools s ON s.school_code = i.school_code
    WHERE i.kind = '岗位实习' AND i.start_on <= :last AND i.end_on >= :first
      AND i.uscc IN (SELECT uscc FROM enterprises WHERE region >= '440305' AND region < '440306') AND substr(e.region, 1, 6) = '440305'
"""


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help="the large registry (built with xiaoqi demo --size large when missing)")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the copy")
    parser.add_argument("--profile", action="store_true", help="profile the dry run (cProfile, the 20 costliest calls)")
    args = parser.parse_args()

    if not args.db.exists():
        build(args.db)
    work = Path(tempfile.mkdtemp(prefix="bench-incentives-"))
    copy = work / "registry.db"
    seconds, _ = timed(lambda: shutil.copyfile(args.db, copy))
    print(f"copied {args.db} ({copy.stat().st_size / 1e6:,.0f} MB) in {seconds:.1f} s")
    with sqlite3.connect(copy) as raw:
        for region, where in MOVES:
            raw.execute(f"UPDATE enterprises SET region = ? WHERE {where}", (region,))
        internships = raw.execute("SELECT COUNT(*) FROM internships").fetchone()[0]
        firms = dict(raw.execute("SELECT region, COUNT(*) FROM enterprises WHERE region IN ('440305', '440402', '350902') GROUP BY region"))
        before = raw.execute("SELECT COUNT(*) FROM inc_lines").fetchone()[0]
    print(f"{internships:,} internships; city enterprises {firms}; {before} ledger lines before")

    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import make_engine, write_session
    from xiaoqi.core.rules.params import param_table
    from xiaoqi.plugins.incentives.accrue import accrue
    from xiaoqi.plugins.incentives.params import Figures

    first, last = f"{args.year}-01-01", f"{args.year}-12-31"
    with sqlite3.connect(copy) as raw:
        raw.execute("SELECT COUNT(*) FROM internships WHERE start_on >= ?", (first,)).fetchone()  # the file in the page cache
        ref_s, rows = timed(lambda: raw.execute(REFERENCE, {"first": first, "last": last}).fetchall())
    cases = len(rows)
    engine = make_engine(f"sqlite:///{copy}")
    figures = Figures(param_table())

    def run(dry_run: bool):
        with write_session(engine) as session:
            return accrue(session, ADMIN, args.year, figures, dry_run=dry_run)

    results = [("reference: the qualifying rows (sqlite3)", ref_s, cases)]
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(run, True)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(20)
    for label, dry in (("accrue --dry-run", True), ("accrue (posts)", False), ("accrue again (idempotent)", False)):
        s, result = timed(lambda: run(dry))
        claims = sum(1 for line in result.lines if line["line_type"] == "claimed" and line["scheme"] != "apprentice")
        results.append((f"{label}: {len(result.lines):,} lines, {claims:,} intern claims", s, cases))
    engine.dispose()
    load = os.getloadavg()
    print(f"year {args.year}: {cases:,} qualifying rows of the three city schemes; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"({os.cpu_count()} cores)")
    for label, s, n in results:
        print(f"  {label:<62} {s:8.2f} s  ratio {s / ref_s:7.1f}  {n / s:>12,.0f} rows/s")
    if args.keep:
        print(f"kept {copy}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()

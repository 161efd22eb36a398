"""Benchmark of ``xiaoqi check`` on 1,000,000+ internships (SQLite).

    .venv/bin/python bench/check.py [--db bench/out/check-1m.db] [--rebuild]

Builds the database once with ``xiaoqi demo --size large`` (cached under bench/out/), then times
a reference query (the COUNT(*) join of internships with their insured rows and policies) and the
full check (every rule), and prints rows/s, the ratio check / reference measured in the same run,
and the peak memory of the process (getrusage). Target: the full national check under 60 s on a
2-core machine, memory bounded by the findings.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

from large_db import build  # bench/ is the script directory, first on sys.path

HERE = Path(__file__).parent
DEFAULT_DB = HERE / "out" / "check-1m.db"
REFERENCE = """SELECT COUNT(*) FROM internships i JOIN insured n ON n.id_number = i.id_number
               JOIN policies p ON p.policy_no = n.policy_no"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild or not args.db.exists():
        build(args.db)

    from xiaoqi.core.db import make_engine
    from xiaoqi.core.rules import run_check

    engine = make_engine(f"sqlite:///{args.db}")
    with engine.connect() as conn:
        n = conn.exec_driver_sql("SELECT COUNT(*) FROM internships").scalar_one()
        if n < 1_000_000:
            sys.exit(f"{args.db} holds {n:,} internships; run with --rebuild")
        conn.exec_driver_sql(REFERENCE).scalar_one()  # warm the page cache for both timings
        started = time.perf_counter()
        joined = conn.exec_driver_sql(REFERENCE).scalar_one()
        reference = time.perf_counter() - started

    timings: list[tuple[str, float]] = []
    last = [time.perf_counter(), None]

    def progress(done, total, rule):
        now = time.perf_counter()
        if last[1]:
            timings.append((last[1], now - last[0]))
        last[:] = [now, rule or None]

    started = time.perf_counter()
    result = run_check(engine, progress=progress)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    off = {o.rule for o in result.switched_off}
    for rule, spent in timings:
        if rule in off:
            continue
        print(f"  {rule:24s} {spent:7.2f} s  {result.counts().get(rule, 0):>7,} findings")
    for off in result.switched_off:
        print(f"  {off.rule:24s}    off  ({', '.join(off.params)} not settled)")
    print(f"internships:        {n:,}")
    print(f"reference query:    {reference:.2f} s ({joined:,} internship-policy rows)")
    print(f"full check:         {seconds:.2f} s, {len(result.rules_run)} rules, {len(result.findings):,} findings")
    print(f"throughput:         {n / seconds:,.0f} internships/s")
    print(f"ratio to reference: {seconds / reference:.1f}x")
    print(f"peak memory:        {peak_mb:.0f} MB (ru_maxrss)")
    print(f"target (< 60 s):    {'met' if seconds < 60 else 'MISSED'}")


if __name__ == "__main__":
    os.environ.setdefault("XIAOQI_NO_ENTRYPOINTS", "1")
    main()

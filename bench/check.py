"""Benchmark of the full compliance check on 1,000,000+ internships.

    .venv/bin/python bench/check.py [--db bench/out/check-1m.db | --db postgresql+psycopg://...]
                                    [--rebuild] [--runs 3] [--workers N] [--sequential]

Builds the SQLite database once with ``xiaoqi demo --size large`` (cached under bench/out/; a
PostgreSQL URL must name a database that already holds it, see ``--help``). Then, in the same run:

- the reference: the COUNT(*) join of internships with their insured rows and policies (the
  largest join a coverage rule could make), timed after one warm-up;
- the full check (every rule, the default read connections side by side), ``--runs`` times;
- with ``--sequential``, the same check on one connection (``workers=1``), for the speed-up.

Prints each rule's seconds (from the fastest run), the minimum and median of the full check, its
ratio to the reference, internships per second, and memory: the process's peak private memory
(RssAnon, sampled every 20 ms: what the check itself holds) and its peak resident size (VmHWM,
which also counts the pages of the database file that SQLite maps). Target: the full check in
20 s or less, private memory flat (bounded by the findings, not by the registry).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

from large_db import build  # bench/ is the script directory, first on sys.path

HERE = Path(__file__).parent
DEFAULT_DB = HERE / "out" / "check-1m.db"
REFERENCE = """SELECT COUNT(*) FROM internships i JOIN insured n ON n.id_number = i.id_number
               JOIN policies p ON p.policy_no = n.policy_no"""
TARGET_SECONDS = 20


class Memory:
    """Peak private memory of this process, sampled while it runs (Linux /proc)."""

    def __init__(self):
        self.peak_anon_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _read(self, field: str) -> float:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak_anon_mb = max(self.peak_anon_mb, self._read("RssAnon"))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_rss_mb = self._read("VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(DEFAULT_DB), help="SQLite file (built when missing) or a PostgreSQL URL")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="read connections (default: one per core)")
    parser.add_argument("--sequential", action="store_true", help="also time the check on one connection")
    args = parser.parse_args()
    url = args.db
    if "://" not in url:
        db = Path(url)
        if args.rebuild or not db.exists():
            build(db)
        url = f"sqlite:///{db}"

    from xiaoqi.core.db import make_engine
    from xiaoqi.core.rules import default_workers, run_check

    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.exec_driver_sql("SELECT COUNT(*) FROM internships").scalar_one()
        if n < 1_000_000:
            sys.exit(f"{args.db} holds {n:,} internships; run with --rebuild (or fill it with xiaoqi demo --size large)")
        conn.exec_driver_sql(REFERENCE).scalar_one()  # warm the page cache for both timings
        references = []
        for _ in range(max(1, args.runs)):
            started = time.perf_counter()
            joined = conn.exec_driver_sql(REFERENCE).scalar_one()
            references.append(time.perf_counter() - started)
    reference = min(references)

    def timed(workers):
        runs = []
        with Memory() as memory:
            for _ in range(max(1, args.runs)):
                started, cpu = time.perf_counter(), time.process_time()
                result = run_check(engine, workers=workers)
                runs.append((time.perf_counter() - started, time.process_time() - cpu, result))
        return runs, memory

    workers = args.workers or default_workers()
    runs, memory = timed(workers)
    best = min(runs, key=lambda r: r[0])
    result = best[2]
    off = {o.rule for o in result.switched_off}
    for rule in result.rules_run:
        if rule not in off:
            print(f"  {rule:24s} {result.rule_seconds[rule]:7.2f} s  {result.counts().get(rule, 0):>7,} findings")
    for o in result.switched_off:
        print(f"  {o.rule:24s}    off  ({', '.join(o.params)} not settled)")
    walls = [r[0] for r in runs]
    seconds = min(walls)
    print(f"database:           {engine.dialect.name}, {n:,} internships")
    print(f"reference query:    {reference:.2f} s ({joined:,} internship-policy rows; min of {len(references)})")
    print(f"full check:         {seconds:.2f} s min, {statistics.median(walls):.2f} s median of {len(walls)} "
          f"({workers} read connections; {best[1]:.1f} s CPU), {len(result.rules_run)} rules, {len(result.findings):,} findings")
    print(f"  sum of rule times: {sum(result.rule_seconds.values()):.2f} s")
    print(f"throughput:         {n / seconds:,.0f} internships/s")
    print(f"ratio to reference: {seconds / reference:.1f}x")
    if args.sequential:
        one, _ = timed(1)
        single = min(r[0] for r in one)
        print(f"one connection:     {single:.2f} s min of {len(one)}; side by side is {single / seconds:.2f}x faster")
    print(f"memory:             {memory.peak_anon_mb:.0f} MB peak private (RssAnon), {memory.peak_rss_mb:.0f} MB peak resident (VmHWM)")
    print(f"target (<= {TARGET_SECONDS} s):   {'met' if seconds <= TARGET_SECONDS else 'MISSED'} ({seconds / TARGET_SECONDS:.2f} of it)")
    print(f"machine load:       {os.getloadavg()[0]:.1f} (1-minute average; the machine is shared)")


if __name__ == "__main__":
    os.environ.setdefault("XIAOQI_NO_ENTRYPOINTS", "1")
    main()

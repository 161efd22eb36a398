"""Benchmark of a school login reading the audit log on PostgreSQL: each figure beside the same
command run by the database's owner (who reads every entry, no row security), in the same run.

    .venv/bin/python bench/audit_scope.py --db postgresql+psycopg://postgres@127.0.0.1/NAME [--build] [--runs 5]

``--build`` makes the database first (it must not exist): the small demo, then its internships
copied under earlier start dates to about ``--entries`` internships in all (SQL, as the owner), and
one light creation entry per copy in the audit log, as a 1,000,000-row import by the admin leaves
them (one batch, ``batch_id`` and ``row_no``; no states). The copies are in school order, as a
file sorted by school would be: the last school's entries are the newest, the first school's the
oldest. Every command runs as a new process (what a user waits for), for two schools: the one with
the newest entries and the one with the oldest (``audit list`` then reads through the others' to
find its own), each as its own login (made for the run, dropped after; its name starts with
``--prefix``):

| figure | reference |
|---|---|
| ``xiaoqi audit list`` (a page, newest first) as the school's login | the same as the owner |
| ``xiaoqi audit list --kind internships`` as the login | the same as the owner |
| ``xiaoqi audit show internships KEY`` (one internship of the school) as the login | the same as the owner |

Each figure is the median of ``--runs`` runs (the minimum beside it), and the ratio is median to
median; a command that takes longer than ``--timeout`` seconds is shown as "> TIMEOUT" (``--schools
newest`` or ``oldest`` measures one school only).

Measured 2026-12-03 on 999,404 entries (2 cores, load average 8): the newest school's login
``audit list`` 4.99 s (owner 3.42 s), ``--kind internships`` 7.32 s (4.01 s), ``audit show`` 3.04 s
(2.46 s); before ``xiaoqi_sec.entries_page`` the login's ``audit list`` ran > 311 s (cancelled). The
oldest school's ``audit list`` still reads through the newer schools' entries (> 90 s): see the
note of session 7 (sec14).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

XIAOQI = str(Path(sys.executable).parent / "xiaoqi")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"XIAOQI_LANG": "en"}


def _run(argv: list[str], timeout: float) -> float:
    started = time.perf_counter()
    try:
        # the server ends the statement too (a killed client leaves its query running)
        env = {**ENV, "PGOPTIONS": f"-c statement_timeout={int(timeout * 1000)}"}
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, timeout=timeout + 5)
    except subprocess.TimeoutExpired:
        return float("inf")  # shown as "> timeout"
    seconds = time.perf_counter() - started
    if done.returncode != 0 and "ran longer than" in done.stderr:
        return float("inf")  # cancelled by the server's statement_timeout
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def build(url: str, entries: int) -> None:
    server = sa.engine.make_url(url)
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{server.database}"')
    admin.dispose()
    started = time.perf_counter()
    for command in (["init"], ["demo", "--today", "2026-11-23"]):
        subprocess.run([XIAOQI, "--db", url, *command], check=True, capture_output=True, env=ENV)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        have, last = conn.exec_driver_sql("SELECT count(*), max(id) FROM internships").one()
        copies = max(1, entries // have)
        cols = [r[0] for r in conn.exec_driver_sql(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'internships'::regclass AND attnum > 0 AND NOT attisdropped "
            "AND attname <> 'id' ORDER BY attnum").all()]
        shifted = {"start_on": "i.start_on - g * 7", "end_on": "i.end_on - g * 7", "placed_on": "i.placed_on - g * 7"}
        select = ", ".join(shifted.get(c, f"i.{c}") for c in cols)
        # school by school, as a file sorted by school
        conn.exec_driver_sql(f"INSERT INTO internships ({', '.join(cols)}) SELECT {select} FROM internships i "
                             f"CROSS JOIN generate_series(1, {copies}) g ORDER BY i.school_code, g, i.id "
                             f"ON CONFLICT DO NOTHING")
        batch = conn.exec_driver_sql(
            "INSERT INTO import_batches (kind, file_name, sha256, actor, started_at, finished_at, rows, created, updated, "
            "unchanged, invalid, dry_run, login, status) VALUES ('internships', 'internships-bench.csv', repeat('0', 64), "
            "'admin', now(), now(), 0, 0, 0, 0, 0, false, current_user, 'committed') RETURNING id").scalar_one()
        copied = conn.exec_driver_sql("SELECT count(*) FROM internships WHERE id > %(last)s", {"last": last}).scalar_one()
        block = conn.exec_driver_sql(
            "INSERT INTO audit_blocks (seq, prev_hash, hash, entries, sealed_at) VALUES ((SELECT coalesce(max(seq), 0) + 1 "
            "FROM audit_blocks), '\\x00'::bytea, '\\x00'::bytea, %(n)s, now()) RETURNING id", {"n": copied}).scalar_one()
        made = conn.exec_driver_sql(
            "INSERT INTO audit_log (at, actor, login, action, kind, key, batch_id, row_no, block_id, hash) "
            "SELECT now(), 'admin', current_user, 'create', 'internships', "
            "i.id_number || '/' || i.uscc || '/' || to_char(i.start_on, 'YYYY-MM-DD'), %(b)s, "
            "row_number() OVER (ORDER BY i.id) + 1, %(k)s, '\\x00'::bytea FROM internships i WHERE i.id > %(last)s "
            "ORDER BY i.id", {"b": batch, "k": block, "last": last}).rowcount
        conn.exec_driver_sql("UPDATE import_batches SET rows = %(n)s, created = %(n)s WHERE id = %(b)s", {"n": made, "b": batch})
    with engine.connect() as conn:
        conn.exec_driver_sql("COMMIT")
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    print(f"built {server.database}: {made:,} audit entries in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the owner's URL of the database")
    parser.add_argument("--build", action="store_true", help="make the database first (it must not exist)")
    parser.add_argument("--entries", type=int, default=1_000_000, help="audit entries to build (--build)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--prefix", default="bench_", help="the start of the logins' names made for the run")
    parser.add_argument("--schools", default="newest,oldest", help="which schools: newest, oldest or both")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a command may take (then shown as > it)")
    args = parser.parse_args()
    if args.build:
        build(args.db, args.entries)
    engine = sa.create_engine(args.db)
    with engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar_one()
        # the schools whose entries are the newest and the oldest
        order = conn.exec_driver_sql(
            "SELECT i.school_code, max(a.id) FROM audit_log a JOIN internships i ON a.kind = 'internships' "
            "AND a.key = i.id_number || '/' || i.uscc || '/' || to_char(i.start_on, 'YYYY-MM-DD') "
            "GROUP BY i.school_code ORDER BY 2 DESC").all()
        schools = {k: v for k, v in (("newest", order[0][0]), ("oldest", order[-1][0])) if k in args.schools.split(",")}
        keys = {which: conn.exec_driver_sql(
            "SELECT id_number || '/' || uscc || '/' || to_char(start_on, 'YYYY-MM-DD') FROM internships "
            "WHERE school_code = %(s)s ORDER BY id DESC LIMIT 1", {"s": code}).scalar_one() for which, code in schools.items()}
    print(f"{total:,} audit entries; schools: " + ", ".join(f"{k} entries {v}" for k, v in schools.items()), flush=True)
    logins = {}
    try:
        for which, code in schools.items():
            name = f"{args.prefix}audit_{uuid.uuid4().hex[:8]}"
            done = subprocess.run([XIAOQI, "--db", args.db, "users", "add", name, "--actor", f"school:{code}", "--password-stdin"],
                                  input="bench\n", capture_output=True, text=True, env=ENV)
            if done.returncode:
                raise SystemExit(done.stderr)
            logins[which] = name
        owner = args.db
        cases = []
        for which, name in logins.items():
            login = sa.engine.make_url(args.db).set(username=name, password="bench").render_as_string(hide_password=False)
            for label, tail in (("audit list", ["audit", "list"]),
                                ("audit list --kind internships", ["audit", "list", "--kind", "internships"]),
                                ("audit show internships KEY", ["audit", "show", "internships", keys[which]])):
                cases.append((f"{label} ({which} school)", [XIAOQI, "--db", login, *tail], [XIAOQI, "--db", owner, *tail]))
        times: dict[str, list[float]] = {}
        for _ in range(args.runs):  # interleaved: a busy machine slows each alike
            for label, as_login, as_owner in cases:
                times.setdefault(label, []).append(_run(as_login, args.timeout))
                times.setdefault(label + " owner", []).append(_run(as_owner, args.timeout))
        width = max(len(label) for label, _a, _o in cases)
        print(f"{'':{width}}  {'login s (min)':>16}  {'owner s (min)':>16}  ratio")
        for label, _a, _o in cases:
            mine, ref = times[label], times[label + " owner"]
            shown = [f"> {args.timeout:.0f}" if x == float("inf") else f"{x:.2f}" for x in
                     (statistics.median(mine), min(mine), statistics.median(ref), min(ref))]
            ratio = statistics.median(mine) / statistics.median(ref)
            print(f"{label:{width}}  {shown[0]:>7} ({shown[1]:>5})  {shown[2]:>7} ({shown[3]:>5})  "
                  + ("" if ratio == float("inf") else f"{ratio:5.1f}x"), flush=True)
    finally:
        for name in logins.values():
            subprocess.run([XIAOQI, "--db", args.db, "users", "remove", name], capture_output=True, env=ENV)
        engine.dispose()


if __name__ == "__main__":
    main()

"""Benchmark of ``xiaoqi import`` on a 1,000,000-row internships CSV (SQLite).

    .venv/bin/python bench/import.py [--rows 1000000] [--out bench/out/import] [--keep] [--students 100000]
    .venv/bin/python bench/import.py --db postgresql+psycopg://postgres@127.0.0.1:5432/xiaoqi_bench [--keep]

Generates (seeded, reproducible) the CSV files of the schools, majors, students, enterprises and
positions that the internships refer to, and the internships CSV itself: every student has an
认识实习 and a 岗位实习, written half a file apart, with Chinese headers as an office writes them.
Then, in the same run:

1. ``xiaoqi init`` and ``xiaoqi import`` of the referenced kinds (timed separately);
2. ``xiaoqi import internships`` — fully validated: cell types and checksums, cross-column
   checks, references to students/enterprises/positions/schools, the student's school, duplicate
   keys, upsert by key, audit entries (light: key, file row, hash), the import batch with the file
   itself (compressed) — timed, with its peak memory;
3. the same import again (every row unchanged: the idempotent path);
4. ``sqlite-utils insert --csv --no-detect-types`` of the same CSV into an empty database (no
   validation, no indexes);
5. the sqlite3 shell's ``.import --csv`` into an empty database;
6. the floor: SQLite alone doing the database work of the validated import — the same rows (read
   back from xiaoqi's result, in memory before the clock starts) written with ``executemany`` in
   10,000-row batches into a copy of the database as it was before the import, with the same audit
   entries (read back with their hashes), stored file parts and audit block, the same index
   rebuild (``indexes.sqlite_paused``), the import's SQLite settings and its rule for SQLite's foreign key checks, in one transaction, committed. No file, no parsing, no validation: what any import that keeps these tables, indexes
   and audit entries must pay on this machine.

7. ``xiaoqi import students`` of the first 100,000 students (``--students``) into a database with
   the schools and majors, against ``sqlite-utils insert`` of the same file: whole commands,
   process start included.

Prints rows/s for each and the ratios. Targets: the validated import ≥ 50,000 rows/s
(≥ 2.5× sqlite-utils), peak memory under 1 GB; the students' import ≥ 1.5× sqlite-utils.

With ``--db postgresql+psycopg://...`` the same CSV files go into that PostgreSQL database (dropped
and created afresh; a template copy of it before the internships serves the floor): the validated
import (COPY), the unchanged re-import, PostgreSQL's own COPY of the CSV into a table of text
columns (the reference), and the floor — the same rows and audit entries written with COPY into
the copy, in one transaction (with the same index rebuild and foreign keys dropped and added again as the owner's large import); then the first school's rows imported into two more copies of it, by
the owner and by a login of that school (``users add``: row-level security judges its rows).
Target: ≥ 80,000 rows/s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
SCHOOLS = 20
MAJORS = ("460301", "460305", "510201", "530302", "560401")
ENTERPRISES = 2_000
POSITIONS_PER_ENTERPRISE = 10


def _ids():
    from xiaoqi.testing import make_id_number, make_uscc

    return make_uscc, make_id_number


def write_csv(path: Path, header: list[str], rows) -> int:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        n = 0
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def generate(out: Path, rows: int, seed: int = 2026) -> dict[str, Path]:
    make_uscc, make_id = _ids()
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files = {k: out / f"{k}.csv" for k in ("schools", "majors", "students", "enterprises", "positions", "internships")}
    regions = ["320100", "320500", "330100", "410100", "610100"]
    schools = [(f"4{regions[i % 5][:2]}{i + 1:07d}", regions[i % 5]) for i in range(SCHOOLS)]
    write_csv(files["schools"], ["学校代码", "学校名称", "办学层次", "所在地区代码", "联系人", "联系电话"],
              ((code, f"第{i + 1}职业技术学院", "高职", region, "陈老师", "0571-88880000") for i, (code, region) in enumerate(schools)))
    write_csv(files["majors"], ["学校代码", "专业代码", "专业名称"],
              ((code, major, f"专业{major}") for code, _ in schools for major in MAJORS))
    students = rows // 2
    people = []
    for n in range(students):
        code, region = schools[n % SCHOOLS]
        birth = dt.date(2003, 1, 1) + dt.timedelta(days=(n * 7919) % 1400)
        people.append((code, make_id(region, birth, n // 1400), MAJORS[n % len(MAJORS)]))
    write_csv(files["students"], ["学校代码", "学号", "姓名", "身份证号", "专业代码", "入学日期", "班级", "监护人", "监护人电话"],
              ((code, f"S{n:07d}", f"学生{n}", id_number, major, "2023-09-01", f"{major}-{n % 40:02d}班", "家长", "13800000000")
               for n, (code, id_number, major) in enumerate(people)))
    enterprises = [make_uscc(regions[i % 5], 10_000 + i) for i in range(ENTERPRISES)]
    write_csv(files["enterprises"], ["统一社会信用代码", "企业名称", "行业代码", "所在地区代码", "在岗职工总数", "产教融合型企业"],
              ((u, f"示例制造有限公司{i}", "3484", regions[i % 5], 200 + i % 800, "是" if i % 7 == 0 else "否")
               for i, u in enumerate(enterprises)))
    write_csv(files["positions"], ["统一社会信用代码", "岗位编号", "岗位名称", "对口专业大类", "同类岗位在岗职工数", "岗位工资标准", "高风险岗位"],
              ((u, f"P{k:03d}", f"岗位{k}", "46", 20 + k, f"{4000 + 100 * k}.00", "否")
               for u in enterprises for k in range(POSITIONS_PER_ENTERPRISE)))
    header = ["学校代码", "身份证号", "统一社会信用代码", "岗位编号", "实习类型", "开始日期", "结束日期", "实习地区代码", "月实习报酬",
              "报酬支付周期天数", "报酬直接支付给学生", "收费项目", "三方协议签订日期", "知情同意书签订日期", "监护人已签字", "学校指导教师",
              "企业指导人员", "安排加班", "安排夜班", "法定节假日实习", "特殊情况备案日期", "经中介安排", "跨省备案日期"]

    def internships():
        base = dt.date(2024, 3, 1)
        for phase in (0, 1):
            for n, (code, id_number, _major) in enumerate(people):
                uscc = enterprises[rng.randrange(ENTERPRISES)]
                start = base + dt.timedelta(days=rng.randrange(600) + 700 * phase)
                end = start + dt.timedelta(days=30 if phase == 0 else 180)
                signed = (start - dt.timedelta(days=10)).isoformat()
                if phase == 0:
                    yield [code, id_number, uscc, "", "认识实习", start.isoformat(), end.isoformat(), "", "", "", "", "",
                           signed, signed, "是", f"王老师{n % 300}", f"李师傅{n % 500}", "否", "否", "否", "", "否", ""]
                else:
                    label = "顶岗实习" if n % 10 == 0 else "岗位实习"
                    yield [code, id_number, uscc, f"P{rng.randrange(POSITIONS_PER_ENTERPRISE):03d}", label,
                           start.isoformat(), end.isoformat(), "", f"{3800 + 50 * rng.randrange(40)}.00", "30", "是", "",
                           signed, signed, "是", f"王老师{n % 300}", f"李师傅{n % 500}", "否", "否", "否", "", "否", ""]

    write_csv(files["internships"], header, internships())
    return files


def run(args: list[str], **kw) -> float:
    return measure(args, **kw)[0]


def _tree_rss(pid: int) -> int:
    """Resident KiB of a process and its descendants (the import's parse worker) right now."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(args: list[str], **kw) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one command: the larger of its own peak (rusage) and the
    peak sum of it and its child processes (sampled every 20 ms from /proc)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, **kw)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc/self/status").exists():
        sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, args)
    return seconds, max(usage.ru_maxrss, peak[0]) / 1024


def _copy_db(source: Path, target: Path) -> None:
    import sqlite3

    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def database_floor(result: Path, before: Path, batch: int = 10_000) -> float:
    """Seconds SQLite alone takes for the database work of the validated import (step 6): the same
    rows, the same light audit entries (read back with their hashes), the same stored file parts,
    batch row and audit block, in one transaction."""
    import sqlite3

    from xiaoqi.core.io import importer
    from xiaoqi.core.io.indexes import sqlite_paused
    from xiaoqi.core.kinds import get_kind
    from xiaoqi.core.plugins import get_plugin_manager

    get_plugin_manager()
    kind = get_kind("internships")
    names = [c for c in kind.model.__table__.c.keys() if c != "id"]
    audit_names = ["block_id", "at", "actor", "login", "kind", "batch_id", "action", "key", "row_no", "hash"]
    source = sqlite3.connect(result)
    rows, entries = [], []
    for start in range(0, source.execute("SELECT max(id) FROM internships").fetchone()[0], batch):
        rows.append(source.execute(f"SELECT {', '.join(names)} FROM internships WHERE id > ? AND id <= ? ORDER BY id",
                                   (start, start + batch)).fetchall())
    batch_id = source.execute("SELECT max(batch_id) FROM audit_log WHERE kind = 'internships' AND action = 'create'").fetchone()[0]
    cursor = source.execute(f"SELECT {', '.join(audit_names)} FROM audit_log WHERE batch_id = ? AND action = 'create' "
                            "ORDER BY id", (batch_id,))
    while part := cursor.fetchmany(batch):
        entries.append(part)
    files = source.execute("SELECT part, codec, data FROM import_files WHERE batch_id = ? ORDER BY part", (batch_id,)).fetchall()
    block = source.execute("SELECT id, seq, prev_hash, hash, entries, sealed_at FROM audit_blocks WHERE id = ?",
                           (entries[0][0][0],)).fetchone()
    source.close()
    conn = sqlite3.connect(before, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    # SQLite's own foreign key checks by the import's own rule (off when it checks every key itself)
    conn.execute(f"PRAGMA foreign_keys = {0 if importer._checks_foreign_keys(kind, conn) else 1}")
    for name, value in importer.SQLITE_PRAGMAS.items():  # the import's own settings
        conn.execute(f"PRAGMA {name} = {value}")
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    # the indexes the import builds again rather than updates, by the import's own rule
    indexes = sqlite_paused(conn, "internships", sum(map(len, rows)),
                            conn.execute("SELECT coalesce(max(id), 0) FROM internships").fetchone()[0],
                            conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
    for name, _sql in indexes:
        conn.execute(f"DROP INDEX {name}")
    new_batch = conn.execute("INSERT INTO import_batches (kind, file_name, sha256, actor, started_at, rows, created, "
                             "updated, unchanged, invalid, dry_run) VALUES ('internships', 'internships.csv', '', 'admin', "
                             "'2026-01-01 00:00:00.000000', 0, 0, 0, 0, 0, 0)").lastrowid
    insert = f"INSERT INTO internships ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    audit = f"INSERT INTO audit_log ({', '.join(audit_names)}) VALUES ({', '.join('?' * len(audit_names))})"
    for part, light in zip(rows, entries):
        conn.executemany(insert, part)
        conn.executemany(audit, [e[:5] + (new_batch,) + e[6:] for e in light])
    for _name, sql in indexes:
        conn.execute(sql)
    conn.executemany("INSERT INTO import_files (batch_id, part, codec, data) VALUES (?, ?, ?, ?)",
                     [(new_batch, *f) for f in files])
    conn.execute("SELECT hash FROM audit_log WHERE block_id = ? ORDER BY id", (block[0],)).fetchall()
    conn.execute("INSERT INTO audit_blocks (id, seq, prev_hash, hash, entries, sealed_at) VALUES (?, ?, ?, ?, ?, ?)", block)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


# -- PostgreSQL ------------------------------------------------------------------------------

def _pg_admin(url: str):
    """A psycopg connection (autocommit) to the server's ``postgres`` database, and the name of
    the benchmark's database in ``url``."""
    import psycopg
    import sqlalchemy as sa

    u = sa.engine.make_url(url)
    params = {"host": u.host or "127.0.0.1", "port": u.port or 5432, "user": u.username or "postgres"}
    if u.password:
        params["password"] = u.password
    return psycopg.connect(dbname="postgres", autocommit=True, **params), params, u.database


def _pg_recreate(admin, name: str, template: str | None = None) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def pg_copy_reference(params: dict, name: str, csv_path: Path) -> float:
    """Seconds of PostgreSQL's own COPY of the CSV file into a table of 23 text columns, no
    validation, no index (connect, COPY, commit)."""
    import psycopg

    with open(csv_path, encoding="utf-8") as fh:
        width = len(next(csv.reader(fh)))
    started = time.perf_counter()
    with psycopg.connect(dbname=name, **params) as conn:
        conn.execute("CREATE TABLE copy_reference (" + ", ".join(f"c{i} text" for i in range(width)) + ")")
        with conn.cursor() as cursor, cursor.copy("COPY copy_reference FROM STDIN (FORMAT csv, HEADER true)") as copy, \
                open(csv_path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
    return time.perf_counter() - started


def pg_floor(params: dict, result: str, before: str, batch: int = 10_000) -> float:
    """Seconds PostgreSQL alone takes for the database work of the validated import: the same rows
    (read back from xiaoqi's result, in memory before the clock starts) and the same light audit
    entries, stored file parts and audit block, written with COPY in 10,000-row batches into a copy
    of the database as it was before the import, in one transaction, committed; the secondary
    indexes and foreign keys of the internships dropped first and made again before the commit
    when the owner's import does so, by its own rule and code (``xiaoqi.core.io.indexes``)."""
    import psycopg

    from xiaoqi.core.io.indexes import _drop_postgresql, checks_foreign_keys, rebuilds, restore_postgresql
    from xiaoqi.core.kinds import get_kind
    from xiaoqi.core.plugins import get_plugin_manager

    get_plugin_manager()

    names = None
    with psycopg.connect(dbname=result, **params) as source:
        names = [r[0] for r in source.execute("SELECT column_name FROM information_schema.columns WHERE table_name = "
                                              "'internships' AND column_name <> 'id' ORDER BY ordinal_position")]
        rows = source.execute(f"SELECT {', '.join(names)} FROM internships ORDER BY id").fetchall()
        batch_id = source.execute("SELECT max(batch_id) FROM audit_log WHERE kind = 'internships' AND action = 'create'").fetchone()[0]
        audit_names = ["block_id", "at", "actor", "kind", "batch_id", "action", "key", "row_no", "hash"]
        entries = source.execute(f"SELECT {', '.join(audit_names)} FROM audit_log WHERE batch_id = %s AND action = 'create' "
                                 "ORDER BY id", (batch_id,)).fetchall()
        files = source.execute("SELECT part, codec, data FROM import_files WHERE batch_id = %s ORDER BY part", (batch_id,)).fetchall()
        block = source.execute("SELECT id, seq, prev_hash, hash, entries, sealed_at FROM audit_blocks WHERE id = %s",
                               (entries[0][0],)).fetchone()
    with psycopg.connect(dbname=before, **params) as conn:
        started = time.perf_counter()
        with conn.cursor() as cursor:
            cursor.execute("LOCK TABLE internships IN SHARE ROW EXCLUSIVE MODE")
            # the same pause as the import's (``indexes.IndexPause``, as the owner)
            table_before = cursor.execute("SELECT coalesce(max(id), 0) FROM internships").fetchone()[0]
            indexes, constraints = [], []
            if rebuilds(len(rows), table_before):
                indexes, constraints = _drop_postgresql(conn, "internships",
                                                        checks_foreign_keys(get_kind("internships"), conn, sqlite=False))
            new_batch = cursor.execute("INSERT INTO import_batches (kind, file_name, sha256, actor, started_at, rows, created, "
                                       "updated, unchanged, invalid, dry_run) VALUES ('internships', 'internships.csv', '', "
                                       "'admin', now(), 0, 0, 0, 0, 0, false) RETURNING id").fetchone()[0]
            for start in range(0, len(rows), batch):
                with cursor.copy(f"COPY internships ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows[start:start + batch]:
                        copy.write_row(row)
                with cursor.copy(f"COPY audit_log ({', '.join(audit_names)}) FROM STDIN") as copy:
                    for e in entries[start:start + batch]:
                        copy.write_row(e[:4] + (new_batch,) + e[5:])
            restore_postgresql(conn, indexes, constraints)
            cursor.executemany("INSERT INTO import_files (batch_id, part, codec, data) VALUES (%s, %s, %s, %s)",
                               [(new_batch, *f) for f in files])
            cursor.execute("SELECT hash FROM audit_log WHERE block_id = %s ORDER BY id", (block[0],)).fetchall()
            cursor.execute("INSERT INTO audit_blocks (id, seq, prev_hash, hash, entries, sealed_at) "
                           "VALUES (%s, %s, %s, %s, %s, %s)", block)
        conn.commit()
        seconds = time.perf_counter() - started
    return seconds


def print_methods(title: str, rows: int, methods) -> None:
    """The table of (label, seconds) with each method's rows/s."""
    print()
    print(f"{title:<44}{'seconds':>9}{'rows/s':>12}")
    for label, seconds in methods:
        print(f"{label:<44}{seconds:>9.1f}{rows / seconds:>12,.0f}")


def pg_school_login(admin, url: str, before: str, csv_path: Path, env: dict) -> tuple[int, float, float]:
    """Rows, and seconds of ``xiaoqi import internships`` of the first school's rows of the file
    into two copies of ``before``: by the owner, and by a login of that school (``users add``;
    its rows are judged by the school's row-level security policies)."""
    import sqlalchemy as sa

    xiaoqi = str(BIN / "xiaoqi")
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        first = next(reader)
        rows = [first] + [row for row in reader if row[0] == first[0]]
    part = csv_path.with_name("one-school.csv")
    write_csv(part, header, rows)
    seconds = []
    login = "bench_import_school"  # (names starting with xiaoqi_ are kept for xiaoqi's own roles)
    for who in ("owner", "login"):
        target = f"{before}_{who}"
        _pg_recreate(admin, target, template=before)
        target_url = sa.engine.make_url(url).set(database=target)
        if who == "login":
            admin.execute(f'DROP ROLE IF EXISTS "{login}"')
            subprocess.run([xiaoqi, "--db", target_url.render_as_string(hide_password=False), "users", "add", login,
                            "--actor", f"school:{first[0]}", "--password-stdin"], env=env, input="bench\n", text=True,
                           stdout=subprocess.DEVNULL, check=True)
            target_url = target_url.set(username=login, password="bench")
        seconds.append(run([xiaoqi, "--db", target_url.render_as_string(hide_password=False), "import", "internships",
                            str(part)], env=env, stdout=subprocess.DEVNULL))
        admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    admin.execute(f'DROP ROLE IF EXISTS "{login}"')
    return len(rows), seconds[0], seconds[1]


def main_pg(url: str, files: dict[str, Path], rows: int, with_login: bool = True) -> None:
    """The benchmark on PostgreSQL (``--db postgresql+psycopg://...``): the database named in the
    URL is created afresh (and a copy of it before the internships, for the floor)."""
    xiaoqi = str(BIN / "xiaoqi")
    admin, params, name = _pg_admin(url)
    before = f"{name}_before"
    _pg_recreate(admin, name)
    env = {**os.environ, "XIAOQI_LANG": "en"}
    run([xiaoqi, "--db", url, "init"], env=env, stdout=subprocess.DEVNULL)
    for kind in ("schools", "majors", "students", "enterprises", "positions"):
        seconds = run([xiaoqi, "--db", url, "import", kind, str(files[kind])], env=env, stdout=subprocess.DEVNULL)
        print(f"xiaoqi import {kind:<12} {seconds:7.1f} s   (load {os.getloadavg()[0]:.1f})")
    _pg_recreate(admin, before, template=name)
    load = os.getloadavg()[0]
    validated, peak = measure([xiaoqi, "--db", url, "import", "internships", str(files["internships"])], env=env,
                              stdout=subprocess.DEVNULL)
    again = run([xiaoqi, "--db", url, "import", "internships", str(files["internships"])], env=env, stdout=subprocess.DEVNULL)
    reference = f"{name}_copy"
    _pg_recreate(admin, reference)
    copy = pg_copy_reference(params, reference, files["internships"])
    # (before the floor, which writes into ``before``)
    school = pg_school_login(admin, url, before, files["internships"], env) if with_login else None
    floor = pg_floor(params, name, before)
    for other in (before, reference):
        admin.execute(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE)')
    admin.close()
    rate = lambda s: rows / s  # noqa: E731
    print_methods("method (PostgreSQL)", rows, (("xiaoqi import (validated, audited)", validated),
                                                 ("xiaoqi import again (all unchanged)", again),
                                                 ("COPY of the CSV into a text table", copy),
                                                 ("floor: PostgreSQL alone, same writes and audit", floor)))
    print()
    print(f"xiaoqi / COPY: {copy / validated:.2f}x")
    print(f"xiaoqi / floor (the same database work alone): {floor / validated:.2f}x")
    print(f"validated import: {rate(validated):,.0f} rows/s (target >= 80,000); peak memory {peak:,.0f} MB, "
          f"with its parse worker (the server's not counted); load {load:.1f} at its start, {os.getloadavg()[0]:.1f} now")
    if school:
        n, owner, login = school
        print(f"one school's {n:,} internships into the database before the import: as the owner {owner:.1f} s "
              f"({n / owner:,.0f} rows/s), as the school's login {login:.1f} s ({n / login:,.0f} rows/s: row-level "
              f"security judges each row; {owner / login:.2f}x the owner)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "import")
    parser.add_argument("--keep", action="store_true", help="reuse the generated CSV files if present")
    parser.add_argument("--db", help="a PostgreSQL URL (postgresql+psycopg://user@host/name): the database is created "
                                     "afresh; default: SQLite files in --out")
    parser.add_argument("--students", type=int, default=100_000,
                        help="students of the whole-command comparison with sqlite-utils (0: skip it)")
    parser.add_argument("--no-login", action="store_true",
                        help="PostgreSQL: skip the import of one school's rows as the owner and as that school's login")
    args = parser.parse_args()
    out: Path = args.out
    xiaoqi = str(BIN / "xiaoqi")
    if not (args.keep and (out / "internships.csv").exists()):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        generate(out, args.rows)
        print(f"generated {args.rows:,} internships (+ references) in {time.perf_counter() - started:.1f} s")
    files = {k: out / f"{k}.csv" for k in ("schools", "majors", "students", "enterprises", "positions", "internships")}
    with open(files["internships"], encoding="utf-8") as fh:
        rows = sum(1 for _ in fh) - 1
    size_mb = files["internships"].stat().st_size / 1e6
    print(f"internships.csv: {rows:,} rows, {size_mb:.0f} MB")
    if args.db and not args.db.startswith("sqlite"):
        main_pg(args.db, files, rows, with_login=not args.no_login)
        return

    db = out / "xiaoqi.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "XIAOQI_LANG": "en"}
    run([xiaoqi, "--db", str(db), "init"], env=env, stdout=subprocess.DEVNULL)
    schools_only = out / "schools-majors.db"
    for kind in ("schools", "majors", "students", "enterprises", "positions"):
        if kind == "students":
            _copy_db(db, schools_only)
        seconds = run([xiaoqi, "--db", str(db), "import", kind, str(files[kind])], env=env, stdout=subprocess.DEVNULL)
        with open(files[kind], encoding="utf-8") as fh:
            n = sum(1 for _ in fh) - 1
        print(f"xiaoqi import {kind:<12} {n:>9,} rows {seconds:7.1f} s {n / seconds:>10,.0f} rows/s")

    before = out / "before-internships.db"
    _copy_db(db, before)

    load = os.getloadavg()[0]
    validated, peak = measure([xiaoqi, "--db", str(db), "import", "internships", str(files["internships"])], env=env,
                              stdout=subprocess.DEVNULL)
    again = run([xiaoqi, "--db", str(db), "import", "internships", str(files["internships"])], env=env, stdout=subprocess.DEVNULL)

    plain = out / "sqlite-utils.db"
    plain.unlink(missing_ok=True)
    sqlite_utils = run([str(BIN / "sqlite-utils"), "insert", str(plain), "internships", str(files["internships"]),
                        "--csv", "--no-detect-types"], stdout=subprocess.DEVNULL)
    shell_db = out / "sqlite3-shell.db"
    shell_db.unlink(missing_ok=True)
    shell = run(["sqlite3", str(shell_db), f".import --csv {files['internships']} internships"])
    floor = database_floor(db, before)
    students = compare_students(out, files["students"], schools_only, args.students, env) if args.students else None

    rate = lambda s: rows / s  # noqa: E731
    print_methods("method", rows, (("xiaoqi import (validated, audited)", validated),
                                   ("xiaoqi import again (all unchanged)", again),
                                   ("sqlite-utils insert --csv --no-detect-types", sqlite_utils),
                                   ("sqlite3 .import --csv", shell),
                                   ("floor: SQLite alone, same writes and audit", floor)))
    print()
    print(f"xiaoqi / sqlite-utils: {sqlite_utils / validated:.2f}x  (target >= 2.5x)")
    print(f"xiaoqi / sqlite3 .import: {shell / validated:.2f}x")
    print(f"xiaoqi / floor (the same database work alone): {floor / validated:.2f}x")
    print(f"validated import: {rate(validated):,.0f} rows/s (target >= 50,000); "
          f"peak memory {peak:,.0f} MB, with its parse worker (target < 1,024 MB)")
    if students:
        n, ours, theirs = students
        print(f"{n:,} students, whole commands (process start included): xiaoqi import {ours:.2f} s, sqlite-utils insert "
              f"{theirs:.2f} s: {theirs / ours:.2f}x  (target >= 1.5x)")
    print(f"machine load: {load:.1f} at the validated import's start, {os.getloadavg()[0]:.1f} now (1-minute averages)")


def compare_students(out: Path, students_csv: Path, schools_only: Path, n: int, env: dict) -> tuple[int, float, float]:
    """``xiaoqi import students`` of the first ``n`` students into a database with the schools and
    majors, against ``sqlite-utils insert --csv --no-detect-types`` of the same file into an empty
    one: seconds of each whole command, process start included."""
    part = out / f"students-{n}.csv"
    with open(students_csv, encoding="utf-8", newline="") as src, open(part, "w", encoding="utf-8", newline="") as dst:
        for count, line in enumerate(src):
            if count > n:
                break
            dst.write(line)
    db = out / "students.db"
    _copy_db(schools_only, db)
    ours = run([str(BIN / "xiaoqi"), "--db", str(db), "import", "students", str(part)], env=env, stdout=subprocess.DEVNULL)
    plain = out / "students-sqlite-utils.db"
    plain.unlink(missing_ok=True)
    theirs = run([str(BIN / "sqlite-utils"), "insert", str(plain), "students", str(part), "--csv", "--no-detect-types"],
                 stdout=subprocess.DEVNULL)
    return n, ours, theirs


if __name__ == "__main__":
    main()

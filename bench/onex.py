"""Benchmark of 1+X at scale (SQLite): a 20,000-candidate results import and ``xiaoqi onex summary``.

    .venv/bin/python bench/onex.py [--candidates 20000] [--out bench/out/onex] [--keep]

Generates (seeded, reproducible) the CSV files of two schools, their majors and the students, the
1+X organisation, certificates, site accreditations and sessions (40 candidates a session), and
the results CSV itself (Chinese headers, as an office writes them). Then, in the same run:

1. ``xiaoqi init`` and the imports the results refer to (timed together, not compared);
2. ``xiaoqi import onex_results`` — fully validated: cells (ID-number checksums, scores, money),
   references to sessions and students (the student's school agreeing), who may write, audit
   entries, the import batch — timed;
3. the same import again (every row unchanged: the idempotent path);
4. the floor: SQLite alone inserting the same rows with ``executemany`` into a copy of the database
   as it was before the import, in one transaction (no file, no parsing, no validation, no audit);
5. ``xiaoqi onex summary --year`` (a process: start-up, plugins, the schema check, the queries),
   the same command for a year without data (its fixed cost), and the reference: the candidates
   and passes as one GROUP BY in the sqlite3 module on the same file.

Prints rows/s and seconds for each and the ratios against the references measured here.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from stdnum.cn import ric, uscc

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
YEAR = 2025
PER_SESSION = 40
CERTIFICATES = (("X0101", "Web前端开发", "中级"), ("X0201", "工业机器人操作与运维", "中级"), ("X0301", "财务共享服务", "初级"))


def id_number(rng: random.Random, region: str, n: int) -> str:
    birth = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    body = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def write(path: Path, header: list[str], rows) -> int:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        n = 0
        for row in rows:
            out.writerow(row)
            n += 1
    return n


def generate(out: Path, candidates: int) -> dict[str, Path]:
    rng = random.Random(17)
    schools = [("4133010001", "杭州基准职业技术学院", "330100"), ("4133020002", "宁波基准职业技术学院", "330200")]
    files = {}
    files["schools"] = out / "schools.csv"
    write(files["schools"], ["学校代码", "学校名称", "办学层次", "所在地区代码"], [[c, n, "高职", r] for c, n, r in schools])
    files["majors"] = out / "majors.csv"
    write(files["majors"], ["学校代码", "专业代码", "专业名称"], [[c, "510201", "计算机应用技术"] for c, _n, _r in schools])
    students, seen = [], set()
    while len(students) < candidates:
        school, _name, region = schools[len(students) % 2]
        number = id_number(rng, region, len(students))
        if number in seen:
            continue
        seen.add(number)
        students.append((school, number))
    files["students"] = out / "students.csv"
    write(files["students"], ["学校代码", "学号", "姓名", "身份证号", "专业代码", "入学日期", "家庭经济困难"],
          ([school, f"S{n:07d}", f"学生{n}", number, "510201", "2023-09-01", "是" if n % 12 == 5 else "否"]
           for n, (school, number) in enumerate(students)))
    body = "91110108MA0BENCH0"
    org = body + uscc.calc_check_digit(body)
    files["onex_organisations"] = out / "organisations.csv"
    write(files["onex_organisations"], ["统一社会信用代码", "组织名称", "遴选批次"], [[org, "基准教育科技有限公司", "第一批"]])
    files["onex_certificates"] = out / "certificates.csv"
    write(files["onex_certificates"], ["证书代码", "证书名称", "培训评价组织统一社会信用代码", "所属领域", "设置等级", "启用日期"],
          [[code, name, org, "电子与信息", "初级、中级、高级", "2019-12-01"] for code, name, _level in CERTIFICATES])
    files["onex_sites"] = out / "sites.csv"
    write(files["onex_sites"], ["站点编码", "证书代码", "等级", "站点名称", "所在学校代码", "每场考核容量", "授权开始日期"],
          [[f"ZD-{s[0][-1]}", code, level, f"{s[1]}考核站", s[0], PER_SESSION, "2020-01-01"]
           for s in schools for code, _name, level in CERTIFICATES])
    sessions = []
    per_school = {school: [number for s, number in students if s == school] for school, _n, _r in schools}
    for school, numbers in per_school.items():
        for start in range(0, len(numbers), PER_SESSION):
            code, _name, level = CERTIFICATES[(start // PER_SESSION) % len(CERTIFICATES)]
            day = dt.date(YEAR, 1, 5) + dt.timedelta(days=(start // PER_SESSION) % 350)
            session = f"KH-{school[-1]}-{start // PER_SESSION:05d}"
            sessions.append((session, school, f"ZD-{school[-1]}", code, level, day, numbers[start:start + PER_SESSION]))
    files["onex_sessions"] = out / "sessions.csv"
    write(files["onex_sessions"], ["考核编号", "站点所在学校代码", "站点编码", "证书代码", "等级", "考核日期", "考核费（元/人）"],
          ([s, school, site, code, level, day.isoformat(), "280.00"] for s, school, site, code, level, day, _ in sessions))
    files["onex_results"] = out / "results.csv"
    write(files["onex_results"], ["考核编号", "身份证号", "学生所在学校代码", "成绩", "是否通过", "本人缴纳考核费（元）"],
          ([s, number, school, f"{rng.randrange(300, 1000) / 10:.1f}", "是" if rng.random() < 0.75 else "否", "280.00"]
           for s, school, _site, _code, _level, _day, numbers in sessions for number in numbers))
    return files


def run(*args, db: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "xiaoqi"), "--db", db, *map(str, args)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"xiaoqi {' '.join(map(str, args))} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


def floor(before: Path, results: Path) -> float:
    """executemany of the same rows, into a copy of the database before the import."""
    with results.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = [(s, n, school, float(score), passed == "是", fee) for s, n, school, score, passed, fee in reader]
    conn = sqlite3.connect(before)
    start = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO onex_results (session_code, id_number, school_code, score, passed, fee_paid) "
                         "VALUES (?, ?, ?, ?, ?, ?)", rows)
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


SUMMARY_SQL = """SELECT x.certificate_code, x.level, COUNT(*), SUM(CASE WHEN r.passed THEN 1 ELSE 0 END)
                 FROM onex_results r JOIN onex_sessions x ON x.session_code = r.session_code
                 WHERE x.held_on BETWEEN ? AND ? GROUP BY x.certificate_code, x.level"""


def reference_summary(path: Path) -> float:
    conn = sqlite3.connect(path)
    conn.execute(SUMMARY_SQL, (f"{YEAR}-01-01", f"{YEAR}-12-31")).fetchall()  # warm-up
    start = time.perf_counter()
    conn.execute(SUMMARY_SQL, (f"{YEAR}-01-01", f"{YEAR}-12-31")).fetchall()
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "onex")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and databases")
    args = parser.parse_args()
    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    files = generate(out, args.candidates)
    path = out / "onex.db"
    db = f"sqlite:///{path}"
    setup = run("init", db=db)
    for kind in ("schools", "majors", "students", "onex_organisations", "onex_certificates", "onex_sites", "onex_sessions"):
        setup += run("import", kind, files[kind], db=db)
    before = out / "before.db"
    shutil.copy(path, before)
    rows = args.candidates
    imported = run("import", "onex_results", files["onex_results"], db=db)
    again = run("import", "onex_results", files["onex_results"], db=db)
    floor_s = floor(before, files["onex_results"])
    summary = min(run("onex", "summary", "--year", YEAR, "--format", "json", db=db) for _ in range(3))
    # the same command for a year without sessions: start-up, plugins, the schema check and an empty query
    startup = min(run("onex", "summary", "--year", 2019, "--format", "json", db=db) for _ in range(3))
    reference = reference_summary(path)
    print(f"setup (init + the referenced imports): {setup:.1f} s")
    print(f"import onex_results, {rows:,} rows:  {imported:.2f} s  {rows / imported:,.0f} rows/s")
    print(f"the same import again (unchanged): {again:.2f} s  {rows / again:,.0f} rows/s")
    print(f"floor, executemany of the same rows: {floor_s:.3f} s  {rows / floor_s:,.0f} rows/s"
          f"  -> the validated import takes {imported / floor_s:.1f}x the floor")
    print(f"xiaoqi onex summary --year {YEAR} (best of 3): {summary:.2f} s;  the same for a year without data: {startup:.2f} s")
    work = max(summary - startup, 0)
    print(f"reference GROUP BY in sqlite3: {reference * 1000:.1f} ms  -> the summary's own work "
          f"{work * 1000:.0f} ms, {work / reference:.1f}x the bare query")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()

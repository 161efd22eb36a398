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

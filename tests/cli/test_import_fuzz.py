"""Fuzzing every core import kind (hypothesis, bounded so the suite stays fast): random cells —
text with control characters, huge and odd numbers, dates, NaN — in random encodings and workbook
shapes (error cells, merged cells, far-away cells) give a clear error or a success, never an
internal error, and never a partial write: when nothing was committed the database is exactly as
it was, and a committed import wrote every valid row it counted."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.test_import_cli import ORDER, table_contents

CELLS = st.one_of(
    st.none(), st.text(max_size=30), st.sampled_from(["高职", "是", "否", "2025-03-01", "2025/3/1", "320100", "4132012345",
                                                    "=1+2", "'=SUM(A1)", "-", "\x00", "\x1b[2J", "\u202e", "陳國華"]),
    st.integers(min_value=-2**40, max_value=2**40), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
)
SHAPES = st.sampled_from(["plain", "error", "formula", "merged", "far"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16"])


def csv_file(path, headers, rows, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))


def xlsx_file(path, headers, rows, shape):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:  # openpyxl refuses control characters (and a file cannot hold them)
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    book.save(path)
    if shape == "plain":
        return
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    patches = {
        "error": lambda x: x.replace("</sheetData>", '<row r="90"><c r="A90" t="e"><v>#N/A</v></c></row></sheetData>'),
        "formula": lambda x: x.replace("</sheetData>", '<row r="90"><c r="B90"><f>1+1</f></c></row></sheetData>'),
        "merged": lambda x: x.replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A2:B2"/></mergeCells>'),
        "far": lambda x: x.replace("</sheetData>", '<row r="900000"><c r="XFD900000"><v>1</v></c></row></sheetData>'),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            z.writestr(info, patches[shape](data.decode()).encode() if info.filename == "xl/worksheets/sheet1.xml" else data)


def json_file(path, headers, rows):
    items = [dict(zip(headers, row)) for row in rows]
    path.write_text(json.dumps(items, ensure_ascii=False, allow_nan=True), encoding="utf-8")


@pytest.mark.parametrize("kind", ORDER)
def test_fuzzed_files_give_a_clear_error_or_success_and_never_a_partial_write(kind, demo_db, tmp_path):
    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import make_engine
    from xiaoqi.core.errors import XiaoqiError
    from xiaoqi.core.io import import_file
    from xiaoqi.core.kinds import get_kind

    url, _ = demo_db
    columns = get_kind(kind).columns
    engine = make_engine(url)

    @settings(max_examples=12, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(fmt=st.sampled_from(["csv", "xlsx", "json"]), encoding=ENCODINGS, shape=SHAPES,
           picked=st.lists(st.sampled_from(columns), min_size=1, max_size=len(columns), unique=True),
           english=st.booleans(), data=st.data())
    def run(fmt, encoding, shape, picked, english, data):
        headers = [c.name if english else c.zh for c in picked]
        rows = data.draw(st.lists(st.lists(CELLS, min_size=len(headers), max_size=len(headers)), max_size=6))
        path = tmp_path / f"f.{fmt}"
        if fmt == "csv":
            csv_file(path, headers, rows, encoding)
        elif fmt == "xlsx":
            xlsx_file(path, headers, rows, shape)
        else:
            json_file(path, headers, rows)
        before = table_contents(url)
        try:
            result = import_file(engine, actor=ADMIN, kind=kind, path=path)
        except XiaoqiError:
            assert table_contents(url) == before
            return
        if not result.written:
            assert table_contents(url) == before
        else:
            assert not result.problems
            assert result.created + result.updated + result.unchanged == result.rows - result.invalid

    try:
        run()
    finally:
        engine.dispose()

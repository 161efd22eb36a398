"""Imports that would have corrupted or erased data, or exhausted the machine: text in Big5 or
Shift-JIS read as GB18030, workbook cells the Excel reader gives as empty (error values, formulas
without a saved value, merged cells), JSON's NaN and Infinity, control characters, absurd sheet
dimensions, zip bombs, oversized cells. Each is refused with a message naming the cell or the
limit (and the option that raises it), and the database stays exactly as it was."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.cli.test_import_cli import table_contents

HEAD = ["school_code", "name", "level", "region", "contact"]


def schools_csv(path: Path, names: list[str], encoding: str) -> Path:
    lines = [",".join(HEAD[:4])] + [f"41320{90000 + i:05d},{name},technician,320100" for i, name in enumerate(names)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def stored_names(url: str) -> list[str]:
    rows = table_contents(url, ["schools"])["schools"]
    return sorted(r[2] for r in rows)


def workbook(path: Path, rows: list[list], patch=None) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    if patch:
        with zipfile.ZipFile(path) as z:
            items = [(i, z.read(i)) for i in z.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in items:
                z.writestr(info, patch(data.decode()).encode() if info.filename == "xl/worksheets/sheet1.xml" else data)
    return path


def cell(ref: str, xml: str):
    return lambda sheet: re.sub(rf'<c r="{ref}"[^>]*>.*?</c>', xml, sheet, count=1)


ROWS = [HEAD] + [[f"41320{90000 + i:05d}", f"测试学院{i}", "高职", "320100", f"联系人{i}"] for i in range(3)]


# -- 1. encodings ------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, names", [("big5", ["陳國華職業學院", "臺灣技術學院"]), ("shift_jis", ["山田技術学校"])])
def test_big5_and_shift_jis_are_refused_not_read_as_gb18030(xiaoqi_cli, xiaoqi_db_url, tmp_path, encoding, names):
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "schools", schools_csv(tmp_path / "s.csv", names, encoding))
    assert result.exit_code == 1
    assert "--encoding" in result.stderr and "GB18030" in result.stderr
    assert table_contents(xiaoqi_db_url) == before


def test_a_named_encoding_reads_big5_correctly(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    result = xiaoqi_cli("import", "schools", schools_csv(tmp_path / "s.csv", ["陳國華職業學院"], "big5"), "--encoding", "big5")
    assert result.exit_code == 0, result.stderr
    assert stored_names(xiaoqi_db_url) == ["陳國華職業學院"]
    unknown = xiaoqi_cli("import", "schools", tmp_path / "s.csv", "--encoding", "klingon")
    assert unknown.exit_code == 1 and "klingon" in unknown.stderr


def test_plain_gb18030_is_still_detected(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    names = ["南京新华职业学院", "苏州科技学院", "镕铖学院"]  # 镕/铖: rarer, still plain Chinese around them
    result = xiaoqi_cli("import", "schools", schools_csv(tmp_path / "s.csv", names, "gb18030"))
    assert result.exit_code == 0, result.stderr
    assert stored_names(xiaoqi_db_url) == sorted(names)


# -- 1. workbook cells that read as empty ---------------------------------------------------------

@pytest.mark.parametrize("patch, named", [
    (cell("E2", '<c r="E2" t="e"><f>NA()</f><v>#N/A</v></c>'), ["E2", "#N/A"]),
    (cell("E3", '<c r="E3" t="e"><v>#REF!</v></c>'), ["E3", "#REF!"]),
    (cell("E4", '<c r="E4"><f>CONCAT("a","b")</f></c>'), ["E4"]),
    (lambda x: cell("E3", '<c r="E3"/>')(x).replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="E2:E4"/></mergeCells>'),
     ["E2:E4"]),
], ids=["na", "ref", "formula-without-value", "merged"])
def test_a_reimport_with_cells_read_as_empty_is_refused_and_erases_nothing(xiaoqi_cli, xiaoqi_db_url, tmp_path, patch, named):
    assert xiaoqi_cli("import", "schools", workbook(tmp_path / "good.xlsx", ROWS)).exit_code == 0
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "schools", workbook(tmp_path / "bad.xlsx", ROWS, patch))
    assert result.exit_code == 1
    assert all(n in result.stderr for n in named), result.stderr
    assert "修改" not in result.output
    assert table_contents(xiaoqi_db_url) == before


def xls(path: Path, rows: list[list], errors: dict[tuple[int, int], str] = {}) -> Path:
    """An .xls (BIFF) workbook of ``rows``, with error values at (row, column) written as such."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in errors:
                sheet.row(r).set_cell_error(c, errors[r, c])
            else:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')


def ods(path: Path, rows: list[list], special: dict[tuple[int, int], str] = {}) -> Path:
    """An .ods workbook of ``rows`` as LibreOffice writes it; ``special`` replaces a cell's XML."""
    def cell(text):
        return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    body = "".join("<table:table-row>" + "".join(special.get((r, c), cell(v)) for c, v in enumerate(row))
                   + "</table:table-row>" for r, row in enumerate(rows))
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                   'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                   '</manifest:manifest>')
    return path


ODS_ERROR = ('<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
             'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>')
ODS_MERGED = ('<table:table-cell office:value-type="string" table:number-rows-spanned="2">'
              '<text:p>联系人1</text:p></table:table-cell>')


@pytest.mark.parametrize("make, special, named", [
    (xls, {(2, 4): "#N/A!"}, ["E3", "#N/A"]),
    (xls, {(1, 4): "#REF!", (3, 4): "#DIV/0!"}, ["E2", "#REF!", "E4", "#DIV/0!"]),
    (ods, {(2, 4): ODS_ERROR}, ["E3", "#DIV/0!"]),
    (ods, {(2, 4): ODS_MERGED}, ["E3:E4"]),
], ids=["xls-na", "xls-two", "ods-error", "ods-merged"])
def test_xls_and_ods_cells_read_as_empty_are_refused_and_erase_nothing(xiaoqi_cli, xiaoqi_db_url, tmp_path, make,
                                                                        special, named):
    assert xiaoqi_cli("import", "schools", workbook(tmp_path / "good.xlsx", ROWS)).exit_code == 0
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "schools", make(tmp_path / f"bad.{make.__name__}", ROWS, special))
    assert result.exit_code == 1, result.output
    assert all(n in result.stderr for n in named), result.stderr
    assert table_contents(xiaoqi_db_url) == before


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_clean_xls_and_ods_import(xiaoqi_cli, xiaoqi_db_url, tmp_path, suffix):
    path = (xls if suffix == ".xls" else ods)(tmp_path / f"ok{suffix}", ROWS)
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 0, result.stderr
    assert stored_names(xiaoqi_db_url) == sorted(r[1] for r in ROWS[1:])


def test_formulas_with_saved_values_import(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    path = workbook(tmp_path / "f.xlsx", ROWS, cell("E2", '<c r="E2" t="str"><f>"联系"&amp;"人0"</f><v>联系人0</v></c>'))
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 0, result.stderr


# -- 1. JSON and control characters -------------------------------------------------------------

@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_json_nan_and_infinity_are_errors_naming_the_item(xiaoqi_cli, xiaoqi_db_url, tmp_path, value):
    path = tmp_path / "s.json"
    path.write_text(f'[{{"school_code": "4132090000", "name": "x", "level": "高职", "region": "320100", "contact": {value}}}]')
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1 and "contact" in result.stderr and value in result.stderr
    assert table_contents(xiaoqi_db_url) == before


@pytest.mark.parametrize("char", ["\x00", "\x1b[2J", "\u202e", "\x07", "\ud800"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_control_characters_in_text_cells_are_refused_with_the_cell_named(xiaoqi_cli, xiaoqi_db_url, tmp_path, char, fmt):
    name = f"坏{char}学院"
    if fmt == "json":
        path = tmp_path / "s.json"
        path.write_text(json.dumps([{"school_code": "4132090000", "name": name, "level": "高职", "region": "320100"}]))
    else:
        if char == "\ud800":
            pytest.skip("a lone surrogate cannot be written as UTF-8")
        path = schools_csv(tmp_path / "s.csv", [name], "utf-8")
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1
    assert "name" in result.output and "控制字符" in result.output, result.output
    assert "\x1b" not in result.output + result.stderr
    assert table_contents(xiaoqi_db_url) == before


def test_nested_json_values_are_refused(xiaoqi_cli, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps([{"school_code": "4132090000", "name": {"a": 1}, "level": "高职", "region": "320100"}]))
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1 and "name" in result.stderr


# -- 4. limits -----------------------------------------------------------------------------------

def far_cell(ref: str, row: int):
    return lambda x: x.replace("</row></sheetData>", f'</row><row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')


@pytest.mark.parametrize("ref, row", [("XFD1048576", 1048576), ("XFD20000", 20000), ("ZZ1000000", 1000000)])
def test_absurd_sheet_dimensions_are_refused_before_the_sheet_is_loaded(xiaoqi_cli, xiaoqi_db_url, tmp_path, ref, row):
    path = workbook(tmp_path / "far.xlsx", [HEAD[:4]], far_cell(ref, row))
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1
    assert ref in result.stderr and ("--max-" in result.stderr), result.stderr
    assert table_contents(xiaoqi_db_url) == before


def test_a_declared_dimension_alone_is_judged_too(xiaoqi_cli, tmp_path):
    path = workbook(tmp_path / "d.xlsx", [HEAD[:4]], lambda x: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', x))
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1 and "XFD1048576" in result.stderr


def test_the_limits_can_be_raised_by_option(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    path = workbook(tmp_path / "w.xlsx", ROWS)
    assert xiaoqi_cli("import", "schools", path, "--max-rows", "2").exit_code == 1
    assert xiaoqi_cli("import", "schools", path, "--max-columns", "4").exit_code == 1
    ok = xiaoqi_cli("import", "schools", path, "--max-rows", "3", "--max-columns", "5", "--max-size", "64M")
    assert ok.exit_code == 0, ok.stderr
    assert xiaoqi_cli("import", "schools", path, "--max-size", "lots").exit_code == 2


def test_a_zip_bomb_is_refused_from_its_directory_before_it_is_expanded(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    path = workbook(tmp_path / "bomb.xlsx", [HEAD[:4]])
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info, data)
                continue
            head, tail = data.decode().split("</sheetData>")
            with z.open(info.filename, "w", force_zip64=True) as out:
                out.write(head.encode())
                block = b" " * (1 << 24)
                for _ in range(16):  # 256 MiB of blanks, about 250 KB compressed
                    out.write(block)
                out.write(b"</sheetData>" + tail.encode())
    assert path.stat().st_size < 5 << 20
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1 and "sheet1.xml" in result.stderr, result.stderr
    small = xiaoqi_cli("import", "schools", path, "--max-size", "100M")
    assert small.exit_code == 1


def test_oversized_cells_are_refused_and_echoed_values_capped(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"school_code": "4" * 100_000, "name": "x", "level": "高职", "region": "320100"}]))
    refused = xiaoqi_cli("import", "schools", big)
    assert refused.exit_code == 1 and "--max-cell-chars" in refused.stderr
    echoed = xiaoqi_cli("import", "schools", big, "--max-cell-chars", "200000")
    assert echoed.exit_code == 1
    assert len(echoed.output) < 2_000 and "100,000" in echoed.output  # the value is clipped, its length said
    csv_path = tmp_path / "big.csv"
    csv_path.write_text(",".join(HEAD[:4]) + "\n" + "4132090000," + "名" * 40_000 + ",高职,320100\n", encoding="utf-8")
    assert "--max-cell-chars" in xiaoqi_cli("import", "schools", csv_path).stderr


def test_too_many_columns_in_a_csv_is_refused(xiaoqi_cli, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(HEAD[:4] + [f"c{i}" for i in range(5000)]) + "\n")
    result = xiaoqi_cli("import", "schools", path)
    assert result.exit_code == 1 and "--max-columns" in result.stderr and len(result.stderr) < 2_000

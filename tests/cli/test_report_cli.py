"""``xiaoqi report annual``: the core's figures per school for a year, plugin sections after them,
Markdown and HTML, scope and errors."""

from __future__ import annotations

import datetime as dt

from tests.plugins.luban_data import build


def _year_of_internships(factory):
    """Two internships overlapping 2025 (one 岗位实习 from 2024-11 to 2025-04, one 认识实习 in 2025),
    one outside it, all in the same school and enterprise."""
    student = factory.student()
    factory.internship(student=student, start_on=dt.date(2024, 11, 1), end_on=dt.date(2025, 4, 30))
    factory.internship(student=factory.student(), kind="认识实习", start_on=dt.date(2025, 6, 1), end_on=dt.date(2025, 6, 20))
    factory.internship(student=factory.student(), start_on=dt.date(2023, 3, 1), end_on=dt.date(2023, 8, 31))
    return student


def test_markdown_report_counts_the_year_per_school_and_adds_plugin_sections(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    _year_of_internships(xiaoqi_factory)
    school = xiaoqi_factory.latest("schools")
    result = xiaoqi_cli("report", "annual", "--year", "2025")
    assert result.exit_code == 0, result.stderr
    out = result.output
    assert out.startswith("# 2025年度校企合作年度报告\n")
    # on-post 1, observation 1, apprentice 0, 2 students, 1 partner enterprise, 1 agreement in force, 0 signed in 2025
    assert f"| {school.school_code} | {school.name} | 1 | 1 | 0 | 2 | 1 | 1 | 0 |" in out
    assert out.index("## 校企合作概况（按学校）") < out.index("## 鲁班工坊")
    assert "| 泰国鲁班工坊 | 泰国 | 泰国鲁班工坊合作院校 | 运营 | 2016-03-08 | 320 | 1,500 | 50 | 8 | 1,240,000.50 |" in out
    # a workshop opened after the year (埃及, 2020-12-18) is left out of that year's section
    early = xiaoqi_cli("report", "annual", "--year", "2019", "--school", reg.lead.school_code).output
    assert "泰国鲁班工坊" in early and "埃及鲁班工坊" not in early and f"学校：{reg.lead.name}（{reg.lead.school_code}）" in early


def test_html_report_written_to_a_file_in_english(xiaoqi_factory, xiaoqi_cli, tmp_path):
    build(xiaoqi_factory)
    target = tmp_path / "report.html"
    result = xiaoqi_cli("--lang", "en", "report", "annual", "--year", "2024", "--format", "html", "-o", target)
    assert result.exit_code == 0 and result.output == ""
    assert f"Annual report written to {target}" in result.stderr
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "<h2>Luban Workshops</h2>" in page and '<td class="n">1,200</td>' in page
    assert "<th>equipment (yuan)</th>" in page
    assert "<td>operating</td>" in page and "运营" not in page  # the workshop status in English too


def test_xlsx_report_has_a_cover_and_a_sheet_per_section_with_numbers_as_numbers(xiaoqi_factory, xiaoqi_cli, tmp_path):
    from decimal import Decimal

    import openpyxl

    build(xiaoqi_factory)
    _year_of_internships(xiaoqi_factory)
    school = xiaoqi_factory.latest("schools")
    target = tmp_path / "年度报告.xlsx"
    result = xiaoqi_cli("report", "annual", "--year", "2025", "-o", target)  # the format from the name
    assert result.exit_code == 0 and result.output == "" and f"年度报告已写入 {target}" in result.stderr
    book = openpyxl.load_workbook(target)
    cover = book.worksheets[0]
    assert cover.title == "说明" and cover["A1"].value == "2025年度校企合作年度报告"
    assert book.sheetnames[1:] == [cover.cell(row, 2).value for row in range(5, cover.max_row + 1)]
    core = book["校企合作概况（按学校）"]
    assert core.freeze_panes == "A2" and core["A1"].font.bold
    rows = {r[0]: r for r in core.iter_rows(min_row=2, values_only=True)}
    # the same figures as the Markdown report's row, as numbers
    assert rows[school.school_code][1:] == (school.name, 1, 1, 0, 2, 1, 1, 0)
    luban = book["鲁班工坊"]
    thai = next(r for r in luban.iter_rows(min_row=2) if r[0].value == "泰国鲁班工坊")
    assert thai[6].value == 1500 and Decimal(str(thai[9].value)) == Decimal("1240000.50")
    assert thai[9].number_format == "#,##0.00" and thai[6].number_format == "#,##0"
    # xlsx is binary: it needs a file
    to_screen = xiaoqi_cli("report", "annual", "--year", "2025", "--format", "xlsx")
    assert to_screen.exit_code == 2 and "Excel 格式需要用 -o 指定输出文件" in to_screen.stderr


def test_a_school_reports_on_itself_only(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    as_other = xiaoqi_cli("--as", f"school:{reg.other.school_code}", "report", "annual", "--year", "2025")
    assert as_other.exit_code == 0
    assert f"（{reg.other.school_code}）" in as_other.output and "泰国鲁班工坊" not in as_other.output
    refused = xiaoqi_cli("--as", f"school:{reg.other.school_code}", "report", "annual", "--year", "2025",
                         "--school", reg.lead.school_code)
    assert refused.exit_code == 1 and f"只能生成本校的年度报告（--school {reg.other.school_code}）" in refused.stderr


def test_report_errors_are_usage_errors(xiaoqi_cli, tmp_path):
    unknown = xiaoqi_cli("report", "annual", "--year", "2025", "--school", "4100000000")
    assert unknown.exit_code == 2 and "学校名录中没有学校代码 4100000000" in unknown.stderr
    bad = xiaoqi_cli("report", "annual", "--year", "2025", "--school", "41")
    assert bad.exit_code == 2 and "--school：应为10位数字的学校代码" in bad.stderr
    nowhere = xiaoqi_cli("report", "annual", "--year", "2025", "-o", tmp_path / "missing" / "r.md")
    assert nowhere.exit_code == 2 and "目录不存在" in nowhere.stderr
    assert xiaoqi_cli("report", "annual").exit_code == 2  # --year is required
    empty = xiaoqi_cli("report", "annual", "--year", "2025")
    assert empty.exit_code == 0 and "（本年度没有数据）" in empty.output


def test_an_output_extension_the_report_does_not_write_is_refused_and_nothing_is_written(xiaoqi_cli, tmp_path):
    """-o names what is written: an .odt or .doc gets no Markdown under its name."""
    for name in ("r.odt", "r.doc", "r"):
        target = tmp_path / name
        result = xiaoqi_cli("report", "annual", "--year", "2025", "-o", target)
        assert result.exit_code == 2, result.output
        assert ".md、.html、.xlsx、.pdf 或 .docx" in result.stderr and not target.exists()
    english = xiaoqi_cli("--lang", "en", "report", "annual", "--year", "2025", "-o", tmp_path / "r.odt")
    assert english.exit_code == 2 and ".pdf or .docx only" in english.stderr
    mismatch = xiaoqi_cli("report", "annual", "--year", "2025", "--format", "html", "-o", tmp_path / "r.md")
    assert mismatch.exit_code == 2 and "--format html" in mismatch.stderr and not (tmp_path / "r.md").exists()
    to_screen = xiaoqi_cli("report", "annual", "--year", "2025", "--format", "pdf")
    assert to_screen.exit_code == 2 and "PDF 格式需要用 -o 指定输出文件" in to_screen.stderr
    written = xiaoqi_cli("report", "annual", "--year", "2025", "-o", tmp_path / "r.markdown")
    assert written.exit_code == 0, written.stderr
    assert (tmp_path / "r.markdown").read_text(encoding="utf-8").startswith("#")

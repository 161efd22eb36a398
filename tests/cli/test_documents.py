"""PDF and Word documents (``xiaoqi.core.documents``): the demo's annual report written as PDF reads
back in Chinese (and in English under ``--lang en``) with the figures an independent SQL query
gives; the Word document's tables hold the Markdown report's cells; headers repeat on every page of
a long table; a place that cannot be written gives a clear error and leaves no file."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest
import sqlalchemy as sa


def pdf_pages(path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def squashed(text: str) -> str:
    """Text without whitespace: a table's row read back from a PDF is its cells one after another
    (a cell's text may wrap)."""
    return re.sub(r"\s+", "", text)


def sql_rows(url: str, year: int) -> list[list]:
    """The core section's rows, by plain SQL over the tables (not the report's query)."""
    first, last = f"{year}-01-01", f"{year}-12-31"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT s.school_code, s.name,"
            " (SELECT count(*) FROM internships i WHERE i.school_code = s.school_code AND i.kind = '岗位实习' AND i.start_on <= :l AND i.end_on >= :f),"
            " (SELECT count(*) FROM internships i WHERE i.school_code = s.school_code AND i.kind = '学徒' AND i.start_on <= :l AND i.end_on >= :f),"
            " (SELECT count(DISTINCT id_number) FROM internships i WHERE i.school_code = s.school_code AND i.start_on <= :l AND i.end_on >= :f),"
            " (SELECT count(*) FROM agreements a WHERE a.school_code = s.school_code AND a.signed_on <= :l"
            "  AND (a.expires_on IS NULL OR a.expires_on >= :f))"
            " FROM schools s ORDER BY s.school_code"), {"f": first, "l": last}).all()
    engine.dispose()
    return [list(r) for r in rows if any(r[2:])]


def markdown_tables(text: str) -> list[list[list[str]]]:
    """The tables of a Markdown report: per table, its rows (header first) as cell texts."""
    tables, current = [], None
    for line in text.splitlines():
        if line.startswith("| "):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
            if current is None:
                current = []
                tables.append(current)
            current.append(cells)
        elif not line.startswith("|---"):
            current = None
    return tables


def test_the_demos_annual_report_as_pdf_reads_back_in_chinese_with_the_figures_sql_gives(demo_db, xiaoqi_cli, tmp_path):
    url, _ = demo_db
    target = tmp_path / "年度报告.pdf"
    result = xiaoqi_cli("report", "annual", "--year", "2025", "-o", target, db=url)
    assert result.exit_code == 0, result.stderr
    assert result.output == "" and f"年度报告已写入 {target}" in result.stderr
    assert target.read_bytes().startswith(b"%PDF-")
    pages = pdf_pages(target)
    text = "\n".join(pages)
    cover = pages[0]
    assert "2025年度校企合作年度报告" in cover and "年度：2025" in cover and "生成时间：" in cover and "管理员" in cover
    for heading in ("校企合作概况（按学校）", "鲁班工坊", "产教融合：产业学院", "1+X 证书与学分银行"):
        assert heading in text, heading
    assert all(f"第 {n} 页 / 共 {len(pages)} 页" in page for n, page in enumerate(pages, start=1))
    rows = sql_rows(url, 2025)
    assert len(rows) > 3
    flat = squashed(text)
    for code, name, on_post, apprentices, students, in_force in rows:
        # the row's cells in order: code, name, 岗位实习, 认识实习 (any), 学徒, students, enterprises (any), in force
        assert re.search(rf"{code}{re.escape(squashed(name))}{on_post:,}[\d,]+{apprentices:,}{students:,}[\d,]+{in_force:,}", flat), (code, name)
    totals = [sum(r[k] for r in rows) for k in (2, 3, 4, 5)]
    assert re.search(rf"合计{totals[0]:,}[\d,]+{totals[1]:,}{totals[2]:,}[\d,]+{totals[3]:,}", flat)


def test_the_pdf_embeds_its_chinese_font_and_is_landscape_for_wide_tables(demo_db, xiaoqi_cli, tmp_path):
    from pypdf import PdfReader

    url, _ = demo_db
    target = tmp_path / "r.pdf"
    assert xiaoqi_cli("report", "annual", "--year", "2025", "-o", target, db=url).exit_code == 0
    reader = PdfReader(target)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                fonts.add(str(font["/BaseFont"]))
    assert any("WenQuanYiMicroHei" in f for f in fonts), fonts  # a TrueType subset, embedded
    # the industrial colleges' partner enterprises need landscape: the whole document is (no page of
    # another shape in between, which would leave a half-empty page)
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages)
    narrow = tmp_path / "narrow.pdf"
    from xiaoqi.core.documents import Document, ReportSection, write_document

    write_document(Document(title="窄表", sections=[ReportSection(title=("窄", "narrow"), columns=[("列", "c")], rows=[[1]])]), narrow)
    assert all(float(p.mediabox.width) < float(p.mediabox.height) for p in PdfReader(narrow).pages)


def test_the_report_in_english(demo_db, xiaoqi_cli, tmp_path):
    url, _ = demo_db
    target = tmp_path / "report.pdf"
    result = xiaoqi_cli("--lang", "en", "report", "annual", "--year", "2025", "-o", target, db=url)
    assert result.exit_code == 0 and f"Annual report written to {target}" in result.stderr
    pages = pdf_pages(target)
    text = "\n".join(pages)
    assert "School–enterprise cooperation: annual report 2025" in pages[0] and "Year: 2025" in pages[0]
    assert "Cooperation by school" in text and "Luban Workshops" in text and f"Page 1 of {len(pages)}" in pages[0]
    assert "校企合作概况" not in text and "第 1 页" not in text


def test_the_word_documents_tables_hold_the_markdown_reports_cells(demo_db, xiaoqi_cli, tmp_path):
    import docx
    from docx.oxml.ns import qn

    url, _ = demo_db
    target = tmp_path / "年度报告.docx"
    result = xiaoqi_cli("report", "annual", "--year", "2025", "-o", target, db=url)
    assert result.exit_code == 0, result.stderr
    md = xiaoqi_cli("report", "annual", "--year", "2025", db=url).output
    expected = markdown_tables(md)
    book = docx.Document(target)
    got = [[[c.text for c in row.cells] for row in table.rows] for table in book.tables]
    assert len(got) == len(expected) >= 5
    assert got == expected
    headings = [p.text for p in book.paragraphs if p.style.name.startswith("Heading")]
    assert "1. 校企合作概况（按学校）" in headings
    assert book.paragraphs[0].text == "2025年度校企合作年度报告" and book.core_properties.title == "2025年度校企合作年度报告"
    # Chinese displays in Word and WPS: every style used names an East Asian font
    for name in ("Normal", "Title", "Heading 1", "Table Grid"):
        fonts = book.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in ("宋体", "黑体"), name
    # the header row repeats on every page, and numbers are right-aligned
    for table in book.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    core = book.tables[0]
    assert core.rows[1].cells[2].paragraphs[0].alignment == 2  # RIGHT
    assert all(s.page_width > s.page_height for s in book.sections)  # landscape, for the wide tables


def test_a_long_table_repeats_its_header_on_every_page_and_cells_keep_their_types(tmp_path):
    """The public API a plugin uses: a Document of ReportSections written by write_document."""
    from docx import Document as Word

    from xiaoqi.core.documents import Document, ReportSection, write_document

    rows = [[f"学生{n:03d}", n, (Decimal(n) * Decimal("1000.5")).quantize(Decimal("0.01")), dt.date(2025, 1, 1) + dt.timedelta(days=n), n % 2 == 0]
            for n in range(1, 181)]
    document = Document(title="测试长表", facts=[("企业", "某某科技有限公司（91110000TESTCODE1）")], sections=[
        ReportSection(title=("长表", "long table"), columns=[("姓名", "name"), ("序号", "n"), ("金额（元）", "amount"),
                                                            ("日期", "date"), ("完成", "done")], rows=rows, notes=["说明一行"]),
        ReportSection(title=("空表", "empty"), columns=[("列", "column")], rows=[])])
    pdf = tmp_path / "long.pdf"
    write_document(document, pdf)
    pages = pdf_pages(pdf)
    assert len(pages) >= 4
    assert all("姓名" in page and "金额（元）" in page for page in pages[1:])  # the header on every page of the table
    flat = squashed("\n".join(pages))
    assert "学生180180180,090.002025-06-30是" in flat and "学生002" in flat and "（无）" in flat and "说明一行" in flat
    word = tmp_path / "long.docx"
    write_document(document, word)
    table = Word(word).tables[0]
    assert [c.text for c in table.rows[2].cells] == ["学生002", "2", "2,001.00", "2025-01-03", "是"]


def test_a_place_that_cannot_be_written_gives_a_clear_error_and_leaves_no_file(demo_db, xiaoqi_cli, tmp_path):
    url, _ = demo_db
    missing = xiaoqi_cli("report", "annual", "--year", "2025", "-o", tmp_path / "nowhere" / "r.pdf", db=url)
    assert missing.exit_code == 2 and "目录不存在" in missing.stderr and not (tmp_path / "nowhere").exists()
    folder = tmp_path / "a.docx"
    folder.mkdir()
    into_folder = xiaoqi_cli("report", "annual", "--year", "2025", "-o", folder, db=url)
    assert into_folder.exit_code == 2 and "是目录" in into_folder.stderr and list(folder.iterdir()) == []
    # a write that fails half-way (the file-size limit of the process, as a full disk would) leaves
    # nothing; the limit leaves room for SQLite's 32 KiB shared-memory file, not for the documents
    out = tmp_path / "out"
    out.mkdir()
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (36000, 36000));"
            "from xiaoqi.core.cli import main; main(sys.argv[1:])")
    for name in ("r.pdf", "r.docx"):
        run = subprocess.run([sys.executable, "-c", code, "--db", url, "report", "annual", "--year", "2025", "-o", str(out / name)],
                             capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        assert run.returncode == 1, run.stderr
        assert f"无法写入 {out / name}" in run.stderr and "Traceback" not in run.stderr
        assert list(out.iterdir()) == []


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_school_reports_on_itself_only_in_a_document(demo_db, xiaoqi_cli, tmp_path, fmt):
    url, _ = demo_db
    rows = sql_rows(url, 2025)
    code, name = rows[0][0], rows[0][1]
    other = rows[1][1]
    target = tmp_path / f"school.{fmt}"
    result = xiaoqi_cli("--as", f"school:{code}", "report", "annual", "--year", "2025", "-o", target, db=url)
    assert result.exit_code == 0, result.stderr
    if fmt == "pdf":
        text = "\n".join(pdf_pages(target))
    else:
        import docx

        book = docx.Document(target)
        text = "\n".join([p.text for p in book.paragraphs] + [c.text for t in book.tables for r in t.rows for c in r.cells])
    assert f"学校：{name}（{code}）" in text and other not in text


def _ledger_years(url: str) -> tuple[str, str, list[int]]:
    """The demo enterprise with the most ledger lines: its USCC, name and the years of its lines."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        uscc = conn.execute(sa.text("SELECT uscc FROM inc_lines GROUP BY uscc ORDER BY count(*) DESC, uscc LIMIT 1")).scalar_one()
        name = conn.execute(sa.text("SELECT name FROM enterprises WHERE uscc = :u"), {"u": uscc}).scalar_one()
        years = [r[0] for r in conn.execute(sa.text("SELECT DISTINCT period FROM inc_lines WHERE uscc = :u ORDER BY period"), {"u": uscc})]
    engine.dispose()
    return uscc, name, years


def test_a_demo_enterprises_statements_over_its_years_as_pdf_hold_the_ledgers_figures(demo_db, xiaoqi_cli, tmp_path):
    url, _ = demo_db
    uscc, name, years = _ledger_years(url)
    assert len(years) >= 4
    engine = sa.create_engine(url)
    for year in years:
        target = tmp_path / f"对账单{year}.pdf"
        result = xiaoqi_cli("incentives", "statement", "--enterprise", uscc, "--year", year, "-o", target, db=url)
        assert result.exit_code == 0, result.stderr
        pages = pdf_pages(target)
        flat = squashed("\n".join(pages))
        assert f"{name}（{uscc}）{year}年激励台账对账单" in squashed(pages[0]) and f"企业：{name}（{uscc}）" in pages[0]
        for heading in (f"期初余额（{year} 年初）", "本期台账行", f"期末余额（{year} 年末）", "结转以后年度的抵免额（按形成年度）"):
            assert squashed(heading) in flat, (year, heading)
        with engine.connect() as conn:
            closing = conn.execute(sa.text("SELECT account, SUM(amount_fen) FROM inc_lines WHERE uscc = :u AND period <= :y "
                                           "GROUP BY account"), {"u": uscc, "y": year}).all()
            lines = conn.execute(sa.text("SELECT id, amount_fen FROM inc_lines WHERE uscc = :u AND period = :y ORDER BY entry_date, id"),
                                 {"u": uscc, "y": year}).all()
            carried = conn.execute(sa.text("SELECT vintage, SUM(amount_fen) FROM inc_lines WHERE uscc = :u AND account = 'credit' "
                                           "AND period <= :y GROUP BY vintage HAVING SUM(amount_fen) <> 0"), {"u": uscc, "y": year}).all()
        for _account, fen in closing:
            assert f"{Decimal(fen) / 100:,.2f}" in flat, (year, fen)
        for line_id, fen in lines:
            assert re.search(rf"{line_id}{year}-\d\d-\d\d", flat) and f"{Decimal(fen) / 100:,.2f}" in flat, (year, line_id)
        for vintage, fen in carried:
            assert f"{vintage}{Decimal(fen) / 100:,.2f}" in flat, (year, vintage)
    engine.dispose()


def test_a_statement_as_word_holds_the_markdown_statements_cells_in_english_too(demo_db, xiaoqi_cli, tmp_path):
    import docx

    url, _ = demo_db
    uscc, name, years = _ledger_years(url)
    for lang in ("zh", "en"):
        target = tmp_path / f"statement-{lang}.docx"
        result = xiaoqi_cli("--lang", lang, "incentives", "statement", "--enterprise", uscc, "--year", years[-2], "-o", target, db=url)
        assert result.exit_code == 0, result.stderr
        md = xiaoqi_cli("--lang", lang, "incentives", "statement", "--enterprise", uscc, "--year", years[-2], db=url).output
        book = docx.Document(target)
        assert [[[c.text for c in row.cells] for row in table.rows] for table in book.tables] == markdown_tables(md)
        assert name in book.paragraphs[0].text and str(years[-2]) in book.paragraphs[0].text
    assert "Opening balances" in md and "Incentives statement of" in book.paragraphs[0].text


def test_the_plugin_guides_example_writes_a_document_a_reader_can_check(demo_db, tmp_path):
    """docs/plugins.md's example ("Writing a PDF or Word document"), run as written."""
    from pathlib import Path

    from xiaoqi.core.actors import ADMIN, Actor
    from xiaoqi.core.db import make_engine
    from xiaoqi.core.errors import UsageError

    text = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text(encoding="utf-8")
    section = text[text.index("## Writing a PDF or Word document"):]
    code = section[section.index("```python\n") + 10:section.index("```\n", section.index("```python\n") + 10)]
    namespace: dict = {}
    exec(compile(code, "docs/plugins.md", "exec"), namespace)
    url, _ = demo_db
    engine = make_engine(url)
    rows = sql_rows(url, 2025)
    code_, name = rows[0][0], rows[0][1]
    with sa.create_engine(url).connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM internships WHERE school_code = :s AND start_on <= '2025-12-31' "
                                     "AND end_on >= '2025-01-01'"), {"s": code_}).scalar_one()
    namespace["write_placements"](engine, ADMIN, 2025, tmp_path / "all.pdf")
    assert f"{code_}{squashed(name)}{count:,}" in squashed("\n".join(pdf_pages(tmp_path / "all.pdf")))
    namespace["write_placements"](engine, Actor("school", rows[1][0]), 2025, tmp_path / "one.docx")
    import docx

    cells = [c.text for t in docx.Document(tmp_path / "one.docx").tables for r in t.rows for c in r.cells]
    assert rows[1][1] in cells and name not in cells  # the actor's scope
    with pytest.raises(UsageError):
        namespace["write_placements"](engine, ADMIN, 2025, tmp_path / "x.odt")
    engine.dispose()

"""``xiaoqi report annual``: the annual report for a year as Markdown, HTML, an Excel workbook, PDF or Word."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..cli import group, option, pass_app
from ..errors import PermissionDenied, UsageError
from ..i18n import catalogue, t

catalogue(
    {
        "report.written": ("年度报告已写入 {path}（{sections} 个部分）", "Annual report written to {path} ({sections} sections)"),
        "report.no_school": ("学校名录中没有学校代码 {code}。请检查代码，或先导入该学校。", "No school {code} in the register. Check the code, or import the school first."),
        "report.other_school": ("{actor} 只能生成本校的年度报告（--school {code}）。", "{actor} may only report on its own school (--school {code})."),
        "report.bad_school": ("--school：{reason}", "--school: {reason}"),
        "report.suffix": ("年度报告只能写成 .md、.html、.xlsx、.pdf 或 .docx 文件，不能写「{path}」（不支持 {suffix} 格式）。",
                          "The annual report is written as .md, .html, .xlsx, .pdf or .docx only, not to '{path}' ({suffix} is not supported)."),
        "report.suffix_format": ("--format {fmt} 与文件名「{path}」的扩展名不一致。", "--format {fmt} does not match the extension of '{path}'."),
        "report.needs_file": ("{name} 格式需要用 -o 指定输出文件（例如 -o 年度报告.{fmt}）。", "The {name} format needs an output file: give -o, e.g. -o report.{fmt}"),
    }
)


#: the extensions ``-o`` may end with, and the format each is written in
REPORT_SUFFIXES = {"md": "md", "markdown": "md", "txt": "md", "html": "html", "htm": "html", "xlsx": "xlsx", "pdf": "pdf",
                   "docx": "docx"}
#: the formats that are files, never the screen, and what they are called
BINARY = {"xlsx": "Excel", "pdf": "PDF", "docx": "Word"}


@group("report")
def report_group():
    pass



@report_group.command("annual", help=("某年度的校企合作年度报告：实习、合作企业、协议，以及插件提供的部分", "the annual report of a year: internships, partner enterprises, agreements, and the plugins' sections"))
@option("--year", type=click.IntRange(2000, 2100), required=True, help=("报告年度", "the year"))
@option("--school", default=None, metavar="CODE", help=("只报告该学校", "one school only"))
@option("--format", "fmt", type=click.Choice(["md", "html", "xlsx", "pdf", "docx"]), default=None,
              help=("输出格式（默认按 -o 的扩展名，否则 md）", "output format (default: from -o, else md)"))
@option("-o", "--output", type=click.Path(dir_okay=False), default=None, help=("写入文件（默认输出到屏幕）", "write to FILE (default: the screen)"))
@pass_app
def annual_command(app, year, school, fmt, output):
    import sqlalchemy as sa

    from ..db import read_session
    from ..fields import parse_code10
    from ..models import School
    from ..report import annual_report, render_html, render_markdown, render_xlsx

    if output:  # the file's extension says what is written: one that is not written is refused
        suffix = Path(output).suffix.lower().lstrip(".")
        written = REPORT_SUFFIXES.get(suffix)
        if written is None:
            raise UsageError(t("report.suffix", path=output, suffix=f".{suffix}" if suffix else "-"))
        if fmt is not None and fmt != written:
            raise UsageError(t("report.suffix_format", fmt=fmt, path=output))
        fmt = written
    fmt = fmt or "md"
    if fmt in BINARY and not output:
        raise UsageError(t("report.needs_file", fmt=fmt, name=BINARY[fmt]))

    if school is not None:
        try:
            school = parse_code10(school)
        except ValueError as exc:
            raise UsageError(t("report.bad_school", reason=exc)) from None
    actor = app.actor
    if actor.role == "school":
        if school not in (None, actor.code):
            raise PermissionDenied(t("report.other_school", actor=actor.label(), code=actor.code))
        school = actor.code
    from ..db import sqlite_files

    if output:
        from ..output import check_target

        check_target(output, inputs=sqlite_files(app.url))  # before the report is computed
    with read_session(app.engine()) as session:
        if school and session.execute(sa.select(School.id).where(School.school_code == school)).first() is None:
            raise UsageError(t("report.no_school", code=school))
        report = annual_report(session, year=year, school_code=school, actor=actor, lang=app.lang)
    today = dt.date.today()
    from ..output import open_output

    if fmt in ("pdf", "docx"):
        from ..documents import write_document
        from ..report import report_document

        write_document(report_document(report, actor=actor), output, fmt=fmt, inputs=sqlite_files(app.url))
        click.echo(t("report.written", path=output, sections=len(report.sections)), err=True)
        return
    if fmt == "xlsx":
        with open_output(output) as fh:
            render_xlsx(report, fh, actor=actor, today=today)
        click.echo(t("report.written", path=output, sections=len(report.sections)), err=True)
        return
    text = render_markdown(report, actor=actor) if fmt == "md" else render_html(report, actor=actor)
    if output:
        with open_output(output, text=True) as fh:
            fh.write(text)
        click.echo(t("report.written", path=output, sections=len(report.sections)), err=True)
    else:
        click.echo(text, nl=False)

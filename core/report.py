"""The annual report (年度报告): the core's figures per school for a year — internships by kind,
students placed, partner enterprises and agreements — followed by the sections plugins add through
``xiaoqi_report_sections``, rendered as Markdown, HTML, an Excel workbook, or as PDF or Word
through ``xiaoqi.core.documents`` (whose ``ReportSection`` it is).

Every figure is one set-based query grouped by school, limited to what the actor may see (the
``internships`` and ``agreements`` kinds' read filters).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from . import models as m
from .actors import Actor
from .documents import Document, ReportSection, cell, generated_fact, named
from .i18n import catalogue, t
from .kinds import get_kind
from .output import xlsx_value
from .plugins import contributions

catalogue(
    {
        "report.title": ("{year}年度校企合作年度报告", "School–enterprise cooperation: annual report {year}"),
        "report.scope.school": ("学校：{name}（{code}）", "School: {name} ({code})"),
        "report.scope.all": ("范围：{actor}可见的全部学校", "Scope: every school visible to {actor}"),
        "report.scope.every": ("{actor}可见的全部学校", "every school visible to {actor}"),
        "report.generated": ("生成日期：{today}", "Generated on {today}"),
        "report.core.note": ("实习按与该年度有交叠的起止日期计；合作企业与协议按该年度内有效计。", "Internships count when their dates overlap the year; partner enterprises and agreements when in force during the year."),
        "report.empty": ("（本年度没有数据）", "(no data for this year)"),
        "report.total": ("合计", "Total"),
        "report.sheet.cover": ("说明", "About"),
    }
)


@dataclass
class AnnualReport:
    year: int
    school_code: str | None
    school_name: str | None
    sections: list[ReportSection]


def _scoped(stmt, kind: str, actor: Actor):
    scope = get_kind(kind).read_filter(actor)
    return stmt if scope is None else stmt.where(scope)


def core_section(session: Session, *, year: int, school_code: str | None, actor: Actor) -> ReportSection:
    """Per school: internships by kind, students placed, partner enterprises and agreements in force,
    agreements signed in the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    i, a = m.Internship, m.Agreement
    internships = _scoped(sa.select(
        i.school_code.label("school_code"),
        sa.func.count().filter(i.kind == "岗位实习").label("on_post"),
        sa.func.count().filter(i.kind == "认识实习").label("observation"),
        sa.func.count().filter(i.kind == "学徒").label("apprentice"),
        sa.func.count(sa.distinct(i.id_number)).label("students"),
    ).where(i.start_on <= last, i.end_on >= first), "internships", actor).group_by(i.school_code).subquery("i")
    in_force = sa.and_(a.signed_on <= last, sa.or_(a.expires_on.is_(None), a.expires_on >= first))
    agreements = _scoped(sa.select(
        a.school_code.label("school_code"),
        sa.func.count(sa.distinct(a.uscc)).filter(in_force).label("enterprises"),
        sa.func.count().filter(in_force).label("in_force"),
        sa.func.count().filter(a.signed_on.between(first, last)).label("signed"),
    ), "agreements", actor).group_by(a.school_code).subquery("a")
    figures = [sa.func.coalesce(c, 0) for c in (internships.c.on_post, internships.c.observation, internships.c.apprentice,
                                                 internships.c.students, agreements.c.enterprises, agreements.c.in_force,
                                                 agreements.c.signed)]
    stmt = (sa.select(m.School.school_code, m.School.name, *figures)
            .outerjoin(internships, internships.c.school_code == m.School.school_code)
            .outerjoin(agreements, agreements.c.school_code == m.School.school_code)
            .where(sa.or_(internships.c.school_code.is_not(None), agreements.c.school_code.is_not(None)))
            .order_by(m.School.school_code))
    if school_code:
        stmt = stmt.where(m.School.school_code == school_code)
    rows = [list(r) for r in session.execute(stmt)]
    if len(rows) > 1:
        rows.append([t("report.total"), "", *(sum(r[k] for r in rows) for k in range(2, 9))])
    return ReportSection(
        title=("校企合作概况（按学校）", "Cooperation by school"),
        columns=[("学校代码", "school code"), ("学校名称", "school"), ("岗位实习", "on-post internships"),
                 ("认识实习", "observation internships"), ("学徒", "apprentices"), ("实习学生数", "students placed"),
                 ("合作企业数", "partner enterprises"), ("有效协议数", "agreements in force"), ("当年签订协议", "agreements signed")],
        rows=rows, notes=[t("report.core.note")])


def annual_report(session: Session, *, year: int, school_code: str | None, actor: Actor, lang: str) -> AnnualReport:
    """The core's section, then every plugin's (in plugin registration order)."""
    sections = [core_section(session, year=year, school_code=school_code, actor=actor)]
    for plugin, section in contributions("xiaoqi_report_sections", session=session, year=year, school_code=school_code,
                                         lang=lang, actor=actor):
        section.plugin = section.plugin or plugin
        sections.append(section)
    name = None
    if school_code:
        name = session.execute(sa.select(m.School.name).where(m.School.school_code == school_code)).scalar()
    return AnnualReport(year=year, school_code=school_code, school_name=name, sections=sections)


def _scope_line(report: AnnualReport, actor: Actor) -> str:
    if report.school_code:
        return t("report.scope.school", name=report.school_name or "-", code=report.school_code)
    return t("report.scope.all", actor=actor.label())


def report_document(report: AnnualReport, *, actor: Actor, now: dt.datetime | None = None) -> Document:
    """The report as a ``Document`` (for PDF and DOCX): the title, the school by name or the scope,
    the year, who generated it and when, then the sections."""
    if report.school_code:
        scope = (t("doc.fact.school"), named(report.school_name, report.school_code))
    else:
        scope = (t("doc.fact.scope"), t("report.scope.every", actor=actor.label()))
    return Document(title=t("report.title", year=report.year), empty=t("report.empty"), sections=report.sections,
                    facts=[scope, (t("doc.fact.year"), str(report.year)), (t("doc.fact.by"), actor.label()), generated_fact(now)])


def render_markdown(report: AnnualReport, *, actor: Actor, now: dt.datetime | None = None) -> str:
    from .documents import markdown

    return markdown(report_document(report, actor=actor, now=now))


def render_html(report: AnnualReport, *, actor: Actor, now: dt.datetime | None = None) -> str:
    from .documents import html

    return html(report_document(report, actor=actor, now=now))


#: characters Excel refuses in a sheet name, and its length limit
_SHEET_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})
_SHEET_LEN = 31


def render_xlsx(report: AnnualReport, path, *, actor: Actor, today: dt.date) -> None:
    """The report as a workbook an office can file or re-sort: a cover sheet (title, scope, date,
    the list of sections) and one sheet per section, with numbers and money as numbers (money with
    two decimals and thousands separators), headers bold and frozen, notes under the table. Every
    text is a text cell, never a formula (a school named "=HYPERLINK(...)" stays a name).
    ``path`` is a file name or a binary file object."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    cover = book.active
    cover.title = t("report.sheet.cover")
    cover.append([xlsx_value(cover, t("report.title", year=report.year))])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([xlsx_value(cover, _scope_line(report, actor))])
    cover.append([t("report.generated", today=today.isoformat())])
    cover.append([])
    used = {cover.title}
    for section in report.sections:
        name = section.label().translate(_SHEET_BAD)[:_SHEET_LEN]
        n = 2
        while name in used:  # two sections of the same name (two plugins) get distinct sheets
            name = f"{section.label().translate(_SHEET_BAD)[:_SHEET_LEN - 3]}({n})"
            n += 1
        used.add(name)
        cover.append([xlsx_value(cover, section.label()), xlsx_value(cover, name)])
        sheet = book.create_sheet(name)
        sheet.append([xlsx_value(sheet, h) for h in section.headers()])
        for c in sheet[1]:
            c.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in section.rows:
            sheet.append([xlsx_value(sheet, _xlsx_value(v)) for v in row])
            for c, v in zip(sheet[sheet.max_row], row):
                if isinstance(v, Decimal):
                    c.number_format = "#,##0.00"
                elif isinstance(v, int) and not isinstance(v, bool):
                    c.number_format = "#,##0"
        if not section.rows:
            sheet.append([t("report.empty")])
        if section.notes:
            sheet.append([])
            for note in section.notes:
                sheet.append([xlsx_value(sheet, note)])
        for i, header in enumerate(section.headers(), start=1):
            width = max([len(header)] + [len(cell(row[i - 1])) for row in section.rows])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, 4 + 2 * width)
    cover.column_dimensions["A"].width = 40
    cover.column_dimensions["B"].width = 34
    book.save(path)


def _xlsx_value(value: Any) -> Any:
    """A cell as Excel keeps it: numbers and money as numbers, dates as dates, booleans as 是/否."""
    if isinstance(value, bool):
        return cell(value)
    if isinstance(value, (int, Decimal, dt.date)) or value is None:
        return value
    return str(value)

"""The industrial colleges in the annual report (``xiaoqi report annual``): the 产教融合 part of a
school's report — each college's figures for the year — and the figures an enterprise's report
needs — per partner enterprise: its colleges, its investment, its teachers and their hours, the
colleges' interns and apprentices at it, and the order-class graduates it hired.

Each figure is the SQL of ``service`` and ``figures`` (the same as ``xiaoqi ic summary``), so a
reader reproduces it from the notes: investment is ``ic_investments`` of the year, teaching the
``ic_teaching`` terms falling in the year, interns the college's students (of its joint majors) on
an internship at a partner that overlaps the year and the partnership, hires the ``hired`` of order
classes graduating in the year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlmodel import Session

from xiaoqi.core.actors import Actor
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.report import ReportSection

from .service import enterprise_figures, list_colleges, tasks_evidenced

catalogue(
    {
        "ic.report.colleges.note": (
            "企业投入为该年度登记的投入（ic_investments.year）；企业教师学时为落在该年度的学期（ic_teaching.year）；学生为共建专业的在籍学生；"
            "岗位实习与学徒为这些学生在合作企业、与该年度及合作期有交叠的实习；订单班录用为该年毕业的订单班录用人数；企业合作方按年末（或今天）计。",
            "Investment is the year's lines (ic_investments.year); teaching the terms falling in the year (ic_teaching.year); students "
            "those of the joint majors; interns and apprentices those students' internships at partners overlapping the year and the "
            "partnership; hires those of order classes graduating in the year; enterprise partners at the year's end (or today)."),
        "ic.report.firms.note": (
            "企业年度报告数据：每家合作企业在该年度参与的产业学院、投入、企业教师与授课学时、产业学院学生在该企业的岗位实习与学徒、订单班毕业录用。",
            "For an enterprise's report: each partner's colleges in the year, its investment, its teachers and their hours, the "
            "colleges' students on internships and apprenticeships at it, and the order-class graduates it hired."),
    }
)

COLLEGE_COLUMNS = [
    ("学院编码", "code"), ("产业学院", "college"), ("牵头学校", "lead school"), ("类型", "type"), ("状态", "status"),
    ("企业合作方", "enterprise partners"), ("企业投入（元）", "investment (yuan)"), ("企业教师", "enterprise teachers"),
    ("企业教师学时", "teaching hours"), ("学生", "students"), ("岗位实习学生", "interns"), ("学徒", "apprentices"),
    ("订单班录用", "order-class hires"), ("治理会议", "meetings"), ("技术服务与研发收入（元）", "service income (yuan)"),
    ("员工培训人次", "employees trained"), ("有佐证的建设任务", "tasks with evidence"),
]
#: the figures of a college row, after its code, name, school, type and status (summed in the total row)
COLLEGE_FIGURES = ("enterprise_partners", "investment", "enterprise_teachers", "teaching_hours", "students", "interns",
                   "apprentices", "hires", "meetings", "service_income", "trainees")
FIRM_COLUMNS = [
    ("统一社会信用代码", "USCC"), ("企业名称", "enterprise"), ("参与的产业学院", "colleges"), ("企业投入（元）", "investment (yuan)"),
    ("其中现金（元）", "of which cash (yuan)"), ("企业教师", "teachers"), ("授课学时", "teaching hours"),
    ("岗位实习学生", "interns"), ("学徒", "apprentices"), ("订单班毕业生", "order-class graduates"), ("订单班录用", "hired"),
]
FIRM_FIGURES = ("investment", "investment_cash", "teachers", "teaching_hours", "interns", "apprentices", "graduates", "hires")


def _total(rows: list[list], first: int) -> list:
    """The total row: the figures of every column from ``first`` on added up (money stays Decimal);
    a column that is not a figure stays empty."""
    total: list = [t("report.total"), *([""] * (first - 1))]
    for i in range(first, len(rows[0])):
        values = [r[i] for r in rows]
        if all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in values):
            total.append(sum(values, Decimal("0.00") if isinstance(values[0], Decimal) else 0))
        else:
            total.append("")
    return total


def college_section(session: Session, *, year: int, school_code: str | None, actor: Actor,
                    today: dt.date | None = None) -> ReportSection:
    """产教融合 · 产业学院: each college (of ``school_code`` when given: those it leads or is a partner
    of) founded by the year's end, with its figures of the year."""
    end = dt.date(year, 12, 31)
    on = min(end, today or dt.date.today())
    colleges = get_kind("ic_colleges")
    listed = [r for r in list_colleges(session, actor=actor, today=on, year=year, school=school_code)
              if r["founded_on"] <= end and (r["closed_on"] is None or r["closed_on"].year >= year)]
    tasks = tasks_evidenced(session, actor=actor, year=year)
    rows = [[r["code"], r["name"], r["lead_school_name"], colleges.by_name["type"].choice_text(r["type"]),
             colleges.by_name["status"].choice_text(r["status"]), *(r[name] for name in COLLEGE_FIGURES),
             f"{tasks.get(r['code'], 0)}/7"] for r in listed]
    if len(rows) > 1:
        rows.append(_total(rows, 5))
    return ReportSection(title=("产教融合：产业学院", "Industry–education integration: industrial colleges"),
                         columns=COLLEGE_COLUMNS, rows=rows, notes=[t("ic.report.colleges.note")])


def enterprise_section(session: Session, *, year: int, school_code: str | None, actor: Actor) -> ReportSection:
    """产业学院合作企业: the figures of each partner enterprise's report for the year."""
    rows = [[f["uscc"], f["name"], "、".join(f["colleges"]), *(f[name] for name in FIRM_FIGURES)]
            for f in enterprise_figures(session, actor=actor, year=year, school=school_code)]
    if len(rows) > 1:
        rows.append(_total(rows, 3))
    return ReportSection(title=("产业学院合作企业（企业年度报告数据）", "Industrial-college partner enterprises (for their reports)"),
                         columns=FIRM_COLUMNS, rows=rows, notes=[t("ic.report.firms.note")])


def sections(session: Session, *, year: int, school_code: str | None, actor: Actor) -> list[ReportSection]:
    return [college_section(session, year=year, school_code=school_code, actor=actor),
            enterprise_section(session, year=year, school_code=school_code, actor=actor)]

"""The teachers section of the annual report: per school, its teachers, the share of 双师型 among
its specialist teachers, its enterprise teachers (part-time teachers engaged from enterprises and
the enterprise mentors of its interns) and the year's enterprise practice — ``service.summary``."""

from __future__ import annotations

import datetime as dt

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.report import ReportSection

from .service import summary

catalogue(
    {
        "tch.col.total": ("合计", "total"),
        "tch.report.note": ("双师型占比与实践不足人数截至 {on}；实践天数为该年度内的天数，重叠记录只计一次；企业导师为该年度实习学生的企业导师（按名录中的人计）；企业教师授课学时来自记录授课的插件（如产业学院）。",
                            "The dual-qualified share and those short of practice are as of {on}; practice days are those within the year, overlapping records counted once; enterprise mentors are those of the year's interns (people of the registry); enterprise teachers' hours come from the plugins that record teaching (e.g. industrial colleges)."),
    }
)

COLUMNS = [("学校", "school"), ("专任教师", "full-time"), ("兼职教师", "part-time"), ("专业课教师", "specialists"),
           ("双师型教师", "dual-qualified"), ("双师型占比", "dual-qualified share"), ("企业实践人数", "teachers who practised"),
           ("企业实践天数", "practice days"), ("实践不足人数", "short of practice"), ("企业导师", "enterprise mentors"),
           ("企业导师所带实习", "their interns"), ("授课企业教师", "enterprise teachers teaching"),
           ("企业教师授课学时", "their teaching hours")]


def _percent(share) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def section(session, *, year: int, school_code: str | None, actor) -> ReportSection:
    s = summary(session, actor=actor, year=year, today=dt.date.today(), school=school_code)

    def cells(r):
        return [r["full_time"], r["part_time"], r["specialists"], r["dual"], _percent(r["dual_share"]), r["practice_teachers"],
                r["practice_days"], r["short"], r["enterprise_mentors"], r["mentored_interns"], r["teaching_teachers"],
                r["teaching_hours"]]

    rows = [[r["name"], *cells(r)] for r in s.schools]
    if len(s.schools) > 1:
        rows.append([t("tch.col.total"), *cells(s.total)])
    return ReportSection(title=("教师队伍与企业实践", "Teachers and enterprise practice"), columns=COLUMNS, rows=rows,
                         notes=[t("tch.report.note", on=s.on)])

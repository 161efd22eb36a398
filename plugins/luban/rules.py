"""The Luban Workshop rules, each one set-based query over the whole register.

- ``LW-ACTIVITY-MISSING`` (warning): an operating workshop, opened before last year ended, has no
  activity record for last year. "Last year" is the year before ``--on`` (default: today).
- ``LW-LEAD-COLLEGE`` (error): a workshop's lead college is not in the schools register.

``--school`` limits both to the workshops that school leads or takes part in, ``--enterprise`` to
the workshops that enterprise is a partner of.
"""

from __future__ import annotations

import datetime as dt

from xiaoqi.core.fields import LIST_JOIN
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Rule, RuleContext

from .kinds import OPERATING

catalogue(
    {
        "luban.rule.activity.msg": ("运营中的鲁班工坊「{name}」没有 {year} 年度数据：请导入 luban_activity（鲁班工坊年度数据）补报。", "The operating Luban Workshop '{name}' has no activity record for {year}: import it as luban_activity."),
        "luban.rule.lead.msg": ("鲁班工坊「{name}」的国内牵头院校 {code} 不在学校名录中：请先导入该学校，或更正学校代码。", "The lead college {code} of the Luban Workshop '{name}' is not in the schools register: import the school first, or correct the code."),
    }
)


def _scope(ctx: RuleContext, w: str = "w") -> str:
    """SQL limiting workshops ``w`` to the user's --school / --enterprise."""
    parts = ["1 = 1"]
    if ctx.school:
        school = ctx.bind(ctx.school)
        sep = ctx.bind(LIST_JOIN)
        parts.append(f"({w}.lead_school_code = {school} OR "
                     f"({sep} || {w}.other_school_codes || {sep}) LIKE ('%' || {sep} || {school} || {sep} || '%'))")
    if ctx.enterprise:
        parts.append(f"{w}.name IN (SELECT p.workshop_name FROM luban_partners p WHERE p.uscc = {ctx.bind(ctx.enterprise)})")
    return " AND ".join(parts)


def _activity_missing(ctx: RuleContext):
    last_year = ctx.as_of.year - 1
    year = ctx.bind(last_year)
    sql = f"""
        SELECT w.name, w.lead_school_code, w.opened_on
        FROM luban_workshops w
        WHERE w.status = {ctx.bind(OPERATING)} AND {_scope(ctx)}
          AND (w.opened_on IS NULL OR w.opened_on <= {ctx.bind(dt.date(last_year, 12, 31))})
          AND NOT EXISTS (SELECT 1 FROM luban_activity a WHERE a.workshop_name = w.name AND a.year = {year})
        ORDER BY w.name
    """
    for row in ctx.rows(sql):
        yield ctx.finding(subject_kind="luban_workshops", subject_key=row["name"], school_code=row["lead_school_code"],
                          message=t("luban.rule.activity.msg", name=row["name"], year=last_year),
                          numbers={"year": last_year, "opened_on": row["opened_on"]})


def _lead_college(ctx: RuleContext):
    sql = f"""
        SELECT w.name, w.lead_school_code
        FROM luban_workshops w
        WHERE {_scope(ctx)}
          AND NOT EXISTS (SELECT 1 FROM schools s WHERE s.school_code = w.lead_school_code)
        ORDER BY w.name
    """
    for row in ctx.rows(sql):
        yield ctx.finding(subject_kind="luban_workshops", subject_key=row["name"], school_code=row["lead_school_code"],
                          message=t("luban.rule.lead.msg", name=row["name"], code=row["lead_school_code"]),
                          numbers={"lead_school_code": row["lead_school_code"]})


RULES = [
    Rule(id="LW-ACTIVITY-MISSING", severity="warning", title=("鲁班工坊缺少上年度数据", "Luban Workshop without last year's activity"),
         source="鲁班工坊年度数据报送（职业教育质量年度报告·国际合作）",
         requirement=("运营中的鲁班工坊每年报送上一年度的在校生、培训人次和培训教师人次。",
                      "An operating Luban Workshop reports last year's enrolment, trainees and teachers trained every year."),
         subject_kind="luban_workshops", evaluate=_activity_missing),
    Rule(id="LW-LEAD-COLLEGE", severity="error", title=("鲁班工坊牵头院校不在名录中", "Luban Workshop lead college not registered"),
         source="鲁班工坊登记：国内牵头院校须为在册学校",
         requirement=("鲁班工坊的国内牵头院校必须是学校名录中的学校。", "A Luban Workshop's lead college must be a school in the register."),
         subject_kind="luban_workshops", evaluate=_lead_college),
]

"""深圳南山 (440305): ¥1,000 per month for each 大专 (高职) intern at an enterprise of the district,
for at most 12 months, never more than the pay the intern was actually given. Built only on the
incentives plugin's hookspec ``xiaoqi_intern_subsidy_schemes``.

The figures are the parameters of the scheme's rule INC-SHENZHEN-NANSHAN, resolved for each case
by the enterprise's region and the internship's start (a change is a new value, not new code):

| parameter | value | what |
|---|---|---|
| ``per_month`` | 1000.00 | yuan per intern a month, at most the month's pay |
| ``max_months`` | 12 | months subsidised at most, counted from the internship's start |
| ``school_levels`` | 高职 | the school levels (办学层次) whose interns count as 大专 |

A case is an internship's months inside the year (all of them together at most ``max_months``,
counted from the internship's start); a month's subsidy is the lesser of ``per_month`` and the
month's pay.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from xiaoqi.core import hookimpl
from xiaoqi.core.i18n import catalogue

REGION = "440305"


@functools.cache
def params() -> tuple:
    """The scheme's parameters, built by their first use (the rules' model is imported then, not
    by every command that loads the plugins)."""
    from xiaoqi.core.rules import Param

    return (
        Param("per_month", "decimal", Decimal("1000.00"), ("每名实习生每月补贴上限（元，不超过实发工资）", "subsidy per intern a month (yuan, at most the pay)")),
        Param("max_months", "int", 12, ("累计最多补贴月数", "months subsidised at most, in all")),
        Param("school_levels", "list", ("高职",), ("视为大专的学校办学层次", "school levels whose interns count as 大专")),
    )


catalogue({"inc.step.months": ("实习月数", "months of internship"), "inc.step.school_level": ("学校办学层次", "school level")})


def cases(ctx, year: int) -> list[dict]:
    import datetime as dt

    from xiaoqi.core.fields import whole_months
    from xiaoqi.core.rules.sql import as_date, money

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)

    def param(name):
        return ctx.param(name, region="e.region", on="i.start_on")

    sql = f"""
        SELECT i.id_number, i.uscc, i.school_code, i.start_on, i.end_on, i.monthly_pay, s.level, e.region,
               {param('per_month')} AS per_month, {param('max_months')} AS max_months,
               {ctx.param_index('school_levels', region='e.region', on='i.start_on')} AS levels_at
        FROM internships i JOIN enterprises e ON e.uscc = i.uscc JOIN schools s ON s.school_code = i.school_code
        WHERE i.kind = '岗位实习' AND i.start_on <= {ctx.bind(last)} AND i.end_on >= {ctx.bind(first)}
          AND {ctx.firms_in_region('i.uscc')} AND {ctx.applies('e.region', 'i.start_on')}
        ORDER BY i.uscc, i.id_number, i.start_on
    """
    levels = [c.value for c in ctx.candidates("school_levels")]
    out = []
    for r in ctx.rows(sql):
        start, end = as_date(r["start_on"]), as_date(r["end_on"])
        per_month = ctx.need(money(r["per_month"]), "per_month", region=r["region"], on=start)
        most = ctx.need(r["max_months"], "max_months", region=r["region"], on=start)
        allowed = ctx.need(None if r["levels_at"] is None else levels[int(r["levels_at"])], "school_levels", region=r["region"], on=start)
        if per_month is None or most is None or allowed is None:
            out.append({"uscc": r["uscc"], "id_number": r["id_number"], "amount": None})
            continue
        most = int(most)
        before = min(most, whole_months(start, first - dt.timedelta(days=1))) if start < first else 0
        months = max(0, min(most, whole_months(start, min(end, last))) - before)
        pay = money(r["monthly_pay"])
        monthly = per_month if pay is None else min(per_month, pay)
        steps = [("school_level", "pass" if r["level"] in allowed else "fail", f"学校办学层次：{r['level']}（须为{'、'.join(allowed)}）"),
                 ("months", "pass" if months >= 1 else "fail", f"{year} 年计 {months} 个月（累计最多 {most} 个月）"),
                 ("pay", "unknown" if pay is None else "pass",
                  "实习记录未填月工资，补贴不得超过实发工资" if pay is None else f"月工资 {pay} 元，每月补贴 {monthly} 元")]
        out.append({"uscc": r["uscc"], "id_number": r["id_number"], "school_code": r["school_code"], "region": r["region"],
                    "amount": monthly * months, "source_kind": "internships", "source_key": f"{r['id_number']}/{r['uscc']}/{start}",
                    "steps": steps})
    return out


@hookimpl
def xiaoqi_intern_subsidy_schemes():
    return [{"id": "shenzhen_nanshan", "name": ("深圳市南山区实习补贴", "Shenzhen Nanshan intern subsidy"), "region": REGION,
             "params": params(), "cases": cases}]

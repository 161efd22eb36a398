"""宁德 (3509): an intern subsidy of ¥300 per intern per month, for at most 3 months, paid to the
enterprise that takes a 岗位实习 intern and passed on to the student within 7 days (rule
INC-PASS-ON). Built only on the incentives plugin's hookspec ``xiaoqi_intern_subsidy_schemes``.

The figures are the parameters of the scheme's rule INC-NINGDE, resolved for each case by the
enterprise's region and the internship's start: a new level from a date is a new value (a plugin's
``xiaoqi_rule_params`` or ``[params."INC-NINGDE"]`` in ``xiaoqi.toml``), not new code.

| parameter | value | what |
|---|---|---|
| ``per_month`` | 300.00 | yuan per intern a month |
| ``max_months`` | 3 | months subsidised at most |
| ``pass_on_days`` | 7 | days within which the enterprise passes a payment on to the student |

A case is a 岗位实习 at an enterprise of the city starting in the year; its months are the whole
months of the internship, at most ``max_months``.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from xiaoqi.core import hookimpl
from xiaoqi.core.i18n import catalogue

REGION = "3509"


@functools.cache
def params() -> tuple:
    """The scheme's parameters, built by their first use (the rules' model is imported then, not
    by every command that loads the plugins)."""
    from xiaoqi.core.rules import Param

    return (
        Param("per_month", "decimal", Decimal("300.00"), ("每名实习生每月补贴（元）", "subsidy per intern a month (yuan)")),
        Param("max_months", "int", 3, ("最多补贴月数", "months subsidised at most")),
        Param("pass_on_days", "int", 7, ("企业收到补贴后转付学生的天数", "days within which the enterprise passes the subsidy on to the student")),
    )


catalogue({"inc.step.months": ("实习月数", "months of internship")})


def cases(ctx, year: int) -> list[dict]:
    import datetime as dt

    from xiaoqi.core.fields import whole_months
    from xiaoqi.core.rules.sql import as_date, money

    def param(name):
        return ctx.param(name, region="e.region", on="i.start_on")

    sql = f"""
        SELECT i.id_number, i.uscc, i.school_code, i.start_on, i.end_on, e.region,
               {param('per_month')} AS per_month, {param('max_months')} AS max_months
        FROM internships i JOIN enterprises e ON e.uscc = i.uscc
        WHERE i.kind = '岗位实习' AND i.start_on >= {ctx.bind(dt.date(year, 1, 1))} AND i.start_on <= {ctx.bind(dt.date(year, 12, 31))}
          AND {ctx.firms_in_region('i.uscc')} AND {ctx.applies('e.region', 'i.start_on')}
        ORDER BY i.uscc, i.id_number, i.start_on
    """
    out = []
    for r in ctx.rows(sql):
        start, end = as_date(r["start_on"]), as_date(r["end_on"])
        per_month = ctx.need(money(r["per_month"]), "per_month", region=r["region"], on=start)
        most = ctx.need(r["max_months"], "max_months", region=r["region"], on=start)
        months = None if most is None else min(int(most), whole_months(start, end))
        amount = None if per_month is None or months is None else per_month * months
        out.append({"uscc": r["uscc"], "id_number": r["id_number"], "school_code": r["school_code"], "region": r["region"],
                    "amount": amount, "source_kind": "internships", "source_key": f"{r['id_number']}/{r['uscc']}/{start}",
                    "steps": [("months", "pass" if months else "fail",
                               f"实习 {start} 至 {end}，计 {months} 个月（每月 {per_month} 元，最多 {most} 个月）")]})
    return out


@hookimpl
def xiaoqi_intern_subsidy_schemes():
    return [{"id": "ningde", "name": ("宁德市实习补贴", "Ningde intern subsidy"), "region": REGION, "params": params(),
             "cases": cases}]

"""深圳南山 (440305): ¥1,000 per month for each 大专 (高职) intern at an enterprise of the district,
for at most 12 months, never more than the pay the intern was actually given. Built only on the
incentives plugin's hookspec ``xiaoqi_intern_subsidy_schemes``.

A case is an internship's months inside the year (all of them together at most 12, counted from
the internship's start); a month's subsidy is the lesser of ¥1,000 and the month's pay.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xiaoqi.core import hookimpl

REGION = "440305"
PER_MONTH = Decimal("1000.00")
MAX_MONTHS = 12


def cases(conn, year: int) -> list[dict]:
    import sqlalchemy as sa

    from xiaoqi.core.fields import whole_months

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    sql = sa.text("""
        SELECT i.id_number, i.uscc, i.school_code, i.start_on, i.end_on, i.monthly_pay, s.level
        FROM internships i JOIN enterprises e ON e.uscc = i.uscc JOIN schools s ON s.school_code = i.school_code
        WHERE i.kind = '岗位实习' AND e.region = :region AND i.start_on <= :last AND i.end_on >= :first
        ORDER BY i.uscc, i.id_number, i.start_on
    """)
    out = []
    for r in conn.execute(sql, {"region": REGION, "first": first, "last": last}):
        start, end = (dt.date.fromisoformat(str(d)[:10]) for d in (r.start_on, r.end_on))
        before = min(MAX_MONTHS, whole_months(start, first - dt.timedelta(days=1))) if start < first else 0
        months = max(0, min(MAX_MONTHS, whole_months(start, min(end, last))) - before)
        pay = None if r.monthly_pay is None else Decimal(str(r.monthly_pay)).quantize(Decimal("0.01"))
        per_month = PER_MONTH if pay is None else min(PER_MONTH, pay)
        steps = [("school_level", "pass" if r.level == "高职" else "fail", f"学校办学层次：{r.level}（须为大专 / 高职）"),
                 ("months", "pass" if months >= 1 else "fail", f"{year} 年计 {months} 个月（累计最多 {MAX_MONTHS} 个月）"),
                 ("pay", "unknown" if pay is None else "pass",
                  "实习记录未填月工资，补贴不得超过实发工资" if pay is None else f"月工资 {pay} 元，每月补贴 {per_month} 元")]
        out.append({"uscc": r.uscc, "id_number": r.id_number, "school_code": r.school_code, "amount": per_month * months,
                    "source_kind": "internships", "source_key": f"{r.id_number}/{r.uscc}/{start}", "steps": steps})
    return out


@hookimpl
def xiaoqi_intern_subsidy_schemes():
    return [{"id": "shenzhen_nanshan", "name": ("深圳市南山区实习补贴", "Shenzhen Nanshan intern subsidy"), "region": REGION,
             "pass_on_days": None, "cases": cases}]

"""宁德 (3509): an intern subsidy of ¥300 per intern per month, for at most 3 months, paid to the
enterprise that takes a 岗位实习 intern and passed on to the student within 7 days (rule
INC-PASS-ON). Built only on the incentives plugin's hookspec ``xiaoqi_intern_subsidy_schemes``.

A case is an internship at an enterprise of the city starting in the year; its months are the
whole months of the internship, at most 3.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xiaoqi.core import hookimpl

REGION = "3509"
PER_MONTH = Decimal("300.00")
MAX_MONTHS = 3
PASS_ON_DAYS = 7


def cases(conn, year: int) -> list[dict]:
    import sqlalchemy as sa

    from xiaoqi.core.fields import whole_months

    sql = sa.text("""
        SELECT i.id_number, i.uscc, i.school_code, i.start_on, i.end_on
        FROM internships i JOIN enterprises e ON e.uscc = i.uscc
        WHERE i.kind = '岗位实习' AND e.region LIKE :region AND i.start_on >= :first AND i.start_on <= :last
        ORDER BY i.uscc, i.id_number, i.start_on
    """)
    out = []
    for r in conn.execute(sql, {"region": f"{REGION}%", "first": dt.date(year, 1, 1), "last": dt.date(year, 12, 31)}):
        start, end = (dt.date.fromisoformat(str(d)[:10]) for d in (r.start_on, r.end_on))
        months = min(MAX_MONTHS, whole_months(start, end))
        out.append({"uscc": r.uscc, "id_number": r.id_number, "school_code": r.school_code, "amount": PER_MONTH * months,
                    "source_kind": "internships", "source_key": f"{r.id_number}/{r.uscc}/{start}",
                    "steps": [("months", "pass" if months >= 1 else "fail",
                               f"实习 {start} 至 {end}，计 {months} 个月（每月 {PER_MONTH} 元，最多 {MAX_MONTHS} 个月）")]})
    return out


@hookimpl
def xiaoqi_intern_subsidy_schemes():
    return [{"id": "ningde", "name": ("宁德市实习补贴", "Ningde intern subsidy"), "region": REGION, "pass_on_days": PASS_ON_DAYS,
             "cases": cases}]

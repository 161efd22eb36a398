"""珠海香洲 (440402): ¥1,000 once per intern who stays at least 2 continuous months with an
enterprise of the district and holds a certificate of level 3 (三级) or above. Built only on the
incentives plugin's hookspec ``xiaoqi_intern_subsidy_schemes``.

Certificates are read from the 1+X plugin's hook ``xiaoqi_onex_certificates_held`` when it is
loaded (never imported). 1+X levels (初级 / 中级 / 高级) are not the national grades 五级 … 一级,
and no public text maps one onto the other, so a 1+X certificate leaves the step *unknown* (an
officer decides it with an override); no certificate at all fails it; without the 1+X plugin the
step is unknown.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xiaoqi.core import hookimpl

REGION = "440402"
ONCE = Decimal("1000.00")
MIN_MONTHS = 2


def _certificates(conn, ids: list[str], on: dt.date) -> dict[str, list[dict]] | None:
    from xiaoqi.core.plugins import get_plugin_manager

    caller = getattr(get_plugin_manager().hook, "xiaoqi_onex_certificates_held", None)
    if caller is None or caller.spec is None:
        return None
    held: dict[str, list[dict]] = {}
    for result in caller(conn=conn, on=on, id_numbers=ids):
        for row in result or []:
            held.setdefault(row["id_number"], []).append(row)
    return held


def _certificate_step(held: dict | None, id_number: str) -> tuple[str, str, str]:
    if held is None:
        return ("certificate", "unknown", "未加载 1+X 证书插件，无法核对三级及以上证书")
    mine = held.get(id_number, [])
    if not mine:
        return ("certificate", "fail", "未持有职业技能等级证书")
    names = "、".join(f"{c['certificate_name']}（{c['level']}）" for c in mine)
    return ("certificate", "unknown", f"持有 1+X 证书 {names}：与三级的对应须人工认定")


def cases(conn, year: int) -> list[dict]:
    import sqlalchemy as sa

    from xiaoqi.core.fields import whole_months

    sql = sa.text("""
        SELECT i.id_number, i.uscc, i.school_code, i.start_on, i.end_on
        FROM internships i JOIN enterprises e ON e.uscc = i.uscc
        WHERE i.kind = '岗位实习' AND e.region = :region AND i.start_on >= :first AND i.start_on <= :last
        ORDER BY i.uscc, i.id_number, i.start_on
    """)
    rows = list(conn.execute(sql, {"region": REGION, "first": dt.date(year, 1, 1), "last": dt.date(year, 12, 31)}))
    held = _certificates(conn, sorted({r.id_number for r in rows}), dt.date(year, 12, 31)) if rows else {}
    out = []
    for r in rows:
        start, end = (dt.date.fromisoformat(str(d)[:10]) for d in (r.start_on, r.end_on))
        months = whole_months(start, end)
        out.append({"uscc": r.uscc, "id_number": r.id_number, "school_code": r.school_code, "amount": ONCE,
                    "source_kind": "internships", "source_key": f"{r.id_number}/{r.uscc}/{start}",
                    "steps": [("months", "pass" if months >= MIN_MONTHS else "fail",
                               f"连续实习 {start} 至 {end}，计 {months} 个月（至少 {MIN_MONTHS} 个月）"),
                              _certificate_step(held, r.id_number)]})
    return out


@hookimpl
def xiaoqi_intern_subsidy_schemes():
    return [{"id": "zhuhai_xiangzhou", "name": ("珠海市香洲区实习补贴", "Zhuhai Xiangzhou intern subsidy"), "region": REGION,
             "pass_on_days": None, "cases": cases}]

"""珠海香洲 (440402): ¥1,000 once per intern who stays at least 2 continuous months with an
enterprise of the district and holds a certificate of level 3 (三级) or above. Built only on the
incentives plugin's hookspec ``xiaoqi_intern_subsidy_schemes``.

The figures are the parameters of the scheme's rule INC-ZHUHAI-XIANGZHOU, resolved for each case
by the enterprise's region and the internship's start (a change is a new value, not new code):

| parameter | value | what |
|---|---|---|
| ``once`` | 1000.00 | yuan per intern, once |
| ``min_months`` | 2 | continuous months at least |
| ``certificate_level`` | 三级 | the national grade (五级 … 一级) the intern holds at least |
| ``onex_levels`` | none | the 1+X levels (初级 / 中级 / 高级) that count as ``certificate_level`` or above |

Certificates are read from the 1+X plugin's hook ``xiaoqi_onex_certificates_held`` when it is
loaded (never imported), as held on 31 December of the case's year. 1+X levels are not the national grades and
no public text maps one onto the other, so ``onex_levels`` has no value until someone sets it:
the certificate step is

- *unknown* without the 1+X plugin (nothing to read certificates from);
- *fail* when the intern holds no certificate;
- *pass* when a certificate's level is among ``onex_levels``, *fail* when none is;
- *unknown* while ``onex_levels`` is not set (an officer decides it with an override).
"""

from __future__ import annotations

import functools
from decimal import Decimal

from xiaoqi.core import hookimpl
from xiaoqi.core.i18n import catalogue

REGION = "440402"


@functools.cache
def params() -> tuple:
    """The scheme's parameters, built by their first use (the rules' model is imported then, not
    by every command that loads the plugins)."""
    from xiaoqi.core.rules import Param

    return (
        Param("once", "decimal", Decimal("1000.00"), ("每名实习生一次性补贴（元）", "subsidy per intern, once (yuan)")),
        Param("min_months", "int", 2, ("连续实习月数下限", "continuous months of internship at least")),
        Param("certificate_level", "text", "三级", ("须持有的职业技能等级（及以上）", "the skill grade held at least")),
        Param("onex_levels", "list", None, ("视为达到该等级的 1+X 证书等级（如 高级）", "1+X levels counted as that grade or above (e.g. 高级)"),
              required=False),
    )


catalogue({"inc.step.months": ("实习月数", "months of internship"), "inc.step.certificate": ("职业技能等级证书", "skill certificate")})


def _certificates(conn, ids: list[str], on) -> dict[str, list[dict]] | None:
    """Certificates held on ``on`` by the interns ``ids``, through the 1+X plugin's hook (None:
    the hook is not there)."""
    from xiaoqi.core.plugins import get_plugin_manager

    caller = getattr(get_plugin_manager().hook, "xiaoqi_onex_certificates_held", None)
    if caller is None or caller.spec is None:
        return None
    held: dict[str, list[dict]] = {}
    wanted = set(ids)
    # many interns: every certificate held that day in one call (far fewer than the interns), kept for the interns
    for result in caller(conn=conn, on=on, id_numbers=ids if len(ids) <= 500 else None):
        for row in result or []:
            if row["id_number"] in wanted:
                held.setdefault(row["id_number"], []).append(row)
    return held


def certificate_step(held: dict | None, id_number: str, level: str, onex_levels) -> tuple[str, str, str]:
    """The certificate step of one intern (see the module)."""
    if held is None:
        return ("certificate", "unknown", f"未加载 1+X 证书插件，无法核对{level}及以上证书")
    mine = held.get(id_number, [])
    if not mine:
        return ("certificate", "fail", "未持有职业技能等级证书")
    names = "、".join(f"{c['certificate_name']}（{c['level']}）" for c in mine)
    if onex_levels is None:
        return ("certificate", "unknown",
                f"持有 1+X 证书 {names}：与{level}的对应须人工认定（或设定 INC-ZHUHAI-XIANGZHOU 的 onex_levels）")
    counted = [c for c in mine if c["level"] in onex_levels]
    if counted:
        return ("certificate", "pass", f"持有 1+X 证书 {names}，{'、'.join(onex_levels)}视为{level}及以上")
    return ("certificate", "fail", f"持有 1+X 证书 {names}，均不是视为{level}及以上的等级（{'、'.join(onex_levels)}）")


def cases(ctx, year: int) -> list[dict]:
    import datetime as dt

    from xiaoqi.core.fields import whole_months
    from xiaoqi.core.rules.sql import as_date, money

    def param(name):
        return ctx.param(name, region="e.region", on="i.start_on")

    sql = f"""
        SELECT i.id_number, i.uscc, i.school_code, i.start_on, i.end_on, e.region,
               {param('once')} AS once, {param('min_months')} AS min_months, {param('certificate_level')} AS level
        FROM internships i JOIN enterprises e ON e.uscc = i.uscc
        WHERE i.kind = '岗位实习' AND i.start_on >= {ctx.bind(dt.date(year, 1, 1))} AND i.start_on <= {ctx.bind(dt.date(year, 12, 31))}
          AND {ctx.firms_in_region('i.uscc')} AND {ctx.applies('e.region', 'i.start_on')}
        ORDER BY i.uscc, i.id_number, i.start_on
    """
    rows = list(ctx.rows(sql))
    held = _certificates(ctx.conn, sorted({r["id_number"] for r in rows}), dt.date(year, 12, 31)) if rows else {}
    out = []
    for r in rows:
        start, end = as_date(r["start_on"]), as_date(r["end_on"])
        once = ctx.need(money(r["once"]), "once", region=r["region"], on=start)
        least = ctx.need(r["min_months"], "min_months", region=r["region"], on=start)
        level = ctx.need(r["level"], "certificate_level", region=r["region"], on=start)
        onex_levels = ctx.param_value("onex_levels", region=r["region"], on=start)
        months = whole_months(start, end)
        steps = [("months", "pass" if least is not None and months >= int(least) else "fail",
                  f"连续实习 {start} 至 {end}，计 {months} 个月（至少 {least} 个月）"),
                 certificate_step(held, r["id_number"], level, onex_levels)]
        out.append({"uscc": r["uscc"], "id_number": r["id_number"], "school_code": r["school_code"], "region": r["region"],
                    "amount": None if least is None or level is None else once, "source_kind": "internships",
                    "source_key": f"{r['id_number']}/{r['uscc']}/{start}", "steps": steps})
    return out


@hookimpl
def xiaoqi_intern_subsidy_schemes():
    return [{"id": "zhuhai_xiangzhou", "name": ("珠海市香洲区实习补贴", "Zhuhai Xiangzhou intern subsidy"), "region": REGION,
             "params": params(), "cases": cases}]

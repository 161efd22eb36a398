"""江苏 (32), from 2022-12-26: on-post pay also covers the local hourly minimum wage for the hours
worked (rule JS-PAY-HOURLY). Built only on public hooks.

The hourly minimum wage differs by city class and changes over time, so the plugin ships no
figure: the rule stays off until ``hourly_min_wage`` is set, per region code and valid-from date,
in ``xiaoqi.toml``::

    [[params."JS-PAY-HOURLY".hourly_min_wage]]
    region = "3201"            # 南京; "32" for the whole province
    valid_from = "2025-10-01"
    value = "24.5"             # yuan per hour, from the provincial notice in force

The wage resolves by the place of work (the internship's work region, else the enterprise's);
the rule applies to internships of Jiangsu schools. ``monthly_hours`` is the monthly working time
the pay must cover: 21.75 paid days × 8 hours = 174 (劳社部发〔2008〕3号).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from xiaoqi.core import hookimpl
from xiaoqi.core.i18n import catalogue, t

catalogue(
    {
        "js.hourly.msg": ("月报酬 {pay} 元低于当地小时最低工资 {hourly} 元 × {hours} 小时 = {required} 元",
                          "monthly pay {pay} yuan is below the local hourly minimum wage {hourly} yuan × {hours} hours = {required} yuan"),
    }
)


def _pay_hourly(ctx):
    from xiaoqi.core.rules import money

    work = "COALESCE(i.work_region, e.region)"
    hourly = ctx.param("hourly_min_wage", region=work, on="i.start_on")
    hours = ctx.param("monthly_hours", region=work, on="i.start_on")
    required = f"ROUND({hourly} * {hours}, 2)"
    rows = ctx.internship_rows(
        f"i.monthly_pay < {required} - 0.001",
        columns=["i.monthly_pay AS pay", f"{hourly} AS hourly", f"{hours} AS hours", f"{required} AS required"],
        kinds=("岗位实习",))
    for r in rows:
        pay, required_pay = money(r["pay"]), money(r["required"])
        hourly_v, hours_v = Decimal(str(r["hourly"])), Decimal(str(r["hours"]))
        yield ctx.internship_finding(r, t("js.hourly.msg", pay=pay, hourly=hourly_v, hours=hours_v.normalize(), required=required_pay),
                                     numbers={"pay": pay, "hourly_min_wage": hourly_v, "monthly_hours": hours_v, "required": required_pay})


@functools.cache
def rule():
    """The rule, built by its first use: the rules' model is imported when the rules are asked for,
    not by every command that loads the plugins."""
    from xiaoqi.core.rules import Param, Rule

    return Rule(
        id="JS-PAY-HOURLY", severity="error", title=("实习报酬不低于小时最低工资", "Pay covers the hourly minimum wage"),
        requirement=("岗位实习月报酬不低于当地小时最低工资标准乘以实习工时", "monthly pay is at least the local hourly minimum wage times the hours worked"),
        source="《江苏省职业学校学生实习管理规定》（2022-12-26）", province="32", region_by="school",
        valid_from=dt.date(2022, 12, 26), evaluate=_pay_hourly,
        params=(Param("hourly_min_wage", "decimal", None, ("当地小时最低工资标准（元/小时，按实习地设定）", "local hourly minimum wage, yuan per hour, per place of work")),
                Param("monthly_hours", "decimal", "174", ("每月计薪工时（21.75天×8小时）", "paid hours per month (21.75 days × 8 hours)"))),
    )


@hookimpl
def xiaoqi_register_rules():
    return [rule()]

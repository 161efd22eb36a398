"""The figures the incentives depend on, as dated parameters of the INC-… rules, so that a new
rate or a city's subsidy level is a ``ParamValue`` (a plugin's ``xiaoqi_rule_params`` or
``xiaoqi.toml``), not new code. Resolved per region (the enterprise's, or the apprentice's
subsidy region) and date (the last day of the year computed).

| rule | parameter | national value |
|---|---|---|
| INC-CREDIT-BEYOND | ``credit_rate`` | 0.30 of the qualifying investment |
| INC-CREDIT-BEYOND | ``education_rate`` / ``local_education_rate`` | 0.03 / 0.02 of VAT + consumption tax |
| INC-RECERT | ``years`` | 5 (no re-certification within 5 years of a revocation) |
| INC-SUBSIDY-STEPS | ``floor`` | ¥4,000 per apprentice per year; ¥5,000 from 2021-01-01 |
| INC-SUBSIDY-STEPS | ``level_5`` … ``level_1`` | none: the city's or province's level per skill level |
| INC-SUBSIDY-STEPS | ``min_training_hours`` | 400 a year |
| INC-SUBSIDY-STEPS | ``min_years`` / ``max_years`` | 1 / 3 (training period) |
| INC-SUBSIDY-STEPS | ``min_contract_years`` | 1 (labour contract) |
| INC-SUBSIDY-STEPS | ``min_wage`` | none: the local monthly minimum wage |
| INC-SUBSIDY-STEPS | ``advance_share`` | none: the share of a subsidy that may be advanced ("commonly 50%") |

The local levels DOMAIN knowledge names are shipped as regional values: 福建 (35) 中级 (四级)
¥5,000 / 高级 (三级) ¥6,000; 深圳 (4403) 四级 ¥5,500 / 三级 ¥7,000 / 二级 ¥8,500.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xiaoqi.core.rules import Param, ParamValue

CREDIT_RULE, RECERT_RULE, STEPS_RULE = "INC-CREDIT-BEYOND", "INC-RECERT", "INC-SUBSIDY-STEPS"

CREDIT_PARAMS = (
    Param("credit_rate", "decimal", Decimal("0.30"), ("投入额可抵免的比例", "share of the qualifying investment credited")),
    Param("education_rate", "decimal", Decimal("0.03"), ("教育费附加费率（增值税与消费税实缴额的比例）", "education surcharge rate (of VAT + consumption tax)")),
    Param("local_education_rate", "decimal", Decimal("0.02"), ("地方教育附加费率", "local education surcharge rate")),
)
RECERT_PARAMS = (Param("years", "int", 5, ("撤销后不得再次认定的年数", "years without re-certification after a revocation")),)
LEVEL_PARAMS = tuple(
    Param(f"level_{n}", "decimal", None, (f"{zh}学徒每人每年补贴标准（元）", f"subsidy per {en} apprentice a year (yuan)"), required=False)
    for n, zh, en in ((5, "五级（初级工）", "level-5"), (4, "四级（中级工）", "level-4"), (3, "三级（高级工）", "level-3"),
                      (2, "二级（技师）", "level-2"), (1, "一级（高级技师）", "level-1")))
STEPS_PARAMS = (
    Param("floor", "decimal", Decimal("4000"), ("每人每年补贴的全国基准（元）", "national floor per apprentice a year (yuan)")),
    *LEVEL_PARAMS,
    Param("min_training_hours", "int", 400, ("每年培训学时下限", "training hours a year at least")),
    Param("min_years", "decimal", Decimal("1"), ("培养期限下限（年）", "shortest training period (years)")),
    Param("max_years", "decimal", Decimal("3"), ("培养期限上限（年）", "longest training period (years)")),
    Param("min_contract_years", "decimal", Decimal("1"), ("劳动合同期限下限（年）", "shortest labour contract (years)")),
    Param("min_wage", "decimal", None, ("当地月最低工资标准（元）", "local monthly minimum wage (yuan)"), required=False),
    Param("advance_share", "decimal", None, ("可预拨的补贴比例（如 0.5）", "share of a subsidy that may be advanced (e.g. 0.5)"), required=False),
)

SKILL_PARAM = {"五级": "level_5", "四级": "level_4", "三级": "level_3", "二级": "level_2", "一级": "level_1"}


def param_values() -> list[ParamValue]:
    """The dated and regional values this plugin knows."""
    return [
        ParamValue(STEPS_RULE, "floor", Decimal("5000"), "", dt.date(2021, 1, 1)),
        ParamValue(STEPS_RULE, "level_4", Decimal("5000"), "35"),
        ParamValue(STEPS_RULE, "level_3", Decimal("6000"), "35"),
        ParamValue(STEPS_RULE, "level_4", Decimal("5500"), "4403"),
        ParamValue(STEPS_RULE, "level_3", Decimal("7000"), "4403"),
        ParamValue(STEPS_RULE, "level_2", Decimal("8500"), "4403"),
    ]


class Figures:
    """Parameter values for the computations (``ParamTable`` from ``param_table(config)``)."""

    def __init__(self, table):
        self.table = table

    def value(self, rule: str, name: str, region: str | None, on: dt.date):
        found = self.table.resolve(rule, name, region or "", on)
        return None if found is None else found.value

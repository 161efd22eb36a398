"""广西 (45): transport fees (实习交通费) are also banned (INT-FEES-BAN), and medical majors may do
on-post internships of up to 10 months (INT-DURATION ``medical_max_months``). Both are parameter
values for region 45 of the national rules, supplied through ``xiaoqi_rule_params``."""

from __future__ import annotations

from xiaoqi.core import hookimpl

REGION = "45"
EXTRA_BANNED_FEES = ("实习交通费",)
MEDICAL_MAX_MONTHS = 10


@hookimpl
def xiaoqi_rule_params():
    from xiaoqi.core.rules import ParamValue, get_rules

    rules = get_rules()
    if "INT-FEES-BAN" not in rules:  # the national plugin is switched off
        return []
    national_fees = rules["INT-FEES-BAN"].param("banned_fees").default
    return [
        ParamValue("INT-FEES-BAN", "banned_fees", tuple(national_fees) + EXTRA_BANNED_FEES, region=REGION),
        ParamValue("INT-DURATION", "medical_max_months", MEDICAL_MAX_MONTHS, region=REGION),
    ]

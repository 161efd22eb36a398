"""The plugin's rule and its parameter values.

ZJ-SAFETY-TRAINING — before an on-post internship or apprenticeship of a 浙江 school starts, the
student has attended pre-internship safety training (岗前安全教育培训) of at least ``min_hours``
hours within ``valid_days`` days before the start. The national regulation asks the unit and the
school to train and assess interns in safety and post procedures before they start; the hours and
the window here are this example's figures, not a published provincial standard.

INT-PAY-MIN — the example raises the national ``min_share`` (80% of the post's wage) to 85% for
schools in 浙江 from 2026-01-01: a regional value beats the national default for that region, and
applies to internships starting on or after its valid-from date.
"""

from __future__ import annotations

import datetime as dt

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Param, ParamValue, Rule

PROVINCE = "33"
RULE_ID = "ZJ-SAFETY-TRAINING"
IN_FORCE = dt.date(2025, 9, 1)

catalogue(
    {
        "zj.training.none": (
            "{start} 开始岗位实习，此前 {days} 天内没有岗前安全培训记录（至少 {need} 学时）",
            "on post from {start} with no safety training in the {days} days before (at least {need} hours)",
        ),
        "zj.training.short": (
            "{start} 开始岗位实习，此前 {days} 天内的岗前安全培训最多 {best} 学时，少于 {need} 学时",
            "on post from {start}; the longest safety training in the {days} days before was {best} hours, less than {need}",
        ),
    }
)


def _safety_training(ctx):
    """One query: every on-post internship in scope without a long-enough training in its window."""
    region = ctx.region()
    need = ctx.param("min_hours", region=region, on="i.start_on")
    days = ctx.param("valid_days", region=region, on="i.start_on")
    earliest = ctx.sql.add_days("i.start_on", f"-({days})")
    best = (f"(SELECT MAX(z.hours) FROM zj_safety_trainings z WHERE z.id_number = i.id_number "
            f"AND z.trained_on <= i.start_on AND z.trained_on >= {earliest})")
    rows = ctx.internship_rows(f"COALESCE({best}, 0) < {need}",
                               columns=[f"{best} AS best", f"{need} AS need", f"{days} AS days"],
                               kinds=["岗位实习", "学徒"])
    for row in rows:
        start = str(row["start_on"])[:10]
        key = "zj.training.none" if row["best"] is None else "zj.training.short"
        message = t(key, start=start, days=row["days"], need=row["need"], best=row["best"])
        yield ctx.internship_finding(row, message, numbers={
            "best_hours": row["best"] or 0, "min_hours": int(row["need"]), "valid_days": int(row["days"]),
        })


SAFETY_TRAINING = Rule(
    id=RULE_ID,
    severity="error",
    title=("岗前安全培训", "Safety training before going on post"),
    requirement=(
        "浙江省学校的岗位实习和学徒开始前，学生须在规定天数内接受不少于规定学时的岗前安全教育培训",
        "before an on-post internship or apprenticeship of a Zhejiang school starts, the student has had enough safety training within the window",
    ),
    source="《职业学校学生实习管理规定》（教职成〔2021〕4号）安全教育培训要求；学时与期限为本示例插件的取值",
    params=(
        Param("min_hours", "int", 8, ("培训学时下限", "minimum hours of training")),
        Param("valid_days", "int", 365, ("培训在开始前多少天内有效", "days before the start a training counts")),
    ),
    province=PROVINCE,
    valid_from=IN_FORCE,
    evaluate=_safety_training,
)

RULES = [SAFETY_TRAINING]

PARAM_VALUES = [
    ParamValue("INT-PAY-MIN", "min_share", "0.85", region=PROVINCE, valid_from=dt.date(2026, 1, 1)),
]

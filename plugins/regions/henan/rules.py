"""HA-MENTAL-CHECK: every internship of a Henan school starts on or after an assessment of the student."""

from __future__ import annotations

import datetime as dt

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Rule, as_date

catalogue(
    {
        "ha.mental.none": ("实习开始（{start}）前没有心理健康评估记录", "no mental-health assessment recorded before the start ({start})"),
        "ha.mental.late": ("心理健康评估 {assessed} 晚于实习开始日 {start}", "the mental-health assessment on {assessed} is after the start {start}"),
    }
)


def _mental_check(ctx):
    rows = ctx.internship_rows(
        "NOT EXISTS (SELECT 1 FROM henan_mental_checks h WHERE h.id_number = i.id_number AND h.assessed_on <= i.start_on)",
        columns=["(SELECT MIN(h.assessed_on) FROM henan_mental_checks h WHERE h.id_number = i.id_number) AS assessed"])
    for r in rows:
        assessed, start = as_date(r["assessed"]), as_date(r["start_on"])
        msg = t("ha.mental.none", start=start) if assessed is None else t("ha.mental.late", assessed=assessed, start=start)
        yield ctx.internship_finding(r, msg, numbers={"assessed_on": assessed})


RULE = Rule(
    id="HA-MENTAL-CHECK", severity="error", title=("实习前心理健康评估", "Mental-health assessment before internships"),
    requirement=("河南省学校的学生在任何实习开始前须有心理健康评估记录", "a Henan school's student has a mental-health assessment recorded before any internship starts"),
    source="《河南省职业学校学生实习管理实施细则》（2022）", province="41", region_by="school", evaluate=_mental_check,
    # only the year is known: internships from its 1 January (a province may set the exact day)
    valid_from=dt.date(2022, 1, 1), valid_from_year_only=True,
)

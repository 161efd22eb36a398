"""湖南 (43): 双导师 — every on-post internship of a Hunan school names a school supervisor and an
enterprise supervisor (rule HN-DUAL-MENTOR). Built only on public hooks."""

from __future__ import annotations

from xiaoqi.core import hookimpl
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Rule

catalogue(
    {
        "hn.mentor.msg": ("未同时配备双导师：缺少{missing}", "no dual supervisors: {missing} missing"),
        "hn.mentor.school": ("学校指导教师", "the school supervisor"),
        "hn.mentor.enterprise": ("企业指导人员", "the enterprise supervisor"),
    }
)


def _dual_mentor(ctx):
    blank = "NULLIF(TRIM({}), '') IS NULL"
    rows = ctx.internship_rows(
        f"{blank.format('i.school_mentor')} OR {blank.format('i.enterprise_mentor')}",
        columns=["i.school_mentor AS school_mentor", "i.enterprise_mentor AS enterprise_mentor"],
        kinds=("岗位实习", "学徒"))
    for r in rows:
        missing = [t(f"hn.mentor.{who}") for who in ("school", "enterprise") if not (r[f"{who}_mentor"] or "").strip()]
        yield ctx.internship_finding(r, t("hn.mentor.msg", missing="、".join(missing)),
                                     numbers={"school_mentor": r["school_mentor"], "enterprise_mentor": r["enterprise_mentor"]})


RULE = Rule(
    id="HN-DUAL-MENTOR", severity="error", title=("双导师", "Dual supervisors"),
    requirement=("湖南省学校的岗位实习须同时明确学校指导教师和企业指导人员", "a Hunan school's on-post internship names both a school and an enterprise supervisor"),
    source="湖南省职业院校学生实习管理实施细则（双导师制）", province="43", region_by="school", evaluate=_dual_mentor,
)


@hookimpl
def xiaoqi_register_rules():
    return [RULE]

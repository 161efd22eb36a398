"""湖南 (43): 双导师 — every on-post internship of a Hunan school names a school supervisor and an
enterprise supervisor (rule HN-DUAL-MENTOR). Built only on public hooks.

A supervisor is there when the internship refers to a teacher of the registry or names one as
text (old data); where both refer to the registry they must be two people (one person named on
both sides is one supervisor, not two)."""

from __future__ import annotations

import functools

from xiaoqi.core import hookimpl
from xiaoqi.core.i18n import catalogue, t

catalogue(
    {
        "hn.mentor.msg": ("未同时配备双导师：缺少{missing}", "no dual supervisors: {missing} missing"),
        "hn.mentor.school": ("学校指导教师", "the school supervisor"),
        "hn.mentor.enterprise": ("企业指导人员", "the enterprise supervisor"),
        "hn.mentor.same": ("学校指导教师与企业指导人员是同一人（{name}）：双导师须为两人",
                           "the school and the enterprise supervisor are one person ({name}): dual supervisors are two people"),
    }
)


def _dual_mentor(ctx):
    missing = "(i.{0}_mentor_id IS NULL AND NULLIF(TRIM(i.{0}_mentor), '') IS NULL)"
    rows = ctx.internship_rows(
        f"{missing.format('school')} OR {missing.format('enterprise')} OR i.school_mentor_id = i.enterprise_mentor_id",
        columns=["i.school_mentor AS school_mentor", "i.enterprise_mentor AS enterprise_mentor",
                 "i.school_mentor_id AS school_mentor_id", "i.enterprise_mentor_id AS enterprise_mentor_id"],
        kinds=("岗位实习", "学徒"))
    for r in rows:
        numbers = {"school_mentor": r["school_mentor"], "enterprise_mentor": r["enterprise_mentor"]}
        absent = [t(f"hn.mentor.{who}") for who in ("school", "enterprise")
                  if r[f"{who}_mentor_id"] is None and not (r[f"{who}_mentor"] or "").strip()]
        if absent:
            yield ctx.internship_finding(r, t("hn.mentor.msg", missing="、".join(absent)), numbers=numbers)
        else:
            yield ctx.internship_finding(r, t("hn.mentor.same", name=r["school_mentor"] or r["school_mentor_id"]),
                                         numbers={**numbers, "mentor_id": r["school_mentor_id"]})


@functools.cache
def rule():
    """The rule, built by its first use (the rules' model is imported then, not by every command
    that loads the plugins)."""
    from xiaoqi.core.rules import Rule

    return Rule(
        id="HN-DUAL-MENTOR", severity="error", title=("双导师", "Dual supervisors"),
        requirement=("湖南省学校的岗位实习须同时明确学校指导教师和企业指导人员", "a Hunan school's on-post internship names both a school and an enterprise supervisor"),
        source="湖南省职业院校学生实习管理实施细则（双导师制）", province="43", region_by="school", evaluate=_dual_mentor,
    )


@hookimpl
def xiaoqi_register_rules():
    return [rule()]


@hookimpl
def xiaoqi_demo_plant(demo):
    """A Hunan internship with no enterprise supervisor."""
    from xiaoqi.core.rules import internship_key

    r = next(r for r in demo.recent_on_post if r["school_code"][2:4] == "43" and r["enterprise_mentor"])
    r["enterprise_mentor"] = r["enterprise_mentor_id"] = None
    demo.manifest.expect("HN-DUAL-MENTOR", internship_key(r))

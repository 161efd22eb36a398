"""The 2016 rule (教职成〔2016〕3号), for internships that started before the 2021 rule took effect
(2016-04-11 to 2021-12-30). Each is a version of a national rule: it extends the rule, reports under
its id, reads its parameters and carries ``rule_version`` "2016" in its findings.

Only what the 2016 text is known to have required is checked: three kinds of internship (认识,
跟岗, 顶岗, the last two imported as 岗位实习 with their label kept in ``kind_label``); pay of at
least 80% of the post's *probation* wage for 顶岗; a guardian's consent only for minors; 顶岗
generally six months. An on-post internship of that time recorded without its old label is
judged as 顶岗 (the closer of the two to 岗位实习) and the finding says so. The ratio rules'
2016 version (顶岗 interns only) lives with the ratio rules.
"""

from __future__ import annotations

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import AGE_AT_START, JOIN_POSITION, JOIN_STUDENT, Rule

from .internships import ON_POST, consent_text, duration, low_pay_text, under_age
from .sources import IN_FORCE_2016, LAST_DAY_2016, RULE_2016, article

VERSION = "2016"

catalogue(
    {
        "nat16.prefix": ("按2016年规定（{label}）：", "under the 2016 rule ({label}): "),
        "nat16.unlabelled": ("未记录原实习类型，按顶岗实习判断", "no original label recorded, judged as 顶岗"),
        "nat16.pay.low": ("月报酬 {pay} 元低于岗位试用期工资标准 {wage} 元的 {share}（{required} 元）",
                          "monthly pay {pay} yuan is below {share} of the post's probation wage {wage} yuan ({required} yuan)"),
        "nat16.consent.minor": ("学生开始实习时未满 18 周岁：{problem}", "the student is under 18 at the start: {problem}"),
    }
)


def dinggang(ctx) -> str:
    """SQL: an internship the 2016 rule calls 顶岗 (its label, or no label at all)."""
    return f"(i.kind_label IS NULL OR i.kind_label LIKE {ctx.bind('顶岗%')})"


def prefix(row) -> str:
    """How a 2016 finding opens: the rule and the internship's old label."""
    return t("nat16.prefix", label=row["kind_label"] or t("nat16.unlabelled"))


def _duration(ctx):
    return duration(ctx, where=dinggang(ctx), prefix=prefix)


def _pay(ctx):
    share = ctx.param("min_share", region=ctx.region(), on="i.start_on")
    required = f"ROUND(p.probation_wage * {share}, 2)"
    rows = ctx.internship_rows(
        f"{dinggang(ctx)} AND p.probation_wage IS NOT NULL AND i.monthly_pay < {required} - 0.001",
        columns=["i.kind_label AS kind_label", "i.monthly_pay AS pay", "p.probation_wage AS wage", f"{share} AS share",
                 f"{required} AS required"],
        joins=[JOIN_POSITION], kinds=ON_POST)
    for r in rows:
        numbers = {"kind_label": r["kind_label"]}
        text = low_pay_text(r, numbers, "nat16.pay.low")
        numbers["probation_wage"] = numbers.pop("wage")
        yield ctx.internship_finding(r, prefix(r) + text, numbers=numbers)


def _consent(ctx):
    rows = ctx.internship_rows(
        f"{under_age(ctx, 18)} AND (i.consent_signed_on IS NULL OR i.guardian_signed IS NOT TRUE)",
        columns=["i.kind_label AS kind_label", "i.consent_signed_on AS signed", "i.guardian_signed AS guardian"],
        joins=[JOIN_STUDENT], kinds=ON_POST)
    for r in rows:
        message = prefix(r) + t("nat16.consent.minor", problem=consent_text(r, check_date=False))
        yield ctx.internship_finding(r, message, numbers={"kind_label": r["kind_label"], "guardian_signed": bool(r["guardian"])})


def _version(rule_id: str, title: tuple[str, str], requirement: tuple[str, str], source: str, evaluate, facts=()) -> Rule:
    return Rule(id=f"{rule_id}-2016", extends=rule_id, severity="error" if rule_id != "INT-DURATION" else "warning",
                title=title, requirement=requirement, source=source, evaluate=evaluate,
                valid_from=IN_FORCE_2016, valid_to=LAST_DAY_2016, version=VERSION, facts=facts)


RULES = [
    _version("INT-PAY-MIN", ("顶岗实习报酬（2016）", "顶岗 pay (2016)"),
             ("顶岗实习报酬原则上不低于本单位相同岗位试用期工资标准的80%（以岗位的试用期工资标准核对；未记录时不判断）",
              "顶岗 pay is at least 80% of the same post's probation wage (compared with the post's probation wage; not judged where none is recorded)"),
             article(RULE_2016, "第十七条"), _pay),
    _version("INT-CONSENT", ("未成年学生的监护人知情同意（2016）", "Guardian consent for minors (2016)"),
             ("未满18周岁的学生参加跟岗实习、顶岗实习，应取得监护人签字的知情同意书", "a student under 18 on a 跟岗 or 顶岗 internship has a consent form signed by a guardian"),
             RULE_2016, _consent, facts=(AGE_AT_START,)),
    _version("INT-DURATION", ("顶岗实习时长（2016）", "顶岗 duration (2016)"),
             ("顶岗实习一般为6个月", "a 顶岗 internship generally lasts six months"), RULE_2016, _duration),
]

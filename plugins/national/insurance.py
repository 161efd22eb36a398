"""INT-INSURANCE (every day of an internship covered by a liability policy) and INT-INS-PREMIUM
(no premium paid by the student).

Coverage is the union of every policy of a required kind the student is insured on; an insured
row's own dates (NULL: the policy's) bound it. Clipped to the internship and ordered by start,
each interval is compared with the furthest end before it (a window MAX): a start beyond that
end plus one day opens a gap. A sentinel interval starting the day after the internship's end
closes the union, so trailing gaps and internships with no cover at all come out of the same
query.
"""

from __future__ import annotations

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Param, Rule, as_date, money

from .internships import SOURCE

catalogue(
    {
        "nat.ins.gap": ("{n} 段未被实习责任保险覆盖，共 {days} 天：{ranges}", "{n} uncovered periods, {days} days in all: {ranges}"),
        "nat.ins.none": ("整个实习期（{start} 至 {end}）没有实习责任保险", "no liability insurance for the whole internship ({start} to {end})"),
        "nat.premium.msg": ("保单 {policy}（{kind}）的保费 {premium} 元由学生承担", "the premium of policy {policy} ({kind}), {premium} yuan, is paid by the student"),
    }
)


def _coverage(ctx):
    region, scope, applies = ctx.region(), ctx.scope("i"), ctx.applies(ctx.region(), "i.start_on")
    base = (f"FROM internships i JOIN schools s ON s.school_code = i.school_code JOIN enterprises e ON e.uscc = i.uscc "
            f"WHERE {scope} AND {applies}")
    kind_ok = ctx.param_in_list("required_kinds", lambda item: f"p.kind = {item}", region=region, on="i.start_on")
    min_cover = ctx.param("min_cover_per_student", region=region, on="i.start_on")
    kind_ok += f" AND ({min_cover} IS NULL OR COALESCE(p.cover_per_person, 0) >= {min_cover})"
    cover_from, cover_to = "COALESCE(n.start_on, p.start_on)", "COALESCE(n.end_on, p.end_on)"
    after_end = ctx.sql.add_days("i.end_on", 1)
    sql = f"""
        WITH cov AS (
            SELECT i.id AS iid, i.start_on AS i_start,
                   {ctx.sql.greatest(cover_from, 'i.start_on')} AS c_start, {ctx.sql.least(cover_to, 'i.end_on')} AS c_end
            {base.replace('WHERE', 'JOIN insured n ON n.id_number = i.id_number JOIN policies p ON p.policy_no = n.policy_no WHERE', 1)}
              AND {cover_from} <= i.end_on AND {cover_to} >= i.start_on AND {kind_ok}
            UNION ALL
            SELECT i.id, i.start_on, {after_end}, {after_end} {base}
        ), ordered AS (
            SELECT iid, i_start, c_start,
                   MAX(c_end) OVER (PARTITION BY iid ORDER BY c_start, c_end ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
            FROM cov
        ), gaps AS (
            SELECT iid, COALESCE({ctx.sql.add_days('prev_end', 1)}, i_start) AS gap_from, {ctx.sql.add_days('c_start', -1)} AS gap_to
            FROM ordered
            WHERE c_start > COALESCE({ctx.sql.add_days('prev_end', 1)}, i_start)
        )
        SELECT i.id, i.id_number, i.uscc, i.start_on, i.end_on, i.school_code, g.gap_from, g.gap_to
        FROM gaps g JOIN internships i ON i.id = g.iid
        ORDER BY i.id, g.gap_from
    """
    group: list = []
    for row in ctx.rows(sql):
        if group and row["id"] != group[0]["id"]:
            yield _gap_finding(ctx, group)
            group = []
        group.append(row)
    if group:
        yield _gap_finding(ctx, group)


def _gap_finding(ctx, rows):
    row = rows[0]
    gaps = [(as_date(r["gap_from"]), as_date(r["gap_to"])) for r in rows]
    start, end = as_date(row["start_on"]), as_date(row["end_on"])
    days = sum((b - a).days + 1 for a, b in gaps)
    if gaps == [(start, end)]:
        message = t("nat.ins.none", start=start, end=end)
    else:
        message = t("nat.ins.gap", n=len(gaps), days=days, ranges="、".join(f"{a}" if a == b else f"{a}～{b}" for a, b in gaps))
    return ctx.internship_finding(row, message, numbers={"gaps": len(gaps), "days_uncovered": days}, dates=gaps)


def _premium(ctx):
    rows = ctx.internship_rows(
        f"p.payer = {ctx.bind('学生')} AND COALESCE(n.start_on, p.start_on) <= i.end_on AND COALESCE(n.end_on, p.end_on) >= i.start_on",
        columns=["p.policy_no AS policy_no", "p.kind AS policy_kind", "p.premium AS premium"],
        joins=["JOIN insured n ON n.id_number = i.id_number", "JOIN policies p ON p.policy_no = n.policy_no"])
    for r in rows:
        premium = money(r["premium"])
        yield ctx.internship_finding(r, t("nat.premium.msg", policy=r["policy_no"], kind=r["policy_kind"], premium=premium if premium is not None else "-"),
                                     numbers={"policy_no": r["policy_no"], "premium": premium})


RULES = [
    Rule(id="INT-INSURANCE", severity="error", title=("实习责任保险覆盖", "Liability insurance cover"),
         requirement=("实习责任保险覆盖实习期间的每一天", "an internship liability policy covers every day from start to end"),
         source=SOURCE, evaluate=_coverage,
         params=(Param("required_kinds", "list", ("实习责任保险",), ("须覆盖实习期的险种", "policy kinds that must cover the internship")),
                 Param("min_cover_per_student", "decimal", None, ("每名学生最低保额（元，全国未规定）", "minimum cover per student in yuan (no national figure)"), required=False))),
    Rule(id="INT-INS-PREMIUM", severity="error", title=("保费不得由学生承担", "No premium paid by students"),
         requirement=("实习保险的保费不得由学生缴纳或从学生报酬中扣除", "no premium is paid by, or deducted from, the student"),
         source=SOURCE, evaluate=_premium),
]

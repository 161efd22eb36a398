"""INT-RATIO-ENTERPRISE and INT-RATIO-POST: concurrent on-post interns counted day by day.

A count per enterprise (or post) over its index first keeps those with more on-post internships
in all than their lowest limit: no other can exceed it on any day (on the 1M demo registry 20 of
1,466 enterprises and 1 of 3,479 posts remain). Their on-post internships stream once, ordered by
enterprise (or post) and first day, from the index that holds that order; a sweep (``xiaoqi.core.rules.sweep.exceeding``) counts the interns at each
change point (a first day, the day after a last day, a day on which a share starts to apply) and
keeps the days on which they are more than the staff times the share. The peak day decides, and
every day above the limit is reported, merged into date ranges. The share resolves by the
enterprise's region and the day (a value valid from a date applies from that day on).

Who is counted follows the rule each internship started under: every 岗位实习 from 2021-12-31 on,
and of those started earlier only 顶岗 (the 2016 rule counted 顶岗 interns; an earlier one
recorded without its label is taken as 顶岗), for as long as each lasts. Days before 2021-12-31 are
judged by the 2016 version (a variant with its own dates), later days by the 2021 rule.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from xiaoqi.core.fields import format_percent
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Param, Rule
from xiaoqi.core.rules.sweep import exceeding, merged

from .internships import ON_POST
from .sources import IN_FORCE_2016, IN_FORCE_2021, LAST_DAY_2016, RULE_2016, RULE_2021, article

SHOWN_RANGES = 5

catalogue(
    {
        "nat.ratio.ent.msg": ("实习生 {interns} 人 / 在岗职工 {staff} 人 = {share} > {max_share}（峰值日 {day}）；超标 {days} 天：{ranges}",
                              "interns {interns} / staff {staff} = {share} > {max_share} (peak on {day}); exceeded on {days} days: {ranges}"),
        "nat.ratio.post.msg": ("岗位「{title}」实习生 {interns} 人 / 同类岗位在岗职工 {staff} 人 = {share} > {max_share}（峰值日 {day}）；超标 {days} 天：{ranges}",
                               "post '{title}': interns {interns} / staff {staff} = {share} > {max_share} (peak on {day}); exceeded on {days} days: {ranges}"),
        "nat.ratio.more": ("等 {n} 段", "and {n} more ranges"),
        "nat.ratio.2016": ("按2016年规定（只计顶岗实习学生）：", "under the 2016 rule (顶岗 interns only): "),
    }
)


def _ranges_text(ranges: list[tuple[dt.date, dt.date]]) -> str:
    shown = [f"{a}" if a == b else f"{a}～{b}" for a, b in ranges[:SHOWN_RANGES]]
    text = "、".join(shown)
    if len(ranges) > SHOWN_RANGES:
        text += t("nat.ratio.more", n=len(ranges) - SHOWN_RANGES)
    return text


def _evaluate(ctx, *, by_post: bool):
    only = f" AND {{a}}.uscc = {ctx.bind(ctx.enterprise)}" if ctx.enterprise else ""
    if by_post:
        subject = "i.uscc || '/' || i.position_code"
        owners = (f"SELECT p.uscc || '/' || p.position_code, p.uscc, p.position_code, p.staff_count, p.title, e.region "
                  f"FROM positions p JOIN enterprises e ON e.uscc = p.uscc WHERE 1 = 1{only.format(a='p')}")
        order = "i.uscc, i.position_code, i.start_on"
    else:
        subject = "i.uscc"
        owners = f"SELECT e.uscc, e.uscc, NULL, e.staff_count, e.name, e.region FROM enterprises e WHERE 1 = 1{only.format(a='e')}"
        order = "i.uscc, i.start_on"
    owner = {row[0]: row[1:] for row in ctx.tuples(owners)}

    def share(region, on):
        return ctx.param_value("max_share", region=region, on=on) if ctx.applies_to(region, on) else None

    def limits(key):
        if key not in owner:
            return []
        staff, region = owner[key][2], owner[key][4]
        return ctx.steps(lambda on: None if (s := share(region, on)) is None else staff * s, "max_share")

    where = f"i.kind = {ctx.bind(ON_POST[0])} AND {ctx.window('i')}{only.format(a='i')}"
    firms = _firms_to_sweep(ctx, subject, order.rsplit(", ", 1)[0], where, limits)
    if not firms:
        return
    if len(firms) <= MAX_LISTED:
        where += f" AND i.uscc IN ({', '.join(ctx.bind(u) for u in sorted(firms))})"
    mark = f"CASE WHEN i.school_code = {ctx.bind(ctx.school)} THEN 1 ELSE 0 END" if ctx.school else "0"
    counted = (f"(i.start_on >= {ctx.bind(IN_FORCE_2021)} OR i.kind_label IS NULL OR i.kind_label LIKE {ctx.bind('顶岗%')})")
    rows = ctx.tuples(
        f"SELECT {subject}, {ctx.sql.day_number('i.start_on')}, {ctx.sql.day_number('i.end_on')}, {mark} "
        f"FROM internships i WHERE {where} AND {counted} ORDER BY {order}")
    on = ctx.on.toordinal() if ctx.on else None
    for key, runs in exceeding(rows, limits, marked=bool(ctx.school), on=on):
        yield _finding(ctx, by_post, owner[key], runs, share)


#: enterprises named in the query of the internships swept (more: every one is read)
MAX_LISTED = 2_000


def _firms_to_sweep(ctx, subject: str, group: str, where: str, limits) -> set[str]:
    """The enterprises of the subjects (enterprises or posts) that may have more interns than
    their limit on some day: those with more on-post internships in all than their lowest limit
    (whole interns: its floor). A count over the enterprise's (post's) index; the others cannot
    exceed it on any day, as ``sweep.exceeding`` would find from their peak."""
    firms = set()
    for key, uscc, n in ctx.tuples(f"SELECT {subject}, MIN(i.uscc), COUNT(*) FROM internships i WHERE {where} GROUP BY {group}"):
        floors = [math.floor(value) for _day, value in limits(key) if value is not None]
        if floors and n > min(floors):
            firms.add(uscc)
    return firms


def _finding(ctx, by_post: bool, owner, runs, share_on):
    uscc, position_code, staff, title, region = owner
    spans, (peak_day, interns) = merged(runs)
    max_share = share_on(region, peak_day)
    share = (Decimal(interns) / staff).quantize(Decimal("0.0001")) if staff else None
    days = sum((b - a).days + 1 for a, b in spans)
    params = dict(interns=interns, staff=staff, share=format_percent(share, 1) if share is not None else "∞", max_share=format_percent(max_share, 1),
                  day=peak_day, days=days, ranges=_ranges_text(spans))
    prefix = t("nat.ratio.2016") if ctx.rule.version == "2016" else ""
    if by_post:
        key = f"{uscc}/{position_code}"
        message = prefix + t("nat.ratio.post.msg", title=title, **params)
    else:
        key = uscc
        message = prefix + t("nat.ratio.ent.msg", **params)
    numbers = {"interns": interns, "staff": staff, "share": share, "max_share": max_share,
               "peak_day": peak_day, "days_exceeded": days}
    return ctx.finding(subject_kind="positions" if by_post else "enterprises", subject_key=key, message=message,
                       uscc=uscc, numbers=numbers, dates=spans)


ENTERPRISE_SHARE = Param("max_share", "decimal", "0.10", ("实习生占在岗职工总数的最高比例", "maximum share of the staff"))
POST_SHARE = Param("max_share", "decimal", "0.20", ("实习生占同类岗位在岗职工的最高比例", "maximum share of the post's staff"))


def _rules(rule_id: str, subject_kind: str, by_post: bool, title, requirement, title_2016, requirement_2016, param) -> list[Rule]:
    """The 2021 rule and its 2016 version: the same count, each judging the days of its own time."""
    evaluate = (lambda ctx: _evaluate(ctx, by_post=by_post))
    common = dict(severity="error", region_by="enterprise", subject_kind=subject_kind, evaluate=evaluate)
    return [
        Rule(id=rule_id, title=title, requirement=requirement, source=RULE_2021, params=(param,),
             valid_from=IN_FORCE_2021, version="2021", **common),
        Rule(id=f"{rule_id}-2016", extends=rule_id, title=title_2016, requirement=requirement_2016,
             source=article(RULE_2016, "第九条"), valid_from=IN_FORCE_2016, valid_to=LAST_DAY_2016, version="2016", **common),
    ]


RULES = [
    *_rules("INT-RATIO-ENTERPRISE", "enterprises", False, ("实习生占企业职工比例", "Interns per enterprise staff"),
            ("任一日，企业同时在岗的岗位实习学生不超过其在岗职工总数的10%", "on any day, an enterprise's concurrent on-post interns are at most 10% of its staff"),
            ("顶岗实习生占企业职工比例（2016）", "顶岗 interns per enterprise staff (2016)"),
            ("任一日，企业同时在岗的顶岗实习学生不超过其在岗职工总数的10%（跟岗实习不计）", "on any day, an enterprise's concurrent 顶岗 interns are at most 10% of its staff (跟岗 not counted)"),
            ENTERPRISE_SHARE),
    *_rules("INT-RATIO-POST", "positions", True, ("实习生占同类岗位职工比例", "Interns per post staff"),
            ("任一日，同一岗位的实习学生不超过该岗位在岗职工数的20%", "on any day, interns on one post are at most 20% of that post's staff"),
            ("顶岗实习生占同类岗位职工比例（2016）", "顶岗 interns per post staff (2016)"),
            ("任一日，同一岗位的顶岗实习学生不超过同类岗位在岗职工总人数的20%（跟岗实习不计）", "on any day, 顶岗 interns on one post are at most 20% of that post's staff (跟岗 not counted)"),
            POST_SHARE),
]

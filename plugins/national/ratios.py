"""INT-RATIO-ENTERPRISE and INT-RATIO-POST: concurrent on-post interns counted day by day.

Each internship adds +1 on its start date and -1 on the day after its end; a running sum over
these change points (a window function, partitioned by enterprise or post) gives the number of
interns on every day between two change points. The peak day decides, and every day above the
limit is reported, merged into date ranges. The share resolves by the enterprise's region and
the day (a value valid from a date applies from that day on).
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Param, Rule, as_date

from .internships import ON_POST, SOURCE

SHOWN_RANGES = 5

catalogue(
    {
        "nat.ratio.ent.msg": ("实习生 {interns} 人 / 在岗职工 {staff} 人 = {share} > {max_share}（峰值日 {day}）；超标 {days} 天：{ranges}",
                              "interns {interns} / staff {staff} = {share} > {max_share} (peak on {day}); exceeded on {days} days: {ranges}"),
        "nat.ratio.post.msg": ("岗位「{title}」实习生 {interns} 人 / 同类岗位在岗职工 {staff} 人 = {share} > {max_share}（峰值日 {day}）；超标 {days} 天：{ranges}",
                               "post '{title}': interns {interns} / staff {staff} = {share} > {max_share} (peak on {day}); exceeded on {days} days: {ranges}"),
        "nat.ratio.more": ("等 {n} 段", "and {n} more ranges"),
    }
)


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1')).normalize():f}%"


def _ranges_text(ranges: list[tuple[dt.date, dt.date]]) -> str:
    shown = [f"{a}" if a == b else f"{a}～{b}" for a, b in ranges[:SHOWN_RANGES]]
    text = "、".join(shown)
    if len(ranges) > SHOWN_RANGES:
        text += t("nat.ratio.more", n=len(ranges) - SHOWN_RANGES)
    return text


def _evaluate(ctx, *, by_post: bool):
    keys = ["uscc", "position_code"] if by_post else ["uscc"]
    cols = ", ".join(keys)
    kind = ctx.bind(ON_POST[0])
    only = f" AND uscc = {ctx.bind(ctx.enterprise)}" if ctx.enterprise else ""
    share = ctx.param("max_share", region="e.region", on="r.d")
    if by_post:
        owner_join = "JOIN positions p ON p.uscc = r.uscc AND p.position_code = r.position_code"
        staff, title = "p.staff_count", "p.title"
    else:
        owner_join, staff, title = "", "e.staff_count", "e.name"
    day_to = ctx.sql.add_days("r.next_d", -1)
    narrow = []
    if ctx.on:
        day = ctx.bind(ctx.on)
        narrow.append(f"r.d <= {day} AND r.next_d > {day}")
    if ctx.school:
        same_post = " AND x.position_code = r.position_code" if by_post else ""
        narrow.append(f"EXISTS (SELECT 1 FROM internships x WHERE x.uscc = r.uscc{same_post} AND x.kind = {kind} "
                      f"AND x.school_code = {ctx.bind(ctx.school)} AND x.start_on < r.next_d AND x.end_on >= r.d)")
    # a value valid from a date must be able to start applying on that very day: make those
    # dates change points too (a zero event for every enterprise or post)
    since = sorted({v.valid_from for v in ctx.candidates("max_share") if v.valid_from})
    owners = "positions" if by_post else "enterprises"
    splits = "".join(f" UNION ALL SELECT {cols}, {ctx.bind(day)}, 0 FROM {owners} WHERE 1 = 1{only}" for day in since)
    sql = f"""
        WITH ev AS (
            SELECT {cols}, start_on AS d, 1 AS delta FROM internships WHERE kind = {kind}{only}
            UNION ALL
            SELECT {cols}, {ctx.sql.add_days('end_on', 1)} AS d, -1 AS delta FROM internships WHERE kind = {kind}{only}
            {splits}
        ), agg AS (
            SELECT {cols}, d, SUM(delta) AS delta FROM ev GROUP BY {cols}, d
        ), run AS (
            SELECT {cols}, d,
                   SUM(delta) OVER (PARTITION BY {cols} ORDER BY d ROWS UNBOUNDED PRECEDING) AS interns,
                   LEAD(d) OVER (PARTITION BY {cols} ORDER BY d) AS next_d
            FROM agg
        )
        SELECT {', '.join('r.' + k for k in keys)}, r.d AS day_from, {day_to} AS day_to, r.interns AS interns,
               {staff} AS staff, {share} AS max_share, {title} AS title
        FROM run r JOIN enterprises e ON e.uscc = r.uscc {owner_join}
        WHERE r.interns > 0 AND r.interns > {staff} * {share} + 0.000001
          AND {ctx.applies('e.region', 'r.d')} {''.join(' AND ' + n for n in narrow)}
        ORDER BY {', '.join('r.' + k for k in keys)}, r.d
    """
    for group in runs_by_subject(ctx.rows(sql), keys):
        yield _finding(ctx, by_post, group)


def runs_by_subject(rows, keys: list[str]):
    """Group day-run rows (ordered by ``keys`` then day) into one list per subject."""
    for _key, group in itertools.groupby(rows, key=lambda row: tuple(row[k] for k in keys)):
        yield list(group)


def merged_runs(rows, count: str) -> tuple[list[tuple[dt.date, dt.date]], dict]:
    """The rows' day ranges (``day_from``–``day_to``) merged where they touch, and the peak row:
    the earliest of those with the highest ``count``."""
    ranges: list[list[dt.date]] = []
    for r in rows:
        a, b = as_date(r["day_from"]), as_date(r["day_to"])
        if ranges and ranges[-1][1] + dt.timedelta(days=1) == a:
            ranges[-1][1] = b
        else:
            ranges.append([a, b])
    peak = max(rows, key=lambda r: (r[count], -as_date(r["day_from"]).toordinal()))
    return [(a, b) for a, b in ranges], peak


def _finding(ctx, by_post: bool, rows):
    spans, peak = merged_runs(rows, "interns")
    interns, staff = int(peak["interns"]), int(peak["staff"])
    max_share = Decimal(str(peak["max_share"]))
    share = (Decimal(interns) / staff).quantize(Decimal("0.0001")) if staff else None
    days = sum((b - a).days + 1 for a, b in spans)
    params = dict(interns=interns, staff=staff, share=_pct(share) if share is not None else "∞", max_share=_pct(max_share),
                  day=as_date(peak["day_from"]), days=days, ranges=_ranges_text(spans))
    uscc = peak["uscc"]
    if by_post:
        key = f"{uscc}/{peak['position_code']}"
        message = t("nat.ratio.post.msg", title=peak["title"], **params)
    else:
        key = uscc
        message = t("nat.ratio.ent.msg", **params)
    numbers = {"interns": interns, "staff": staff, "share": share, "max_share": max_share,
               "peak_day": as_date(peak["day_from"]), "days_exceeded": days}
    return ctx.finding(subject_kind="positions" if by_post else "enterprises", subject_key=key, message=message,
                       uscc=uscc, numbers=numbers, dates=spans)


RULES = [
    Rule(id="INT-RATIO-ENTERPRISE", severity="error", title=("实习生占企业职工比例", "Interns per enterprise staff"),
         requirement=("任一日，企业同时在岗的岗位实习学生不超过其在岗职工总数的10%", "on any day, an enterprise's concurrent on-post interns are at most 10% of its staff"),
         source=SOURCE, region_by="enterprise", subject_kind="enterprises",
         params=(Param("max_share", "decimal", "0.10", ("实习生占在岗职工总数的最高比例", "maximum share of the staff")),),
         evaluate=lambda ctx: _evaluate(ctx, by_post=False)),
    Rule(id="INT-RATIO-POST", severity="error", title=("实习生占同类岗位职工比例", "Interns per post staff"),
         requirement=("任一日，同一岗位的实习学生不超过该岗位在岗职工数的20%", "on any day, interns on one post are at most 20% of that post's staff"),
         source=SOURCE, region_by="enterprise", subject_kind="positions",
         params=(Param("max_share", "decimal", "0.20", ("实习生占同类岗位在岗职工的最高比例", "maximum share of the post's staff")),),
         evaluate=lambda ctx: _evaluate(ctx, by_post=True)),
]

"""National apprenticeship rules (企业新型学徒制, 2021): quotas, the apprenticeship ratio, mentors'
loads and the length of an apprenticeship.

APP-QUOTA-EXCEEDED and APP-MENTOR-LOAD count concurrent apprentices day by day, like the ratio
rules (ratios.py): the apprenticeships stream ordered by post (or mentor) and first day, and a
sweep (``xiaoqi.core.rules.sweep.exceeding``) counts them at each change point. The days above the
limit are reported as date ranges. APP-QUOTA-RATIO and APP-MENTOR-LOAD have parameters
that no public text fixes, so they are off until a region or ``xiaoqi.toml`` sets them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xiaoqi.core.fields import format_percent
from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Param, Rule, as_date
from xiaoqi.core.rules.sweep import exceeding, merged

from .ratios import _ranges_text

APPRENTICE = "学徒"
SOURCE_GUIDANCE = "《关于全面推行中国特色企业新型学徒制 加强技能人才培养的指导意见》（人社部发〔2021〕39号）"
SOURCE_OPINIONS = "中共中央办公厅 国务院办公厅《关于推动现代职业教育高质量发展的意见》（2021）"
#: both texts are dated here by their year only (its 1 January); ``check --explain`` says so
SINCE_2021 = dict(valid_from=dt.date(2021, 1, 1), valid_from_year_only=True)

catalogue(
    {
        "app.exceeded.msg": ("岗位「{title}」在名额期内同时有学徒 {apprentices} 人，超过学徒名额 {quota}（峰值日 {day}）；超出 {days} 天：{ranges}",
                             "post '{title}': {apprentices} apprentices at once within the quota period, more than its quota of {quota} (peak on {day}); exceeded on {days} days: {ranges}"),
        "app.ratio.msg": ("在期学徒名额 {places} / 在岗职工 {staff} = {ratio}，低于地区目标 {target}（{on}）",
                          "apprentice places in force {places} / staff {staff} = {ratio}, below the regional target {target} ({on})"),
        "app.mentor.msg": ("企业指导人员「{mentor}」同时带学徒 {apprentices} 人，超过上限 {limit}（峰值日 {day}）；超出 {days} 天：{ranges}",
                           "enterprise mentor '{mentor}' has {apprentices} apprentices at once, more than the limit of {limit} (peak on {day}); exceeded on {days} days: {ranges}"),
        "app.duration.short": ("学徒期 {start} 至 {end}（{days} 天）短于 {years} 年", "apprenticeship {start} to {end} ({days} days) is shorter than {years} years"),
        "app.duration.long": ("学徒期 {start} 至 {end}（{days} 天）长于 {years} 年", "apprenticeship {start} to {end} ({days} days) is longer than {years} years"),
    }
)


def _apprentice_filter(ctx, alias: str = "i") -> str:
    parts = [f"{alias}.kind = {ctx.bind(APPRENTICE)}"]
    if ctx.enterprise:
        parts.append(f"{alias}.uscc = {ctx.bind(ctx.enterprise)}")
    return " AND ".join(parts)


def _school_mark(ctx, alias: str = "i") -> str:
    """With --school, the mark that a run must hold one of that school's apprentices (``sweep.exceeding``)."""
    return f"CASE WHEN {alias}.school_code = {ctx.bind(ctx.school)} THEN 1 ELSE 0 END" if ctx.school else "0"


def _runs(ctx, rows, limits, *, key_columns: int = 1):
    on = ctx.on.toordinal() if ctx.on else None
    return exceeding(rows, limits, key_columns=key_columns, marked=bool(ctx.school), on=on)


def _quota_exceeded(ctx):
    # each apprenticeship counts on the days it shares with the quota period (an open end is unbounded)
    s = ctx.sql.greatest("i.start_on", "COALESCE(q.quota_from, i.start_on)")
    e = ctx.sql.least("i.end_on", "COALESCE(q.quota_to, i.end_on)")
    only = f" AND p.uscc = {ctx.bind(ctx.enterprise)}" if ctx.enterprise else ""
    posts = {row[0]: row[1:] for row in ctx.tuples(
        f"SELECT p.uscc || '/' || p.position_code, p.uscc, p.position_code, p.title, p.apprentice_quota, e.region "
        f"FROM positions p JOIN enterprises e ON e.uscc = p.uscc WHERE p.apprentice_quota IS NOT NULL{only}")}
    rows = ctx.tuples(
        f"SELECT k, s, e, mark FROM (SELECT i.uscc || '/' || i.position_code AS k, {ctx.sql.day_number(s)} AS s, "
        f"{ctx.sql.day_number(e)} AS e, {_school_mark(ctx)} AS mark FROM internships i "
        f"JOIN positions q ON q.uscc = i.uscc AND q.position_code = i.position_code "
        f"WHERE {_apprentice_filter(ctx)} AND q.apprentice_quota IS NOT NULL) a WHERE s <= e ORDER BY k, s")

    def limits(key):
        if key not in posts:
            return []
        quota, region = posts[key][3], posts[key][4]
        return ctx.steps(lambda on: quota if ctx.applies_to(region, on) else None)

    for key, runs in _runs(ctx, rows, limits):
        uscc, position_code, title, quota, _region = posts[key]
        spans, (peak_day, n) = merged(runs)
        days = sum((b - a).days + 1 for a, b in spans)
        yield ctx.finding(
            subject_kind="positions", subject_key=key, uscc=uscc,
            message=t("app.exceeded.msg", title=title, apprentices=n, quota=quota, day=peak_day, days=days,
                      ranges=_ranges_text(spans)),
            numbers={"apprentices": n, "quota": quota, "peak_day": peak_day, "days_exceeded": days},
            dates=spans)


def _mentor_load(ctx):
    only = f" WHERE e.uscc = {ctx.bind(ctx.enterprise)}" if ctx.enterprise else ""
    regions = dict(ctx.tuples(f"SELECT e.uscc, e.region FROM enterprises e{only}"))
    # a mentor is a person of the teachers registry where the internship refers to one (two mentors
    # of one name are two people, one written by name and by ID number is one), else the name as
    # written (old data, names that matched nobody or several people)
    rows = ctx.tuples(
        f"SELECT i.uscc, COALESCE(i.enterprise_mentor_id, ''), COALESCE(i.enterprise_mentor, ''), "
        f"{ctx.sql.day_number('i.start_on')}, {ctx.sql.day_number('i.end_on')}, "
        f"{_school_mark(ctx)} FROM internships i WHERE {_apprentice_filter(ctx)} "
        f"AND (i.enterprise_mentor_id IS NOT NULL OR NULLIF(TRIM(i.enterprise_mentor), '') IS NOT NULL) "
        f"AND i.start_on <= i.end_on "
        f"ORDER BY i.uscc, COALESCE(i.enterprise_mentor_id, ''), COALESCE(i.enterprise_mentor, ''), i.start_on")

    def limit_at(region, on):
        return ctx.param_value("max_apprentices", region=region, on=on) if ctx.applies_to(region, on) else None

    def limits(key):
        if key[0] not in regions:
            return []
        region = regions[key[0]]
        return ctx.steps(lambda on: limit_at(region, on), "max_apprentices")

    for (uscc, mentor_id, mentor), runs in _runs(ctx, rows, limits, key_columns=3):
        spans, (peak_day, n) = merged(runs)
        days = sum((b - a).days + 1 for a, b in spans)
        limit_value = int(limit_at(regions[uscc], peak_day))
        numbers = {"mentor": mentor or mentor_id, "apprentices": n, "max_apprentices": limit_value,
                   "peak_day": peak_day, "days_exceeded": days}
        if mentor_id:
            numbers["mentor_id"] = mentor_id
        yield ctx.finding(
            subject_kind="enterprises", subject_key=uscc, uscc=uscc,
            message=t("app.mentor.msg", mentor=mentor or mentor_id, apprentices=n, limit=limit_value,
                      day=peak_day, days=days, ranges=_ranges_text(spans)),
            numbers=numbers, dates=spans)


def _quota_ratio(ctx):
    on = ctx.as_of
    day = ctx.bind(on)
    target = ctx.param("min_ratio", region="e.region", on=day)
    only = []
    if ctx.enterprise:
        only.append(f"e.uscc = {ctx.bind(ctx.enterprise)}")
    if ctx.school:
        only.append(f"e.uscc IN (SELECT a.uscc FROM agreements a WHERE a.school_code = {ctx.bind(ctx.school)})")
    sql = f"""
        SELECT x.uscc, x.region, x.staff, x.places, x.target FROM (
            SELECT e.uscc, e.region, e.staff_count AS staff, {target} AS target,
                   COALESCE((SELECT SUM(p.apprentice_quota) FROM positions p
                             WHERE p.uscc = e.uscc AND p.apprentice_quota IS NOT NULL
                               AND (p.quota_from IS NULL OR p.quota_from <= {day})
                               AND (p.quota_to IS NULL OR p.quota_to >= {day})), 0) AS places
            FROM enterprises e
            WHERE e.staff_count > 0 AND {ctx.applies('e.region', day)} {''.join(' AND ' + c for c in only)}
        ) x
        WHERE x.places < x.staff * x.target - 0.000001
        ORDER BY x.uscc
    """
    for row in ctx.rows(sql):
        places, staff = int(row["places"]), int(row["staff"])
        target_value = Decimal(str(row["target"]))
        ratio = (Decimal(places) / staff).quantize(Decimal("0.0001"))
        yield ctx.finding(
            subject_kind="enterprises", subject_key=row["uscc"], uscc=row["uscc"],
            message=t("app.ratio.msg", places=places, staff=staff, ratio=format_percent(ratio, 1), target=format_percent(target_value, 1), on=ctx.as_of),
            numbers={"places": places, "staff": staff, "ratio": ratio, "min_ratio": target_value, "on": ctx.as_of})


def _duration(ctx):
    region = ctx.region()
    shortest = ctx.param("min_years", region=region, on="i.start_on")
    longest = ctx.param("max_years", region=region, on="i.start_on")
    after = ctx.sql.add_days("i.end_on", 1)
    low, high = ctx.sql.add_years("i.start_on", shortest), ctx.sql.add_years("i.start_on", longest)
    rows = ctx.internship_rows(f"{after} < {low} OR {after} > {high}", kinds=(APPRENTICE,),
                               columns=[f"{shortest} AS min_years", f"{longest} AS max_years",
                                        f"CASE WHEN {after} < {low} THEN 1 ELSE 0 END AS too_short"])
    for r in rows:
        start, end = as_date(r["start_on"]), as_date(r["end_on"])
        days = (end - start).days + 1
        short = bool(r["too_short"])
        years = int(r["min_years"] if short else r["max_years"])
        message = t("app.duration.short" if short else "app.duration.long", start=start, end=end, days=days, years=years)
        yield ctx.internship_finding(r, message, dates=[(start, end)],
                                     numbers={"days": days, "min_years": int(r["min_years"]), "max_years": int(r["max_years"])})


RULES = [
    Rule(id="APP-QUOTA-EXCEEDED", severity="error", title=("学徒超出名额", "Apprentices over the quota"),
         requirement=("名额期内任一日，岗位上同时在岗的学徒不超过该岗位申报的学徒名额",
                      "on any day of the quota period, a post's concurrent apprentices are at most its declared quota"),
         source=SOURCE_GUIDANCE, region_by="enterprise", subject_kind="positions", evaluate=_quota_exceeded),
    Rule(id="APP-QUOTA-RATIO", severity="warning", title=("学徒岗位比例", "Apprenticeship ratio"),
         requirement=("企业按岗位总量的一定比例设立学徒岗位：在期学徒名额 ÷ 在岗职工不低于地区目标",
                      "an enterprise sets up apprentice places in proportion to its positions: places in force ÷ staff at least the regional target"),
         source=SOURCE_OPINIONS, region_by="enterprise", subject_kind="enterprises", **SINCE_2021,
         params=(Param("min_ratio", "decimal", None, ("学徒名额占在岗职工的最低比例（无全国统一标准）",
                                                       "minimum share of apprentice places in the staff (no national figure)")),),
         evaluate=_quota_ratio),
    Rule(id="APP-MENTOR-LOAD", severity="error", title=("导师带徒人数", "Apprentices per mentor"),
         requirement=("任一日，一名企业导师同时指导的学徒不超过上限", "on any day, an enterprise mentor guides at most the allowed number of apprentices"),
         source=SOURCE_GUIDANCE, region_by="enterprise", subject_kind="enterprises", **SINCE_2021,
         params=(Param("max_apprentices", "int", None, ("每名导师同时带徒的上限（无全国统一标准）",
                                                          "most apprentices per mentor at a time (no national figure)")),),
         evaluate=_mentor_load),
    Rule(id="APP-DURATION", severity="warning", title=("学徒期限", "Apprenticeship length"),
         requirement=("企业新型学徒制的学徒期一般为1至2年，最长不超过3年", "an enterprise apprenticeship lasts 1 to 2 years, at most 3"),
         source=SOURCE_GUIDANCE, region_by="enterprise", **SINCE_2021,
         params=(Param("min_years", "int", 1, ("最短年数", "fewest years")),
                 Param("max_years", "int", 3, ("最长年数", "most years"))),
         evaluate=_duration),
]


def ratio_target(region: str, on: dt.date, config: dict | None) -> Decimal | None:
    """The ``min_ratio`` of APP-QUOTA-RATIO in force for ``region`` on ``on``, None when unset."""
    from xiaoqi.core.rules import get_rules, param_table

    if "APP-QUOTA-RATIO" not in get_rules():
        return None
    value = param_table(config).resolve("APP-QUOTA-RATIO", "min_ratio", region, on)
    return None if value is None else Decimal(value.value)

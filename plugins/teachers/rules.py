"""The teachers rules, each one set-based query over the registry.

| id | severity | what must hold |
|---|---|---|
| TCH-PRACTICE-5Y6M | error | a school's full-time specialist teacher has ≥ ``min_months`` of enterprise practice in the last ``window_years`` years |
| TCH-NEW-PRACTICE-FIRST | warning | a new specialist teacher without enterprise experience practised before starting to teach |
| TCH-DUAL-SHARE | warning | the share of 双师型 among a school's specialist teachers reaches ``min_share`` (no national figure) |

"Today" is the check's day (``ctx.as_of``; ``check --as-of DATE``), and the window of
TCH-PRACTICE-5Y6M the ``window_years`` years that end on it: on 2026-12-01 with the national five,
2021-12-02 to 2026-12-01. A month of practice counts as 30 days (the 2016 rule counts months, the
records count days), so the national six months are 180 days; overlapping records count once
(``practice.py``). A teacher hired within the window is not judged yet (TCH-NEW-PRACTICE-FIRST
covers the start). Parameters resolve by the school's region and the check's day, so a province or
``xiaoqi.toml`` sets them per region and from a date. The rules judge a school's 专任 teachers
marked as specialist (专业课教师, internship supervisors included); ``--school`` limits them to that
school's teachers, ``--enterprise`` leaves nothing to judge (they are about schools).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Param, Rule, RuleContext

from .practice import practice_days_ctes
from .vocabulary import DAYS_PER_MONTH, FULL_TIME

catalogue(
    {
        "tch.rule.5y6m.msg": ("{school}的专业课教师{name}在 {first} 至 {last}（{years} 年）企业实践 {days} 天，少于 {months} 个月（{need} 天），还差 {short} 天。",
                              "{name}, a specialist teacher of {school}, practised {days} days in enterprises from {first} to {last} ({years} years), less than {months} months ({need} days): {short} days short."),
        "tch.rule.first.msg": ("{school}的专业课教师{name}入职前无企业工作经历，{hired} 开始任教前没有企业实践{first}。",
                               "{name}, a specialist teacher of {school} without enterprise experience, started teaching on {hired} with no enterprise practice before{first}."),
        "tch.rule.first.later": ("（首次实践 {day}）", " (first practice on {day})"),
        "tch.rule.share.msg": ("{school}的专业课教师 {total} 人中双师型教师 {dual} 人（{share}），低于目标 {target}。",
                               "{dual} of the {total} specialist teachers of {school} are dual-qualified ({share}), below the target of {target}."),
    }
)

SOURCE_PRACTICE = "《职业学校教师企业实践规定》（教师〔2016〕3号）第四条"
SOURCE_DUAL = "《关于推动现代职业教育高质量发展的意见》（2021）第十三条；《职业教育“双师型”教师基本标准（试行）》（2022）"
RULE_2016 = dt.date(2016, 5, 11)  # the day the 2016 rule was issued


def specialists(ctx: RuleContext, tc: str = "tc") -> str:
    """SQL: ``tc`` is a full-time specialist teacher of a school within the check's scope."""
    parts = [f"{tc}.kind = {ctx.bind(FULL_TIME)}", f"{tc}.specialist IS TRUE", f"{tc}.school_code IS NOT NULL"]
    if ctx.school:
        parts.append(f"{tc}.school_code = {ctx.bind(ctx.school)}")
    if ctx.enterprise:
        parts.append("1 = 0")
    return " AND ".join(parts)


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))}%"


def practice_sql(ctx: RuleContext, who: str) -> str:
    """SQL of the teachers of a school for whom ``who`` (a condition on ``tc``) holds, with their
    days of practice in the window ending on ``ctx.as_of``: columns teacher_id, name, school_code,
    school, window_years, min_months, min_days, ws, we, days and judged (1: hired by the window's
    first day, so the rule judges them). Teachers whose region has no window get no row."""
    sql = ctx.sql
    today = ctx.bind(ctx.as_of)
    years = ctx.param("window_years", region="s.region", on=today)
    months = ctx.param("min_months", region="s.region", on=today)
    return f"""
        WITH judged AS (
            SELECT tc.id_number AS teacher_id, tc.name, tc.school_code, s.name AS school, tc.hired_on,
                   {years} AS window_years, {months} AS min_months
            FROM teachers tc JOIN schools s ON s.school_code = tc.school_code
            WHERE {who} AND {ctx.applies("s.region", today)}
        ),
        windows AS (
            SELECT teacher_id, {sql.add_days(sql.add_years(today, "-window_years"), 1)} AS ws, {today} AS we
            FROM judged WHERE window_years IS NOT NULL AND min_months IS NOT NULL
        ),
        {practice_days_ctes(sql, "windows")}
        SELECT j.teacher_id, j.name, j.school_code, j.school, j.window_years, j.min_months,
               j.min_months * {DAYS_PER_MONTH} AS min_days, w.ws, w.we, COALESCE(pd.days, 0) AS days,
               CASE WHEN j.hired_on IS NULL OR j.hired_on <= w.ws THEN 1 ELSE 0 END AS judged
        FROM judged j JOIN windows w ON w.teacher_id = j.teacher_id
        LEFT JOIN practice_days pd ON pd.teacher_id = j.teacher_id
    """


def _practice_5y6m(ctx: RuleContext):
    query = f"SELECT * FROM ({practice_sql(ctx, specialists(ctx))}) q WHERE q.judged = 1 AND q.days < q.min_days ORDER BY q.school_code, q.teacher_id"
    for row in ctx.rows(query):
        need, days = int(row["min_days"]), int(row["days"])
        first, last = str(row["ws"])[:10], str(row["we"])[:10]
        yield ctx.finding(
            subject_kind="teachers", subject_key=row["teacher_id"], school_code=row["school_code"],
            message=t("tch.rule.5y6m.msg", school=row["school"], name=row["name"], first=first, last=last,
                      years=row["window_years"], days=days, months=row["min_months"], need=need, short=need - days),
            numbers={"days": days, "min_days": need, "window_from": first, "window_to": last, "short_days": need - days},
            dates=[(first, last)])


def _practice_first(ctx: RuleContext):
    query = f"""
        SELECT tc.id_number, tc.name, tc.school_code, s.name AS school, tc.hired_on,
               (SELECT MIN(p.start_on) FROM tch_practice p WHERE p.teacher_id = tc.id_number) AS first_practice
        FROM teachers tc JOIN schools s ON s.school_code = tc.school_code
        WHERE {specialists(ctx)} AND tc.enterprise_experience IS FALSE AND tc.hired_on IS NOT NULL
          AND tc.hired_on <= {ctx.bind(ctx.as_of)} AND {ctx.applies("s.region", "tc.hired_on")}
          AND NOT EXISTS (SELECT 1 FROM tch_practice p WHERE p.teacher_id = tc.id_number AND p.start_on < tc.hired_on)
        ORDER BY tc.school_code, tc.id_number
    """
    for row in ctx.rows(query):
        hired = str(row["hired_on"])[:10]
        later = row["first_practice"]
        yield ctx.finding(
            subject_kind="teachers", subject_key=row["id_number"], school_code=row["school_code"],
            message=t("tch.rule.first.msg", school=row["school"], name=row["name"], hired=hired,
                      first=t("tch.rule.first.later", day=str(later)[:10]) if later else ""),
            numbers={"hired_on": hired, "first_practice": str(later)[:10] if later else None})


def _dual_share(ctx: RuleContext):
    today = ctx.bind(ctx.as_of)
    target = ctx.param("min_share", region="s.region", on=today)
    query = f"""
        SELECT * FROM (
            SELECT s.school_code, s.name, {target} AS min_share, COUNT(*) AS total,
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM tch_recognitions r WHERE r.teacher_id = tc.id_number
                                         AND r.recognised_on <= {today} AND (r.valid_to IS NULL OR r.valid_to >= {today}))
                            THEN 1 ELSE 0 END) AS dual
            FROM teachers tc JOIN schools s ON s.school_code = tc.school_code
            WHERE {specialists(ctx)} AND {ctx.applies("s.region", today)}
            GROUP BY s.school_code, s.name, s.region
        ) q
        WHERE q.min_share IS NOT NULL AND q.dual * 1000000 < CAST(ROUND(q.min_share * 1000000) AS INTEGER) * q.total
        ORDER BY q.school_code
    """
    for row in ctx.rows(query):
        target_value = Decimal(str(row["min_share"]))
        share = (Decimal(row["dual"]) / Decimal(row["total"])).quantize(Decimal("0.0001"))
        yield ctx.finding(
            subject_kind="schools", subject_key=row["school_code"], school_code=row["school_code"],
            message=t("tch.rule.share.msg", school=row["name"], total=row["total"], dual=row["dual"],
                      share=_percent(share), target=_percent(target_value)),
            numbers={"specialists": row["total"], "dual": row["dual"], "share": share, "min_share": target_value})


RULES = [
    Rule(id="TCH-PRACTICE-5Y6M", severity="error", title=("专业课教师五年企业实践不少于六个月", "Six months of enterprise practice in every five years"),
         source=SOURCE_PRACTICE, subject_kind="teachers", valid_from=RULE_2016,
         requirement=("职业学校专业课教师（含实习指导教师）每5年必须累计不少于6个月到企业或生产服务一线实践。",
                      "A vocational school's specialist teacher (internship supervisors included) spends at least six months in total in enterprises in every five years."),
         params=(Param("window_years", "int", default=5, doc=("统计期（年），截至检查日", "the window in years, ending on the check's day")),
                 Param("min_months", "int", default=6, doc=("统计期内企业实践累计月数下限（每月按 30 天计）", "fewest months of practice in the window (30 days a month)"))),
         evaluate=_practice_5y6m),
    Rule(id="TCH-NEW-PRACTICE-FIRST", severity="warning", title=("新任专业课教师先实践后上岗", "New teachers practise before teaching"),
         source=SOURCE_PRACTICE, subject_kind="teachers", valid_from=RULE_2016,
         requirement=("没有企业工作经历的新任专业课教师应先实践、后上岗。",
                      "A new specialist teacher without enterprise experience practises in an enterprise before teaching."),
         evaluate=_practice_first),
    Rule(id="TCH-DUAL-SHARE", severity="warning", title=("双师型教师占比", "Share of dual-qualified teachers"),
         source=SOURCE_DUAL, subject_kind="schools", valid_from=dt.date(2021, 1, 1), valid_from_year_only=True,
         requirement=("学校专业课教师中有效双师型认定的比例不低于目标（全国未统一规定）。",
                      "The share of a school's specialist teachers with a dual-qualified recognition in force reaches the target (no national figure)."),
         params=(Param("min_share", "decimal", default=None, doc=("双师型教师占专业课教师的最低比例（全国未规定，由地方或配置设定）",
                                                                  "lowest share of dual-qualified teachers among specialist teachers (no national figure: a region or xiaoqi.toml sets it)")),),
         evaluate=_dual_share),
]

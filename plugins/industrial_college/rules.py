"""The industrial-college rules, each a few set-based queries over the whole register.

| id | severity | what must hold |
|---|---|---|
| IC-NO-ENTERPRISE | error | an operating college has an enterprise partner today |
| IC-INVESTMENT-MISSING | warning | a partner enterprise records an investment in every completed year it was a partner |
| IC-TEACHING-MISSING | warning | enterprise teachers teach in every completed school year of an operating college |
| IC-BODY-MEETINGS | warning | a governance body meets at least ``min_meetings`` times in every completed year (no national figure) |
| IC-TASK-EVIDENCE | warning | each of the seven construction tasks has evidence in the year assessed (last year) |
| IC-ORDER-HIRED | warning | the ordering enterprise hires at least ``min_hired_share`` of an order class's graduates (no national figure) |
| IC-PARTNER-REVOKED | error | no current partner enterprise has had its 产教融合型企业 certification revoked |
| IC-PARTNER-VIOLATION | warning | no current partner enterprise has error findings of the internship rules since it joined |

"Today" is the check's day (``ctx.as_of``); a year or school year is judged once it has ended. A
school year runs from 1 September (the term of ``ic_teaching``: ``2024-2025-1`` is autumn 2024).
Parameters resolve by the lead school's region and a date in the year judged (its last day), so a
province or ``xiaoqi.toml`` sets them per region and from a date. ``--school`` limits the rules to
the colleges that school leads or is a partner of, ``--enterprise`` to those the enterprise is a
partner of (and a partner's own findings to that enterprise's).
"""

from __future__ import annotations

import datetime as dt

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Param, Rule, RuleContext, get_rules

from .checklist import evidence_sql
from .figures import partner_during, partner_on
from .vocabulary import CLOSED, ENTERPRISE, OPERATING, TASKS

catalogue(
    {
        "ic.rule.no_enterprise.msg": ("运行中的产业学院「{name}」在 {day} 没有在合作期内的企业合作方：请登记企业合作方（ic_partners），或更新学院状态。",
                                      "The operating industrial college '{name}' has no enterprise partner on {day}: list one in ic_partners, or update the college's status."),
        "ic.rule.investment.msg": ("{firm}在 {year} 年是产业学院「{name}」的合作企业，但该年没有登记投入（ic_investments）。",
                                   "{firm} was a partner of the industrial college '{name}' in {year} but recorded no investment that year (ic_investments)."),
        "ic.rule.teaching.msg": ("产业学院「{name}」{school_year} 学年没有企业教师授课记录（ic_teaching）。",
                                 "The industrial college '{name}' recorded no teaching by enterprise teachers in the school year {school_year} (ic_teaching)."),
        "ic.rule.meetings.msg": ("产业学院「{name}」的{body} {year} 年开会 {meetings} 次，少于 {min} 次。",
                                 "The {body} of the industrial college '{name}' met {meetings} times in {year}, fewer than {min}."),
        "ic.rule.task.msg": ("产业学院「{name}」{year} 年的建设任务「{task}」没有佐证：登记相关记录，或在建设任务自评（ic_tasks）中列出佐证材料。",
                             "The construction task '{task}' of the industrial college '{name}' has no evidence for {year}: record it, or list the evidence in ic_tasks."),
        "ic.rule.hired.msg": ("订单班「{cls}」{year} 届 {base} 名毕业生中订单企业录用 {hired} 名（{share}），低于 {min}。",
                              "The ordering enterprise hired {hired} of the {base} graduates of the order class '{cls}' ({year}), {share}, below {min}."),
        "ic.rule.revoked.msg": ("产业学院「{name}」的合作企业{firm}的产教融合型企业认定已于 {day} 撤销。",
                                "The 产教融合型企业 certification of {firm}, a partner of the industrial college '{name}', was revoked on {day}."),
        "ic.rule.violation.msg": ("产业学院「{name}」的合作企业{firm}自 {joined} 加入以来有 {n} 处实习违规（{rules}）：请核查后决定是否继续合作。",
                                  "{firm}, a partner of the industrial college '{name}' since {joined}, has {n} internship violations ({rules}): review the partnership."),
        "ic.rule.firm": ("「{name}」（{uscc}）", "'{name}' ({uscc})"),
    }
)

SOURCE = "《现代产业学院建设指南（试行）》（教高厅函〔2020〕16号）；《关于推动现代职业教育高质量发展的意见》（2021）第十条"


def college_scope(ctx: RuleContext, c: str = "c") -> str:
    """SQL limiting colleges ``c`` to the user's --school / --enterprise."""
    parts = ["1 = 1"]
    if ctx.school:
        school = ctx.bind(ctx.school)
        parts.append(f"({c}.lead_school_code = {school} OR {c}.code IN "
                     f"(SELECT sp.college_code FROM ic_partners sp WHERE sp.school_code = {school}))")
    if ctx.enterprise:
        parts.append(f"{c}.code IN (SELECT ep.college_code FROM ic_partners ep WHERE ep.uscc = {ctx.bind(ctx.enterprise)})")
    return " AND ".join(parts)


def partner_scope(ctx: RuleContext, p: str = "p") -> str:
    """SQL limiting partner rows ``p`` to the user's --enterprise (an enterprise checks its own)."""
    return f"{p}.uscc = {ctx.bind(ctx.enterprise)}" if ctx.enterprise else "1 = 1"


def _years(ctx: RuleContext) -> str:
    """A CTE of the completed years (2000 to last year) the year rules judge."""
    return f"WITH RECURSIVE years(y) AS (SELECT 2000 UNION ALL SELECT y + 1 FROM years WHERE y < {ctx.as_of.year - 1})"


def _firm(row) -> str:
    return t("ic.rule.firm", name=row["firm"] or row["uscc"], uscc=row["uscc"])


def _no_enterprise(ctx: RuleContext):
    day = ctx.bind(ctx.as_of)
    sql = f"""
        SELECT c.code, c.name, c.lead_school_code
        FROM ic_colleges c JOIN schools s ON s.school_code = c.lead_school_code
        WHERE c.status = {ctx.bind(OPERATING)} AND c.founded_on <= {day} AND {college_scope(ctx)}
          AND {ctx.applies("s.region", day)}
          AND NOT EXISTS (SELECT 1 FROM ic_partners p WHERE p.college_code = c.code
                          AND p.partner_type = {ctx.bind(ENTERPRISE)} AND {partner_on("p", day)})
        ORDER BY c.code
    """
    for row in ctx.rows(sql):
        yield ctx.finding(subject_kind="ic_colleges", subject_key=row["code"], school_code=row["lead_school_code"],
                          message=t("ic.rule.no_enterprise.msg", name=row["name"], day=ctx.as_of),
                          numbers={"as_of": ctx.as_of})


def _investment_missing(ctx: RuleContext):
    sql = ctx.sql
    first, last = sql.make_date("y.y", 1, 1), sql.make_date("y.y", 12, 31)
    query = f"""
        {_years(ctx)}
        SELECT c.code, c.name, c.lead_school_code, p.uscc, e.name AS firm, y.y AS year
        FROM ic_colleges c
        JOIN schools s ON s.school_code = c.lead_school_code
        JOIN ic_partners p ON p.college_code = c.code AND p.partner_type = {ctx.bind(ENTERPRISE)}
        JOIN enterprises e ON e.uscc = p.uscc
        JOIN years y ON {partner_during("p", first, last)}
        WHERE {college_scope(ctx)} AND {partner_scope(ctx)} AND {ctx.applies("s.region", last)}
          AND c.founded_on <= {last}
          AND (c.status <> {ctx.bind(CLOSED)} OR c.closed_on > {first})
          AND NOT EXISTS (SELECT 1 FROM ic_investments v WHERE v.college_code = c.code AND v.uscc = p.uscc AND v.year = y.y)
        ORDER BY c.code, p.uscc, y.y
    """
    for row in ctx.rows(query):
        yield ctx.finding(subject_kind="ic_partners", subject_key=f"{row['code']}/{row['uscc']}",
                          school_code=row["lead_school_code"], uscc=row["uscc"],
                          message=t("ic.rule.investment.msg", firm=_firm(row), year=row["year"], name=row["name"]),
                          numbers={"year": row["year"]})


def _teaching_missing(ctx: RuleContext):
    sql = ctx.sql
    starts, next_start = sql.make_date("y.y", 9, 1), sql.make_date("y.y + 1", 9, 1)
    query = f"""
        {_years(ctx)}
        SELECT c.code, c.name, c.lead_school_code, y.y AS school_year
        FROM ic_colleges c
        JOIN schools s ON s.school_code = c.lead_school_code
        JOIN years y ON {starts} >= c.founded_on AND {next_start} <= {ctx.bind(ctx.as_of)}
        WHERE c.status = {ctx.bind(OPERATING)} AND {college_scope(ctx)} AND {ctx.applies("s.region", starts)}
          AND NOT EXISTS (SELECT 1 FROM ic_teaching tc WHERE tc.college_code = c.code AND tc.school_year = y.y AND tc.hours > 0)
        ORDER BY c.code, y.y
    """
    for row in ctx.rows(query):
        school_year = f"{row['school_year']}-{row['school_year'] + 1}"
        yield ctx.finding(subject_kind="ic_colleges", subject_key=row["code"], school_code=row["lead_school_code"],
                          message=t("ic.rule.teaching.msg", name=row["name"], school_year=school_year),
                          numbers={"school_year": school_year})


def _body_meetings(ctx: RuleContext):
    sql = ctx.sql
    first, last = sql.make_date("y.y", 1, 1), sql.make_date("y.y", 12, 31)
    minimum = ctx.param("min_meetings", region="s.region", on=last)
    query = f"""
        {_years(ctx)}
        SELECT c.code, c.name, c.lead_school_code, b.name AS body, y.y AS year, {minimum} AS min_meetings,
               (SELECT COUNT(*) FROM ic_meetings mt WHERE mt.college_code = b.college_code AND mt.body_name = b.name
                  AND mt.held_on >= {first} AND mt.held_on <= {last}) AS meetings
        FROM ic_bodies b
        JOIN ic_colleges c ON c.code = b.college_code
        JOIN schools s ON s.school_code = c.lead_school_code
        JOIN years y ON COALESCE(b.established_on, c.founded_on) <= {first}
        WHERE c.status = {ctx.bind(OPERATING)} AND {college_scope(ctx)} AND {ctx.applies("s.region", last)}
    """
    for row in ctx.rows(f"SELECT * FROM ({query}) q WHERE q.meetings < q.min_meetings ORDER BY q.code, q.body, q.year"):
        yield ctx.finding(subject_kind="ic_bodies", subject_key=f"{row['code']}/{row['body']}", school_code=row["lead_school_code"],
                          message=t("ic.rule.meetings.msg", name=row["name"], body=row["body"], year=row["year"],
                                    meetings=row["meetings"], min=row["min_meetings"]),
                          numbers={"year": row["year"], "meetings": row["meetings"], "min_meetings": row["min_meetings"]})


def _task_evidence(ctx: RuleContext):
    year = ctx.as_of.year - 1
    first, last = ctx.bind(dt.date(year, 1, 1)), ctx.bind(dt.date(year, 12, 31))
    tasks = ", ".join(f"({task.number})" for task in TASKS)
    query = f"""
        WITH tasks(n) AS (VALUES {tasks}),
             evidence AS ({evidence_sql(str(year), first, last)})
        SELECT c.code, c.name, c.lead_school_code, tasks.n AS task
        FROM ic_colleges c
        JOIN schools s ON s.school_code = c.lead_school_code
        CROSS JOIN tasks
        WHERE c.status = {ctx.bind(OPERATING)} AND c.founded_on <= {last} AND {college_scope(ctx)}
          AND {ctx.applies("s.region", last)}
          AND NOT EXISTS (SELECT 1 FROM evidence ev WHERE ev.college_code = c.code AND ev.task = tasks.n AND ev.n > 0)
        ORDER BY c.code, tasks.n
    """
    for row in ctx.rows(query):
        task = TASKS[row["task"] - 1]
        yield ctx.finding(subject_kind="ic_colleges", subject_key=row["code"], school_code=row["lead_school_code"],
                          message=t("ic.rule.task.msg", name=row["name"], year=year, task=f"{task.mark}{task.zh}"),
                          numbers={"year": year, "task": task.number})


def _order_hired(ctx: RuleContext):
    last = ctx.sql.make_date("o.graduation_year", 12, 31)
    minimum = ctx.param("min_hired_share", region="s.region", on=last)
    # exact on both databases: the share is compared in millionths, as whole numbers
    query = f"""
        SELECT * FROM (
          SELECT o.college_code, o.class_name, o.uscc, o.graduation_year, c.lead_school_code,
                 COALESCE(o.hired, 0) AS hired, COALESCE(o.graduates, o.enrolled) AS base, {minimum} AS min_share
          FROM ic_order_classes o
          JOIN ic_colleges c ON c.code = o.college_code
          JOIN schools s ON s.school_code = c.lead_school_code
          WHERE o.graduation_year IS NOT NULL AND o.graduation_year < {ctx.as_of.year}
            AND {college_scope(ctx)} AND {partner_scope(ctx, "o")} AND {ctx.applies("s.region", last)}
        ) q
        WHERE q.base > 0 AND q.hired * 1000000 < CAST(ROUND(q.min_share * 1000000) AS INTEGER) * q.base
        ORDER BY q.college_code, q.class_name
    """
    for row in ctx.rows(query):
        share = f"{row['hired'] / row['base']:.0%}"
        minimum = f"{float(row['min_share']):.0%}"
        yield ctx.finding(subject_kind="ic_order_classes", subject_key=f"{row['college_code']}/{row['class_name']}",
                          school_code=row["lead_school_code"], uscc=row["uscc"],
                          message=t("ic.rule.hired.msg", cls=row["class_name"], year=row["graduation_year"], base=row["base"],
                                    hired=row["hired"], share=share, min=minimum),
                          numbers={"hired": row["hired"], "graduates": row["base"], "min_hired_share": str(row["min_share"])})


def _current_partners(ctx: RuleContext, extra_columns: str = "", where: str = "1 = 1") -> str:
    day = ctx.bind(ctx.as_of)
    return f"""
        SELECT c.code, c.name, c.lead_school_code, p.uscc, p.joined_on, e.name AS firm{extra_columns}
        FROM ic_partners p
        JOIN ic_colleges c ON c.code = p.college_code
        JOIN schools s ON s.school_code = c.lead_school_code
        JOIN enterprises e ON e.uscc = p.uscc
        WHERE p.partner_type = {ctx.bind(ENTERPRISE)} AND {partner_on("p", day)} AND c.status <> {ctx.bind(CLOSED)}
          AND {college_scope(ctx)} AND {partner_scope(ctx)} AND {ctx.applies("s.region", day)} AND ({where})
        ORDER BY c.code, p.uscc
    """


def _partner_revoked(ctx: RuleContext):
    query = _current_partners(ctx, ", e.pce_revoked_on", f"e.pce_revoked_on <= {ctx.bind(ctx.as_of)}")
    for row in ctx.rows(query):
        yield ctx.finding(subject_kind="ic_partners", subject_key=f"{row['code']}/{row['uscc']}",
                          school_code=row["lead_school_code"], uscc=row["uscc"],
                          message=t("ic.rule.revoked.msg", name=row["name"], firm=_firm(row), day=row["pce_revoked_on"]),
                          numbers={"revoked_on": row["pce_revoked_on"]})


def internship_error_rules() -> list[Rule]:
    """The rules whose findings count as internship violations: every error rule about internships."""
    return [r for r in get_rules().values() if r.severity == "error" and r.subject_kind == "internships"]


def _partner_violation(ctx: RuleContext):
    """The internship rules' findings about each current partner enterprise (``ctx.findings_of``,
    narrowed to that enterprise): a check runs this rule after them and hands it their findings,
    so they do not run again."""
    from xiaoqi.core.rules import as_date

    partners = list(ctx.rows(_current_partners(ctx)))
    rules = internship_error_rules()
    found: dict[str, list] = {}
    for uscc in sorted({row["uscc"] for row in partners}):
        found[uscc] = [f for rule in rules for f in ctx.findings_of(rule, enterprise=uscc)]
    for row in partners:
        joined = as_date(row["joined_on"])
        since = [f for f in found[row["uscc"]] if as_date(f.subject_key.rsplit("/", 1)[-1]) >= joined]
        if not since:
            continue
        rule_ids = sorted({f.rule for f in since})
        yield ctx.finding(subject_kind="ic_partners", subject_key=f"{row['code']}/{row['uscc']}",
                          school_code=row["lead_school_code"], uscc=row["uscc"],
                          message=t("ic.rule.violation.msg", name=row["name"], firm=_firm(row), joined=joined, n=len(since),
                                    rules="、".join(rule_ids)),
                          numbers={"violations": len(since), "rules": rule_ids})


RULES = [
    Rule(id="IC-NO-ENTERPRISE", severity="error", title=("运行中的产业学院没有企业合作方", "Operating industrial college without an enterprise partner"),
         source=SOURCE, subject_kind="ic_colleges", evaluate=_no_enterprise,
         requirement=("运行中的产业学院在检查日至少有一家在合作期内的企业合作方（校企共建）。",
                      "An operating industrial college has at least one enterprise partner on the day checked (it is co-built with enterprises).")),
    Rule(id="IC-INVESTMENT-MISSING", severity="warning", title=("合作企业某年没有投入", "Partner enterprise without investment in a year"),
         source=SOURCE, subject_kind="ic_partners", evaluate=_investment_missing,
         requirement=("合作企业在其为合作方的每个已结束年度都登记投入（资金、设备、基地、软件或人员）。",
                      "A partner enterprise records an investment (cash, equipment, bases, software or staff time) in every completed year it was a partner.")),
    Rule(id="IC-TEACHING-MISSING", severity="warning", title=("学年内没有企业教师授课", "No enterprise teaching in a school year"),
         source=SOURCE + "（五）建设高水平教师队伍", subject_kind="ic_colleges", evaluate=_teaching_missing,
         requirement=("运行中的产业学院在成立后的每个已结束学年都有企业教师授课学时。",
                      "An operating industrial college has teaching hours by enterprise teachers in every completed school year since it was founded.")),
    Rule(id="IC-BODY-MEETINGS", severity="warning", title=("治理机构年度会议不足", "Governance body met too rarely"),
         source=SOURCE + "（七）探索体制机制创新", subject_kind="ic_bodies", evaluate=_body_meetings,
         params=(Param("min_meetings", "int", default=None, doc=("每个治理机构每年至少开会次数（全国未规定，由章程或地方规定）",
                                                                  "meetings a body holds at least each year (no national figure: its statutes or the region set it)")),),
         requirement=("产业学院的每个治理机构在每个完整年度至少开会 min_meetings 次。",
                      "Each governance body of an industrial college meets at least min_meetings times in every full year.")),
    Rule(id="IC-TASK-EVIDENCE", severity="warning", title=("建设任务缺少年度佐证", "Construction task without evidence"),
         source=SOURCE + "：七项建设任务", subject_kind="ic_colleges", evaluate=_task_evidence,
         requirement=("运行中的产业学院在上一年度的七项建设任务都有佐证（相关记录或自评佐证材料）。",
                      "Each of the seven construction tasks of an operating industrial college has evidence for last year (records, or items listed in the self-assessment).")),
    Rule(id="IC-ORDER-HIRED", severity="warning", title=("订单班录用比例偏低", "Order class hired share too low"),
         source=SOURCE + "（一）创新人才培养模式：订单培养", subject_kind="ic_order_classes", evaluate=_order_hired,
         params=(Param("min_hired_share", "decimal", default=None, doc=("订单企业录用毕业生的最低比例（全国未规定）",
                                                                        "the least share of graduates the ordering enterprise hires (no national figure)")),),
         requirement=("订单班毕业后，订单企业录用的毕业生不少于 min_hired_share。",
                      "After an order class graduates, the ordering enterprise hires at least min_hired_share of its graduates.")),
    Rule(id="IC-PARTNER-REVOKED", severity="error", title=("合作企业的产教融合型企业认定已撤销", "Partner enterprise's certification revoked"),
         source="《建设产教融合型企业实施办法（试行）》（2019）", subject_kind="ic_partners", evaluate=_partner_revoked,
         requirement=("产业学院的在合作期内的合作企业没有被撤销产教融合型企业认定。",
                      "No current partner enterprise of an industrial college has had its 产教融合型企业 certification revoked.")),
    Rule(id="IC-PARTNER-VIOLATION", severity="warning", title=("合作企业有实习违规", "Partner enterprise with internship violations"),
         source="《职业学校学生实习管理规定》（教职成〔2021〕4号）", subject_kind="ic_partners", evaluate=_partner_violation, reads_findings=True,
         requirement=("产业学院在合作期内的合作企业自加入以来没有实习规则的错误级问题。",
                      "No current partner enterprise of an industrial college has error findings of the internship rules since it joined.")),
]

"""The INC-… rules, each one set-based query over the ledger and the registry.

| id | severity | what must hold |
|---|---|---|
| INC-SUBSIDY-STEPS | error | an apprentice subsidy is paid (or advanced) only on a case whose steps all pass or are overridden |
| INC-PASS-ON | error | an intern subsidy paid to an enterprise reaches the student within the scheme's days |
| INC-CREDIT-BEYOND | error | no credit is used beyond what was available (no vintage's balance below zero at a period's end) |
| INC-REVOKED-EARNING | error | an enterprise earns no credit for the year of its revocation or later |
| INC-RECERT | error | an enterprise is not certified again within ``years`` (5) of a revocation |
| INC-CLOSED-LATER | error | no line of a closed period was recorded after its close |
| INC-<SCHEME> | error | an intern subsidy of a scheme is paid only on a case whose steps all pass or are overridden (one rule per scheme, ``schemes.py``) |

The credit rates and the subsidy figures are these rules' parameters (``params.py``).
"""

from __future__ import annotations

import datetime as dt

from xiaoqi.core.i18n import catalogue, t
from xiaoqi.core.rules import Rule, RuleContext

from . import vocabulary as v
from .params import CREDIT_PARAMS, CREDIT_RULE, RECERT_PARAMS, RECERT_RULE, STEPS_PARAMS, STEPS_RULE

catalogue(
    {
        "inc.rule.steps.msg": ("{firm}的学徒补贴案件 {case} 已拨付 {paid} 元，但审核步骤未全部通过且无例外：{steps}",
                               "{firm} was paid {paid} yuan on the apprentice case {case}, whose steps do not all pass and are not overridden: {steps}"),
        "inc.rule.pass_on.msg": ("{firm}于 {paid_on} 收到实习补贴 {amount} 元（案件 {case}），{days} 天内未转付学生",
                                 "{firm} received {amount} yuan of intern subsidy on {paid_on} (case {case}) and did not pass it on within {days} days"),
        "inc.rule.beyond.msg": ("{firm}的 {vintage} 年抵免额在 {period} 年末余额为 {balance} 元：使用超过了可用额",
                                "{firm}'s {vintage} credit stands at {balance} yuan at the end of {period}: more was used than was available"),
        "inc.rule.revoked.msg": ("{firm}的产教融合型企业认定已于 {revoked} 撤销，但 {vintage} 年仍形成抵免额 {amount} 元",
                                 "{firm}'s certification was revoked on {revoked}, yet {amount} yuan of credit stands for {vintage}"),
        "inc.rule.recert.msg": ("{firm}于 {revoked} 被撤销认定，{certified} 又获认定，未满 {years} 年",
                                "{firm} was certified again on {certified}, within {years} years of its revocation on {revoked}"),
        "inc.rule.closed.msg": ("{year} 年账期于 {closed} 结账后仍记入第 {line} 行（{at}）",
                                "line {line} was recorded in the period {year} at {at}, after it closed on {closed}"),
        "inc.rule.firm": ("「{name}」（{uscc}）", "'{name}' ({uscc})"),
    }
)

SOURCE = "《关于深化产教融合的若干意见》（国办发〔2017〕95号）；《建设产教融合型企业实施办法（试行）》（发改社会〔2019〕590号）；《关于全面推行企业新型学徒制的意见》（人社部发〔2021〕39号）"


def _firm(row) -> str:
    return t("inc.rule.firm", name=row["firm"] or row["uscc"], uscc=row["uscc"])


def _enterprise_scope(ctx: RuleContext, column: str) -> str:
    return f"{column} = {ctx.bind(ctx.enterprise)}" if ctx.enterprise else "1 = 1"


def _school_scope(ctx: RuleContext, column: str) -> str:
    return f"{column} = {ctx.bind(ctx.school)}" if ctx.school else "1 = 1"


def _subsidy_steps(ctx: RuleContext):
    from xiaoqi.core.actors import AUDITOR

    from .eligibility import FAIL, PASS, case_rows, claims_by_person, overrides, shown_key, steps
    from .params import Figures

    sql = f"""
        SELECT l.case_key, l.uscc, l.school_code, e.name AS firm, SUM(l.amount_fen) AS paid
        FROM inc_lines l LEFT JOIN inc_lines o ON o.id = l.reverses_id JOIN enterprises e ON e.uscc = l.uscc
        WHERE l.scheme = {ctx.bind(v.APPRENTICE)} AND l.account = {ctx.bind(v.PAID)}
          AND {_enterprise_scope(ctx, 'l.uscc')} AND {_school_scope(ctx, 'l.school_code')}
        GROUP BY l.case_key, l.uscc, l.school_code, e.name HAVING SUM(l.amount_fen) > 0
        ORDER BY l.case_key
    """
    paid = list(ctx.rows(sql))
    if not paid:
        return
    figures = Figures(ctx.params)
    by_year: dict[int, list] = {}
    for row in paid:
        by_year.setdefault(int(row["case_key"].rsplit("/", 1)[1]), []).append(row)
    for year, rows in sorted(by_year.items()):
        cases = {r["case_key"]: r for r in case_rows(ctx.conn, year)}
        decided = overrides(ctx.conn, list(cases))
        claims = claims_by_person(ctx.conn, v.APPRENTICE, year)
        for row in rows:
            case = cases.get(row["case_key"])
            found = steps(case, figures, decided, claims) if case else []
            bad = [s for s in found if s.status != PASS] if case else []
            if case and not bad:
                continue
            text = "；".join(f"{s.label()}：{t('inc.status.' + s.status)}（{s.reason}）" for s in bad) or t("inc.case.none", key=row["case_key"])

            yield ctx.finding(subject_kind="inc_lines", subject_key=row["case_key"], school_code=row["school_code"], uscc=row["uscc"],
                              message=t("inc.rule.steps.msg", firm=_firm(row), case=shown_key(row["case_key"], AUDITOR),
                                        paid=f"{row['paid'] / 100:,.2f}", steps=text),
                              numbers={"paid_fen": int(row["paid"]), "failed": [s.name for s in bad if s.status == FAIL]})


def _pass_on(ctx: RuleContext):
    from xiaoqi.core.actors import AUDITOR

    from .eligibility import shown_key
    from .schemes import has_param, pass_on_days, schemes

    for scheme in schemes():
        if not has_param(scheme, "pass_on_days"):
            continue
        sql = f"""
            SELECT l.case_key, l.uscc, l.school_code, e.name AS firm, e.region,
                   MIN(CASE WHEN l.line_type IN ('paid', 'advanced') THEN l.entry_date END) AS paid_on,
                   SUM(CASE WHEN COALESCE(o.line_type, l.line_type) IN ('paid', 'advanced', 'clawed_back') THEN l.amount_fen ELSE 0 END) AS paid,
                   SUM(CASE WHEN COALESCE(o.line_type, l.line_type) = 'passed_on' THEN l.amount_fen ELSE 0 END) AS passed,
                   MAX(CASE WHEN COALESCE(o.line_type, l.line_type) = 'passed_on' THEN l.entry_date END) AS passed_on
            FROM inc_lines l LEFT JOIN inc_lines o ON o.id = l.reverses_id JOIN enterprises e ON e.uscc = l.uscc
            WHERE l.scheme = {ctx.bind(scheme['id'])} AND {_enterprise_scope(ctx, 'l.uscc')} AND {_school_scope(ctx, 'l.school_code')}
            GROUP BY l.case_key, l.uscc, l.school_code, e.name, e.region
            ORDER BY l.case_key
        """
        for row in ctx.rows(sql):
            if not row["paid"] or row["paid"] <= 0:
                continue
            paid_on = dt.date.fromisoformat(str(row["paid_on"])[:10])
            days = pass_on_days(ctx.params, scheme, row["region"], paid_on)  # the figure in force on the day it was paid
            if days is None:
                continue
            deadline = paid_on + dt.timedelta(days=days)
            passed_on = dt.date.fromisoformat(str(row["passed_on"])[:10]) if row["passed_on"] else None
            late = (row["passed"] < row["paid"] and ctx.as_of > deadline) or (passed_on is not None and passed_on > deadline)
            if not late:
                continue
            yield ctx.finding(subject_kind="inc_lines", subject_key=row["case_key"], school_code=row["school_code"], uscc=row["uscc"],
                              message=t("inc.rule.pass_on.msg", firm=_firm(row), paid_on=paid_on, amount=f"{row['paid'] / 100:,.2f}",
                                        case=shown_key(row["case_key"], AUDITOR), days=days),
                              numbers={"days": days, "paid_fen": int(row["paid"]), "passed_fen": int(row["passed"])},
                              dates=[(paid_on, deadline)])


def scheme_steps(ctx: RuleContext, scheme: dict):
    """The rule of an intern scheme (``schemes.py``): paid cases whose steps, judged again with
    the figures in force, do not all pass and are not overridden."""
    from xiaoqi.core.actors import AUDITOR

    from .eligibility import FAIL, PASS, Step, decided_step, overrides, shown_key
    from .schemes import cases_of, scheme_label

    sql = f"""
        SELECT l.case_key, l.uscc, l.school_code, e.name AS firm, SUM(l.amount_fen) AS paid
        FROM inc_lines l LEFT JOIN inc_lines o ON o.id = l.reverses_id JOIN enterprises e ON e.uscc = l.uscc
        WHERE l.scheme = {ctx.bind(scheme['id'])} AND l.account = {ctx.bind(v.PAID)}
          AND {_enterprise_scope(ctx, 'l.uscc')} AND {_school_scope(ctx, 'l.school_code')}
        GROUP BY l.case_key, l.uscc, l.school_code, e.name HAVING SUM(l.amount_fen) > 0
        ORDER BY l.case_key
    """
    paid = list(ctx.rows(sql))
    by_year: dict[int, list] = {}
    for row in paid:
        by_year.setdefault(int(row["case_key"].rsplit("/", 1)[1]), []).append(row)
    for year, rows in sorted(by_year.items()):
        cases = {f"{scheme['id']}/{c['uscc']}/{c['id_number']}/{year}": c for c in cases_of(ctx.conn, scheme, year, ctx.params, strict=False)}
        decided = overrides(ctx.conn, [r["case_key"] for r in rows])
        for row in rows:
            case = cases.get(row["case_key"])
            found = [decided_step(Step(n, s, r), decided.get((row["case_key"], n))) for n, s, r in case.get("steps", [])] if case else []
            bad = [s for s in found if s.status != PASS]
            if case and not bad:
                continue
            text = ("；".join(f"{s.label()}：{t('inc.status.' + s.status)}（{s.reason}）" for s in bad)
                    or t("inc.case.none", key=shown_key(row["case_key"], AUDITOR)))
            yield ctx.finding(subject_kind="inc_lines", subject_key=row["case_key"], school_code=row["school_code"], uscc=row["uscc"],
                              message=t("inc.rule.scheme.msg", firm=_firm(row), scheme=scheme_label(scheme),
                                        case=shown_key(row["case_key"], AUDITOR), paid=f"{row['paid'] / 100:,.2f}", steps=text),
                              numbers={"paid_fen": int(row["paid"]), "failed": [s.name for s in bad if s.status == FAIL]})


def _credit_beyond(ctx: RuleContext):
    sql = f"""
        WITH moves AS (
            SELECT l.uscc, l.vintage, l.period, SUM(l.amount_fen) AS fen
            FROM inc_lines l WHERE l.account = {ctx.bind(v.CREDIT)} AND {_enterprise_scope(ctx, 'l.uscc')}
            GROUP BY l.uscc, l.vintage, l.period),
        running AS (
            SELECT uscc, vintage, period, SUM(fen) OVER (PARTITION BY uscc, vintage ORDER BY period) AS balance FROM moves)
        SELECT r.uscc, r.vintage, MIN(r.period) AS period, MIN(r.balance) AS balance, e.name AS firm
        FROM running r JOIN enterprises e ON e.uscc = r.uscc
        WHERE r.balance < 0
        GROUP BY r.uscc, r.vintage, e.name ORDER BY r.uscc, r.vintage
    """
    for row in ctx.rows(sql):
        yield ctx.finding(subject_kind="enterprises", subject_key=row["uscc"], uscc=row["uscc"],
                          message=t("inc.rule.beyond.msg", firm=_firm(row), vintage=row["vintage"], period=row["period"],
                                    balance=f"{row['balance'] / 100:,.2f}"),
                          numbers={"vintage": row["vintage"], "balance_fen": int(row["balance"])})


REVOKED_SQL = """
    SELECT e.uscc, e.name AS firm, COALESCE(
        CASE WHEN e.pce_revoked_on IS NOT NULL AND (r.first IS NULL OR e.pce_revoked_on < r.first) THEN e.pce_revoked_on ELSE r.first END,
        e.pce_revoked_on) AS revoked_on
    FROM enterprises e LEFT JOIN (SELECT uscc, MIN(revoked_on) AS first FROM inc_revocations GROUP BY uscc) r ON r.uscc = e.uscc
    WHERE e.pce_revoked_on IS NOT NULL OR r.first IS NOT NULL
"""


def _revoked_earning(ctx: RuleContext):
    rows = {r["uscc"]: r for r in ctx.rows(f"SELECT * FROM ({REVOKED_SQL}) x WHERE {_enterprise_scope(ctx, 'x.uscc')}")}
    if not rows:
        return
    sql = f"""
        SELECT l.uscc, l.vintage, SUM(l.amount_fen) AS fen FROM inc_lines l
        LEFT JOIN inc_lines o ON o.id = l.reverses_id
        WHERE l.account = {ctx.bind(v.CREDIT)} AND COALESCE(o.line_type, l.line_type) IN ('earned', 'adjusted')
          AND {_enterprise_scope(ctx, 'l.uscc')}
        GROUP BY l.uscc, l.vintage HAVING SUM(l.amount_fen) > 0 ORDER BY l.uscc, l.vintage
    """
    for line in ctx.rows(sql):
        firm = rows.get(line["uscc"])
        if firm is None:
            continue
        revoked = dt.date.fromisoformat(str(firm["revoked_on"])[:10])
        if line["vintage"] < revoked.year:
            continue
        yield ctx.finding(subject_kind="enterprises", subject_key=line["uscc"], uscc=line["uscc"],
                          message=t("inc.rule.revoked.msg", firm=_firm(firm), revoked=revoked, vintage=line["vintage"],
                                    amount=f"{line['fen'] / 100:,.2f}"),
                          numbers={"vintage": line["vintage"], "earned_fen": int(line["fen"])})


def _recert(ctx: RuleContext):
    sql = f"""
        SELECT e.uscc, e.name AS firm, e.region, e.pce_certified_on AS certified, r.revoked_on AS revoked
        FROM enterprises e JOIN inc_revocations r ON r.uscc = e.uscc
        WHERE e.pce_certified_on IS NOT NULL AND e.pce_certified_on > r.revoked_on AND {_enterprise_scope(ctx, 'e.uscc')}
        ORDER BY e.uscc, r.revoked_on
    """
    for row in ctx.rows(sql):
        certified = dt.date.fromisoformat(str(row["certified"])[:10])
        revoked = dt.date.fromisoformat(str(row["revoked"])[:10])
        years = ctx.param_value("years", region=row["region"], on=certified)
        try:
            until = revoked.replace(year=revoked.year + int(years))
        except ValueError:
            until = revoked.replace(year=revoked.year + int(years), day=28)
        if certified < until:
            yield ctx.finding(subject_kind="enterprises", subject_key=row["uscc"], uscc=row["uscc"],
                              message=t("inc.rule.recert.msg", firm=_firm(row), revoked=revoked, certified=certified, years=years),
                              numbers={"years": int(years)}, dates=[(revoked, until)])


def _closed_later(ctx: RuleContext):
    sql = f"""
        SELECT p.year, p.closed_on, p.closed_at, l.id, l.recorded_at, l.uscc FROM inc_periods p
        JOIN inc_lines l ON l.period = p.year AND l.recorded_at > p.closed_at
        WHERE p.closed_at IS NOT NULL AND {_enterprise_scope(ctx, 'l.uscc')}
        ORDER BY p.year, l.id
    """
    for row in ctx.rows(sql):
        yield ctx.finding(subject_kind="inc_periods", subject_key=str(row["year"]), uscc=row["uscc"],
                          message=t("inc.rule.closed.msg", year=row["year"], closed=str(row["closed_on"])[:10], line=row["id"],
                                    at=str(row["recorded_at"])[:19]),
                          numbers={"line": int(row["id"])})


def _rule(rule_id: str, title: tuple[str, str], requirement: tuple[str, str], evaluate, params=(), subject="inc_lines") -> Rule:
    return Rule(id=rule_id, severity="error", title=title, source=SOURCE, evaluate=evaluate, params=params, requirement=requirement,
                region_by="enterprise", subject_kind=subject)


RULES = [
    _rule(STEPS_RULE, ("学徒补贴未经审核拨付", "apprentice subsidy paid without eligibility"),
          ("学徒补贴只拨付给全部审核步骤通过或经登记例外的案件", "an apprentice subsidy is paid only on a case whose steps all pass or are overridden"),
          _subsidy_steps, STEPS_PARAMS),
    _rule("INC-PASS-ON", ("实习补贴未按时转付学生", "intern subsidy not passed on in time"),
          ("企业收到的实习补贴在项目规定天数内转付学生", "an intern subsidy reaches the student within the scheme's days"), _pass_on),
    _rule(CREDIT_RULE, ("抵免额超额使用", "credit used beyond what was available"),
          ("使用的抵免额不超过已形成且未使用的抵免额（按年度先到先用）", "credit used never exceeds the credit earned and unused (oldest first)"),
          _credit_beyond, CREDIT_PARAMS, "enterprises"),
    _rule("INC-REVOKED-EARNING", ("撤销认定后仍形成抵免额", "revoked enterprise still earning credit"),
          ("撤销认定当年及以后不形成抵免额", "no credit is earned for the year of a revocation or later"), _revoked_earning, (), "enterprises"),
    _rule(RECERT_RULE, ("撤销后未满年限再次认定", "re-certified too soon after a revocation"),
          ("撤销认定后 5 年内不得再次认定为产教融合型企业", "no re-certification within 5 years of a revocation"), _recert, RECERT_PARAMS, "enterprises"),
    _rule("INC-CLOSED-LATER", ("已结账期仍有后记账行", "closed period with later lines"),
          ("账期结账后不再有记入该期的台账行", "no line is recorded in a period after it closed"), _closed_later, (), "inc_periods"),
]

"""Subsidy cases through their life: claim → (advance) → approve → pay → (pass on to the
student), and the clawback of an advance. Every step is a ledger line; nothing is changed in place.

A case is ``<scheme>/<USCC>/<ID number>/<year>`` (``apprentice`` for 企业新型学徒制, or an intern
scheme's id). Approval needs every eligibility step passed (or decided by an audited override);
an advance needs the region's ``advance_share`` (INC-SUBSIDY-STEPS, no national figure) and no
failed step; a payment needs an approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from xiaoqi.core.errors import Conflict, NotFound, PermissionDenied, UsageError
from xiaoqi.core.i18n import catalogue, t

from . import eligibility as el
from . import ledger
from . import vocabulary as v
from .accrue import case_state
from .schemes import schemes
from .params import STEPS_RULE, Figures

catalogue(
    {
        "inc.case.bad": ("案件「{key}」格式应为 项目/统一社会信用代码/身份证号/年度", "a case is written scheme/USCC/ID number/year, not '{key}'"),
        "inc.case.unknown_scheme": ("没有名为「{scheme}」的补贴项目。可用：{schemes}", "no subsidy scheme '{scheme}'; known: {schemes}"),
        "inc.case.none": ("登记中没有案件 {key}（该学徒或实习在该年度不在册）", "the registry has no case {key} (no such apprentice or intern that year)"),
        "inc.case.claimed": ("案件 {key} 已申请（{amount} 元）", "case {key} was claimed already ({amount} yuan)"),
        "inc.case.not_claimed": ("案件 {key} 尚未申请：请先 xiaoqi incentives claim {key}", "case {key} is not claimed: run xiaoqi incentives claim {key} first"),
        "inc.case.failed": ("案件 {key} 有未通过的审核步骤：{steps}。可由管理员登记例外（inc_overrides）后再办理",
                            "case {key} fails eligibility steps: {steps}. An admin may record an override (inc_overrides)"),
        "inc.case.unsettled": ("案件 {key} 的审核步骤未全部通过：{steps}", "case {key} has steps not passed: {steps}"),
        "inc.case.approved": ("案件 {key} 已核准", "case {key} is approved already"),
        "inc.case.not_approved": ("案件 {key} 尚未核准，只能预拨（--advance）", "case {key} is not approved; only an advance (--advance) may be paid"),
        "inc.case.paid": ("案件 {key} 已全额拨付", "case {key} is paid in full"),
        "inc.case.no_share": ("地区 {region} 未设置预拨比例（INC-SUBSIDY-STEPS advance_share），不能预拨", "no advance share is set for region {region} (INC-SUBSIDY-STEPS advance_share)"),
        "inc.case.advanced": ("案件 {key} 已预拨 {amount} 元，达到预拨上限", "case {key} has {amount} yuan advanced, the most allowed"),
        "inc.case.nothing_to_pass": ("案件 {key} 没有待转付学生的补贴", "case {key} has nothing to pass on to the student"),
        "inc.case.not_own": ("案件 {key} 不属于 {actor}", "case {key} does not belong to {actor}"),
        "inc.case.no_pass_on": ("补贴项目 {scheme} 不转付学生", "the scheme {scheme} is not passed on to students"),
    }
)


@dataclass
class Case:
    key: str
    scheme: str
    uscc: str
    id_number: str
    year: int
    amount: Decimal
    school_code: str | None
    region: str | None
    source_kind: str
    source_key: str
    steps: list[el.Step] = field(default_factory=list)
    state: dict = field(default_factory=dict)

    def verdict(self) -> str:
        return el.verdict(self.steps)


def parse_key(key: str) -> tuple[str, str, str, int]:
    parts = (key or "").strip().split("/")
    if len(parts) != 4 or not parts[3].isdigit():
        raise UsageError(t("inc.case.bad", key=key))
    return parts[0], parts[1], parts[2].upper(), int(parts[3])


def find_case(conn, key: str, figures: Figures) -> Case:
    scheme, uscc, id_number, year = parse_key(key)
    key = el.case_key(scheme, uscc, id_number, year)
    if scheme == v.APPRENTICE:
        rows = el.case_rows(conn, year, uscc=uscc, key=key)
        if not rows:
            raise NotFound(t("inc.case.none", key=key))
        r = rows[0]
        found = el.steps(r, figures, el.overrides(conn, [key]), el.claims_by_person(conn, v.APPRENTICE, year))
        case = Case(key, scheme, uscc, id_number, year, el.amount_of(r, figures), r["school_code"], r["region"], "inc_apprentices",
                    f"{id_number}/{uscc}/{r['start_on']}", found)
    else:
        from .schemes import run_cases

        known = {s["id"]: s for s in schemes()}
        if scheme not in known:
            raise UsageError(t("inc.case.unknown_scheme", scheme=scheme, schemes="、".join(sorted(known)) or "—"))
        found_cases, ctx = run_cases(conn, known[scheme], year, figures.table)
        match = [c for c in found_cases if c["uscc"] == uscc and c["id_number"] == id_number]
        if not match:
            raise NotFound(t("inc.case.none", key=key))
        c = match[0]
        if c.get("amount") is None:
            ctx.refuse_missing()  # a figure of this case has no value
        decided = el.overrides(conn, [key])
        found = [el.decided_step(el.Step(n, s, r), decided.get((key, n))) for n, s, r in c.get("steps", [])]
        case = Case(key, scheme, uscc, id_number, year, c["amount"], c.get("school_code"),
                    c.get("region") or known[scheme].get("region"), c["source_kind"], c["source_key"], found)
    case.state = case_state(conn, [key]).get(key, {})
    case.state.setdefault(v.PAID, 0)
    return case


def _entry(case: Case, line_type: str, amount: Decimal, on: dt.date, note: str | None = None) -> ledger.Entry:
    return ledger.Entry(uscc=case.uscc, line_type=line_type, amount=amount, entry_date=on, scheme=case.scheme, source_kind=case.source_kind,
                        source_key=case.source_key, case_key=case.key, person_id=case.id_number, school_code=case.school_code, note=note)


def _names(found: list[el.Step], statuses: tuple[str, ...]) -> str:
    return "；".join(f"{s.label()}（{s.reason}）" for s in found if s.status in statuses)


def _own(actor, case: Case) -> None:
    if actor.role == "enterprise" and actor.code == case.uscc:
        return
    if actor.role != "admin":
        if actor.read_only:
            raise PermissionDenied(t("err.read_only", actor=actor.label()))
        raise PermissionDenied(t("inc.case.not_own", key=case.key, actor=actor.label()))


def claim(session, actor, key: str, figures: Figures, *, on: dt.date) -> int:
    """The enterprise (or admin) claims a case its steps do not fail."""
    case = find_case(session.connection(), key, figures)
    _own(actor, case)
    if case.state.get(v.CLAIM, 0) > 0:
        raise Conflict(t("inc.case.claimed", key=case.key, amount=ledger.yuan(case.state[v.CLAIM])))
    if case.verdict() == el.FAIL:
        raise Conflict(t("inc.case.failed", key=case.key, steps=_names(case.steps, (el.FAIL,))))
    return ledger.post(session, actor, [_entry(case, v.CLAIM, case.amount, on)], action="claim", note={"case": case.key})[0]


def approve(session, actor, key: str, figures: Figures, *, on: dt.date) -> int:
    ledger.require_admin(actor, "post")
    case = find_case(session.connection(), key, figures)
    claimed = case.state.get(v.CLAIM, 0)
    if claimed <= 0:
        raise Conflict(t("inc.case.not_claimed", key=case.key))
    if case.state.get(v.APPROVE, 0) > 0:
        raise Conflict(t("inc.case.approved", key=case.key))
    if case.verdict() != el.PASS:
        raise Conflict(t("inc.case.unsettled", key=case.key, steps=_names(case.steps, (el.FAIL, el.UNKNOWN))))
    steps = {s.name: {"status": s.status, "overridden": s.overridden} for s in case.steps}
    return ledger.post(session, actor, [_entry(case, v.APPROVE, ledger.yuan(claimed), on)], action="approve",
                       note={"case": case.key, "steps": steps})[0]


def pay(session, actor, key: str, figures: Figures, *, on: dt.date, advance: bool = False) -> int:
    ledger.require_admin(actor, "post")
    case = find_case(session.connection(), key, figures)
    claimed, approved, paid = case.state.get(v.CLAIM, 0), case.state.get(v.APPROVE, 0), case.state[v.PAID]
    if claimed <= 0:
        raise Conflict(t("inc.case.not_claimed", key=case.key))
    if advance:
        if case.verdict() == el.FAIL:
            raise Conflict(t("inc.case.failed", key=case.key, steps=_names(case.steps, (el.FAIL,))))
        share = figures.value(STEPS_RULE, "advance_share", case.region, on)
        if share is None:
            raise Conflict(t("inc.case.no_share", region=case.region or "—"))
        amount = ledger.to_fen(ledger.round_fen(ledger.yuan(claimed) * Decimal(share))) - paid
        if amount <= 0:
            raise Conflict(t("inc.case.advanced", key=case.key, amount=ledger.yuan(paid)))
        return ledger.post(session, actor, [_entry(case, v.ADVANCE, ledger.yuan(amount), on)], action="advance",
                           note={"case": case.key, "share": str(share)})[0]
    if approved <= 0:
        raise Conflict(t("inc.case.not_approved", key=case.key))
    amount = approved - paid
    if amount <= 0:
        raise Conflict(t("inc.case.paid", key=case.key))
    return ledger.post(session, actor, [_entry(case, v.PAY, ledger.yuan(amount), on)], action="pay", note={"case": case.key})[0]


def pass_on(session, actor, key: str, figures: Figures, *, on: dt.date) -> int:
    """The enterprise passed a paid intern subsidy on to the student."""
    case = find_case(session.connection(), key, figures)
    _own(actor, case)
    from .schemes import pass_on_days

    known = {s["id"]: s for s in schemes()}
    if case.scheme not in known or pass_on_days(figures.table, known[case.scheme], case.region, on) is None:
        raise Conflict(t("inc.case.no_pass_on", scheme=case.scheme))
    amount = case.state[v.PAID] - case.state.get(v.PASS_ON, 0)
    if amount <= 0:
        raise Conflict(t("inc.case.nothing_to_pass", key=case.key))
    return ledger.post(session, actor, [_entry(case, v.PASS_ON, ledger.yuan(amount), on)], action="pass_on", note={"case": case.key})[0]

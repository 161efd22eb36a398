"""Running a check: every selected rule (and its regional variants) over the registry."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Callable, Iterable

from .context import RuleContext, Scope
from .model import CheckResult, Finding, SwitchedOff
from .params import param_table
from .registry import get_rule, get_rules, rule_variants

if TYPE_CHECKING:
    import sqlalchemy as sa


def _connection(target) -> tuple[sa.Connection, Callable[[], None]]:
    import sqlalchemy as sa

    if isinstance(target, sa.Engine):
        conn = target.connect()
        return conn, conn.close
    if isinstance(target, sa.Connection):
        return target, lambda: None
    return target.connection(), lambda: None  # a Session


ProgressFn = Callable[[int, int, str], None]


def run_check(target, *, rules: Iterable[str] | None = None, school: str | None = None, enterprise: str | None = None,
              on: dt.date | None = None, as_of: dt.date | None = None, config: dict | None = None,
              progress: ProgressFn | None = None, cancelled: Callable[[], bool] | None = None) -> CheckResult:
    """Evaluate rules over the registry and return every finding.

    ``target`` is a Session, Connection or Engine. ``rules``: ids to run (default all); ``school``,
    ``enterprise``, ``on`` narrow the internships looked at; ``as_of`` is the day the rules take as
    today (default ``on``, else today; ``ctx.as_of``); ``config`` is the parsed ``xiaoqi.toml``.
    ``progress(done, total, rule_id)`` is called before each rule and once at the end;
    ``cancelled()`` is polled between rules (the TUI's worker passes its cancellation flag).
    """
    started = time.perf_counter()
    all_rules = get_rules()
    if rules:
        wanted = list(dict.fromkeys(rules))
        for rule_id in wanted:
            get_rule(rule_id)
        selected = [all_rules[r] for r in wanted]
    else:
        selected = list(all_rules.values())
    table = param_table(config)
    scope = Scope(school=school, enterprise=enterprise, on=on, as_of=as_of)
    findings: list[Finding] = []
    off: list[SwitchedOff] = []
    ran: list[str] = []
    conn, close = _connection(target)
    work = [(rule, [rule, *rule_variants(rule.id)]) for rule in selected]
    try:
        for done, (rule, parts) in enumerate(work):
            if cancelled and cancelled():
                break
            if progress:
                progress(done, len(work), rule.id)
            missing = table.unsettled(rule)
            if missing:
                off.append(SwitchedOff(rule.id, rule.label(), missing))
                continue
            ran.append(rule.id)
            for part in parts:
                if part is not rule and table.unsettled(part):
                    continue
                findings.extend(part.evaluate(RuleContext(conn, part, table, scope)))
        if progress:
            progress(len(work), len(work), "")
    finally:
        close()
    findings.sort(key=lambda f: (f.rule, f.subject_kind, f.subject_key))
    return CheckResult(findings=findings, switched_off=off, rules_run=ran, seconds=time.perf_counter() - started)


"""Running a check: every selected rule (and its regional variants) over the registry.

Rules are independent, so they run side by side on several read connections (``workers``, by
default one per core), each rule whole on one connection. The connections read one snapshot of
the database, as a single connection would: on PostgreSQL they share the first one's exported
snapshot; on SQLite (WAL) they begin their reads while one of them holds the write lock for a
moment, so no write can commit in between. When that lock is not free at once (another process is
writing), or the caller's session is inside a transaction of its own (it may hold writes that
other connections cannot see), or the database is in memory, the check runs on the caller's one
connection as before.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import os
import threading
import time
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .context import RuleContext, Scope, login_role
from .model import CheckResult, Finding, Rule, SwitchedOff
from .params import ParamTable, param_table
from .registry import get_rule, get_rules, rule_variants

if TYPE_CHECKING:
    import sqlalchemy as sa

    from ..actors import Actor

ProgressFn = Callable[[int, int, str], None]

#: how much of a SQLite file a check's reader maps into memory (pages beyond are read as usual)
MMAP_BYTES = 1 << 30
#: how long the SQLite check waits for the write lock that lines its readers up (seconds)
LINE_UP_WAIT = 0.2


def default_workers() -> int:
    """Read connections a check uses: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def run_check(target, *, rules: Iterable[str] | None = None, school: str | None = None, enterprise: str | None = None,
              on: dt.date | None = None, as_of: dt.date | None = None, config: dict | None = None,
              progress: ProgressFn | None = None, cancelled: Callable[[], bool] | None = None,
              workers: int | None = None) -> CheckResult:
    """Evaluate rules over the registry and return every finding.

    ``target`` is a Session, Connection or Engine. ``rules``: ids to run (default all); ``school``,
    ``enterprise``, ``on`` narrow the internships looked at; ``as_of`` is the day the rules take as
    today (default ``on``, else today; ``ctx.as_of``); ``config`` is the parsed ``xiaoqi.toml``.
    ``progress(done, total, rule_id)`` is called (never by two threads at once) as each rule starts,
    ``done`` being the rules finished so far, and once at the end; ``cancelled()`` is polled before
    each rule (the TUI's worker passes its cancellation flag). ``workers``: read connections to use
    (default ``default_workers()``; 1 runs every rule on ``target``'s own connection).
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
    work = [(rule, [rule, *rule_variants(rule.id)]) for rule in selected]
    outcome: list[tuple[list[Finding], SwitchedOff | None, float] | None] = [None] * len(work)
    #: each finished rule's findings over the check's scope, for the rules that read them
    known: dict[str, list[Finding]] = {}
    lock = threading.Lock()
    state = {"queue": [], "next": 0, "done": 0, "error": None}

    def report(rule_id: str) -> None:
        if progress:
            progress(state["done"], len(work), rule_id)

    def serve(conn: sa.Connection) -> None:
        while True:
            with lock:
                if state["next"] >= len(state["queue"]) or state["error"] is not None or (cancelled and cancelled()):
                    return
                k = state["queue"][state["next"]]
                state["next"] += 1
                report(work[k][0].id)
            rule, parts = work[k]
            begun = time.perf_counter()
            try:
                found, switched_off, _ = _evaluate(conn, rule, parts, table, scope, known)
            except BaseException as exc:  # handed to the caller's thread, which re-raises it
                with lock:
                    state["error"] = state["error"] or exc
                return
            with lock:
                outcome[k] = (found, switched_off, time.perf_counter() - begun)
                if not (switched_off and switched_off.reads):  # a rule that reads its findings runs it and is judged so
                    known.setdefault(rule.id, found)
                state["done"] += 1

    # the costliest rules first; the rules that read others' findings once those have finished
    order = sorted(range(len(work)), key=lambda k: -work[k][0].cost)
    rounds = [[k for k in order if not work[k][0].reads_findings], [k for k in order if work[k][0].reads_findings]]
    n = max(1, min(workers or default_workers(), len(work)))
    with _readers(target, n) as conns:
        for queue in rounds:
            if not queue:
                continue
            state["queue"], state["next"] = queue, 0
            # each thread runs in a copy of the caller's context: the language of the messages (i18n)
            threads = [threading.Thread(target=contextvars.copy_context().run, args=(serve, c), name=f"xiaoqi-check-{i}",
                                        daemon=True) for i, c in enumerate(conns[1:len(queue)], 1)]
            for thread in threads:
                thread.start()
            serve(conns[0])
            for thread in threads:
                thread.join()
    if state["error"] is not None:
        raise state["error"]
    if progress and not (cancelled and cancelled()):
        progress(len(work), len(work), "")
    findings: list[Finding] = []
    off: list[SwitchedOff] = []
    ran: list[str] = []
    seconds: dict[str, float] = {}
    for (rule, _parts), result in zip(work, outcome):
        if result is None:
            continue  # cancelled before it started
        found, switched_off, spent = result
        if switched_off:
            off.append(switched_off)
            continue
        ran.append(rule.id)
        findings.extend(found)
        seconds[rule.id] = spent
    findings.sort(key=lambda f: (f.rule, f.subject_kind, f.subject_key))
    return CheckResult(findings=findings, switched_off=off, rules_run=ran, seconds=time.perf_counter() - started,
                       rule_seconds=seconds)


def _evaluate(conn, rule, parts, table, scope, known) -> tuple[list[Finding], SwitchedOff | None, float]:
    missing = table.unsettled(rule)
    if missing:
        return [], SwitchedOff(rule.id, rule.label(), missing), 0.0
    role = login_role(conn)
    if role in (None, "admin"):
        return evaluate(conn, rule, table, scope, parts, known=known), None, 0.0
    return _evaluate_as_login(conn, role, rule, parts, table, scope, known)


def _evaluate_as_login(conn, role: str, rule, parts, table, scope, known) -> tuple[list[Finding], SwitchedOff | None, float]:
    """A rule run by a login (``role``, on PostgreSQL), which reads masked data and only the rows
    of its read scope: where the rule read a table the login may not read, or a personal column
    it reads masked (instead of a fact, ``core.rules.facts``), its findings would be wrong or
    missing without a word, so the rule counts as not run for that login and the check says so."""
    import sqlalchemy as sa

    from .facts import unreadable

    statements: list[str] = []

    def seen(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    sa.event.listen(conn, "before_cursor_execute", seen)
    try:
        found = evaluate(conn, rule, table, scope, parts, known=known)
        failure = None
    except sa.exc.DBAPIError:
        raise
    except Exception as exc:  # a masked value the rule could not read (NULL, ***): judged below
        found, failure = [], exc
    finally:
        sa.event.remove(conn, "before_cursor_execute", seen)
    reads = unreadable(statements, role)
    if reads:
        return [], SwitchedOff(rule.id, rule.label(), (), reads=tuple(reads)), 0.0
    if failure is not None:
        raise failure
    return found, None, 0.0


def evaluate(conn: sa.Connection, rule: Rule, table: ParamTable, scope: Scope, parts=None, *,
             known: dict[str, list[Finding]] | None = None) -> list[Finding]:
    """The findings of ``rule`` and of its regional variants (``parts``, default: looked up) whose
    parameters are settled — the caller has checked the rule's own — over ``scope``. ``known``:
    the findings of rules already run over ``scope`` in the same check, by rule id
    (``RuleContext.findings_of`` reads and adds to it)."""
    found: list[Finding] = []
    for part in parts or (rule, *rule_variants(rule.id)):
        if part is not rule and table.unsettled(part):
            continue
        found.extend(part.evaluate(RuleContext(conn, part, table, scope, known=known)))
    return found


# -- read connections on one snapshot ----------------------------------------------------------------

@contextlib.contextmanager
def _readers(target, n: int) -> Iterator[list[sa.Connection]]:
    """``n`` connections reading one snapshot, or ``target``'s own connection alone."""
    engine = _free_engine(target)
    if engine is None:
        conn, close = _own_connection(target)
        try:
            yield [conn]
        finally:
            close()
        return
    with contextlib.ExitStack() as stack:
        conns = [stack.enter_context(engine.connect()) for _ in range(n)]
        if engine.dialect.name == "sqlite":
            for conn in conns:
                stack.enter_context(_mapped(conn))
        if n == 1:
            lined_up = True
        elif engine.dialect.name == "postgresql":
            lined_up = _line_up_postgresql(conns)
        else:
            with engine.connect() as holder:
                lined_up = _line_up_sqlite(holder, conns)
        yield conns if lined_up else conns[:1]


def _own_connection(target) -> tuple[sa.Connection, Callable[[], None]]:
    import sqlalchemy as sa

    if isinstance(target, sa.Engine):
        conn = target.connect()
        return conn, conn.close
    if isinstance(target, sa.Connection):
        return target, lambda: None
    return target.connection(), lambda: None  # a Session


def _free_engine(target) -> sa.Engine | None:
    """The engine to open more connections on, when they would see what ``target`` sees."""
    import sqlalchemy as sa

    if isinstance(target, sa.Engine):
        engine = target
    elif isinstance(target, sa.Connection):
        engine = None if target.in_transaction() else target.engine
    else:  # a Session: its bind, unless it has begun a transaction (it may hold unflushed or uncommitted writes)
        bind = target.get_bind()
        engine = bind if isinstance(bind, sa.Engine) and not target.in_transaction() else None
    if engine is None or engine.dialect.name not in ("sqlite", "postgresql"):
        return None
    if engine.dialect.name == "sqlite" and (engine.url.database or ":memory:") in ("", ":memory:"):
        return None
    return engine


@contextlib.contextmanager
def _mapped(conn: sa.Connection) -> Iterator[None]:
    """SQLite reads the file through a memory map (no system call per page) during the check."""
    raw = conn.connection.driver_connection
    raw.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    try:
        yield
    finally:
        raw.execute("PRAGMA mmap_size = 0")


def _line_up_sqlite(lock: sa.Connection, conns: list[sa.Connection]) -> bool:
    """Begin every connection's read while ``lock`` holds the write lock, so all read the same
    committed state; False (use the first alone) when the lock is not free within LINE_UP_WAIT."""
    holder = lock.connection.driver_connection
    timeout = holder.execute("PRAGMA busy_timeout").fetchone()[0]
    holder.execute(f"PRAGMA busy_timeout = {int(LINE_UP_WAIT * 1000)}")
    try:
        holder.execute("BEGIN IMMEDIATE")
    except Exception:  # locked by a writer, or a read-only file: one connection is always consistent
        return False
    finally:
        holder.execute(f"PRAGMA busy_timeout = {timeout}")
    try:
        for conn in conns:
            conn.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1").all()  # begins the read snapshot
    finally:
        holder.execute("ROLLBACK")
    return True


def _line_up_postgresql(conns: list[sa.Connection]) -> bool:
    """Every connection reads the first one's exported snapshot (REPEATABLE READ)."""
    for conn in conns:
        conn.execution_options(isolation_level="REPEATABLE READ")
    snapshot = conns[0].exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    for conn in conns[1:]:
        conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
    return True


def check_as(session, *, actor: Actor, school: str | None = None, enterprise: str | None = None, **kw):
    """``run_check`` limited to what ``actor`` may see, as ``xiaoqi check`` limits it: a school or an
    enterprise checks its own records only, a province sees findings about its schools and
    enterprises. ``school`` / ``enterprise`` narrow further; other keywords go to ``run_check``
    (``rules``, ``on``, ``config``, ``progress``, ``cancelled``)."""
    if actor.role == "school":
        school = actor.code
    elif actor.role == "enterprise":
        enterprise = actor.code
    result = run_check(session, school=school, enterprise=enterprise, **kw)
    if actor.role == "province":
        result.findings = province_findings(session, actor, result.findings)
    return result


def province_findings(session, actor: Actor, findings: list) -> list:
    """The findings a province sees: those about its schools, and about its enterprises where no
    school is named."""
    import sqlalchemy as sa

    from .. import models as m

    schools = set(session.execute(sa.select(m.School.school_code).where(m.School.region.startswith(actor.code))).scalars())
    firms = set(session.execute(sa.select(m.Enterprise.uscc).where(m.Enterprise.region.startswith(actor.code))).scalars())
    return [f for f in findings if f.school_code in schools or (f.school_code is None and f.uscc in firms)]

"""The last compliance check of each scope, kept in the database (``check_runs``, ``check_findings``).

A full check (every rule, no ``--on``) of a scope — a school, an enterprise, or everything — is
saved with its findings by ``save_run``; ``last_run`` reads the newest run of a scope back as a
``StoredRun`` (its ``CheckResult`` and when it ran), so a screen shows it at once instead of
waiting for the rules. A run is *stale* when a data change was written after the check read the
database (an audit entry newer than ``audit_id``: every write through the services, imports and
undos is audited), when it was run for another day, or when it ran under another rule set — other
rules, versions or parameters, another plugin loaded or upgraded (``rule_set_digest``; ``is_stale``,
``changes_since``).

``check_and_store(engine, actor=..., ...)`` runs ``rules.check_as`` on a read connection and
saves it in a write transaction of its own: what the TUI's worker and ``xiaoqi check`` call. Only the
newest ``KEEP`` runs of each scope are kept (older ones and their findings are deleted with the
new run's insert). A reader sees a run through ``check_as``'s scope: a school or an enterprise
its own, a province the findings about its schools and enterprises.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .audit import utcnow
from .errors import XiaoqiError
from .lazy import lazy_module

if TYPE_CHECKING:
    from .actors import Actor

# The tables as this module reads and writes them (``models.CheckRun``, ``models.CheckFinding``,
# ``models.AuditEntry`` define them): Core statements, so that ``xiaoqi check`` builds no model class;
# built by the first use (``RUNS``, ``FINDINGS``, ``AUDIT`` as attributes of this module), so that
# the kept run read with sqlite3 (``lean_check``) imports no SQLAlchemy.
sa = lazy_module("sqlalchemy")


@functools.cache
def _tables() -> dict:
    return {
        "RUNS": sa.table(
            "check_runs", sa.column("id", sa.Integer), sa.column("school_code", sa.String), sa.column("uscc", sa.String),
            sa.column("checked_on", sa.Date), sa.column("started_at", sa.DateTime), sa.column("finished_at", sa.DateTime),
            sa.column("milliseconds", sa.Integer), sa.column("audit_id", sa.BigInteger), sa.column("actor", sa.String),
            sa.column("findings", sa.Integer), sa.column("errors", sa.Integer), sa.column("rules_run", sa.JSON),
            sa.column("switched_off", sa.JSON), sa.column("rule_set", sa.String)),
        "FINDINGS": sa.table(
            "check_findings", sa.column("id", sa.Integer), sa.column("run_id", sa.Integer), sa.column("rule", sa.String),
            sa.column("severity", sa.String), sa.column("subject_kind", sa.String), sa.column("subject_key", sa.String),
            sa.column("message", sa.Text), sa.column("school_code", sa.String), sa.column("uscc", sa.String),
            sa.column("numbers", sa.JSON), sa.column("dates", sa.JSON)),
        "AUDIT": sa.table("audit_log", sa.column("id", sa.Integer), sa.column("action", sa.String)),
    }


def __getattr__(name: str):
    if name in ("RUNS", "FINDINGS", "AUDIT"):
        return _tables()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: runs kept per scope
KEEP = 3
#: findings written per statement
BATCH = 5_000
#: audit actions that change data (a refusal or a reveal changes no finding)
DATA_CHANGES = ("create", "update", "delete", "import", "undo")


@dataclass
class StoredRun:
    """A kept check run: its id, result, the day it checked, when it finished (UTC) and the last
    audit entry it saw."""

    id: int
    result: object  # rules.CheckResult
    checked_on: dt.date
    finished_at: dt.datetime
    audit_id: int
    school: str | None = None
    enterprise: str | None = None
    #: the rule set it ran with (``rule_set_digest``); None for a run kept before it was recorded
    rule_set: str | None = None


def _code_digest(obj, out: list, depth: int = 0) -> None:
    """What a rule's evaluation is made of: its code (bytecode, constants and names, nested
    functions too), its closure's values and default arguments (a rule made by a factory keeps its
    SQL there), appended to ``out`` as text that is the same in every process."""
    import functools
    import re
    import types

    if depth > 6:
        return
    if isinstance(obj, functools.partial):
        _code_digest(obj.func, out, depth + 1)
        for value in (*obj.args, *sorted(obj.keywords.items())):
            _code_digest(value, out, depth + 1)
        return
    if isinstance(obj, types.MethodType):
        _code_digest(obj.__func__, out, depth + 1)
        return
    if isinstance(obj, types.FunctionType):
        out.append(obj.__qualname__)
        _code_digest(obj.__code__, out, depth + 1)
        for cell in obj.__closure__ or ():
            try:
                _code_digest(cell.cell_contents, out, depth + 1)
            except ValueError:  # an empty cell
                out.append("<empty>")
        for value in obj.__defaults__ or ():
            _code_digest(value, out, depth + 1)
        return
    if isinstance(obj, types.CodeType):
        out.append(obj.co_code.hex())
        out.append(",".join(obj.co_names))
        for const in obj.co_consts:
            _code_digest(const, out, depth + 1)
        return
    if isinstance(obj, (frozenset, set)):
        out.append(repr(sorted(map(repr, obj))))
        return
    if isinstance(obj, (tuple, list)):
        for value in obj:
            _code_digest(value, out, depth + 1)
        return
    if isinstance(obj, dict):
        for key, value in sorted(obj.items(), key=lambda kv: repr(kv[0])):
            out.append(repr(key))
            _code_digest(value, out, depth + 1)
        return
    if callable(obj) and not isinstance(obj, type):
        out.append(type(obj).__qualname__)
        call = getattr(type(obj), "__call__", None)
        if isinstance(call, types.FunctionType):
            _code_digest(call, out, depth + 1)
        fields = getattr(obj, "__dict__", None)
        if fields:
            _code_digest(fields, out, depth + 1)
        return
    out.append(re.sub(r" at 0x[0-9a-f]+", "", repr(obj)))


def rule_set_digest(config: dict | None = None) -> str:
    """A SHA-256 (hex) of the rule set a full check runs with now: xiaoqi's and every loaded
    plugin's name and version, each rule and regional variant (id, plugin, version, severity,
    province, validity, parameters and the code that evaluates it) and every parameter value
    (plugins' and ``config``'s). A kept run whose digest differs is stale."""
    import hashlib

    from xiaoqi import __version__

    from .plugins import plugin_infos
    from .rules.params import param_table
    from .rules.registry import rule_set

    parts: list = [__version__]
    parts += [f"{p.name}={p.version}" for p in plugin_infos()]
    rules = rule_set()
    for rule in [*rules.rules.values(), *rules.all_variants()]:
        parts.append(repr((rule.id, rule.plugin, rule.version, rule.severity, rule.province, rule.region_by,
                           rule.valid_from, rule.valid_to, rule.extends, rule.subject_kind,
                           [(p.name, p.type, repr(p.default), p.required) for p in rule.params])))
        _code_digest(rule.evaluate, parts)
    parts += param_table(config).fingerprint()
    return hashlib.sha256("\n".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()


def scope_of(actor: Actor, school: str | None = None, enterprise: str | None = None) -> tuple[str | None, str | None]:
    """The (school, enterprise) a check by ``actor`` covers, as ``check_as`` narrows it."""
    if actor.role == "school":
        return actor.code, enterprise
    if actor.role == "enterprise":
        return school, actor.code
    return school, enterprise


def _newest_change(session) -> int | None:
    """On PostgreSQL with logins, the id of the newest entry that changed data, read with the
    owner's rights (``xiaoqi_sec.newest_change()``): a login reads only the entries in its scope,
    and a change outside it may still change what its check finds. None elsewhere."""
    dialect = session.dialect if isinstance(session, sa.engine.Connection) else session.get_bind().dialect
    if dialect.name == "postgresql" and session.execute(
            sa.text("SELECT to_regprocedure('xiaoqi_sec.newest_change()') IS NOT NULL")).scalar():
        return int(session.execute(sa.text("SELECT xiaoqi_sec.newest_change()")).scalar_one())
    return None


def audit_mark(session) -> int:
    """The id of the newest audit entry: what a check reading the database now can see (on
    PostgreSQL with logins, the newest data change of all, see ``_newest_change``)."""
    newest = _newest_change(session)
    if newest is not None:
        return newest
    return int(session.execute(sa.select(sa.func.coalesce(sa.func.max(_tables()["AUDIT"].c.id), 0))).scalar_one())


def changes_since(session, audit_id: int) -> bool:
    """Whether data was changed after the audit entry ``audit_id`` (one indexed range read)."""
    newest = _newest_change(session)
    if newest is not None:
        return newest > audit_id
    a = _tables()["AUDIT"].c
    stmt = sa.select(a.id).where(a.id > audit_id, a.action.in_(DATA_CHANGES)).limit(1)
    return session.execute(stmt).first() is not None


def reader_digest(session, digest: str) -> str:
    """``digest`` as the reader on ``session`` keeps it with a run: the same for the owner and on
    SQLite; for a PostgreSQL login that reads masked views, a digest of its own (its runs leave out
    what it may not read and carry pseudonyms, so only that login takes them as current, and the
    owner's check never shows a login's run as its own)."""
    from .rules.context import login_role

    conn = session if isinstance(session, sa.engine.Connection) else session.connection()
    if login_role(conn) in (None, "admin"):
        return digest
    import hashlib

    user = session.execute(sa.text("SELECT current_user")).scalar_one()
    return hashlib.sha256(f"{digest}\0login:{user}".encode()).hexdigest()


def is_stale(session, run: StoredRun, today: dt.date | None = None, *, config: dict | None = None) -> bool:
    """A run no longer shows the database as it is: it checked another day, it ran under another
    rule set than a check with ``config`` would now (``rule_set_digest``), it was made by another
    reader (``reader_digest``), or data changed since."""
    if run.checked_on != (today or dt.date.today()) or run.rule_set != reader_digest(session, rule_set_digest(config)):
        return True
    return changes_since(session, run.audit_id)


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # Decimal: exact as text


def save_run(session, result, *, actor: Actor, school: str | None, enterprise: str | None, checked_on: dt.date,
             started_at: dt.datetime, audit_id: int, finished_at: dt.datetime | None = None,
             rule_set: str | None = None) -> int:
    """Keep ``result`` as the newest run of its scope (batched inserts); returns its id. Older runs
    of the scope beyond ``KEEP`` are deleted with their findings. ``rule_set``: the
    ``rule_set_digest`` it ran with."""
    errors = sum(1 for f in result.findings if f.severity == "error")
    runs = _tables()["RUNS"]
    run_id = session.execute(runs.insert().values(
        school_code=school, uscc=enterprise, checked_on=checked_on, started_at=started_at,
        finished_at=finished_at or utcnow(), milliseconds=int(result.seconds * 1000), audit_id=audit_id,
        actor=actor.label()[:60], findings=len(result.findings), errors=errors, rules_run=list(result.rules_run),
        switched_off=[o.as_dict() for o in result.switched_off], rule_set=rule_set).returning(runs.c.id)).scalar_one()
    table = _tables()["FINDINGS"]
    rows = [{"run_id": run_id, "rule": f.rule, "severity": f.severity, "subject_kind": f.subject_kind,
             "subject_key": f.subject_key, "message": f.message, "school_code": f.school_code, "uscc": f.uscc,
             "numbers": {k: _jsonable(v) for k, v in f.numbers.items()} or None,
             "dates": [[_jsonable(a), _jsonable(b)] for a, b in f.dates] or None} for f in result.findings]
    for start in range(0, len(rows), BATCH):
        session.execute(table.insert(), rows[start:start + BATCH])
    _prune(session, school, enterprise)
    return run_id


def _scope_clause(school, enterprise):
    r = _tables()["RUNS"].c
    return sa.and_(r.school_code.is_(None) if school is None else r.school_code == school,
                   r.uscc.is_(None) if enterprise is None else r.uscc == enterprise)


def _prune(session, school, enterprise) -> None:
    r = _tables()["RUNS"].c
    keep = sa.select(r.id).where(_scope_clause(school, enterprise)).order_by(r.id.desc()).limit(KEEP)
    old = [i for (i,) in session.execute(sa.select(r.id).where(_scope_clause(school, enterprise), r.id.not_in(keep)))]
    if old:
        findings = _tables()["FINDINGS"]
        session.execute(sa.delete(findings).where(findings.c.run_id.in_(old)))
        session.execute(sa.delete(_tables()["RUNS"]).where(r.id.in_(old)))


def stored_result(rows, *, switched_off: list[dict], rules_run: list[str], milliseconds: int):
    """A kept run as a ``CheckResult``: its findings from ``rows`` of (rule, severity, subject_kind,
    subject_key, message, school_code, uscc, numbers, dates), the JSON columns decoded."""
    from .rules.model import CheckResult, Finding, SwitchedOff

    findings = [
        Finding(rule=rule, severity=severity, subject_kind=kind, subject_key=key, message=message, school_code=sc,
                uscc=uscc, numbers=numbers or {},
                dates=[(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in dates or ()])
        for rule, severity, kind, key, message, sc, uscc, numbers, dates in rows
    ]
    switched = [SwitchedOff(rule=o["rule"], title=o["title"], params=tuple(o["params"]), reads=tuple(o.get("reads", ())))
                for o in switched_off]
    return CheckResult(findings=findings, switched_off=switched, rules_run=list(rules_run), seconds=milliseconds / 1000)


def last_run(session, *, school: str | None = None, enterprise: str | None = None) -> StoredRun | None:
    """The newest kept run of exactly this scope, findings included (None if there is none)."""
    runs, f = _tables()["RUNS"], _tables()["FINDINGS"].c
    run = session.execute(sa.select(runs).where(_scope_clause(school, enterprise)).order_by(runs.c.id.desc()).limit(1)).first()
    if run is None:
        return None
    columns = (f.rule, f.severity, f.subject_kind, f.subject_key, f.message, f.school_code, f.uscc, f.numbers, f.dates)
    result = stored_result(session.execute(sa.select(*columns).where(f.run_id == run.id).order_by(f.id)),
                           switched_off=run.switched_off, rules_run=run.rules_run, milliseconds=run.milliseconds)
    return StoredRun(id=run.id, result=result, checked_on=run.checked_on, finished_at=run.finished_at,
                     audit_id=int(run.audit_id), school=school, enterprise=enterprise, rule_set=run.rule_set)


def last_run_as(session, *, actor: Actor, school: str | None = None, enterprise: str | None = None) -> StoredRun | None:
    """``last_run`` of the scope ``actor`` checks, its findings limited as ``check_as`` limits them."""
    from .rules.engine import province_findings

    school, enterprise = scope_of(actor, school, enterprise)
    run = last_run(session, school=school, enterprise=enterprise)
    if run is not None and actor.role == "province":
        run.result.findings = province_findings(session, actor, run.result.findings)
    return run


def check_and_store(engine, *, actor: Actor, school: str | None = None, enterprise: str | None = None,
                    today: dt.date | None = None, **kw) -> StoredRun:
    """Run every rule for ``actor``'s scope (``rules.check_as``; ``config``, ``progress``,
    ``cancelled`` pass through; ``today`` is the rules' today, default the calendar's) and keep
    the run. Not kept, only returned (``id`` 0): a cancelled run, a province's (it is a filtered
    view of the whole check, kept by nobody's scope), and a run on a database that cannot be
    written (read-only)."""
    from .db import write_connection
    from .rules import check_as

    started = utcnow()
    if today is not None:
        kw["as_of"] = today
    digest = rule_set_digest(kw.get("config"))  # the rules as they are when the check starts
    with engine.connect() as conn:
        mark = audit_mark(conn)  # first: the check reads the database as of this entry
        result = check_as(conn, actor=actor, school=school, enterprise=enterprise, **kw)
        digest = reader_digest(conn, digest)
    school, enterprise = scope_of(actor, school, enterprise)
    checked_on = today or dt.date.today()
    run = StoredRun(id=0, result=result, checked_on=checked_on, finished_at=utcnow(), audit_id=mark,
                    school=school, enterprise=enterprise, rule_set=digest)
    cancelled = kw.get("cancelled")
    if (cancelled is not None and cancelled()) or actor.role == "province":
        return run
    try:
        with write_connection(engine) as conn:
            run.id = save_run(conn, result, actor=actor, school=school, enterprise=enterprise,
                              checked_on=checked_on, started_at=started, audit_id=mark, finished_at=run.finished_at,
                              rule_set=digest)
    except (sa.exc.SQLAlchemyError, XiaoqiError):
        pass  # a read-only or busy database: the result is shown, not kept
    return run

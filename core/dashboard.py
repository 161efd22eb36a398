"""The figures of the dashboard and of ``xiaoqi status``: counts per kind, internships active
today, policies expiring soon, quota use per enterprise and active internships per month.
Each figure is one aggregate query (the counts of every kind one statement), scoped to the actor.

The queries name the tables and the columns they read (``_table``), so an actor who sees every row
(the administrator, the auditor for reading) builds no model class: ``xiaoqi status`` stays short.
A scoped actor's queries run over the kind's model, whose scope clause they need.

On a SQLite file, ``summary_sqlite`` reads the same figures with the standard library's ``sqlite3``
and plain SQL (the scopes written by ``lean.scope_sql``): what ``xiaoqi status`` uses, importing no
SQLAlchemy (tests/cli/test_cli_lean.py compares the two for every type of actor)."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .kinds import get_kinds
from .lazy import lazy_module

sa = lazy_module("sqlalchemy")  # by the first query: the sqlite3 figures (summary_sqlite) need none

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from .actors import Actor

#: the columns the figures read, with the types (of SQLAlchemy) their values come back as
_COLUMNS = {
    "internships": {"id_number": "String", "uscc": "String", "position_code": "String", "kind": "String",
                    "start_on": "Date", "end_on": "Date"},
    "policies": {"policy_no": "String", "insurer": "String", "kind": "String", "holder": "String", "end_on": "Date"},
    "reservations": {"reservation_no": "String", "school_code": "String", "uscc": "String", "position_code": "String",
                     "places": "Integer", "released_places": "Integer", "status": "String", "expires_on": "Date"},
    "positions": {"uscc": "String", "position_code": "String", "apprentice_quota": "Integer", "quota_from": "Date",
                  "quota_to": "Date"},
    "enterprises": {"uscc": "String", "name": "String"},
}


@dataclass
class Summary:
    today: dt.date
    counts: dict[str, int]
    active_internships: int
    expiring_policies: list[dict]
    quota_use: list[dict]
    monthly_active: list[tuple[str, int]] = field(default_factory=list)
    #: quota reservations still holding places whose deadline falls within the reminder window
    expiring_reservations: list[dict] = field(default_factory=list)
    #: the reminder window the two lists above cover, in days
    expiring_days: int = 30


def count_ticks(largest: int, steps: int = 4) -> list[int]:
    """Whole-number ticks for a count axis from 0 to at least ``largest``, at most ``steps`` + 1."""
    step = max(1, -(-max(largest, 1) // steps))
    return list(range(0, max(largest, 1) + step, step))


def _table(kind_name: str, actor: Actor | None = None):
    """The kind's table as the figures read it, and the WHERE clauses limiting it to ``actor``
    (None: unscoped): a light table of the columns above when no scope applies, else the model's."""
    kind = get_kinds()[kind_name]
    scope = kind.read_filter(actor) if actor is not None else None
    if scope is not None:
        return kind.model.__table__, [scope]
    return sa.table(kind.table, *(sa.column(name, getattr(sa, type_)) for name, type_ in _COLUMNS.get(kind_name, {}).items())), []


def month_starts(today: dt.date, months: int = 12) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for i in range(months - 1, -1, -1):
        y, mth = divmod(first.year * 12 + first.month - 1 - i, 12)
        out.append(dt.date(y, mth + 1, 1))
    return out


def _month_ends(starts: list[dt.date]) -> list[dt.date]:
    last = starts[-1]
    after = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return [nxt - dt.timedelta(days=1) for nxt in (*starts[1:], after)]


def active_spans(session: Session | Connection, actor: Actor, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date, int]]:
    """The internships in ``actor``'s scope active on some day from ``first`` to ``last``, as
    ``(first day, last day, internships)`` per distinct pair of days. Unscoped, one pass over the
    date index (start_on, end_on) in its own order: no table row read, no sort, and a row per pair
    of days (about a thousand on the 1M demo registry), not per internship."""
    i, scope = _table("internships", actor)
    stmt = (sa.select(i.c.start_on, i.c.end_on, sa.func.count()).where(i.c.start_on <= last, i.c.end_on >= first, *scope)
            .group_by(i.c.start_on, i.c.end_on))
    return [(a, b, int(n)) for a, b, n in session.execute(stmt)]


def _per_month(spans, starts: list[dt.date]) -> list[tuple[str, int]]:
    """Of ``spans``, the internships active on some day of each month from ``starts``."""
    ends = _month_ends(starts)
    change = [0] * (len(starts) + 1)  # internships from the month they start in to the month they end in
    for a, b, n in spans:
        first = max(0, bisect.bisect_right(starts, a) - 1)
        last = bisect.bisect_right(starts, b) - 1
        if last >= first and a <= ends[-1] and b >= starts[0]:
            change[first] += n
            change[last + 1] -= n
    return [(s.strftime("%Y-%m"), n) for s, n in zip(starts, itertools.accumulate(change))]


def monthly_active(session: Session | Connection, actor: Actor, today: dt.date, months: int = 12) -> list[tuple[str, int]]:
    """Internships active on any day of each of the last ``months`` months (``active_spans``)."""
    starts = month_starts(today, months)
    return _per_month(active_spans(session, actor, starts[0], _month_ends(starts)[-1]), starts)


def summary(session: Session | Connection, *, actor: Actor, today: dt.date | None = None, expiring_days: int = 30,
            monthly: bool = True, quotas: bool = True) -> Summary:
    """Every figure; with ``monthly=False`` all but the monthly chart (read with today's active
    internships all the same: ``active_spans``); with ``quotas=False`` no quota use (a second pass
    over the position index, which the dashboard reads after showing the rest)."""
    today = today or dt.date.today()
    kinds = get_kinds()
    counts = dict(zip(kinds, session.execute(sa.select(*(
        sa.select(sa.func.count()).select_from(table).where(*scope).scalar_subquery()
        for table, scope in (_table(name, actor) for name in kinds)))).one()))
    # today's active internships and the monthly chart from one pass over the date index
    starts = month_starts(today)
    spans = active_spans(session, actor, min(starts[0], today), max(_month_ends(starts)[-1], today))
    active = sum(n for a, b, n in spans if a <= today <= b)
    p, pscope = _table("policies", actor)
    horizon = today + dt.timedelta(days=expiring_days)
    expiring = [
        {"policy_no": r.policy_no, "insurer": r.insurer, "kind": r.kind, "holder": r.holder, "end_on": r.end_on}
        for r in session.execute(
            sa.select(p.c.policy_no, p.c.insurer, p.c.kind, p.c.holder, p.c.end_on)
            .where(p.c.end_on >= today, p.c.end_on <= horizon, *pscope).order_by(p.c.end_on).limit(50))
    ]
    q, rscope = _table("reservations", actor)
    reservations = [
        {"reservation_no": r.reservation_no, "school_code": r.school_code, "uscc": r.uscc, "position_code": r.position_code,
         "places": r.places - (r.released_places or 0), "expires_on": r.expires_on}
        for r in session.execute(
            sa.select(q.c.reservation_no, q.c.school_code, q.c.uscc, q.c.position_code, q.c.places, q.c.released_places,
                      q.c.expires_on)
            .where(q.c.status == "预留中", q.c.expires_on >= today, q.c.expires_on <= horizon, *rscope)
            .order_by(q.c.expires_on).limit(50))
    ]
    return Summary(today=today, counts=counts, active_internships=active, expiring_policies=expiring,
                   quota_use=quota_use(session, actor=actor, today=today) if quotas else [],
                   monthly_active=_per_month(spans, starts) if monthly else [],
                   expiring_reservations=reservations, expiring_days=expiring_days)


def quota_use(session: Session | Connection, *, actor: Actor, today: dt.date) -> list[dict]:
    """Per enterprise: apprentice quota of positions whose quota period covers today, the
    apprentices (internships of kind 学徒) on those positions today, and the places reservations
    still hold (预留中, not yet expired)."""
    pos, ent, i, r = (_table(name)[0] for name in ("positions", "enterprises", "internships", "reservations"))
    placed = (
        sa.select(i.c.uscc, i.c.position_code, sa.func.count().label("n"))
        .where(i.c.kind == "学徒", i.c.start_on <= today, i.c.end_on >= today)
        .group_by(i.c.uscc, i.c.position_code)
        .subquery()
    )
    stmt = (
        sa.select(ent.c.uscc, ent.c.name, sa.func.sum(pos.c.apprentice_quota), sa.func.coalesce(sa.func.sum(placed.c.n), 0))
        .join(pos, pos.c.uscc == ent.c.uscc)
        .outerjoin(placed, sa.and_(placed.c.uscc == pos.c.uscc, placed.c.position_code == pos.c.position_code))
        .where(pos.c.apprentice_quota > 0,
               sa.or_(pos.c.quota_from.is_(None), pos.c.quota_from <= today),
               sa.or_(pos.c.quota_to.is_(None), pos.c.quota_to >= today))
        .group_by(ent.c.uscc, ent.c.name)
        .order_by(ent.c.name)
    )
    if actor.role == "enterprise":
        stmt = stmt.where(ent.c.uscc == actor.code)
    held = dict(session.execute(
        sa.select(r.c.uscc, sa.func.sum(r.c.places - sa.func.coalesce(r.c.released_places, 0)))
        .where(r.c.status == "预留中", r.c.expires_on >= today).group_by(r.c.uscc)).all())
    return [{"uscc": u, "name": n, "quota": int(q or 0), "placed": int(p or 0), "reserved": int(held.get(u) or 0)}
            for u, n, q, p in session.execute(stmt)]


def __getattr__(name: str):
    # ``check_as`` lives in ``xiaoqi.core.rules`` (imported when first used: ``status`` needs no rules)
    if name == "check_as":
        from .rules import check_as

        return check_as
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- the same figures with sqlite3 ---------------------------------------------------------------

def summary_sqlite(conn: sqlite3.Connection, *, actor: Actor, today: dt.date | None = None,
                   expiring_days: int = 30) -> Summary:
    """``summary`` of a SQLite file read through ``conn`` (``lean.connect``) with plain SQL: the
    same figures in the same types. Raises ``lean.Unsupported`` where a kind's scope for ``actor``
    is SQLAlchemy code (the caller then uses ``summary``)."""
    from .lean import scope_sql

    today = today or dt.date.today()
    kinds = get_kinds()
    code = {"code": actor.code}

    def where(name: str, *conditions: str) -> str:
        scope = scope_sql(kinds[name], actor, alias="t")
        parts = [*conditions, *([] if scope is None else [scope])]
        return f' FROM "{kinds[name].table}" AS t' + (" WHERE " + " AND ".join(parts) if parts else "")

    def dates(value):
        return None if value is None else dt.date.fromisoformat(value[:10])

    counts = dict(zip(kinds, conn.execute("SELECT " + ", ".join(f"(SELECT count(*){where(name)})" for name in kinds), code)
                      .fetchone()))
    starts = month_starts(today)
    first, last = min(starts[0], today), max(_month_ends(starts)[-1], today)
    spans = [(dates(a), dates(b), n) for a, b, n in conn.execute(
        "SELECT t.start_on, t.end_on, count(*)" + where("internships", "t.start_on <= :last", "t.end_on >= :first")
        + " GROUP BY t.start_on, t.end_on", {**code, "first": first.isoformat(), "last": last.isoformat()})]
    window = {**code, "today": today.isoformat(), "horizon": (today + dt.timedelta(days=expiring_days)).isoformat()}
    expiring = [
        {"policy_no": no, "insurer": insurer, "kind": kind, "holder": holder, "end_on": dates(end_on)}
        for no, insurer, kind, holder, end_on in conn.execute(
            "SELECT t.policy_no, t.insurer, t.kind, t.holder, t.end_on"
            + where("policies", "t.end_on >= :today", "t.end_on <= :horizon") + " ORDER BY t.end_on LIMIT 50", window)
    ]
    reservations = [
        {"reservation_no": no, "school_code": school, "uscc": uscc, "position_code": position,
         "places": places - (released or 0), "expires_on": dates(expires_on)}
        for no, school, uscc, position, places, released, expires_on in conn.execute(
            "SELECT t.reservation_no, t.school_code, t.uscc, t.position_code, t.places, t.released_places, t.expires_on"
            + where("reservations", "t.status = '预留中'", "t.expires_on >= :today", "t.expires_on <= :horizon")
            + " ORDER BY t.expires_on LIMIT 50", window)
    ]
    active = sum(n for a, b, n in spans if a <= today <= b)
    return Summary(today=today, counts=counts, active_internships=active, expiring_policies=expiring,
                   quota_use=_quota_use_sqlite(conn, kinds, actor, today), monthly_active=_per_month(spans, starts),
                   expiring_reservations=reservations, expiring_days=expiring_days)


def _quota_use_sqlite(conn: sqlite3.Connection, kinds: dict, actor: Actor, today: dt.date) -> list[dict]:
    """``quota_use`` in plain SQL."""
    pos, ent, i, r = (f'"{kinds[name].table}"' for name in ("positions", "enterprises", "internships", "reservations"))
    own = " AND e.uscc = :code" if actor.role == "enterprise" else ""
    rows = conn.execute(
        f"SELECT e.uscc, e.name, sum(p.apprentice_quota), coalesce(sum(placed.n), 0) FROM {ent} AS e "
        f"JOIN {pos} AS p ON p.uscc = e.uscc "
        f"LEFT OUTER JOIN (SELECT uscc, position_code, count(*) AS n FROM {i} WHERE kind = '学徒' AND start_on <= :today "
        f"AND end_on >= :today GROUP BY uscc, position_code) AS placed "
        f"ON placed.uscc = p.uscc AND placed.position_code = p.position_code "
        f"WHERE p.apprentice_quota > 0 AND (p.quota_from IS NULL OR p.quota_from <= :today) "
        f"AND (p.quota_to IS NULL OR p.quota_to >= :today){own} GROUP BY e.uscc, e.name ORDER BY e.name",
        {"today": today.isoformat(), "code": actor.code}).fetchall()
    held = dict(conn.execute(
        f"SELECT uscc, sum(places - coalesce(released_places, 0)) FROM {r} WHERE status = '预留中' AND expires_on >= :today "
        f"GROUP BY uscc", {"today": today.isoformat()}).fetchall())
    return [{"uscc": u, "name": n, "quota": int(q or 0), "placed": int(p or 0), "reserved": int(held.get(u) or 0)}
            for u, n, q, p in rows]

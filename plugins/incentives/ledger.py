"""The ledger service: post typed lines, reverse one, close a period, and read balances.

Every write goes through here (the kinds ``inc_lines`` and ``inc_periods`` refuse ``records``
and import) and is audited; the database refuses what the service would not do (see the
migration). Amounts are Decimal yuan at the edges and signed fen (integers) in the table.

Periods are calendar years. A line is dated inside its period; a line whose date falls in a
closed period lands, as a correction, on the first day of the next open period, with a note
naming the closed one. Call the writing functions inside ``xiaoqi.core.db.write_session`` (on
SQLite it takes the write lock first; on PostgreSQL the periods written to are locked), so a
posting and the close of its period cannot interleave.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from xiaoqi.core import audit
from xiaoqi.core.access import actor_clause
from xiaoqi.core.errors import Conflict, NotFound, PermissionDenied, UsageError
from xiaoqi.core.i18n import catalogue, t

from . import vocabulary as v
from .models import Line, Period

catalogue(
    {
        "inc.admin_only": ("只有管理员可以{action}（当前身份：{actor}）", "only an admin may {action} (acting as {actor})"),
        "inc.act.post": ("记账", "post to the ledger"),
        "inc.act.reverse": ("冲销台账行", "reverse a ledger line"),
        "inc.act.close": ("结账", "close a period"),
        "inc.no_line": ("台账中没有第 {id} 行（或不在你的权限范围内）", "the ledger has no line {id} (or it is outside your scope)"),
        "inc.reversed_already": ("第 {id} 行已于第 {by} 行冲销，不能再次冲销", "line {id} was already reversed by line {by}"),
        "inc.reversal_final": ("第 {id} 行本身是冲销行，不能再冲销；如需更正请另行记账", "line {id} is itself a reversal; post a new line instead"),
        "inc.closed_already": ("{year} 年账期已于 {on} 结账", "the period {year} was closed on {on}"),
        "inc.reason": ("请用 --reason 写明冲销理由", "give the reason for the reversal with --reason"),
        "inc.amount_fen": ("金额「{amount}」最多两位小数", "the amount '{amount}' has more than two decimals"),
        "inc.moved": ("更正：原属已结账的 {year} 年账期", "correction: belongs to the closed period {year}"),
        "inc.credit_short": ("{uscc} 可用抵免额 {available} 元，不足以使用 {wanted} 元", "{uscc} has {available} yuan of credit, not {wanted}"),
    }
)

FEN = Decimal("0.01")


def to_fen(amount) -> int:
    """Yuan (Decimal, int or text) as integer fen; more than two decimals is an error."""
    d = Decimal(str(amount))
    if d != d.quantize(FEN):
        raise UsageError(t("inc.amount_fen", amount=amount))
    return int(d * 100)


def yuan(fen: int | None) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(FEN)


def round_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def new_run_id() -> str:
    return secrets.token_hex(8)


@dataclass
class Entry:
    """A line to post. ``amount`` is the magnitude in yuan for a typed line (its type gives the
    sign), signed for an adjustment."""

    uscc: str
    line_type: str
    amount: Decimal
    entry_date: dt.date
    scheme: str
    source_kind: str
    source_key: str
    case_key: str | None = None
    person_id: str | None = None
    school_code: str | None = None
    vintage: int | None = None
    note: str | None = None


def require_admin(actor, action: str) -> None:
    if actor.role != "admin":
        if actor.read_only:
            raise PermissionDenied(t("err.read_only", actor=actor.label()))
        raise PermissionDenied(t("inc.admin_only", action=t(f"inc.act.{action}"), actor=actor.label()))


def _ensure_periods(conn, years: set[int]) -> dict[int, bool]:
    """The periods ``years`` (created when missing, open), locked on PostgreSQL: year -> closed."""
    if not years:
        return {}
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(Period.__table__).on_conflict_do_nothing(index_elements=["year"]), [{"year": y} for y in sorted(years)])
    stmt = sa.select(Period.year, Period.closed_at).where(Period.year.in_(sorted(years)))
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return {row.year: row.closed_at is not None for row in conn.execute(stmt)}


def closed_years(conn) -> set[int]:
    return set(conn.execute(sa.select(Period.year).where(Period.closed_at.is_not(None))).scalars())


def landing(conn, entry_date: dt.date, closed: set[int] | None = None) -> tuple[int, dt.date, int | None]:
    """Where a line dated ``entry_date`` lands: (period, date, the closed period it belongs to)."""
    closed = closed_years(conn) if closed is None else closed
    year = entry_date.year
    if year not in closed:
        return year, entry_date, None
    target = year
    while target in closed:
        target += 1
    return target, dt.date(target, 1, 1), year


def line_values(entry: Entry, *, actor, now: dt.datetime, run_id: str | None, closed: set[int], conn) -> dict:
    account, sign = v.LINE_TYPES[entry.line_type]
    fen = to_fen(entry.amount)
    amount_fen = fen if sign == 0 else sign * abs(fen)
    period, day, moved_from = landing(conn, entry.entry_date, closed)
    note = entry.note
    if moved_from is not None:
        note = "；".join(filter(None, [t("inc.moved", year=moved_from), note]))
    return {"uscc": entry.uscc, "account": account, "line_type": entry.line_type, "period": period, "entry_date": day,
            "amount_fen": amount_fen, "vintage": entry.vintage, "scheme": entry.scheme, "case_key": entry.case_key,
            "person_id": entry.person_id, "school_code": entry.school_code, "source_kind": entry.source_kind,
            "source_key": entry.source_key[:300], "reverses_id": None, "actor": str(actor), "recorded_at": now,
            "run_id": run_id, "note": note}


def insert_lines(session, actor, rows: list[dict], *, action: str, note: dict | None = None) -> list[int]:
    """Insert prepared line rows (one statement) and audit them as one entry; returns their ids."""
    if not rows:
        return []
    conn = session.connection()
    closed = _ensure_periods(conn, {r["period"] for r in rows})
    if any(closed.get(r["period"]) for r in rows):  # closed since ``landing`` read it
        raise Conflict(t("inc.closed_already", year=min(r["period"] for r in rows if closed.get(r["period"])), on="—"))
    ids = list(conn.execute(sa.insert(Line.__table__).returning(Line.__table__.c.id), rows).scalars())
    ids.sort()
    audit.record(session, actor=actor, kind="inc_lines", action=action,
                 key=str(ids[0]) if len(ids) == 1 else f"{ids[0]}-{ids[-1]}",
                 note={"lines": len(ids), "ids": ids[:200], **(note or {})})
    return ids


def post(session, actor, entries: list[Entry], *, action: str = "post", run_id: str | None = None,
         note: dict | None = None) -> list[int]:
    """Post ``entries`` in the caller's transaction; returns the new line ids in order."""
    conn = session.connection()
    closed = closed_years(conn)
    now = audit.utcnow()
    rows = [line_values(e, actor=actor, now=now, run_id=run_id, closed=closed, conn=conn) for e in entries]
    return insert_lines(session, actor, rows, action=action, note=note)


def get_line(conn, line_id: int, actor=None) -> sa.Row:
    from .kinds import LINES

    stmt = sa.select(Line.__table__).where(Line.__table__.c.id == line_id)
    clause = None if actor is None else actor_clause(LINES, actor, "read", Line)
    if clause is not None:
        stmt = stmt.where(clause)
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFound(t("inc.no_line", id=line_id))
    return row


def reversal_rows(conn, lines: list, *, actor, on: dt.date, reason: str, run_id: str | None = None) -> list[dict]:
    """Rows reversing each of ``lines`` (stored rows), dated ``on`` (or the next open period)."""
    closed = closed_years(conn)
    now = audit.utcnow()
    out = []
    for line in lines:
        period, day, moved_from = landing(conn, on, closed)
        note = "；".join(filter(None, [reason, t("inc.moved", year=moved_from) if moved_from else None]))
        out.append({"uscc": line.uscc, "account": line.account, "line_type": v.REVERSAL, "period": period, "entry_date": day,
                    "amount_fen": -line.amount_fen, "vintage": line.vintage, "scheme": line.scheme, "case_key": line.case_key,
                    "person_id": line.person_id, "school_code": line.school_code, "source_kind": "inc_lines",
                    "source_key": str(line.id), "reverses_id": line.id, "actor": str(actor), "recorded_at": now,
                    "run_id": run_id, "note": note[:500]})
    return out


def reverse(session, actor, line_id: int, *, reason: str, on: dt.date) -> int:
    """Reverse one line by a line that names it (``reverses_id``) and undoes its amount."""
    require_admin(actor, "reverse")
    if not (reason or "").strip():
        raise UsageError(t("inc.reason"))
    conn = session.connection()
    line = get_line(conn, line_id)
    if line.reverses_id is not None:
        raise Conflict(t("inc.reversal_final", id=line_id))
    by = conn.execute(sa.select(Line.id).where(Line.reverses_id == line_id)).scalar()
    if by is not None:
        raise Conflict(t("inc.reversed_already", id=line_id, by=by))
    return insert_lines(session, actor, reversal_rows(conn, [line], actor=actor, on=on, reason=reason.strip()),
                        action="reverse", note={"reverses": line_id, "reason": reason.strip()})[0]


def close_period(session, actor, year: int, *, on: dt.date) -> None:
    """Close the period ``year``: no line may be dated inside it afterwards."""
    require_admin(actor, "close")
    conn = session.connection()
    _ensure_periods(conn, {year})
    row = conn.execute(sa.select(Period.closed_on, Period.closed_at).where(Period.year == year)).first()
    if row.closed_at is not None:
        raise Conflict(t("inc.closed_already", year=year, on=row.closed_on))
    conn.execute(sa.update(Period.__table__).where(Period.__table__.c.year == year)
                 .values(closed_on=on, closed_by=str(actor), closed_at=audit.utcnow()))
    audit.record(session, actor=actor, kind="inc_periods", action="close", key=str(year), after={"closed_on": on.isoformat()})


# -- reading -----------------------------------------------------------------------------------------

def balance_query(actor, *, uscc: str | None = None, year: int | None = None, account: str | None = None):
    """One statement: per enterprise, account and period, the period's movement and the balance
    at its end (movements of every earlier period included), in the actor's scope."""
    from .kinds import LINES

    line = Line.__table__.c
    moved = sa.func.sum(line.amount_fen)
    inner = (sa.select(line.uscc, line.account, line.period, moved.label("movement_fen"), sa.func.count().label("lines"))
             .group_by(line.uscc, line.account, line.period))
    clause = actor_clause(LINES, actor, "read", Line)
    if clause is not None:
        inner = inner.where(clause)
    if uscc:
        inner = inner.where(line.uscc == uscc)
    if account:
        inner = inner.where(line.account == account)
    if year is not None:
        inner = inner.where(line.period <= year)
    sub = inner.subquery()
    running = sa.func.sum(sub.c.movement_fen).over(partition_by=(sub.c.uscc, sub.c.account), order_by=sub.c.period)
    stmt = sa.select(sub.c.uscc, sub.c.account, sub.c.period, sub.c.movement_fen, sub.c.lines, running.label("balance_fen")).subquery()
    out = sa.select(stmt)
    if year is not None:
        out = out.where(stmt.c.period == year)
    return out.order_by(stmt.c.uscc, stmt.c.account, stmt.c.period)


def balances(conn, actor, **filters) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(balance_query(actor, **filters))]


def credit_by_vintage(conn, uscc: str, *, through_period: int, max_vintage: int) -> list[tuple[int, int]]:
    """Credit of ``uscc`` that a line landing in ``through_period`` may use, per vintage (oldest
    first), fen: the least balance of the vintage at the end of that period or any later one (a
    reversal already posted in a later period is not available now)."""
    line = Line.__table__.c
    stmt = (sa.select(line.vintage, line.period, sa.func.sum(line.amount_fen))
            .where(line.uscc == uscc, line.account == v.CREDIT, line.vintage <= max_vintage)
            .group_by(line.vintage, line.period).order_by(line.vintage, line.period))
    out: dict[int, list[int]] = {}
    for vintage, period, fen in conn.execute(stmt):
        state = out.setdefault(int(vintage), [0, 0, 0])  # running, balance at through_period, least later
        state[0] += int(fen)
        if period <= through_period:
            state[1] = state[0]
            state[2] = state[0]
        else:
            state[2] = min(state[2], state[0])
    return [(vintage, min(state[1], state[2])) for vintage, state in sorted(out.items()) if min(state[1], state[2]) != 0]


def credit_use_entries(conn, uscc: str, amount: Decimal, *, year: int, entry_date: dt.date, source_kind: str,
                       source_key: str, case_key: str | None = None) -> list[Entry]:
    """Lines using ``amount`` of ``uscc``'s credit for ``year``, oldest vintage first; refused
    (Conflict) beyond what is available in the period the lines land in."""
    period, _day, _moved = landing(conn, entry_date)
    wanted = to_fen(amount)
    lots = [(vintage, fen) for vintage, fen in credit_by_vintage(conn, uscc, through_period=period, max_vintage=year) if fen > 0]
    available = sum(fen for _v, fen in lots)
    if wanted > available:
        raise Conflict(t("inc.credit_short", uscc=uscc, available=yuan(available), wanted=yuan(wanted)))
    out = []
    for vintage, fen in lots:
        if wanted <= 0:
            break
        take = min(fen, wanted)
        wanted -= take
        out.append(Entry(uscc=uscc, line_type=v.USED, amount=yuan(take), entry_date=entry_date, scheme=v.PCE,
                         source_kind=source_kind, source_key=source_key, case_key=case_key, vintage=vintage))
    return out

"""What the TUI screen and the dashboard panel show, as SQL in the actor's scope (no Textual here):
a page of the ledger by keyset, credit earned and used by year, the latest balances, and the
figures of the panel."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from . import vocabulary as v
from .ledger import balances, yuan
from .statement import scoped, firm_names, shown

PAGE = 50


def ledger_page(conn, actor, *, before: int | None = None, after: int | None = None, limit: int = PAGE) -> list[dict]:
    """A page of lines, newest first: those with an id below ``before`` (the next page) or above
    ``after`` (the previous one); one statement."""
    from .eligibility import shown_key
    from .models import Line

    line = Line.__table__
    stmt = scoped(actor, sa.select(line, sa.literal(None).label("name")))
    if before is not None:
        stmt = stmt.where(line.c.id < before).order_by(line.c.id.desc())
    elif after is not None:
        stmt = stmt.where(line.c.id > after).order_by(line.c.id.asc())
    else:
        stmt = stmt.order_by(line.c.id.desc())
    rows = [dict(r._mapping) for r in conn.execute(stmt.limit(limit))]
    rows.sort(key=lambda r: -r["id"])
    names = firm_names(conn, {r["uscc"] for r in rows})
    for r in rows:
        r["name"] = names.get(r["uscc"], r["uscc"])
        r["amount"] = yuan(r["amount_fen"])
        r["case_shown"] = shown_key(r["case_key"], actor) if r["case_key"] else ""
        r["source_shown"] = f"{r['source_kind']} {shown(actor, r['uscc'], r['source_key'])}"
    return rows


def count_lines(conn, actor) -> int:
    from .models import Line

    line = Line.__table__
    return conn.execute(scoped(actor, sa.select(sa.func.count()).select_from(line))).scalar_one()


def credit_by_year(conn, actor) -> list[tuple[int, Decimal, Decimal]]:
    """Per period: credit earned (earned and adjusted lines, and their reversals) and used (used
    lines net of their reversals), yuan."""
    from .models import Line

    line = Line.__table__
    o = line.alias("o")
    kind = sa.func.coalesce(o.c.line_type, line.c.line_type)
    earned = sa.func.sum(sa.case((kind.in_([v.EARNED, v.ADJUSTED]), line.c.amount_fen), else_=0))
    used = sa.func.sum(sa.case((kind == v.USED, line.c.amount_fen), else_=0))
    stmt = scoped(actor, sa.select(line.c.period, earned, used).select_from(line.outerjoin(o, o.c.id == line.c.reverses_id))
                   .where(line.c.account == v.CREDIT).group_by(line.c.period).order_by(line.c.period))
    return [(int(p), yuan(e), -yuan(u)) for p, e, u in conn.execute(stmt)]


def latest_balances(conn, actor) -> list[dict]:
    """Each enterprise's balance of each account at the end of its latest period with lines."""
    rows = balances(conn, actor)
    last: dict[tuple, dict] = {}
    for r in rows:
        last[(r["uscc"], r["account"])] = r
    out = sorted(last.values(), key=lambda r: (r["uscc"], v.ACCOUNTS.index(r["account"])))
    names = firm_names(conn, {r["uscc"] for r in out})
    for r in out:
        r["name"] = names.get(r["uscc"], r["uscc"])
    return out


def panel_figures(conn, actor) -> dict:
    """Credit carried forward (all enterprises in scope) and the subsidies awaiting payment
    (approved, less what was paid: cases and amount)."""
    from .models import Line

    line = Line.__table__
    carried = conn.execute(scoped(actor, sa.select(sa.func.coalesce(sa.func.sum(line.c.amount_fen), 0))
                                   .where(line.c.account == v.CREDIT))).scalar_one()
    firms = conn.execute(scoped(actor, sa.select(sa.func.count(sa.distinct(line.c.uscc))).where(line.c.account == v.CREDIT))).scalar_one()
    per_case = scoped(actor, sa.select(line.c.case_key,
                                        sa.func.sum(sa.case((line.c.account == v.APPROVED, line.c.amount_fen), else_=0)).label("approved"),
                                        sa.func.sum(sa.case((line.c.account == v.PAID, line.c.amount_fen), else_=0)).label("paid"))
                       .where(line.c.case_key.is_not(None), line.c.account.in_([v.APPROVED, v.PAID])).group_by(line.c.case_key)).subquery()
    waiting = conn.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(per_case.c.approved - per_case.c.paid), 0))
                           .where(per_case.c.approved > per_case.c.paid)).one()
    claimed = scoped(actor, sa.select(line.c.case_key,
                                       sa.func.sum(sa.case((line.c.account == v.CLAIMED, line.c.amount_fen), else_=0)).label("claimed"),
                                       sa.func.sum(sa.case((line.c.account == v.APPROVED, line.c.amount_fen), else_=0)).label("approved"))
                      .where(line.c.case_key.is_not(None), line.c.account.in_([v.CLAIMED, v.APPROVED])).group_by(line.c.case_key)).subquery()
    pending = conn.execute(sa.select(sa.func.count()).where(claimed.c.claimed > 0, claimed.c.approved <= 0)).scalar_one()
    return {"carried": yuan(carried), "firms": int(firms), "awaiting_cases": int(waiting[0]), "awaiting": yuan(waiting[1]),
            "to_approve": int(pending)}

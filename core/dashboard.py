"""The figures of the dashboard and of ``xiaoqi status``: counts per kind, internships active
today, policies expiring soon, quota use per enterprise and active internships per month.
Each figure is one aggregate query, scoped to the actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from . import models as m
from .actors import Actor
from .kinds import get_kinds


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


def count_ticks(largest: int, steps: int = 4) -> list[int]:
    """Whole-number ticks for a count axis from 0 to at least ``largest``, at most ``steps`` + 1."""
    step = max(1, -(-max(largest, 1) // steps))
    return list(range(0, max(largest, 1) + step, step))


def _scoped(kind_name: str, actor: Actor):
    kind = get_kinds()[kind_name]
    scope = kind.read_filter(actor)
    return kind.model, ([scope] if scope is not None else [])


def month_starts(today: dt.date, months: int = 12) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for i in range(months - 1, -1, -1):
        y, mth = divmod(first.year * 12 + first.month - 1 - i, 12)
        out.append(dt.date(y, mth + 1, 1))
    return out


def monthly_active(session: Session, actor: Actor, today: dt.date, months: int = 12) -> list[tuple[str, int]]:
    """Internships active on any day of each of the last ``months`` months (one query over the
    internships that overlap those months, read from the date index alone)."""
    model, scope = _scoped("internships", actor)
    starts = month_starts(today, months)
    cols, last = [], starts[0]
    for i, start in enumerate(starts):
        nxt = starts[i + 1] if i + 1 < len(starts) else dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        last = nxt - dt.timedelta(days=1)
        cols.append(sa.func.sum(sa.case((sa.and_(model.start_on <= last, model.end_on >= start), 1), else_=0)))
    row = session.execute(sa.select(*cols).where(model.start_on <= last, model.end_on >= starts[0], *scope)).one()
    return [(s.strftime("%Y-%m"), int(v or 0)) for s, v in zip(starts, row)]


def summary(session: Session, *, actor: Actor, today: dt.date | None = None, expiring_days: int = 30,
            monthly: bool = True) -> Summary:
    """Every figure; with ``monthly=False`` all but the monthly chart (the slowest on a large
    registry: the dashboard shows the rest first and reads the chart with ``monthly_active``)."""
    today = today or dt.date.today()
    counts = {}
    for name, kind in get_kinds().items():
        scope = kind.read_filter(actor)
        stmt = sa.select(sa.func.count()).select_from(kind.model)
        if scope is not None:
            stmt = stmt.where(scope)
        counts[name] = session.execute(stmt).scalar_one()
    model, scope = _scoped("internships", actor)
    active = session.execute(
        sa.select(sa.func.count()).select_from(model).where(model.start_on <= today, model.end_on >= today, *scope)
    ).scalar_one()
    pmodel, pscope = _scoped("policies", actor)
    horizon = today + dt.timedelta(days=expiring_days)
    expiring = [
        {"policy_no": p.policy_no, "insurer": p.insurer, "kind": p.kind, "holder": p.holder, "end_on": p.end_on}
        for p in session.execute(
            sa.select(pmodel).where(pmodel.end_on >= today, pmodel.end_on <= horizon, *pscope).order_by(pmodel.end_on).limit(50)
        ).scalars()
    ]
    rmodel, rscope = _scoped("reservations", actor)
    reservations = [
        {"reservation_no": r.reservation_no, "school_code": r.school_code, "uscc": r.uscc, "position_code": r.position_code,
         "places": r.places - (r.released_places or 0), "expires_on": r.expires_on}
        for r in session.execute(
            sa.select(rmodel).where(rmodel.status == "预留中", rmodel.expires_on >= today, rmodel.expires_on <= horizon, *rscope)
            .order_by(rmodel.expires_on).limit(50)).scalars()
    ]
    return Summary(today=today, counts=counts, active_internships=active, expiring_policies=expiring,
                   quota_use=quota_use(session, actor=actor, today=today),
                   monthly_active=monthly_active(session, actor, today) if monthly else [],
                   expiring_reservations=reservations)


def quota_use(session: Session, *, actor: Actor, today: dt.date) -> list[dict]:
    """Per enterprise: apprentice quota of positions whose quota period covers today, the
    apprentices (internships of kind 学徒) on those positions today, and the places reservations
    still hold (预留中, not yet expired)."""
    pos = m.Position
    ent = m.Enterprise
    placed = (
        sa.select(m.Internship.uscc, m.Internship.position_code, sa.func.count().label("n"))
        .where(m.Internship.kind == "学徒", m.Internship.start_on <= today, m.Internship.end_on >= today)
        .group_by(m.Internship.uscc, m.Internship.position_code)
        .subquery()
    )
    stmt = (
        sa.select(ent.uscc, ent.name, sa.func.sum(pos.apprentice_quota), sa.func.coalesce(sa.func.sum(placed.c.n), 0))
        .join(pos, pos.uscc == ent.uscc)
        .outerjoin(placed, sa.and_(placed.c.uscc == pos.uscc, placed.c.position_code == pos.position_code))
        .where(pos.apprentice_quota > 0,
               sa.or_(pos.quota_from.is_(None), pos.quota_from <= today),
               sa.or_(pos.quota_to.is_(None), pos.quota_to >= today))
        .group_by(ent.uscc, ent.name)
        .order_by(ent.name)
    )
    if actor.role == "enterprise":
        stmt = stmt.where(ent.uscc == actor.code)
    r = m.QuotaReservation
    held = dict(session.execute(
        sa.select(r.uscc, sa.func.sum(r.places - sa.func.coalesce(r.released_places, 0)))
        .where(r.status == "预留中", r.expires_on >= today).group_by(r.uscc)).all())
    return [{"uscc": u, "name": n, "quota": int(q or 0), "placed": int(p or 0), "reserved": int(held.get(u) or 0)}
            for u, n, q, p in session.execute(stmt)]


def __getattr__(name: str):
    # ``check_as`` lives in ``xiaoqi.core.rules`` (imported when first used: ``status`` needs no rules)
    if name == "check_as":
        from .rules import check_as

        return check_as
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

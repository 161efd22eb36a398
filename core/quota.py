"""Apprenticeship quotas (学徒名额): reservations, placements and the figures per position and
per enterprise.

An enterprise declares a quota of apprentice places on a position for a period (positions:
学徒名额, 名额起始日期, 名额截止日期). A school reserves places until a deadline; the reservation
is confirmed one apprentice (an internship of kind 学徒 on that position) at a time, released when
withdrawn, and expires at its deadline. The lifecycle follows the UK apprenticeship service's
reservations (reserve → confirm / release / expire, optional per-account limits).

Figures of a position, for a day:

- ``confirmed``: apprentices placed on the position within its quota period — every internship of
  kind 学徒 there, whether a reservation links it yet or not (an imported apprentice uses a place too);
- ``reserved``: places held empty for schools — the unplaced places of reservations still open on
  that day (status 预留中, deadline not passed); an apprentice of a school that holds open places
  on the position fills one of them even before the school confirms it, so nothing is counted twice;
- ``free = quota - reserved - confirmed`` (negative only when imported data exceeds the quota).

Never over-allocated: ``reserve`` locks the position row (``SELECT ... FOR UPDATE`` on PostgreSQL;
on SQLite ``core.db.write_session`` begins ``IMMEDIATE``, which serialises writers), then counts
and inserts in the same transaction, so two offices reserving the last place cannot both win; with
``max_open_reservations`` it locks the school's row too, so one school's reservers take turns.
Call the writing services inside ``write_session``.

Configuration (``xiaoqi.toml``), each optional and off unless set (no public text fixes them)::

    [quota]
    max_open_reservations = 5   # open reservations one school may hold at a time
    max_hold_days = 90          # the longest a reservation may hold places
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from . import models as m
from .access import IDCARD, actor_clause, stored_allowed
from .actors import Actor
from .errors import Conflict, NotFound, PermissionDenied, UsageError, ValidationFailed
from .i18n import catalogue, t
from .core_kinds import RESERVATION_STATES
from .kinds import RowProblems, get_kind
from .plugins import get_plugin_manager
from . import audit
from .privacy import mask_key, mask_value
from .services import authorise, jsonable, snapshot

RESERVED, CONFIRMED, RELEASED, EXPIRED = RESERVATION_STATES
APPRENTICE = "学徒"
RATIO_PLACES = Decimal("0.0001")
#: PostgreSQL: the setting that tells the quota's trigger the day a service judges on
DAY_SETTING = "xiaoqi.today"

catalogue(
    {
        "quota.school_only_own": ("{actor} 只能为本校预留名额，不能为学校 {school} 预留。", "{actor} reserves places for its own school only, not for school {school}."),
        "quota.school_needed": ("请用 --school 指明为哪所学校预留（或以 --as school:<学校代码> 运行）。", "Say which school the places are for with --school (or run as --as school:<code>)."),
        "quota.no_position": ("企业 {uscc} 没有岗位「{position}」。可用 xiaoqi quota show --enterprise {uscc} 查看其岗位。", "Enterprise {uscc} has no position '{position}'. See its positions with: xiaoqi quota show --enterprise {uscc}"),
        "quota.no_school": ("学校 {school} 不存在。请检查学校代码，或先导入该学校。", "No school {school}. Check the code, or import the school first."),
        "quota.no_quota": ("岗位「{position}」（{title}）没有申报学徒名额，不能预留。企业可在岗位记录中填写“学徒名额”。", "Position '{position}' ({title}) has no apprentice quota, so no place can be reserved. The enterprise declares it in the position's 学徒名额 column."),
        "quota.places_min": ("预留名额应为不小于 1 的整数（收到 {places}）。", "Reserve at least 1 place (got {places})."),
        "quota.not_open": ("岗位「{position}」的名额期自 {start} 开始，今天（{today}）还不能预留。", "The quota period of position '{position}' opens on {start}; it cannot be reserved today ({today})."),
        "quota.closed": ("岗位「{position}」的名额期已于 {end} 结束，不能再预留。", "The quota period of position '{position}' ended on {end}; no more reservations."),
        "quota.expiry_past": ("预留截止日期 {expires} 早于今天（{today}），请给出今天或以后的日期。", "The deadline {expires} is before today ({today}); give today or a later date."),
        "quota.expiry_after_end": ("预留截止日期 {expires} 晚于名额截止日期 {end}，请不晚于 {end}。", "The deadline {expires} is after the quota period ends ({end}); choose {end} or earlier."),
        "quota.expiry_too_far": ("预留最长保留 {days} 天（配置 quota.max_hold_days），截止日期最晚为 {latest}。", "A reservation holds places for at most {days} days (quota.max_hold_days): the latest deadline is {latest}."),
        "quota.school_limit": ("学校 {school} 已有 {open} 个未完成的预留，达到上限 {limit}（配置 quota.max_open_reservations）。请先确认或释放已有预留。", "School {school} already holds {open} open reservations, the limit is {limit} (quota.max_open_reservations). Confirm or release one first."),
        "quota.over": ("名额不足：岗位「{position}」（{title}）剩余 {free} 个名额，不能预留 {places} 个（名额 {quota}）。", "Not enough places: position '{position}' ({title}) has {free} free places left, {places} requested (quota {quota})."),
        "quota.no_reservation": ("找不到预留「{no}」。可用 xiaoqi records list reservations 查看预留。", "No reservation '{no}'. List reservations with: xiaoqi records list reservations"),
        "quota.closed_reservation": ("预留「{no}」的状态是「{status}」，已经关闭，不能再{action}。", "Reservation '{no}' is {status}, already closed; it cannot be {action}."),
        "quota.expired_reservation": ("预留「{no}」已于 {expires} 到期，不能再确认。请重新预留。", "Reservation '{no}' expired on {expires} and can no longer be confirmed. Reserve again."),
        "quota.action.confirm": ("确认", "confirmed"),
        "quota.action.release": ("释放", "released"),
        "quota.no_internship": ("找不到实习「{key}」。请先登记该学徒实习（xiaoqi import internships 或 xiaoqi records add internships）。", "No internship '{key}'. Register the apprenticeship first (xiaoqi import internships, or xiaoqi records add internships)."),
        "quota.not_apprentice": ("实习「{key}」的类型是「{kind}」，只有“学徒”才能落实名额。", "Internship '{key}' is of kind {kind}; only a 学徒 (apprentice) fills a quota place."),
        "quota.wrong_position": ("实习「{key}」在岗位 {actual}，不是预留的岗位 {expected}。", "Internship '{key}' is on position {actual}, not on the reserved position {expected}."),
        "quota.wrong_school": ("实习「{key}」的学生属于学校 {actual}，预留「{no}」属于学校 {expected}。", "The student of internship '{key}' belongs to school {actual}; reservation '{no}' belongs to school {expected}."),
        "quota.outside_period": ("实习「{key}」（{start} 至 {end}）不在岗位的名额期 {period} 内。", "Internship '{key}' ({start} to {end}) lies outside the position's quota period {period}."),
        "quota.already_placed": ("实习「{key}」已落实在预留「{no}」上。", "Internship '{key}' already fills a place of reservation '{no}'."),
        "quota.full": ("预留「{no}」的 {places} 个名额已全部落实或退回，没有可确认的名额。", "All {places} places of reservation '{no}' are placed or given back; none is left to confirm."),
        "quota.release_too_many": ("预留「{no}」只有 {open} 个未落实的名额，不能释放 {places} 个。", "Reservation '{no}' has {open} unplaced places; {places} cannot be released."),
        "quota.nothing_to_release": ("预留「{no}」没有未落实的名额可释放。", "Reservation '{no}' has no unplaced place to release."),
        "quota.which_start": ("学生 {student} 在该岗位有多段学徒实习（开始日期 {starts}），请用 --start 指明哪一段。", "Student {student} has several apprenticeships on the position (starting {starts}); say which with --start."),
        "quota.no_apprenticeship": ("学生 {student} 在岗位 {uscc}/{position} 没有学徒实习。请先登记该学徒实习（实习类型“学徒”）。", "Student {student} has no apprenticeship on position {uscc}/{position}. Register it first (internship kind 学徒)."),
        "quota.bad_setting": ("配置 [quota] {name} 应为正整数（收到 {value}）。", "Configuration [quota] {name} must be a positive whole number (got {value})."),
        "quota.unknown_setting": ("配置 [quota] 没有设置项「{name}」。可用：{names}", "Configuration [quota] has no setting '{name}'. Available: {names}"),
        "quota.enterprise_scope": ("{actor} 只能查看本企业的名额，不能查看企业 {uscc}。", "{actor} sees its own quota only, not that of enterprise {uscc}."),
    }
)

SETTINGS = ("max_open_reservations", "max_hold_days")


# -- settings and small helpers -----------------------------------------------------------------

def quota_settings(config: dict | None) -> dict[str, int]:
    """The ``[quota]`` settings of ``xiaoqi.toml`` that are set (each a positive integer)."""
    table = (config or {}).get("quota") or {}
    out = {}
    for name, value in table.items():
        if name not in SETTINGS:
            raise UsageError(t("quota.unknown_setting", name=name, names=", ".join(SETTINGS)))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(t("quota.bad_setting", name=name, value=value))
        out[name] = value
    return out


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _new_number(today: dt.date) -> str:
    # random, not a counter: on PostgreSQL two positions are locked independently, so a daily
    # counter could hand the same number to two concurrent reservations
    return f"YL{today:%Y%m%d}-{secrets.token_hex(3).upper()}"


def _record(session: Session, actor: Actor, kind_name: str, action: str, obj, before: dict | None) -> dict:
    """Audit one change and announce it to plugins, like ``core.services`` does for every write."""
    kind = get_kind(kind_name)
    after = snapshot(kind, obj) if action != "delete" else None
    key = kind.key_of(kind.export_values(obj))
    audit.record(session, actor=actor, kind=kind.name, action=action, key=key, before=before, after=after)
    get_plugin_manager().hook.xiaoqi_record_changed(
        session=session, actor=actor, kind=kind.name, action=action, key=key, before=before, after=after)
    return after


def _invalid(column: str, value, reason: str) -> ValidationFailed:
    """A refusal naming the reservations column (in the user's language) that is wrong."""
    return ValidationFailed([(get_kind("reservations").by_name[column].header(), value, reason)], "reservations")


def _locked(session: Session, stmt, function: str, **params):
    """``stmt``'s row (one or None), locked until the transaction ends: ``SELECT ... FOR UPDATE``
    on PostgreSQL, or for a login that may read the row but not update it (row-level security
    leaves such rows out of FOR UPDATE) the owner's ``xiaoqi_sec.<function>``, which locks it and
    returns nothing; the login then reads it. SQLite writers are already serialised by BEGIN
    IMMEDIATE, and SQLAlchemy leaves FOR UPDATE out there. The lock is FOR NO KEY UPDATE: writers
    of the row still wait for it, while a login's write of a reservation, whose foreign key check
    takes FOR KEY SHARE on the position after the reservation's row, does not wait for a service
    holding the position and waiting for that reservation (a deadlock)."""
    found = session.execute(stmt.with_for_update(key_share=True)).scalar_one_or_none()
    if found is None and session.get_bind().dialect.name == "postgresql":
        from .logins import SCHEMA

        name = f"{SCHEMA}.{function}"
        if session.execute(sa.text(f"SELECT to_regprocedure('{name}({', '.join(['text'] * len(params))})') IS NOT NULL")).scalar():
            session.execute(sa.text(f"SELECT {name}({', '.join(':' + p for p in params)})"), params)
            found = session.execute(stmt).scalar_one_or_none()
    return found


def _lock_position(session: Session, uscc: str, position_code: str) -> m.Position | None:
    """The position row, locked until the transaction ends (``_locked``: for a login that may not
    update it, the owner's ``xiaoqi_sec.lock_position``)."""
    from .logins import LOCK_POSITION

    stmt = (sa.select(m.Position).where(m.Position.uscc == uscc, m.Position.position_code == position_code)
            .execution_options(populate_existing=True))
    return _locked(session, stmt, LOCK_POSITION, u=uscc, p=position_code)


def _lock_school(session: Session, school_code: str) -> None:
    """The school's row, locked until the transaction ends: what serialises one school's reservers
    (``max_open_reservations`` spans positions). A school's login may not update its school, so
    for it the owner's ``xiaoqi_sec.lock_school`` locks the row (``_locked``)."""
    from .logins import LOCK_SCHOOL

    _locked(session, sa.select(m.School.id).where(m.School.school_code == school_code), LOCK_SCHOOL, c=school_code)


def _service_day(session: Session, today: dt.date | None) -> dt.date:
    """The day a writing service judges reservations on (``today``, default the calendar's),
    told to the database for this transaction (PostgreSQL: ``xiaoqi.today``, which the quota's
    trigger reads, see ``guard_sql``)."""
    today = _today(today)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT set_config(:name, :day, true)"), {"name": DAY_SETTING, "day": today.isoformat()})
    return today


def _lock_reservation(session: Session, actor: Actor, reservation_no: str) -> tuple[m.QuotaReservation, m.Position]:
    """The reservation and its position, both locked (position first: the order every writer uses)."""
    r = m.QuotaReservation
    head = session.execute(sa.select(r.uscc, r.position_code).where(r.reservation_no == reservation_no)).first()
    if head is None:
        raise NotFound(t("quota.no_reservation", no=reservation_no))
    position = _lock_position(session, head.uscc, head.position_code)
    reservation = session.execute(
        sa.select(r).where(r.reservation_no == reservation_no).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    kind = get_kind("reservations")
    if reservation.id not in stored_allowed(session, kind, actor, "read", [reservation.id]):
        raise NotFound(t("quota.no_reservation", no=reservation_no))  # another party's is not revealed
    authorise(session, actor, kind, "update", reservation_no, obj=reservation, through_service=True)
    return reservation, position


def _placed(session: Session, reservation_no: str) -> int:
    pl = m.ReservationPlacement
    return session.execute(sa.select(sa.func.count()).select_from(pl).where(pl.reservation_no == reservation_no)).scalar_one()


def _period_text(position: m.Position) -> str:
    return f"{position.quota_from or '…'}～{position.quota_to or '…'}"


# -- figures ------------------------------------------------------------------------------------

def _in_period(i, p):
    """SQL: internship ``i`` overlaps the quota period of position ``p`` (an open end is unbounded)."""
    return sa.and_(sa.or_(p.quota_to.is_(None), i.start_on <= p.quota_to),
                   sa.or_(p.quota_from.is_(None), i.end_on >= p.quota_from))


def _given(value) -> bool:
    return isinstance(value, sa.ColumnElement) or bool(value)


def _per_school(today, uscc=None, position_code=None):
    """Subquery per (uscc, position_code, school_code): ``open`` unplaced places of reservations
    open on ``today``, ``apprentices`` in the quota period, and ``unlinked`` apprentices (not yet
    placed on a reservation). Three grouped queries, no per-row work. ``today``, ``uscc`` and
    ``position_code`` are values or SQL expressions (the database's guard, see ``guard_sql``)."""
    r, pl, i, p = m.QuotaReservation, m.ReservationPlacement, m.Internship, m.Position
    placed = sa.select(pl.reservation_no, sa.func.count().label("n")).group_by(pl.reservation_no).subquery()
    open_q = (
        sa.select(r.uscc, r.position_code, r.school_code,
                  (r.places - r.released_places - sa.func.coalesce(placed.c.n, 0)).label("open"),
                  sa.literal(0).label("apprentices"), sa.literal(0).label("unlinked"))
        .outerjoin(placed, placed.c.reservation_no == r.reservation_no)
        .where(r.status == RESERVED, r.expires_on >= today)
    )
    linked = sa.and_(pl.id_number == i.id_number, pl.uscc == i.uscc, pl.start_on == i.start_on)
    appr_q = (
        sa.select(i.uscc, i.position_code, i.school_code, sa.literal(0).label("open"),
                  sa.literal(1).label("apprentices"), sa.case((pl.id.is_(None), 1), else_=0).label("unlinked"))
        .join(p, sa.and_(p.uscc == i.uscc, p.position_code == i.position_code))
        .outerjoin(pl, linked)
        .where(i.kind == APPRENTICE, _in_period(i, p))
    )
    if _given(uscc):
        open_q = open_q.where(r.uscc == uscc)
        appr_q = appr_q.where(i.uscc == uscc)
    if _given(position_code):
        open_q = open_q.where(r.position_code == position_code)
        appr_q = appr_q.where(i.position_code == position_code)
    both = sa.union_all(open_q, appr_q).subquery()
    grouped = (
        sa.select(both.c.uscc, both.c.position_code, both.c.school_code,
                  sa.func.sum(both.c.open).label("open"), sa.func.sum(both.c.apprentices).label("apprentices"),
                  sa.func.sum(both.c.unlinked).label("unlinked"))
        .group_by(both.c.uscc, both.c.position_code, both.c.school_code)
        .subquery()
    )
    held = grouped.c.open - grouped.c.unlinked
    return sa.select(grouped.c.uscc, grouped.c.position_code, grouped.c.school_code, grouped.c.apprentices,
                     sa.case((held > 0, held), else_=0).label("held")).subquery()


@dataclass
class PositionQuota:
    """A position's quota and its use on ``today``. For a school actor ``reserved`` and
    ``confirmed`` are None (other schools' use is not shown) and ``own_*`` hold its own."""

    uscc: str
    enterprise: str
    position_code: str
    title: str
    quota: int
    quota_from: dt.date | None
    quota_to: dt.date | None
    is_open: bool
    reserved: int | None
    confirmed: int | None
    free: int
    own_reserved: int | None = None
    own_confirmed: int | None = None

    def as_dict(self) -> dict:
        out = {k: jsonable(v) for k, v in asdict(self).items()}
        if self.reserved is None:
            out.pop("reserved"), out.pop("confirmed")
        if self.own_reserved is None:
            out.pop("own_reserved"), out.pop("own_confirmed")
        return out


def _scope_positions(stmt, actor: Actor, p, e):
    if actor.role == "enterprise":
        return stmt.where(p.uscc == actor.code)
    if actor.role == "province":
        return stmt.where(e.region.startswith(actor.code))
    return stmt


def position_figures(session: Session, *, actor: Actor, uscc: str | None = None, position_code: str | None = None,
                     today: dt.date | None = None) -> list[PositionQuota]:
    """Quota, reserved, confirmed and free places of every position with a quota (or with
    apprentices) that ``actor`` may see, ordered by enterprise and position; one query."""
    today = _today(today)
    if uscc and actor.role == "enterprise" and uscc != actor.code:
        raise PermissionDenied(t("quota.enterprise_scope", actor=actor.label(), uscc=uscc))
    p, e = m.Position, m.Enterprise
    per_school = _per_school(today, uscc, position_code)
    totals = (sa.select(per_school.c.uscc, per_school.c.position_code,
                        sa.func.sum(per_school.c.held).label("reserved"),
                        sa.func.sum(per_school.c.apprentices).label("confirmed"))
              .group_by(per_school.c.uscc, per_school.c.position_code).subquery())
    cols = [p.uscc, e.name, p.position_code, p.title, p.apprentice_quota, p.quota_from, p.quota_to,
            sa.func.coalesce(totals.c.reserved, 0), sa.func.coalesce(totals.c.confirmed, 0)]
    stmt = (sa.select(*cols).join(e, e.uscc == p.uscc)
            .outerjoin(totals, sa.and_(totals.c.uscc == p.uscc, totals.c.position_code == p.position_code)))
    own = actor.role == "school"
    if own:
        mine = sa.select(per_school).where(per_school.c.school_code == actor.code).subquery()
        stmt = stmt.add_columns(sa.func.coalesce(mine.c.held, 0), sa.func.coalesce(mine.c.apprentices, 0)).outerjoin(
            mine, sa.and_(mine.c.uscc == p.uscc, mine.c.position_code == p.position_code))
    stmt = stmt.where(sa.or_(p.apprentice_quota > 0, totals.c.confirmed > 0))
    if uscc:
        stmt = stmt.where(p.uscc == uscc)
    if position_code:
        stmt = stmt.where(p.position_code == position_code)
    stmt = _scope_positions(stmt, actor, p, e).order_by(e.name, p.uscc, p.position_code)
    out = []
    for row in session.execute(stmt):
        quota, reserved, confirmed = int(row[4] or 0), int(row[7]), int(row[8])
        is_open = (row[5] is None or row[5] <= today) and (row[6] is None or row[6] >= today)
        item = PositionQuota(uscc=row[0], enterprise=row[1], position_code=row[2], title=row[3], quota=quota,
                             quota_from=row[5], quota_to=row[6], is_open=is_open, reserved=reserved,
                             confirmed=confirmed, free=quota - reserved - confirmed)
        if own:
            item.reserved = item.confirmed = None
            item.own_reserved, item.own_confirmed = int(row[9]), int(row[10])
        out.append(item)
    return out


@dataclass
class EnterpriseQuota:
    """An enterprise's quota use over its positions, and its apprenticeship ratio: places of the
    quotas in force on ``today`` ÷ its on-post staff, against the target a plugin sets for the
    region (``xiaoqi_quota_ratio_target``; the national rules answer it)."""

    uscc: str
    name: str
    region: str
    positions: int
    quota: int
    reserved: int | None
    confirmed: int | None
    free: int
    staff_count: int
    quota_in_force: int
    ratio: Decimal | None
    target: Decimal | None
    below_target: bool | None

    def as_dict(self) -> dict:
        out = {k: jsonable(v) for k, v in asdict(self).items()}
        if self.reserved is None:
            out.pop("reserved"), out.pop("confirmed")
        return out


def ratio_target(region: str, today: dt.date, config: dict | None = None) -> Decimal | None:
    """The apprenticeship ratio target for a region on a day (``xiaoqi_quota_ratio_target``), None
    when no plugin sets one."""
    from .plugins import get_plugin_manager

    value = get_plugin_manager().hook.xiaoqi_quota_ratio_target(region=region, on=today, config=config)
    return None if value is None else Decimal(value)


def enterprise_figures(session: Session, *, actor: Actor, uscc: str | None = None, today: dt.date | None = None,
                       config: dict | None = None) -> list[EnterpriseQuota]:
    """Per enterprise with a quota: the sums of ``position_figures`` and its apprenticeship ratio."""
    today = _today(today)
    positions = position_figures(session, actor=actor, uscc=uscc, today=today)
    if not positions:
        return []
    p, e = m.Position, m.Enterprise
    in_force = sa.and_(sa.or_(p.quota_from.is_(None), p.quota_from <= today), sa.or_(p.quota_to.is_(None), p.quota_to >= today))
    stmt = (sa.select(e.uscc, e.name, e.region, e.staff_count,
                      sa.func.coalesce(sa.func.sum(sa.case((in_force, p.apprentice_quota), else_=0)), 0))
            .outerjoin(p, p.uscc == e.uscc)
            .where(e.uscc.in_({x.uscc for x in positions}))
            .group_by(e.uscc, e.name, e.region, e.staff_count))
    info = {row[0]: row for row in session.execute(stmt)}
    out: dict[str, EnterpriseQuota] = {}
    for x in positions:
        agg = out.get(x.uscc)
        if agg is None:
            _u, name, region, staff, places = info[x.uscc]
            ratio = (Decimal(int(places)) / staff).quantize(RATIO_PLACES) if staff else None
            target = ratio_target(region, today, config)
            agg = out[x.uscc] = EnterpriseQuota(
                uscc=x.uscc, name=name, region=region, positions=0, quota=0,
                reserved=None if x.reserved is None else 0, confirmed=None if x.confirmed is None else 0, free=0,
                staff_count=staff, quota_in_force=int(places), ratio=ratio, target=target,
                below_target=None if target is None or ratio is None else ratio < target)
        agg.positions += 1
        agg.quota += x.quota
        agg.free += x.free
        if x.reserved is not None:
            agg.reserved += x.reserved
            agg.confirmed += x.confirmed
    return list(out.values())


def _free_places(session: Session, position: m.Position, today: dt.date) -> int:
    per_school = _per_school(today, position.uscc, position.position_code)
    reserved, confirmed = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(per_school.c.held), 0), sa.func.coalesce(sa.func.sum(per_school.c.apprentices), 0))
    ).one()
    return int(position.apprentice_quota or 0) - int(reserved) - int(confirmed)


def guard_sql(dialect, function: str) -> str:
    """PostgreSQL: the trigger function ``function`` that keeps the quota in the database, for a
    login writing the reservations table directly (bypassing ``reserve``). After a row is inserted
    or updated so that it holds more places than before (held: open places of a reservation open
    today, as ``_per_school`` counts them), it locks the position row and refuses the write when
    the position's reserved + confirmed places then exceed its quota: the figures of
    ``_free_places``, from the same SQL. A write that holds no more places (release, confirm,
    expire; data already over the quota) passes. A login's update that would hold more places
    (places raised, places given back taken again, a closed reservation opened) is refused at
    once, the position not locked: only a new reservation holds places (``reserve``, whose lock
    order is the position's row first), and a login's update has locked the reservation's row
    already, so locking the position after it could deadlock with a service beside it. SQLSTATE XQ001, its DETAIL the figures as JSON
    (``core.db_errors`` words it). Today is the server's ``current_date``, or the day a service
    judges on (``_service_day``: the transaction's ``xiaoqi.today``) when the owner or an admin's
    login writes; any other login is judged on the server's day whatever it sets."""
    from .db_errors import QUOTA_STATE
    from .logins import SCHEMA, _literal

    today = sa.literal_column("v_today", sa.Date)
    per_school = _per_school(today, sa.literal_column("NEW.uscc", sa.String), sa.literal_column("NEW.position_code", sa.String))
    used = sa.select(sa.func.coalesce(sa.func.sum(per_school.c.held), 0) + sa.func.coalesce(sa.func.sum(per_school.c.apprentices), 0))
    used_sql = str(used.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    pl = m.ReservationPlacement.__tablename__

    def held(row: str) -> str:
        return (f"CASE WHEN {row}.status = {_literal(RESERVED)} AND {row}.expires_on >= v_today THEN {row}.places - "
                f"{row}.released_places - (SELECT count(*) FROM {pl} WHERE reservation_no = {row}.reservation_no) ELSE 0 END")

    position = f"NEW.uscc || '/' || NEW.position_code"
    return f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE v_more integer; v_quota integer; v_title text; v_used integer; v_free integer; v_today date := current_date;
BEGIN
  -- the service's day (``_service_day``), for the owner and an admin's login: another login judged
  -- on the server's day (a later day would let it count open reservations as expired)
  IF coalesce(current_setting({_literal(DAY_SETTING)}, true), '') <> '' AND NOT EXISTS (
      SELECT 1 FROM {SCHEMA}.logins l WHERE l.login = session_user AND l.role <> 'admin') THEN
    v_today := current_setting({_literal(DAY_SETTING)}, true)::date;
  END IF;
  v_more := {held('NEW')};
  IF TG_OP = 'UPDATE' AND OLD.uscc = NEW.uscc AND OLD.position_code = NEW.position_code THEN
    v_more := v_more - ({held('OLD')});
  END IF;
  IF v_more <= 0 THEN RETURN NULL; END IF;
  -- a login holds places by a new reservation only (``reserve``; no service's update holds more):
  -- refused before the position is locked, which an update would lock after the reservation's
  -- row, the reverse of the services' order (a deadlock beside a service)
  IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM {SCHEMA}.logins l WHERE l.login = session_user) THEN
    RAISE EXCEPTION USING ERRCODE = {_literal(QUOTA_STATE)},
      MESSAGE = '预留「' || NEW.reservation_no || '」占用的名额不能用修改增加（多占 ' || v_more || ' 个）：请用 xiaoqi quota reserve '
                || '新建预留。 Reservation ' || NEW.reservation_no || ': an update may not hold more places (' || v_more
                || ' more); reserve them anew with xiaoqi quota reserve.',
      DETAIL = json_build_object('what', 'update', 'reservation', NEW.reservation_no, 'places', v_more)::text;
  END IF;
  SELECT p.apprentice_quota, p.title INTO v_quota, v_title FROM positions p
   WHERE p.uscc = NEW.uscc AND p.position_code = NEW.position_code FOR NO KEY UPDATE;
  v_used := ({used_sql});
  IF v_used <= coalesce(v_quota, 0) THEN RETURN NULL; END IF;
  v_free := greatest(coalesce(v_quota, 0) - v_used + v_more, 0);
  RAISE EXCEPTION USING ERRCODE = {_literal(QUOTA_STATE)},
    MESSAGE = '名额不足：岗位「' || {position} || '」（' || coalesce(v_title, '') || '）剩余 ' || v_free || ' 个名额，不能再预留 '
              || v_more || ' 个（名额 ' || coalesce(v_quota, 0) || '）。 Not enough places: position ' || {position} || ' has '
              || v_free || ' free places left, ' || v_more || ' more held (quota ' || coalesce(v_quota, 0) || ').',
    DETAIL = json_build_object('position', {position}, 'title', v_title, 'free', v_free, 'places', v_more,
                               'quota', coalesce(v_quota, 0))::text;
END $$"""


# -- services -----------------------------------------------------------------------------------

def reserve(session: Session, *, actor: Actor, uscc: str, position_code: str, places: int, expires_on: dt.date,
            school_code: str | None = None, today: dt.date | None = None, config: dict | None = None) -> m.QuotaReservation:
    """Reserve ``places`` apprentice places on a position for a school until ``expires_on``.

    A school reserves for itself, admin for any school (the ``reservations`` kind's access says
    who may). Refused when the position has no quota, its quota period is not open today, the
    deadline is in the past or after the period ends (or further than ``max_hold_days``), the
    school holds ``max_open_reservations`` already, or fewer places are free than asked."""
    today = _service_day(session, today)
    settings = quota_settings(config)
    kind = get_kind("reservations")
    authorise(session, actor, kind, "create", "", through_service=True)
    if actor.role == "school":
        if school_code and school_code != actor.code:
            raise PermissionDenied(t("quota.school_only_own", actor=actor.label(), school=school_code))
        school_code = actor.code
    if not school_code:
        raise UsageError(t("quota.school_needed"))
    if isinstance(places, bool) or not isinstance(places, int) or places < 1:
        raise _invalid("places", places, t("quota.places_min", places=places))

    position = _lock_position(session, uscc, position_code)
    if position is None:
        raise NotFound(t("quota.no_position", uscc=uscc, position=position_code))
    school = session.execute(sa.select(m.School).where(m.School.school_code == school_code)).scalar_one_or_none()
    if school is None:
        raise NotFound(t("quota.no_school", school=school_code))
    if not position.apprentice_quota:
        raise Conflict(t("quota.no_quota", position=position_code, title=position.title))
    if position.quota_from and today < position.quota_from:
        raise Conflict(t("quota.not_open", position=position_code, start=position.quota_from, today=today))
    if position.quota_to and today > position.quota_to:
        raise Conflict(t("quota.closed", position=position_code, end=position.quota_to))
    if expires_on < today:
        raise _invalid("expires_on", expires_on, t("quota.expiry_past", expires=expires_on, today=today))
    if position.quota_to and expires_on > position.quota_to:
        raise _invalid("expires_on", expires_on, t("quota.expiry_after_end", expires=expires_on, end=position.quota_to))
    hold = settings.get("max_hold_days")
    if hold and expires_on > today + dt.timedelta(days=hold):
        latest = today + dt.timedelta(days=hold)
        raise _invalid("expires_on", expires_on, t("quota.expiry_too_far", days=hold, latest=latest))
    limit = settings.get("max_open_reservations")
    if limit:
        # the limit spans positions, so the school's row is the lock that serialises its reservers
        _lock_school(session, school_code)
        r = m.QuotaReservation
        held = session.execute(sa.select(sa.func.count()).select_from(r).where(
            r.school_code == school_code, r.status == RESERVED, r.expires_on >= today)).scalar_one()
        if held >= limit:
            raise Conflict(t("quota.school_limit", school=school_code, open=held, limit=limit))
    free = _free_places(session, position, today)
    if places > free:
        raise Conflict(t("quota.over", position=position_code, title=position.title, free=max(free, 0),
                         places=places, quota=position.apprentice_quota))
    reservation = m.QuotaReservation(
        reservation_no=_new_number(today), uscc=uscc, position_code=position_code, school_code=school_code,
        places=places, released_places=0, expires_on=expires_on, status=RESERVED, reserved_on=today)
    authorise(session, actor, kind, "create", reservation.reservation_no, after=kind.export_values(reservation),
              through_service=True)
    session.add(reservation)
    session.flush()
    _record(session, actor, "reservations", "create", reservation, None)
    return reservation


def _internship_key(session: Session, key: str | dict, reservation: m.QuotaReservation, actor: Actor) -> dict:
    """The internship's key values. A dict may leave out ``uscc`` (the reservation's) and
    ``start_on`` when the student has exactly one 学徒 internship on the reserved position (among
    those the actor may see: the others are not told of)."""
    kind = get_kind("internships")
    if isinstance(key, dict):
        key = {**key, "uscc": key.get("uscc") or reservation.uscc}
        if key.get("start_on") is None and key.get("id_number"):
            i = m.Internship
            scope = kind.read_filter(actor)
            starts = list(session.execute(sa.select(i.start_on).where(
                i.id_number == key["id_number"], i.uscc == reservation.uscc, i.position_code == reservation.position_code,
                i.kind == APPRENTICE, *([] if scope is None else [scope])).order_by(i.start_on)).scalars())
            student = mask_value(IDCARD, key["id_number"])
            if len(starts) > 1:
                raise UsageError(t("quota.which_start", student=student, starts="、".join(map(str, starts))))
            if not starts:
                raise NotFound(t("quota.no_apprenticeship", student=student, uscc=reservation.uscc,
                                 position=reservation.position_code))
            key["start_on"] = starts[0]
    try:
        return kind.parse_key(key)
    except RowProblems as exc:
        raise ValidationFailed([(kind.by_name[n].header() if n in kind.by_name else n, v, r) for n, v, r in exc.problems],
                               "internships") from None


def reservation_of(session: Session, reservation_no: str) -> m.QuotaReservation:
    """The reservation with this number (NotFound otherwise); no actor scope, for callers that
    have already been authorised on it by a service."""
    r = m.QuotaReservation
    found = session.execute(sa.select(r).where(r.reservation_no == reservation_no)).scalar_one_or_none()
    if found is None:
        raise NotFound(t("quota.no_reservation", no=reservation_no))
    return found


def confirm(session: Session, *, actor: Actor, reservation_no: str, internship: str | dict,
            today: dt.date | None = None) -> m.ReservationPlacement:
    """Place one apprentice on a reservation: ``internship`` (its key ``id_number/uscc/start_on``,
    or a dict of them) is a 学徒 internship on the reserved position, of a student of the
    reserving school, within the quota period. The reservation becomes 已确认 when every place it
    holds is placed."""
    today = _service_day(session, today)
    reservation, position = _lock_reservation(session, actor, reservation_no)
    key_values = _internship_key(session, internship, reservation, actor)
    internships = get_kind("internships")
    key_text = internships.key_of(key_values)
    shown = mask_key(internships, key_text)  # keys in messages are masked, as on every surface
    if reservation.status != RESERVED:
        raise Conflict(t("quota.closed_reservation", no=reservation_no, status=reservation.status, action=t("quota.action.confirm")))
    if reservation.expires_on < today:
        raise Conflict(t("quota.expired_reservation", no=reservation_no, expires=reservation.expires_on))
    i = m.Internship
    scope = internships.read_filter(actor)
    found = session.execute(sa.select(i).where(
        i.id_number == key_values["id_number"], i.uscc == key_values["uscc"], i.start_on == key_values["start_on"],
        *([] if scope is None else [scope]))).scalar_one_or_none()
    if found is None:
        raise NotFound(t("quota.no_internship", key=shown))
    if found.kind != APPRENTICE:
        raise Conflict(t("quota.not_apprentice", key=shown, kind=found.kind))
    if (found.uscc, found.position_code) != (reservation.uscc, reservation.position_code):
        raise Conflict(t("quota.wrong_position", key=shown, actual=f"{found.uscc}/{found.position_code}",
                         expected=f"{reservation.uscc}/{reservation.position_code}"))
    if found.school_code != reservation.school_code:
        raise Conflict(t("quota.wrong_school", key=shown, actual=found.school_code, no=reservation_no,
                         expected=reservation.school_code))
    if (position.quota_to and found.start_on > position.quota_to) or (position.quota_from and found.end_on < position.quota_from):
        raise Conflict(t("quota.outside_period", key=shown, start=found.start_on, end=found.end_on, period=_period_text(position)))
    pl = m.ReservationPlacement
    other = session.execute(sa.select(pl.reservation_no).where(
        pl.id_number == found.id_number, pl.uscc == found.uscc, pl.start_on == found.start_on)).scalar()
    if other is not None:
        raise Conflict(t("quota.already_placed", key=shown, no=other))
    placed = _placed(session, reservation_no)
    if placed + reservation.released_places >= reservation.places:
        raise Conflict(t("quota.full", no=reservation_no, places=reservation.places))
    placement = pl(reservation_no=reservation_no, id_number=found.id_number, uscc=found.uscc,
                   start_on=found.start_on, placed_on=today)
    placements = get_kind("placements")
    authorise(session, actor, placements, "create", key_text, after=placements.export_values(placement), through_service=True)
    session.add(placement)
    session.flush()
    _record(session, actor, "placements", "create", placement, None)
    if placed + 1 + reservation.released_places == reservation.places:
        before = snapshot(get_kind("reservations"), reservation)
        reservation.status, reservation.closed_on = CONFIRMED, today
        session.flush()
        _record(session, actor, "reservations", "update", reservation, before)
    return placement


def release(session: Session, *, actor: Actor, reservation_no: str, places: int | None = None,
            today: dt.date | None = None) -> tuple[m.QuotaReservation, int]:
    """Give back unplaced places of an open reservation (all of them unless ``places``); returns
    the reservation and the number of places given back. When no unplaced place is left it
    closes: 已释放 (its placements stay)."""
    today = _service_day(session, today)
    reservation, _position = _lock_reservation(session, actor, reservation_no)
    if reservation.status != RESERVED:
        raise Conflict(t("quota.closed_reservation", no=reservation_no, status=reservation.status, action=t("quota.action.release")))
    placed = _placed(session, reservation_no)
    unplaced = reservation.places - reservation.released_places - placed
    if unplaced <= 0:
        raise Conflict(t("quota.nothing_to_release", no=reservation_no))
    if places is None:
        places = unplaced
    if isinstance(places, bool) or not isinstance(places, int) or places < 1:
        raise _invalid("places", places, t("quota.places_min", places=places))
    if places > unplaced:
        raise Conflict(t("quota.release_too_many", no=reservation_no, open=unplaced, places=places))
    before = snapshot(get_kind("reservations"), reservation)
    reservation.released_places += places
    if places == unplaced:
        reservation.status, reservation.closed_on = RELEASED, today
    session.flush()
    _record(session, actor, "reservations", "update", reservation, before)
    return reservation, places


def expire(session: Session, *, actor: Actor, today: dt.date | None = None) -> list[m.QuotaReservation]:
    """Close every open reservation whose deadline is before ``today`` (as 已过期), giving back
    its unplaced places; a school or an enterprise expires only its own. Returns those expired.
    One UPDATE for all of them; each is audited and announced."""
    today = _service_day(session, today)
    kind = get_kind("reservations")
    authorise(session, actor, kind, "update", "", through_service=True)
    r, pl = m.QuotaReservation, m.ReservationPlacement
    due = [r.status == RESERVED, r.expires_on < today]
    scope = actor_clause(kind, actor, "update")
    if scope is not None:
        due.append(scope)
    rows = list(session.execute(sa.select(r).where(*due).order_by(r.reservation_no).with_for_update()).scalars())
    if not rows:
        return []
    before = {x.reservation_no: snapshot(kind, x) for x in rows}
    placed = sa.select(sa.func.count()).select_from(pl).where(pl.reservation_no == r.reservation_no).scalar_subquery()
    session.execute(
        sa.update(r).where(r.reservation_no.in_(list(before)))
        .values(status=EXPIRED, closed_on=today, released_places=r.places - placed)
        .execution_options(synchronize_session=False))
    expired = list(session.execute(
        sa.select(r).where(r.reservation_no.in_(list(before))).order_by(r.reservation_no)
        .execution_options(populate_existing=True)).scalars())
    for x in expired:
        _record(session, actor, "reservations", "update", x, before[x.reservation_no])
    return expired


def reservation_summary(session: Session, reservation: m.QuotaReservation) -> dict[str, Any]:
    """A reservation as the CLI shows it: its columns plus how many places are placed and unplaced."""
    placed = _placed(session, reservation.reservation_no)
    out = snapshot(get_kind("reservations"), reservation)
    out["placed"] = placed
    out["unplaced"] = reservation.places - reservation.released_places - placed if reservation.status == RESERVED else 0
    return out

"""Apprenticeship quota services: reserve → confirm / release / expire, the figures per position
and per enterprise, who may do what, and every refusal — the lifecycle on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from xiaoqi.core import hookimpl
from xiaoqi.core import models as m
from xiaoqi.core.actors import ADMIN, AUDITOR, Actor
from xiaoqi.core.db import read_session, write_session
from xiaoqi.core.errors import Conflict, NotFound, PermissionDenied, UsageError, ValidationFailed
from xiaoqi.core.quota import (
    confirm, enterprise_figures, expire, position_figures, quota_settings, release, reservation_summary, reserve,
)

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def world(xiaoqi_factory):
    """Two schools, two enterprises; enterprise A has a post with 5 apprentice places for
    2026-01-01..2027-08-31 and a post without a quota."""
    f = xiaoqi_factory
    w = type("World", (), {})()
    w.f = f
    w.school_a = f.school()
    w.student_a1 = f.student(w.school_a)
    w.student_a2 = f.student(w.school_a)
    w.student_a3 = f.student(w.school_a)
    w.school_b = f.school()
    w.student_b = f.student(w.school_b)
    w.ent_a = f.enterprise()
    w.ent_b = f.enterprise()
    w.post = f.position(w.ent_a, apprentice_quota=5, quota_from=dt.date(2026, 1, 1), quota_to=dt.date(2027, 8, 31))
    w.plain = f.position(w.ent_a)
    w.other = f.position(w.ent_b, apprentice_quota=2, quota_from=dt.date(2026, 1, 1), quota_to=dt.date(2026, 12, 31))
    w.engine = f.engine
    return w


def school(s) -> Actor:
    return Actor("school", s.school_code)


def enterprise(e) -> Actor:
    return Actor("enterprise", e.uscc)


def do(engine, fn, **kw):
    kw.setdefault("today", TODAY)
    with write_session(engine) as session:
        out = fn(session, **kw)
        if isinstance(out, m.QuotaReservation):
            return reservation_summary(session, out)
        if isinstance(out, tuple):
            return reservation_summary(session, out[0]), out[1]
        return out


def figures(engine, actor=ADMIN, **kw):
    kw.setdefault("today", TODAY)
    with read_session(engine) as session:
        return {(p.uscc, p.position_code): p for p in position_figures(session, actor=actor, **kw)}


def apprentice(w, student, start=dt.date(2026, 3, 1), months_end=dt.date(2027, 2, 28), post=None):
    return w.f.internship(student, post or w.post, kind="学徒", start_on=start, end_on=months_end)


def key_of(i) -> str:
    return f"{i.id_number}/{i.uscc}/{i.start_on}"


@BOTH
def test_lifecycle_reserve_place_confirm_and_the_figures_add_up(world, xiaoqi_plugin_manager):
    w = world
    events = []

    class Listener:
        @hookimpl
        def xiaoqi_record_changed(self, session, actor, kind, action, key, before, after):
            events.append((kind, action, after and after.get("status")))

    xiaoqi_plugin_manager.register(Listener(), name="listener")
    r = do(w.engine, reserve, actor=school(w.school_a), uscc=w.ent_a.uscc, position_code=w.post.position_code,
           places=2, expires_on=dt.date(2026, 4, 30))
    assert r["status"] == "预留中" and r["school_code"] == w.school_a.school_code and r["unplaced"] == 2
    p = figures(w.engine)[(w.ent_a.uscc, w.post.position_code)]
    assert (p.quota, p.reserved, p.confirmed, p.free) == (5, 2, 0, 3)

    # the school registers its apprentice: the place it holds is filled, not counted twice
    first = apprentice(w, w.student_a1)
    p = figures(w.engine)[(w.ent_a.uscc, w.post.position_code)]
    assert (p.reserved, p.confirmed, p.free) == (1, 1, 3)

    do(w.engine, confirm, actor=school(w.school_a), reservation_no=r["reservation_no"], internship=key_of(first))
    p = figures(w.engine)[(w.ent_a.uscc, w.post.position_code)]
    assert (p.reserved, p.confirmed, p.free) == (1, 1, 3)

    second = apprentice(w, w.student_a2, start=dt.date(2026, 4, 1), months_end=dt.date(2027, 3, 31))
    # the CLI's form: the student, and the start date found because there is only one
    placement = do(w.engine, confirm, actor=school(w.school_a), reservation_no=r["reservation_no"],
                   internship={"id_number": second.id_number, "start_on": None})
    assert placement.start_on == dt.date(2026, 4, 1)
    with read_session(w.engine) as session:
        res = session.execute(sa.select(m.QuotaReservation)).scalar_one()
        assert (res.status, res.closed_on) == ("已确认", TODAY)
        audit = session.execute(sa.select(m.AuditEntry.kind, m.AuditEntry.action).where(
            m.AuditEntry.kind.in_(["reservations", "placements"])).order_by(m.AuditEntry.id)).all()
    assert audit == [("reservations", "create"), ("placements", "create"), ("placements", "create"), ("reservations", "update")]
    assert events[-1] == ("reservations", "update", "已确认")
    p = figures(w.engine)[(w.ent_a.uscc, w.post.position_code)]
    assert (p.quota, p.reserved, p.confirmed, p.free) == (5, 0, 2, 3)


@BOTH
def test_over_quota_is_refused_and_the_database_unchanged(world):
    w = world
    do(w.engine, reserve, actor=ADMIN, school_code=w.school_b.school_code, uscc=w.ent_a.uscc,
       position_code=w.post.position_code, places=4, expires_on=dt.date(2026, 5, 1))
    with pytest.raises(Conflict, match="名额不足.*剩余 1 个名额，不能预留 2 个"):
        do(w.engine, reserve, actor=school(w.school_a), uscc=w.ent_a.uscc, position_code=w.post.position_code,
           places=2, expires_on=dt.date(2026, 5, 1))
    with read_session(w.engine) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(m.QuotaReservation)).scalar_one() == 1
    do(w.engine, reserve, actor=school(w.school_a), uscc=w.ent_a.uscc, position_code=w.post.position_code,
       places=1, expires_on=dt.date(2026, 5, 1))
    assert figures(w.engine)[(w.ent_a.uscc, w.post.position_code)].free == 0


@pytest.mark.parametrize("change, message", [
    ({"position_code": "NOPE"}, "没有岗位「NOPE」"),
    ({"plain": True}, "没有申报学徒名额"),
    ({"today": dt.date(2025, 12, 31)}, "名额期自 2026-01-01 开始"),
    ({"today": dt.date(2027, 9, 1), "expires_on": dt.date(2027, 9, 30)}, "名额期已于 2027-08-31 结束"),
    ({"expires_on": dt.date(2026, 3, 1)}, "预留截止日期 2026-03-01 早于今天"),
    ({"expires_on": dt.date(2027, 9, 1)}, "晚于名额截止日期 2027-08-31"),
    ({"places": 0}, "预留名额应为不小于 1 的整数"),
])
def test_reserve_refusals(world, change, message):
    w = world
    kw = dict(actor=school(w.school_a), uscc=w.ent_a.uscc, position_code=w.post.position_code, places=1,
              expires_on=dt.date(2026, 4, 30))
    if change.pop("plain", False):
        kw["position_code"] = w.plain.position_code
    kw.update(change)
    with pytest.raises((Conflict, NotFound, ValidationFailed), match=message):
        do(w.engine, reserve, **kw)


def test_who_may_reserve(world):
    w = world
    kw = dict(uscc=w.ent_a.uscc, position_code=w.post.position_code, places=1, expires_on=dt.date(2026, 4, 30))
    with pytest.raises(PermissionDenied, match="只能为本校预留名额"):
        do(w.engine, reserve, actor=school(w.school_a), school_code=w.school_b.school_code, **kw)
    # an enterprise does not reserve places on a school's behalf, not even on its own post
    for ent in (w.ent_a, w.ent_b):
        with pytest.raises(PermissionDenied, match="不能新建学徒名额预留"):
            do(w.engine, reserve, actor=enterprise(ent), school_code=w.school_a.school_code, **kw)
    with pytest.raises(PermissionDenied, match="只读身份"):
        do(w.engine, reserve, actor=AUDITOR, school_code=w.school_a.school_code, **kw)
    with pytest.raises(UsageError, match="--school"):
        do(w.engine, reserve, actor=ADMIN, **kw)
    with pytest.raises(NotFound, match="学校 4999999999 不存在"):
        do(w.engine, reserve, actor=ADMIN, school_code="4999999999", **kw)
    r = do(w.engine, reserve, actor=ADMIN, school_code=w.school_b.school_code, **kw)
    assert r["school_code"] == w.school_b.school_code


def test_confirm_refusals(world):
    w = world
    r = do(w.engine, reserve, actor=school(w.school_a), uscc=w.ent_a.uscc, position_code=w.post.position_code,
           places=1, expires_on=dt.date(2026, 4, 30))["reservation_no"]
    on_post = w.f.internship(w.student_a1, w.post, start_on=dt.date(2026, 3, 1), end_on=dt.date(2026, 8, 31))
    other_school = apprentice(w, w.student_b)
    elsewhere = apprentice(w, w.student_a2, post=w.other)
    early = apprentice(w, w.student_a3, start=dt.date(2025, 1, 1), months_end=dt.date(2025, 12, 31))
    cases = [
        (key_of(on_post), Conflict, "类型是「岗位实习」"),
        # another school's internship is not revealed, nor the school it belongs to
        (key_of(other_school), NotFound, "找不到实习"),
        (key_of(elsewhere), Conflict, "不是预留的岗位"),
        (key_of(early), Conflict, "不在岗位的名额期"),
        (f"{w.student_a1.id_number}/{w.ent_a.uscc}/2030-01-01", NotFound, "找不到实习"),
        ("not-a-key", ValidationFailed, "id_number/uscc/start_on"),
    ]
    for key, error, message in cases:
        with pytest.raises(error, match=message):
            do(w.engine, confirm, actor=school(w.school_a), reservation_no=r, internship=key)
    good = apprentice(w, w.student_a1, start=dt.date(2026, 9, 1), months_end=dt.date(2027, 8, 31))
    with pytest.raises(NotFound, match="找不到预留"):  # another school's reservation is not revealed
        do(w.engine, confirm, actor=school(w.school_b), reservation_no=r, internship=key_of(good))
    with pytest.raises(NotFound, match="找不到预留"):
        do(w.engine, confirm, actor=enterprise(w.ent_b), reservation_no=r, internship=key_of(good))
    # the enterprise of the post does not place a school's students
    with pytest.raises(PermissionDenied, match="不能新建学徒名额落实"):
        do(w.engine, confirm, actor=enterprise(w.ent_a), reservation_no=r, internship=key_of(good))
    with pytest.raises(Conflict, match="已于 2026-04-30 到期"):
        do(w.engine, confirm, actor=school(w.school_a), reservation_no=r, internship=key_of(good), today=dt.date(2026, 5, 1))
    do(w.engine, confirm, actor=school(w.school_a), reservation_no=r, internship=key_of(good))
    with pytest.raises(Conflict, match="已确认」，已经关闭"):
        do(w.engine, confirm, actor=school(w.school_a), reservation_no=r, internship=key_of(good))
    r2 = do(w.engine, reserve, actor=school(w.school_a), uscc=w.ent_a.uscc, position_code=w.post.position_code,
            places=1, expires_on=dt.date(2026, 4, 30))["reservation_no"]
    with pytest.raises(Conflict, match="已落实在预留"):
        do(w.engine, confirm, actor=school(w.school_a), reservation_no=r2, internship=key_of(good))
    apprentice(w, w.student_a3, start=dt.date(2026, 9, 1), months_end=dt.date(2027, 8, 31))
    with pytest.raises(UsageError, match="多段学徒实习（开始日期 2025-01-01、2026-09-01）"):
        do(w.engine, confirm, actor=school(w.school_a), reservation_no=r2,
           internship={"id_number": w.student_a3.id_number, "start_on": None})
    # a placed apprenticeship cannot be deleted from under its reservation
    from xiaoqi.core.services import delete_record

    with pytest.raises(Conflict, match="仍被其他记录引用"):
        with write_session(w.engine) as session:
            delete_record(session, actor=ADMIN, kind="internships", key=key_of(good))


def test_release_part_then_all(world):
    w = world
    r = do(w.engine, reserve, actor=school(w.school_a), uscc=w.ent_a.uscc, position_code=w.post.position_code,
           places=3, expires_on=dt.date(2026, 4, 30))["reservation_no"]
    first = apprentice(w, w.student_a1)
    do(w.engine, confirm, actor=school(w.school_a), reservation_no=r, internship=key_of(first))
    with pytest.raises(Conflict, match="只有 2 个未落实的名额，不能释放 3 个"):
        do(w.engine, release, actor=school(w.school_a), reservation_no=r, places=3)
    out, n = do(w.engine, release, actor=school(w.school_a), reservation_no=r, places=1)
    assert (n, out["status"], out["released_places"], out["unplaced"]) == (1, "预留中", 1, 1)
    assert figures(w.engine)[(w.ent_a.uscc, w.post.position_code)].free == 3
    out, n = do(w.engine, release, actor=enterprise(w.ent_a), reservation_no=r)
    assert (n, out["status"], out["released_places"], out["placed"]) == (1, "已释放", 2, 1)
    with pytest.raises(Conflict, match="已释放」，已经关闭，不能再释放"):
        do(w.engine, release, actor=school(w.school_a), reservation_no=r)
    p = figures(w.engine)[(w.ent_a.uscc, w.post.position_code)]
    assert (p.reserved, p.confirmed, p.free) == (0, 1, 4)


@BOTH
def test_expire_closes_what_is_past_its_deadline(world):
    w = world
    kw = dict(uscc=w.ent_a.uscc, position_code=w.post.position_code)
    lapsing = do(w.engine, reserve, actor=school(w.school_a), places=2, expires_on=dt.date(2026, 3, 10), **kw)["reservation_no"]
    lasting = do(w.engine, reserve, actor=school(w.school_a), places=1, expires_on=dt.date(2026, 6, 30), **kw)["reservation_no"]
    theirs = do(w.engine, reserve, actor=school(w.school_b), places=1, expires_on=dt.date(2026, 3, 10), **kw)["reservation_no"]
    placed = apprentice(w, w.student_a1)
    do(w.engine, confirm, actor=school(w.school_a), reservation_no=lapsing, internship=key_of(placed))
    later = dt.date(2026, 3, 11)
    # a lapsed reservation holds no place even before it is marked
    assert figures(w.engine, today=later)[(w.ent_a.uscc, w.post.position_code)].reserved == 1
    with pytest.raises(PermissionDenied):
        do(w.engine, expire, actor=AUDITOR, today=later)
    mine = do(w.engine, expire, actor=school(w.school_a), today=later)
    assert [r.reservation_no for r in mine] == [lapsing]
    assert (mine[0].status, mine[0].released_places, mine[0].closed_on) == ("已过期", 1, later)
    rest = do(w.engine, expire, actor=ADMIN, today=later)
    assert [r.reservation_no for r in rest] == [theirs]
    assert do(w.engine, expire, actor=ADMIN, today=later) == []
    with read_session(w.engine) as session:
        states = dict(session.execute(sa.select(m.QuotaReservation.reservation_no, m.QuotaReservation.status)).all())
        audited = session.execute(sa.select(sa.func.count()).select_from(m.AuditEntry).where(
            m.AuditEntry.kind == "reservations", m.AuditEntry.action == "update")).scalar_one()
    assert states == {lapsing: "已过期", lasting: "预留中", theirs: "已过期"}
    assert audited == 2
    p = figures(w.engine, today=later)[(w.ent_a.uscc, w.post.position_code)]
    assert (p.reserved, p.confirmed, p.free) == (1, 1, 3)


def test_a_school_sees_free_places_and_its_own_use_only(world):
    w = world
    do(w.engine, reserve, actor=school(w.school_b), uscc=w.ent_a.uscc, position_code=w.post.position_code,
       places=2, expires_on=dt.date(2026, 4, 30))
    do(w.engine, reserve, actor=school(w.school_a), uscc=w.ent_a.uscc, position_code=w.post.position_code,
       places=1, expires_on=dt.date(2026, 4, 30))
    mine = figures(w.engine, actor=school(w.school_a))[(w.ent_a.uscc, w.post.position_code)]
    assert (mine.reserved, mine.confirmed, mine.own_reserved, mine.own_confirmed, mine.free) == (None, None, 1, 0, 2)
    assert set(mine.as_dict()) >= {"quota", "free", "own_reserved"} and "reserved" not in mine.as_dict()
    # an enterprise sees its own posts only, and may not ask for another's
    assert set(figures(w.engine, actor=enterprise(w.ent_b))) == {(w.ent_b.uscc, w.other.position_code)}
    with pytest.raises(PermissionDenied, match="只能查看本企业的名额"):
        figures(w.engine, actor=enterprise(w.ent_b), uscc=w.ent_a.uscc)
    # the plain post has no quota and no apprentices: not listed
    assert (w.ent_a.uscc, w.plain.position_code) not in figures(w.engine)


def test_settings_limit_open_reservations_and_holding_time(world):
    w = world
    config = {"quota": {"max_open_reservations": 1, "max_hold_days": 30}}
    kw = dict(actor=school(w.school_a), uscc=w.ent_a.uscc, position_code=w.post.position_code, places=1, config=config)
    with pytest.raises(ValidationFailed, match="最长保留 30 天.*2026-04-01"):
        do(w.engine, reserve, expires_on=dt.date(2026, 4, 2), **kw)
    do(w.engine, reserve, expires_on=dt.date(2026, 4, 1), **kw)
    with pytest.raises(Conflict, match="已有 1 个未完成的预留，达到上限 1"):
        do(w.engine, reserve, expires_on=dt.date(2026, 4, 1), **kw)
    with pytest.raises(UsageError, match="没有设置项「max_places」"):
        quota_settings({"quota": {"max_places": 3}})
    with pytest.raises(UsageError, match="应为正整数"):
        quota_settings({"quota": {"max_hold_days": "90"}})


def test_enterprise_figures_and_the_ratio_target(world):
    w = world
    apprentice(w, w.student_a1)
    config = {"params": {"APP-QUOTA-RATIO": {"min_ratio": [{"region": "33", "value": "0.02"}]}}}
    with read_session(w.engine) as session:
        plain = {e.uscc: e for e in enterprise_figures(session, actor=ADMIN, today=TODAY)}
        with_target = {e.uscc: e for e in enterprise_figures(session, actor=ADMIN, today=TODAY, config=config)}
    a = plain[w.ent_a.uscc]
    assert (a.positions, a.quota, a.reserved, a.confirmed, a.free) == (1, 5, 0, 1, 4)
    assert (a.staff_count, a.quota_in_force, a.ratio, a.target, a.below_target) == (500, 5, Decimal("0.0100"), None, None)
    a = with_target[w.ent_a.uscc]
    assert (a.target, a.below_target) == (Decimal("0.02"), True)
    # enterprise B's quota period is in force too: 2 / 500 = 0.4 % < 2 %
    assert with_target[w.ent_b.uscc].ratio == Decimal("0.0040")


def test_hook_xiaoqi_quota_ratio_target_sets_the_figure_quota_show_compares(world):
    """The core has no ratio of its own: the national rules answer from APP-QUOTA-RATIO's
    parameter, a plugin registered later answers first, and without any answer there is no target."""
    from xiaoqi.core import plugins
    from xiaoqi.core.plugins import get_plugin_manager
    from xiaoqi.testing import using_plugin_manager

    w = world
    apprentice(w, w.student_a1)
    config = {"params": {"APP-QUOTA-RATIO": {"min_ratio": [{"region": "33", "value": "0.02"}]}}}
    asked = []

    class Hainanish:
        @hookimpl
        def xiaoqi_quota_ratio_target(self, region, on, config):
            asked.append((region[:2], on))
            return Decimal("0.005") if on == TODAY else None

    def targets(**kw):
        with read_session(w.engine) as session:
            return {e.uscc: (e.target, e.below_target) for e in enterprise_figures(session, actor=ADMIN, today=kw.pop("today", TODAY), **kw)}

    pm = get_plugin_manager()
    pm.register(Hainanish(), name="hainanish")
    try:
        assert targets(config=config)[w.ent_a.uscc] == (Decimal("0.005"), False)   # 1 % >= 0.5 %
        assert asked and asked[0][1] == TODAY
        # the plugin has nothing for that day: the national rule's parameter answers
        assert targets(config=config, today=TODAY - dt.timedelta(days=1))[w.ent_a.uscc][0] == Decimal("0.02")
    finally:
        pm.unregister(name="hainanish")
    without = plugins.make_plugin_manager(entry_points=False)
    without.unregister(name="xiaoqi.plugins.national")
    with using_plugin_manager(without):
        assert targets(config=config)[w.ent_a.uscc] == (None, None)

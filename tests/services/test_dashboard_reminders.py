"""Dashboard figures for daily use: quota reservations falling due within the reminder window,
places reservations hold in the quota use, and whole-number ticks for count axes — on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from xiaoqi.core import models as m
from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.dashboard import count_ticks, summary
from xiaoqi.core.db import read_session, write_session

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
TODAY = dt.date(2025, 6, 1)


def test_count_ticks_are_whole_numbers():
    assert count_ticks(0) == [0, 1]
    assert count_ticks(3) == [0, 1, 2, 3]
    assert count_ticks(10) == [0, 3, 6, 9, 12]
    assert all(isinstance(v, int) for v in count_ticks(987))
    assert count_ticks(987)[-1] >= 987 and len(count_ticks(987)) <= 5


@BOTH
def test_reservations_due_soon_and_places_held(xiaoqi_factory, xiaoqi_engine):
    post = xiaoqi_factory.position(apprentice_quota="10", quota_from="2025-01-01", quota_to="2025-12-31")
    school = xiaoqi_factory.school()
    with write_session(xiaoqi_engine) as session:
        for no, expires, status, released in (("R-1", TODAY + dt.timedelta(days=5), "预留中", 1),
                                              ("R-2", TODAY + dt.timedelta(days=90), "预留中", None),
                                              ("R-3", TODAY + dt.timedelta(days=3), "已确认", None)):
            session.add(m.QuotaReservation(reservation_no=no, school_code=school.school_code, uscc=post.uscc,
                                           position_code=post.position_code, places=3, released_places=released,
                                           expires_on=expires, status=status, reserved_on=TODAY))
    with read_session(xiaoqi_engine) as session:
        s = summary(session, actor=ADMIN, today=TODAY)
        assert [(r["reservation_no"], r["places"]) for r in s.expiring_reservations] == [("R-1", 2)]
        [use] = [q for q in s.quota_use if q["uscc"] == post.uscc]
        assert use["reserved"] == 2 + 3 and use["quota"] == 10
        # another school does not see the reservation
        other = xiaoqi_factory.school()
        assert summary(session, actor=Actor("school", other.school_code), today=TODAY).expiring_reservations == []
        assert session.execute(sa.select(sa.func.count()).select_from(m.QuotaReservation)).scalar_one() == 3


@BOTH
def test_active_today_and_per_month_equal_a_count_per_month(xiaoqi_engine):
    """Read from one pass over the date index (internships per pair of days), the figures equal a
    COUNT of the internships overlapping each month, for every reader and a school."""
    import random

    from tests.rules_data import SCHOOL, World

    rng = random.Random(4)
    with write_session(xiaoqi_engine) as session:
        world = World(session)
        world.school("4133012345", "330100")
        for _ in range(120):
            start = TODAY - dt.timedelta(days=rng.randint(-60, 500))
            world.internship(insured=False, start_on=start, end_on=start + dt.timedelta(days=rng.choice([0, 1, 29, 31, 200])),
                             school_code=rng.choice([SCHOOL, "4133012345"]))
    with read_session(xiaoqi_engine) as session:
        for actor, where in ((ADMIN, "1 = 1"), (Actor("school", SCHOOL), f"school_code = '{SCHOOL}'")):
            figures = summary(session, actor=actor, today=TODAY)
            count = lambda a, b: session.execute(sa.text(  # noqa: E731
                f"SELECT COUNT(*) FROM internships WHERE start_on <= :b AND end_on >= :a AND {where}"), {"a": a, "b": b}).scalar_one()
            assert figures.active_internships == count(TODAY, TODAY) > 0
            months = [(dt.date(y, mo, 1), dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1))
                      for y, mo in ((TODAY.year - (TODAY.month - k <= 0), (TODAY.month - k - 1) % 12 + 1) for k in range(11, -1, -1))]
            assert figures.monthly_active == [(a.strftime("%Y-%m"), count(a, b)) for a, b in months]
            assert len({n for _, n in figures.monthly_active}) > 3

"""Never over-allocated on PostgreSQL: offices on separate connections reserve the last places at the
same moment; the position row lock (SELECT ... FOR UPDATE) lets exactly as many win as there were
places. Threads suffice: each has its own engine and connection, and psycopg releases the GIL
while the server works."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
import sqlalchemy as sa

from xiaoqi.core import models as m
from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine, read_session, write_session
from xiaoqi.core.errors import Conflict
from xiaoqi.core.quota import confirm, position_figures, reserve

from tests.services.test_quota_race import RACERS, TODAY, quota_world

pytestmark = pytest.mark.pg
PG = pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)


def race(url, uscc, position_code, schools, places_of):
    """Every school reserves ``places_of(school)`` places at once, each on its own connection."""
    barrier = threading.Barrier(len(schools))
    outcomes = []
    lock = threading.Lock()

    def run(school_code):
        engine = make_engine(url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            barrier.wait()
            try:
                with write_session(engine) as session:
                    r = reserve(session, actor=ADMIN, school_code=school_code, uscc=uscc, position_code=position_code,
                                places=places_of(school_code), expires_on=TODAY + dt.timedelta(days=30), today=TODAY)
                    outcome = ("won", school_code, r.places)
            except Conflict as exc:
                outcome = ("refused", school_code, str(exc))
            except Exception as exc:  # anything else fails the test, with its type
                outcome = ("error", school_code, f"{type(exc).__name__}: {exc}")
            with lock:
                outcomes.append(outcome)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(s,)) for s in schools]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert len(outcomes) == len(schools)
    assert not [o for o in outcomes if o[0] == "error"], outcomes
    return outcomes


@PG
def test_connections_racing_for_the_last_places_never_overbook(xiaoqi_factory, xiaoqi_db_url, xiaoqi_engine):
    uscc, position_code, schools = quota_world(xiaoqi_factory, 7, quota_from=dt.date(2026, 1, 1), quota_to=dt.date(2026, 12, 31))
    outcomes = race(xiaoqi_db_url, uscc, position_code, schools, lambda s: 1)
    won = [o for o in outcomes if o[0] == "won"]
    assert len(won) == 7 and len(outcomes) == RACERS
    assert all("名额不足" in o[2] for o in outcomes if o[0] == "refused")
    with read_session(xiaoqi_engine) as session:
        held = session.execute(sa.select(m.QuotaReservation.school_code, m.QuotaReservation.places)).all()
        fig = position_figures(session, actor=ADMIN, uscc=uscc, position_code=position_code, today=TODAY)[0]
    assert sorted(s for s, _ in held) == sorted(o[1] for o in won)
    assert (fig.quota, fig.reserved, fig.confirmed, fig.free) == (8, 7, 1, 0)


@PG
def test_uneven_requests_never_pass_the_quota(xiaoqi_factory, xiaoqi_db_url, xiaoqi_engine):
    """Requests of 1–3 places: whatever the order, the places held never exceed the quota, every
    refusal was for more than was left, and the figures agree with the rows."""
    uscc, position_code, schools = quota_world(xiaoqi_factory, 10, quota_from=dt.date(2026, 1, 1), quota_to=dt.date(2026, 12, 31))
    rng = random.Random(7)
    wanted = {s: rng.randint(1, 3) for s in schools}
    outcomes = race(xiaoqi_db_url, uscc, position_code, schools, wanted.__getitem__)
    held = sum(o[2] for o in outcomes if o[0] == "won")
    assert 10 - 2 <= held <= 10  # once full to within the smallest refused request, nothing else fits
    refused = [o for o in outcomes if o[0] == "refused"]
    assert refused and all(wanted[o[1]] > 10 - held for o in refused)
    with read_session(xiaoqi_engine) as session:
        rows = session.execute(sa.select(sa.func.sum(m.QuotaReservation.places))).scalar_one()
        fig = position_figures(session, actor=ADMIN, uscc=uscc, position_code=position_code, today=TODAY)[0]
    assert rows == held and (fig.reserved, fig.confirmed, fig.free) == (held, 1, 10 - held)


@PG
def test_confirming_one_reservation_twice_at_once_places_once(xiaoqi_factory, xiaoqi_db_url, xiaoqi_engine):
    """Two offices confirming different apprentices on the last place of one reservation."""
    f = xiaoqi_factory
    uscc, position_code, schools = quota_world(f, 2, quota_from=dt.date(2026, 1, 1), quota_to=dt.date(2026, 12, 31))
    school = f._find("schools", schools[0])
    post = f._find("positions", f"{uscc}/{position_code}")
    with write_session(xiaoqi_engine) as session:
        no = reserve(session, actor=ADMIN, school_code=school.school_code, uscc=uscc, position_code=position_code,
                     places=1, expires_on=TODAY + dt.timedelta(days=30), today=TODAY).reservation_no
    keys = []
    for _ in range(2):
        i = f.internship(f.student(school), post, kind="学徒", start_on=dt.date(2026, 3, 1), end_on=dt.date(2026, 12, 31))
        keys.append(f"{i.id_number}/{i.uscc}/{i.start_on}")
    barrier = threading.Barrier(2)
    outcomes = []

    def run(key):
        engine = make_engine(xiaoqi_db_url, poolclass=sa.pool.NullPool)
        try:
            barrier.wait()
            with write_session(engine) as session:
                confirm(session, actor=ADMIN, reservation_no=no, internship=key, today=TODAY)
            outcomes.append("placed")
        except Conflict as exc:
            outcomes.append(str(exc))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(k,)) for k in keys]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(outcomes, key=len)[0] == "placed" and outcomes.count("placed") == 1
    assert any("已经关闭" in o for o in outcomes)
    with read_session(xiaoqi_engine) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(m.ReservationPlacement)).scalar_one() == 1

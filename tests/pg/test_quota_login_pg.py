"""Reservations by a school's login on PostgreSQL: two reserves by the same login at once are held
to ``max_open_reservations`` (the second waits for the school's lock, taken through the owner's
``xiaoqi_sec.lock_school``, and is then refused); and the quota's trigger judges a service's
reservation on the service's day (``xiaoqi.today``), never on a day a login sets itself."""

from __future__ import annotations

import datetime as dt
import threading

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import make_engine, write_session
from xiaoqi.core.db_errors import QUOTA_STATE
from xiaoqi.core.errors import Conflict
from xiaoqi.core.quota import reserve

from .conftest import waits_on_a_lock
from .test_logins_pg import _raw, drop_with_logins

pytestmark = pytest.mark.pg

LIMIT = {"quota": {"max_open_reservations": 2}}


@pytest.fixture(scope="module")
def quota_login(xiaoqi_pg):
    """An enterprise with three positions holding apprentice places (quota period around the
    server's day), a school, and that school's login."""
    from .conftest import quota_registry

    w = quota_registry(xiaoqi_pg, (10, 10, 2))
    yield w
    w["engine"].dispose()
    drop_with_logins(xiaoqi_pg, w["url"], [w["login"]])


@pytest.fixture(params=["as declared", "school row not updatable"])
def school_policy(request, quota_login):
    """The schools' policies as declared (a school may update its own row, so FOR UPDATE locks
    it), or without the school's update policy: FOR UPDATE then gives the login no row, and the
    lock is the owner's ``xiaoqi_sec.lock_school``."""
    engine = quota_login["engine"]
    if request.param == "as declared":
        yield request.param
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP POLICY xq_school_update ON schools")
    try:
        yield request.param
    finally:
        from xiaoqi.core.kinds import get_kind
        from xiaoqi.core.logins import apply_row_security

        with engine.begin() as conn:
            apply_row_security(conn, [get_kind("schools")])


def test_two_reserves_by_one_school_login_at_once_are_held_to_the_open_reservations_limit(quota_login, school_policy):
    w = quota_login
    with w["engine"].begin() as conn:  # nothing open from an earlier run of the test
        conn.exec_driver_sql("DELETE FROM quota_reservations")
    actor, today, uscc = Actor("school", w["school"]), w["today"], w["uscc"]
    first_post, second_post, _ = w["posts"]
    expires = today + dt.timedelta(days=30)
    with write_session(w["engine"]) as session:  # one open already: room for one more
        reserve(session, actor=ADMIN, school_code=w["school"], uscc=uscc, position_code=first_post, places=1,
                expires_on=expires, today=today)
    first, second = make_engine(w["login_url"]), make_engine(w["login_url"])
    outcome = []

    def later():
        try:
            with write_session(second) as session:
                reserve(session, actor=actor, uscc=uscc, position_code=second_post, places=1, expires_on=expires,
                        today=today, config=LIMIT)
            outcome.append("won")
        except Conflict as exc:
            outcome.append(str(exc))
        except Exception as exc:  # anything else fails the test, with its type
            outcome.append(f"{type(exc).__name__}: {exc}")

    try:
        with write_session(first) as session:
            reserve(session, actor=actor, uscc=uscc, position_code=first_post, places=1, expires_on=expires,
                    today=today, config=LIMIT)
            thread = threading.Thread(target=later)
            thread.start()
            # the second reserve (another position: the position's lock does not order them) waits
            # for the school's row that the first holds
            assert waits_on_a_lock(w["engine"], sa.engine.make_url(w["login_url"]).username), outcome
            assert thread.is_alive() and not outcome
        thread.join(timeout=60)
    finally:
        first.dispose()
        second.dispose()
    assert len(outcome) == 1 and "已有 2 个未完成的预留，达到上限 2" in outcome[0], outcome
    with w["engine"].connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM quota_reservations WHERE school_code = :s AND status = '预留中'"),
                            {"s": w["school"]}).scalar_one() == 2


def test_the_quota_trigger_judges_a_service_on_its_day_and_a_login_on_the_servers(quota_login):
    w = quota_login
    today, uscc, post = w["today"], w["uscc"], w["posts"][2]  # a quota of 2 places
    later = today + dt.timedelta(days=30)
    with write_session(w["engine"]) as session:  # both places held until 10 days from now
        reserve(session, actor=ADMIN, school_code=w["school"], uscc=uscc, position_code=post, places=2,
                expires_on=today + dt.timedelta(days=10), today=today)
    # on a day 30 days on, that reservation has expired: both places are free again on that day,
    # for the service and for the database's trigger alike (on the server's day they are not)
    with write_session(w["engine"]) as session:
        r = reserve(session, actor=ADMIN, school_code=w["school"], uscc=uscc, position_code=post, places=2,
                    expires_on=later + dt.timedelta(days=10), today=later)
    assert r.places == 2
    # a login setting the day itself is judged on the server's: a day on which every
    # reservation has expired would let it hold any number of places
    insert = ("INSERT INTO quota_reservations (reservation_no, uscc, position_code, school_code, places, released_places, "
              "expires_on, status, reserved_on) VALUES ('DAY-1', %s, %s, %s, 5, 0, current_date + 20, '预留中', current_date)")
    with _raw(w["login_url"]) as conn:
        conn.execute("SET xiaoqi.today = '2099-01-01'")
        with pytest.raises(psycopg.Error) as refused:
            conn.execute(insert, (uscc, post, w["school"]))
    assert refused.value.sqlstate == QUOTA_STATE and "剩余 0 个名额" in str(refused.value)
    with w["engine"].connect() as conn:
        assert conn.execute(sa.text("SELECT sum(places) FROM quota_reservations WHERE position_code = :p"), {"p": post}).scalar_one() == 4

"""A login's raw UPDATE of a reservation on PostgreSQL may not hold more places (only a new
reservation does, ``xiaoqi quota reserve``): the quota's trigger refuses it at once, before it would
lock the position row — which the update would lock after the reservation's row, the reverse of
the services' order, so that an update beside a service (``quota release``, ``confirm``) holding
the position and waiting for the reservation deadlocked (PostgreSQL cancelled one of the two).
Now the login's update is refused and the service goes on."""

from __future__ import annotations

import datetime as dt
import threading

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine, write_session
from xiaoqi.core.db_errors import QUOTA_STATE, explain
from xiaoqi.core.i18n import set_lang
from xiaoqi.core.quota import release, reserve

from .conftest import waits_on_a_lock
from .test_logins_pg import _raw, drop_with_logins

pytestmark = pytest.mark.pg


@pytest.fixture(scope="module")
def world(xiaoqi_pg):
    """A position with 10 apprentice places, a school's login, and that school's reservation of 3."""
    from .conftest import quota_registry

    w = quota_registry(xiaoqi_pg, (10,))
    today = w["today"]
    with write_session(w["engine"]) as session:
        w["number"] = reserve(session, actor=ADMIN, school_code=w["school"], uscc=w["uscc"], position_code=w["posts"][0],
                              places=3, expires_on=today + dt.timedelta(days=30), today=today).reservation_no
    yield w
    w["engine"].dispose()
    drop_with_logins(xiaoqi_pg, w["url"], [w["login"]])


def _held(engine, number: str) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(sa.text("SELECT places, released_places FROM quota_reservations WHERE reservation_no = :n"),
                                  {"n": number}).one())


def test_a_logins_update_holding_more_places_is_refused_even_within_the_free_ones(world):
    engine, number = world["engine"], world["number"]
    with engine.begin() as conn:  # one place given back (the owner's update, holding fewer)
        conn.execute(sa.text("UPDATE quota_reservations SET released_places = 1 WHERE reservation_no = :n"), {"n": number})
    before = _held(engine, number)
    for statement in ("UPDATE quota_reservations SET places = places + 1 WHERE reservation_no = %s",
                      "UPDATE quota_reservations SET released_places = released_places - 1 WHERE reservation_no = %s"):
        with _raw(world["login_url"]) as conn, pytest.raises(psycopg.Error) as refused:
            conn.execute(statement, (number,))
        assert refused.value.sqlstate == QUOTA_STATE, refused.value
    assert f"预留「{number}」占用的名额不能用修改增加（多占 1 个）" in str(explain(refused.value, db=world["url"], busy_seconds=5))
    token = set_lang("en")
    try:
        assert f"Reservation {number}: an update may not hold more places (1 more)" in str(
            explain(refused.value, db=world["url"], busy_seconds=5))
    finally:
        set_lang(None)
        del token
    assert _held(engine, number) == before
    # an update that holds no more places passes, as before
    with _raw(world["login_url"]) as conn, conn.transaction(force_rollback=True):
        assert conn.execute("UPDATE quota_reservations SET released_places = released_places + 1 WHERE reservation_no = %s",
                            (number,)).rowcount == 1


@pytest.mark.parametrize("hold", ["SELECT 1 FROM quota_reservations WHERE reservation_no = %s FOR UPDATE",
                                  # an update of its own first: the second's foreign key check then takes
                                  # FOR KEY SHARE on the position, which the service's lock lets pass
                                  "UPDATE quota_reservations SET released_places = released_places WHERE reservation_no = %s"],
                         ids=["locked", "updated"])
def test_a_logins_update_beside_a_service_is_refused_instead_of_deadlocking(world, hold):
    engine, number, today = world["engine"], world["number"], world["today"]
    before = _held(engine, number)
    outcome: list[str] = []

    def service():  # locks the position, then waits for the reservation's row the login holds
        other = make_engine(world["url"])
        try:
            with write_session(other) as session:
                release(session, actor=ADMIN, reservation_no=number, places=1, today=today)
            outcome.append("released")
        except Exception as exc:  # anything else fails the test, with its type
            outcome.append(f"{type(exc).__name__}: {exc}")
        finally:
            other.dispose()

    with _raw(world["login_url"]) as conn:
        conn.autocommit = False
        # the login holds the reservation's row, as its update's first step does
        conn.execute(hold, (number,))
        thread = threading.Thread(target=service)
        thread.start()
        try:
            assert waits_on_a_lock(engine), outcome
            with pytest.raises(psycopg.Error) as refused:
                conn.execute("UPDATE quota_reservations SET places = places + 1 WHERE reservation_no = %s", (number,))
            conn.rollback()
        finally:
            thread.join(timeout=60)
    # refused by the trigger (before, the login's update waited for the position the service held,
    # and PostgreSQL cancelled one of the two as a deadlock, 40P01)
    assert refused.value.sqlstate == QUOTA_STATE, refused.value
    assert outcome == ["released"]
    assert _held(engine, number) == (before[0], before[1] + 1)

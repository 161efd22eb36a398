"""The quota kept by the database on PostgreSQL: a school login writing the reservations table with
psycopg, bypassing ``xiaoqi quota reserve``, cannot hold more places than the position has free (the
trigger of ``core.quota.guard_sql``, with the figures of ``position_figures``); a write that holds
no more places passes, also on a position already over its quota; xiaoqi as the login reserves as
before and refuses with its own message first."""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine, read_session, write_session
from xiaoqi.core.db_errors import QUOTA_STATE, explain
from xiaoqi.core.quota import position_figures

from ..conftest import DEMO_TODAY
from .test_logins_pg import _cli, _raw, drop_with_logins

pytestmark = pytest.mark.pg

INSERT = ("INSERT INTO quota_reservations (reservation_no, uscc, position_code, school_code, places, released_places, "
          "expires_on, status, reserved_on) VALUES (%s, %s, %s, %s, %s, 0, current_date + 20, '预留中', current_date)")


@pytest.fixture(scope="module")
def world(xiaoqi_pg):
    """The small demo on PostgreSQL, a login of a school holding an open reservation with unplaced
    places on a position with a quota, and that position's free places today (the database's)."""
    from xiaoqi.core.demo import generate

    url = xiaoqi_pg.create()
    engine = make_engine(url)
    with write_session(engine) as session:
        generate(session, size="small", seed=2026, today=DEMO_TODAY)
    with engine.connect() as conn:
        today = conn.exec_driver_sql("SELECT current_date").scalar_one()
        open_one = conn.exec_driver_sql(
            "SELECT r.reservation_no, r.uscc, r.position_code, r.school_code FROM quota_reservations r "
            "WHERE r.status = '预留中' AND r.expires_on >= current_date AND r.places - r.released_places > "
            "(SELECT count(*) FROM reservation_placements p WHERE p.reservation_no = r.reservation_no) "
            "ORDER BY r.reservation_no LIMIT 1").one()
    login = f"security_{uuid.uuid4().hex[:10]}"
    code, out, err = _cli(url, "users", "add", login, "--actor", f"school:{open_one.school_code}", "--password-stdin",
                          input="s3cret\n")
    assert code == 0, (out, err)
    login_url = sa.engine.make_url(url).set(username=login, password="s3cret").render_as_string(hide_password=False)
    yield url, engine, login_url, open_one, today
    engine.dispose()
    drop_with_logins(xiaoqi_pg, url, [login])


def _free(engine, uscc, position_code, today) -> int:
    with read_session(engine) as session:
        return position_figures(session, actor=ADMIN, uscc=uscc, position_code=position_code, today=today)[0].free


def test_a_login_inserting_a_reservation_gets_no_more_than_the_free_places(world):
    url, engine, login_url, r, today = world
    free = _free(engine, r.uscc, r.position_code, today)
    with _raw(login_url) as conn:
        with pytest.raises(psycopg.Error) as refused:
            conn.execute(INSERT, ("GUARD-1", r.uscc, r.position_code, r.school_code, free + 1))
        if free:  # exactly the free places pass: the trigger's figures are position_figures'
            with conn.transaction(force_rollback=True):
                conn.execute(INSERT, ("GUARD-2", r.uscc, r.position_code, r.school_code, free))
    assert refused.value.sqlstate == QUOTA_STATE
    assert f"{r.uscc}/{r.position_code}" in str(refused.value) and "Not enough places" in str(refused.value)
    shown = str(explain(refused.value, db=url, busy_seconds=5))
    assert f"剩余 {max(free, 0)} 个名额，不能再占用 {free + 1} 个" in shown
    assert _free(engine, r.uscc, r.position_code, today) == free


def test_a_login_raising_a_reservations_places_is_refused_and_releasing_passes_even_over_the_quota(world):
    url, engine, login_url, r, today = world
    free = _free(engine, r.uscc, r.position_code, today)
    raise_places = "UPDATE quota_reservations SET places = places + %s WHERE reservation_no = %s"
    release_one = "UPDATE quota_reservations SET released_places = released_places + 1 WHERE reservation_no = %s"
    with _raw(login_url) as conn:
        with pytest.raises(psycopg.Error) as refused:
            conn.execute(raise_places, (free + 1, r.reservation_no))
        assert refused.value.sqlstate == QUOTA_STATE
        with conn.transaction(force_rollback=True):
            assert conn.execute(release_one, (r.reservation_no,)).rowcount == 1
        # imported data over the quota: giving places back still passes
        with engine.begin() as owner:
            quota = owner.execute(sa.text("SELECT apprentice_quota FROM positions WHERE uscc = :u AND position_code = :p"),
                                  {"u": r.uscc, "p": r.position_code}).scalar_one()
            owner.execute(sa.text("UPDATE positions SET apprentice_quota = 1 WHERE uscc = :u AND position_code = :p"),
                          {"u": r.uscc, "p": r.position_code})
        try:
            with conn.transaction(force_rollback=True):
                assert conn.execute(release_one, (r.reservation_no,)).rowcount == 1
        finally:
            with engine.begin() as owner:
                owner.execute(sa.text("UPDATE positions SET apprentice_quota = :q WHERE uscc = :u AND position_code = :p"),
                              {"q": quota, "u": r.uscc, "p": r.position_code})
    assert _free(engine, r.uscc, r.position_code, today) == free


def test_xiaoqi_quota_reserve_as_the_login_works_within_the_free_places_and_refuses_first_itself(world):
    url, engine, login_url, r, today = world
    free = _free(engine, r.uscc, r.position_code, today)
    expires = str(today + dt.timedelta(days=20))
    args = ("quota", "reserve", "--enterprise", r.uscc, "--position", r.position_code, "--expires", expires)
    code, out, err = _cli(login_url, *args, "--places", free + 1)
    assert code != 0 and "不能预留" in err and "Traceback" not in err, (out, err)  # the service's message, not the trigger's
    if free:
        code, out, err = _cli(login_url, *args, "--places", free)
        assert code == 0, (out, err)
        assert _free(engine, r.uscc, r.position_code, today) == 0

"""Never over-allocated on SQLite: many offices reserve the last places at the same moment, each in
its own process (separate connections, BEGIN IMMEDIATE), and exactly as many win as there were
places — 24 forked processes calling the service, and a few ``xiaoqi quota reserve`` commands
(each a full interpreter start, so fewer). The PostgreSQL race is in tests/pg/test_quota_race_pg.py."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
import sys

import sqlalchemy as sa

from xiaoqi.core import models as m
from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import read_session
from xiaoqi.core.quota import position_figures

RACERS = 24
PLACES = 7
TODAY = dt.date(2026, 3, 2)


def quota_world(factory, places: int, *, quota_from: dt.date, quota_to: dt.date):
    """A post with ``places`` apprentice places, an apprentice already on it (one more place
    taken), and ``RACERS`` schools that will compete for the rest."""
    enterprise = factory.enterprise()
    post = factory.position(enterprise, apprentice_quota=places + 1, quota_from=quota_from, quota_to=quota_to)
    first = factory.school()
    factory.internship(factory.student(first), post, kind="学徒", start_on=quota_from, end_on=quota_to)
    schools = [factory.school().school_code for _ in range(RACERS)]
    return enterprise.uscc, post.position_code, schools


def _racer(url, uscc, position_code, school_code, barrier, results):
    """One office in its own process: connect, wait for the others, reserve one place."""
    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import make_engine, write_session
    from xiaoqi.core.errors import Conflict
    from xiaoqi.core.quota import reserve

    engine = make_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    barrier.wait()
    try:
        with write_session(engine) as session:
            r = reserve(session, actor=ADMIN, school_code=school_code, uscc=uscc, position_code=position_code,
                        places=1, expires_on=TODAY + dt.timedelta(days=30), today=TODAY)
            results.put(("won", school_code, r.reservation_no))
    except Conflict as exc:
        results.put(("refused", school_code, str(exc)))
    except Exception as exc:  # anything else is a failure of the test, reported with its type
        results.put(("error", school_code, f"{type(exc).__name__}: {exc}"))
    finally:
        engine.dispose()


def assert_totals(engine, uscc, position_code, outcomes, places):
    won = [o for o in outcomes if o[0] == "won"]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert not [o for o in outcomes if o[0] not in ("won", "refused")], outcomes
    assert len(won) == places and len(refused) == len(outcomes) - places
    assert all("名额不足" in o[2] and "剩余 0 个名额" in o[2] for o in refused)
    with read_session(engine) as session:
        rows = session.execute(sa.select(m.QuotaReservation.school_code, m.QuotaReservation.places)).all()
        fig = position_figures(session, actor=ADMIN, uscc=uscc, position_code=position_code, today=TODAY)[0]
    assert sorted(s for s, _ in rows) == sorted(o[1] for o in won)
    assert sum(p for _, p in rows) == places
    assert (fig.quota, fig.reserved, fig.confirmed, fig.free) == (places + 1, places, 1, 0)


def test_processes_racing_for_the_last_places_never_overbook(xiaoqi_factory, xiaoqi_db_url, xiaoqi_engine):
    uscc, position_code, schools = quota_world(xiaoqi_factory, PLACES, quota_from=dt.date(2026, 1, 1),
                                               quota_to=dt.date(2026, 12, 31))
    xiaoqi_engine.dispose()  # no open connection is inherited by the forked racers
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(RACERS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(xiaoqi_db_url, uscc, position_code, s, barrier, results)) for s in schools]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert_totals(xiaoqi_engine, uscc, position_code, outcomes, PLACES)


def test_cli_reservers_racing_in_separate_processes(xiaoqi_factory, xiaoqi_db_url, xiaoqi_engine):
    """``xiaoqi quota reserve`` started 8 times at once for 3 places: 3 exit 0, 5 exit 1."""
    today = dt.date.today()
    uscc, position_code, schools = quota_world(xiaoqi_factory, 3, quota_from=today - dt.timedelta(days=30),
                                               quota_to=today + dt.timedelta(days=300))
    schools = schools[:8]
    db = sa.engine.make_url(xiaoqi_db_url).database
    env = {**os.environ, "XIAOQI_LANG": "zh"}
    procs = [
        subprocess.Popen([sys.executable, "-m", "xiaoqi.core.cli", "--db", db, "--as", f"school:{s}", "quota", "reserve",
                          "--enterprise", uscc, "--position", position_code, "--places", "1",
                          "--expires", str(today + dt.timedelta(days=30))],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for s in schools
    ]
    codes = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        codes.append((p.returncode, out, err))
    assert sorted(c for c, _, _ in codes) == [0] * 3 + [1] * 5, codes
    assert all(err.startswith("错误：名额不足") and "Traceback" not in err for c, _, err in codes if c == 1)
    with read_session(xiaoqi_engine) as session:
        fig = position_figures(session, actor=ADMIN, uscc=uscc, position_code=position_code, today=today)[0]
        held = session.execute(sa.select(sa.func.sum(m.QuotaReservation.places))).scalar_one()
    assert (fig.quota, fig.reserved, fig.confirmed, fig.free, held) == (4, 3, 1, 0, 3)

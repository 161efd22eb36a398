"""The PostgreSQL demo with logins, made once per session: each test that needs it gets a copy
(``CREATE DATABASE ... TEMPLATE``, well under a second) instead of generating the demo again; its
copies hold the policies and masked views already, so that ``xiaoqi users add`` on one finds them
current (``logins.install`` compares the fingerprint of their SQL) and builds nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


@pytest.fixture(scope="session")
def pg_logins_template(xiaoqi_pg):
    """A small demo database on PostgreSQL set up for logins by ``xiaoqi users add`` (a first login,
    through the CLI: the group roles, the policies, the masked views); facts about it: the
    enterprise with most internships and the school with most students. Copy it with
    ``pg_copy``; never connect to it (a template in use cannot be copied)."""
    from xiaoqi.core.db import make_engine, write_session
    from xiaoqi.core.demo import generate

    from ..conftest import DEMO_TODAY
    from .test_logins_pg import add_login, drop_with_logins

    url = xiaoqi_pg.create()
    engine = make_engine(url)
    with write_session(engine) as session:
        generate(session, size="small", seed=2026, today=DEMO_TODAY)
    with engine.connect() as conn:
        facts = {
            "firm": conn.execute(sa.text("SELECT uscc FROM internships GROUP BY uscc ORDER BY count(*) DESC, uscc LIMIT 1")).scalar_one(),
            "school": conn.execute(sa.text("SELECT school_code FROM students GROUP BY school_code ORDER BY count(*) DESC, school_code LIMIT 1")).scalar_one(),
        }
    engine.dispose()
    name, _login_url = add_login(url, "auditor")
    yield url, facts
    drop_with_logins(xiaoqi_pg, url, [name])


def pg_copy(xiaoqi_pg, template_url: str) -> str:
    """A new database of ``xiaoqi_pg``'s server copied from ``template_url``: its URL."""
    import uuid

    name = f"{xiaoqi_pg.prefix}_{uuid.uuid4().hex[:12]}"
    template = sa.engine.make_url(template_url).database
    with xiaoqi_pg.admin.connect() as conn:
        # a session left open on it (the pool of the CLI run in-process that set it up) would
        # stop the copy
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d "
                             "AND pid <> pg_backend_pid()"), {"d": template})
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return xiaoqi_pg.url_for(name)


def new_login(engine, url: str, actor: str) -> tuple[str, str]:
    """A new login for ``actor`` on the database of ``engine`` (at ``url``), made by ``xiaoqi users
    add`` as a user makes one: on a copy of a template set up for logins, its install finds the
    policies and views current and makes only the role and its row; its name and URL."""
    from .test_logins_pg import add_login

    return add_login(url, actor)


def busiest_pair(conn) -> tuple[str, str]:
    """The enterprise with most internships and, of its schools, the one with most interns there:
    (uscc, school_code)."""
    firm = conn.execute(sa.text("SELECT uscc FROM internships GROUP BY uscc ORDER BY count(*) DESC, uscc LIMIT 1")).scalar_one()
    school = conn.execute(sa.text("SELECT school_code FROM internships WHERE uscc = :f GROUP BY school_code "
                                  "ORDER BY count(*) DESC, school_code LIMIT 1"), {"f": firm}).scalar_one()
    return firm, school


def quota_registry(xiaoqi_pg, quotas: tuple[int, ...]) -> dict:
    """A new database with an enterprise whose positions hold ``quotas`` apprentice places (a quota
    period around the server's day), a school and that school's login (made by ``users add``):
    url, engine, today, uscc, posts, school, login, login_url. Drop it with ``drop_with_logins``."""
    import datetime as dt

    from xiaoqi.core.db import make_engine
    from xiaoqi.testing import XiaoqiFactory

    from .test_logins_pg import add_login

    url = xiaoqi_pg.create()
    engine = make_engine(url)
    with engine.connect() as conn:
        today = conn.exec_driver_sql("SELECT current_date").scalar_one()
    f = XiaoqiFactory(engine)
    firm = f.enterprise()
    period = dict(quota_from=today - dt.timedelta(days=60), quota_to=today + dt.timedelta(days=200))
    posts = [f.position(firm, apprentice_quota=places, **period).position_code for places in quotas]
    school = f.school().school_code
    login, login_url = add_login(url, f"school:{school}")
    return {"url": url, "engine": engine, "today": today, "uscc": firm.uscc, "posts": posts, "school": school,
            "login": login, "login_url": login_url}


def waits_on_a_lock(engine, user: str | None = None, seconds: float = 10.0) -> bool:
    """Whether a session of this database (of ``user``, if given) comes to wait for a lock within ``seconds``."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND wait_event_type = 'Lock' AND (CAST(:u AS text) IS NULL OR usename = :u)"),
                            {"u": user}).scalar_one():
                return True
        time.sleep(0.05)
    return False

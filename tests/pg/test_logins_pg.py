"""Logins on PostgreSQL and row-level security, tried the hostile way: a login connects with psycopg,
bypassing xiaoqi, and the database itself refuses what the login's actor may not see or change; xiaoqi
run as a login takes the actor from ``current_user`` and ``--as`` only narrows it; removing or
narrowing a login takes effect on the next statement of a session already open."""

from __future__ import annotations

import uuid

import psycopg
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from xiaoqi.core.cli import cli
from xiaoqi.core.db import make_engine, write_session


pytestmark = pytest.mark.pg


def _cli(url, *args, input=None):
    result = CliRunner().invoke(cli, ["--db", url, *map(str, args)], input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def shared(xiaoqi_pg, pg_logins_template):
    """A demo database on PostgreSQL set up for logins (a copy of the session's) and a way to add
    logins (dropped afterwards): ``xiaoqi users add`` has set up the policies and views of the
    template for the kinds as they are, so each login here is only its role and its row."""
    from .conftest import new_login, pg_copy

    template_url, facts = pg_logins_template
    url = pg_copy(xiaoqi_pg, template_url)
    engine = make_engine(url)
    made: list[str] = []

    def login(actor: str) -> tuple[str, str]:
        name, login_url = new_login(engine, url, actor)
        made.append(name)
        return name, login_url

    yield url, engine, login, dict(facts)
    engine.dispose()
    drop_with_logins(xiaoqi_pg, url, made)


def add_login(url: str, actor: str) -> tuple[str, str]:
    """A new login for ``actor`` made by ``xiaoqi users add``: its name and its database URL."""
    name = f"security_{uuid.uuid4().hex[:10]}"
    code, out, err = _cli(url, "users", "add", name, "--actor", actor, "--password-stdin", input="s3cret\n")
    assert code == 0, (out, err)
    return name, sa.engine.make_url(url).set(username=name, password="s3cret").render_as_string(hide_password=False)


def drop_with_logins(xiaoqi_pg, url: str, logins: list[str]) -> None:
    """Drop the test database (its logins' sessions ended first) and then the logins."""
    admin = sa.create_engine(xiaoqi_pg.server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename LIKE 'security\\_%%' "
                             f"AND datname = '{sa.engine.make_url(url).database}'")
    xiaoqi_pg.drop(url)
    with admin.connect() as conn:
        for name in logins:
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
    admin.dispose()


def _raw(login_url: str):
    u = sa.engine.make_url(login_url)
    return psycopg.connect(host=u.host, port=u.port or 5432, dbname=u.database, user=u.username, password=u.password,
                           autocommit=True)


def test_an_enterprise_login_bypassing_xiaoqi_sees_and_changes_only_what_its_actor_may(shared):
    url, engine, login, facts = shared
    firm = facts["firm"]
    _name, firm_url = login(f"enterprise:{firm}")
    with engine.connect() as conn:
        own_positions = conn.execute(sa.text("SELECT count(*) FROM positions WHERE uscc = :f"), {"f": firm}).scalar_one()
        interns = conn.execute(sa.text("SELECT count(DISTINCT id_number) FROM internships WHERE uscc = :f"), {"f": firm}).scalar_one()
        students = conn.execute(sa.text("SELECT count(*) FROM students")).scalar_one()
        internships = conn.execute(sa.text("SELECT count(*) FROM internships")).scalar_one()
    with _raw(firm_url) as raw:
        cur = raw.cursor()
        assert cur.execute("SELECT count(*) FROM positions WHERE uscc <> %s", (firm,)).fetchone()[0] == 0
        assert cur.execute("SELECT count(*) FROM positions").fetchone()[0] == own_positions > 0
        # the students of its own interns only; no other enterprise's internships
        assert cur.execute("SELECT count(*) FROM students").fetchone()[0] == interns < students
        assert cur.execute("SELECT count(*) FROM internships WHERE uscc <> %s", (firm,)).fetchone()[0] == 0
        # a school's internship (even one at this enterprise) cannot be changed or deleted
        assert cur.execute("UPDATE internships SET monthly_pay = 1").rowcount == 0
        assert cur.execute("DELETE FROM internships").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cur.execute("INSERT INTO internships (school_code, id_number, uscc, kind, start_on, end_on) "
                        "SELECT school_code, id_number, %s, '认识实习', DATE '2030-01-01', DATE '2030-01-10' FROM students LIMIT 1",
                        (firm,))
        # the audit log is insert-only for every login; the incentives ledger is appended to by its
        # service and changed by no login
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cur.execute("DELETE FROM audit_log")
        assert cur.execute("UPDATE inc_lines SET note = 'x'").rowcount == 0
        assert cur.execute("DELETE FROM inc_lines").rowcount == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM internships")).scalar_one() == internships
        assert conn.execute(sa.text("SELECT count(*) FROM internships WHERE monthly_pay = 1")).scalar_one() == 0


def test_a_school_login_sees_only_its_students_and_the_auditor_cannot_write(shared):
    url, engine, login, facts = shared
    school = facts["school"]
    _name, school_url = login(f"school:{school}")
    _auditor, auditor_url = login("auditor")
    with engine.connect() as conn:
        own = conn.execute(sa.text("SELECT count(*) FROM students WHERE school_code = :s"), {"s": school}).scalar_one()
        total = conn.execute(sa.text("SELECT count(*) FROM students")).scalar_one()
    with _raw(school_url) as raw:
        cur = raw.cursor()
        assert cur.execute("SELECT count(*) FROM students").fetchone()[0] == own < total
        assert cur.execute("SELECT count(*) FROM students WHERE school_code <> %s", (school,)).fetchone()[0] == 0
        assert cur.execute("UPDATE students SET class_name = 'x' WHERE school_code <> %s", (school,)).rowcount == 0
    with _raw(auditor_url) as raw:
        cur = raw.cursor()
        assert cur.execute("SELECT count(*) FROM students").fetchone()[0] == total
        for statement in ("UPDATE students SET class_name = 'x'", "DELETE FROM schools",
                          "INSERT INTO audit_blocks (id) VALUES (999999)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cur.execute(statement)


def test_xiaoqi_as_a_login_takes_its_actor_and_as_only_narrows(shared):
    url, engine, login, facts = shared
    firm = facts["firm"]
    _name, firm_url = login(f"enterprise:{firm}")
    code, out, err = _cli(firm_url, "records", "list", "positions", "--format", "json", "--limit", "1000")
    assert code == 0 and out and {p["uscc"] for p in __import__("json").loads(out)} == {firm}
    code, out, err = _cli(firm_url, "--as", "admin", "records", "list", "positions")
    assert code == 1 and "只能缩小身份" in err and "--as admin" not in err
    code, out, err = _cli(firm_url, "--as", f"school:{facts['school']}", "records", "list", "students")
    assert code == 1 and "只能缩小身份" in err
    # an admin login may act as a school
    _admin, admin_url = login("admin")
    code, out, err = _cli(admin_url, "--as", f"school:{facts['school']}", "records", "list", "students", "--format", "json")
    assert code == 0 and {s["school_code"] for s in __import__("json").loads(out)} == {facts["school"]}
    # only the database's owner manages logins
    code, out, err = _cli(firm_url, "users", "add", "security_nobody", "--actor", "auditor", "--password-stdin", input="x\n")
    assert code == 1


def test_removing_or_narrowing_a_login_takes_effect_on_the_next_statement_of_an_open_session(shared):
    url, engine, login, facts = shared
    school = facts["school"]
    name, school_url = login(f"school:{school}")
    with _raw(school_url) as raw:
        cur = raw.cursor()
        seen = cur.execute("SELECT count(*) FROM students").fetchone()[0]
        assert seen > 0
        # narrowed to another school: the same session now sees that school's students
        other = engine.connect().execute(sa.text("SELECT school_code FROM schools WHERE school_code <> :s LIMIT 1"),
                                         {"s": school}).scalar_one()
        assert _cli(url, "users", "set", name, "--actor", f"school:{other}")[0] == 0
        assert cur.execute("SELECT count(*) FROM students WHERE school_code = %s", (school,)).fetchone()[0] == 0
        # removed: the next statement is refused
        assert _cli(url, "users", "remove", name)[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cur.execute("SELECT count(*) FROM students")


def test_a_tui_session_open_as_a_login_loses_its_rights_on_the_next_read(shared):
    import asyncio

    from xiaoqi.core.actors import Actor
    from xiaoqi.tui.widgets.paged_table import PagedTable

    from ..tui.tui_helpers import SIZE, make_app, settle

    url, engine, login, facts = shared
    school = facts["school"]
    name, school_url = login(f"school:{school}")
    with engine.connect() as conn:
        own = conn.execute(sa.text("SELECT count(*) FROM students WHERE school_code = :s"), {"s": school}).scalar_one()
        other = conn.execute(sa.text("SELECT school_code FROM schools WHERE school_code <> :s LIMIT 1"), {"s": school}).scalar_one()

    async def scenario():
        app = make_app(school_url, Actor("school", school), auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            app.open_section("records-students")
            await settle(pilot)
            table = app.screen.query_one(PagedTable)
            assert table.total == own > 0
            # narrowed to another school while the TUI is open: the next read sees none of the old rows
            assert _cli(url, "users", "set", name, "--actor", f"school:{other}")[0] == 0
            await pilot.press("r")
            await settle(pilot)
            assert app.screen.query_one(PagedTable).total == 0
            # removed: the next read is refused, shown as a message, and the TUI keeps running
            assert _cli(url, "users", "remove", name)[0] == 0
            await pilot.press("r")
            await settle(pilot)
            assert app.is_running and app.screen.query_one(PagedTable).total in (None, 0)
            assert any("权限" in str(n.message) or "permission" in str(n.message).lower() for n in app._notifications)

    asyncio.run(scenario())


def test_login_reads_the_newest_change_through_the_owners_function(shared):
    """An enterprise login calls ``xiaoqi_sec.newest_change()`` (SECURITY DEFINER, only the id), and
    a check result kept for it turns stale when the admin changes data it may not read."""
    from xiaoqi.core import check_store

    url, engine, login, facts = shared
    _name, login_url = login(f"enterprise:{facts['firm']}")
    with engine.connect() as conn:
        newest = conn.execute(sa.text("SELECT max(id) FROM audit_log WHERE action IN "
                                      "('create', 'update', 'delete', 'import', 'undo')")).scalar_one() or 0
    with psycopg.connect(sa.engine.make_url(login_url).set(drivername="postgresql").render_as_string(hide_password=False)) as raw:
        assert raw.execute("SELECT xiaoqi_sec.newest_change()").fetchone()[0] == newest
    login_engine = make_engine(login_url)
    try:
        with login_engine.connect() as conn:
            mark = check_store.audit_mark(conn)
            assert not check_store.changes_since(conn, mark)
        with write_session(engine) as session:  # the admin (owner) changes a school's student
            session.execute(sa.text("INSERT INTO audit_log (at, actor, login, action, kind, key, block_id, hash) "
                                    "SELECT now(), 'admin', 'admin', 'update', 'students', key, block_id, hash "
                                    "FROM audit_log ORDER BY id DESC LIMIT 1"))
        with login_engine.connect() as conn:
            assert check_store.changes_since(conn, mark)
    finally:
        login_engine.dispose()

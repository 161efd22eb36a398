"""``logins.install`` on a database that holds what it would make already: the script is skipped
(its fingerprint, kept in ``xiaoqi_sec.installed``, is the one it would write), and what is not the
database's own still runs (the search_path of a login made by other means). A change of what the
script is built from (a table's columns, the kinds installed) runs it again, and ``xiaoqi db
upgrade`` builds everything again whatever the fingerprint says (a policy dropped by hand comes
back)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from xiaoqi.core import logins
from xiaoqi.core.db import make_engine
from xiaoqi.core.kinds import get_kind

from .conftest import pg_copy
from .test_logins_pg import _cli, drop_with_logins

pytestmark = pytest.mark.pg

#: the oid of an object that every run of the script makes again (DROP VIEW ... CASCADE, CREATE VIEW)
VIEW_OID = "SELECT 'xiaoqi_masked.audit_log'::regclass::oid"


@pytest.fixture
def installed(xiaoqi_pg, pg_logins_template):
    """A copy of the session's demo set up for logins, and its engine."""
    url = pg_copy(xiaoqi_pg, pg_logins_template[0])
    engine = make_engine(url)
    made: list[str] = []
    yield url, engine, made
    engine.dispose()
    drop_with_logins(xiaoqi_pg, url, made)


def _search_path(conn, login: str):
    return conn.execute(sa.text("SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
                                "WHERE r.rolname = :l AND s.setdatabase = 0"), {"l": login}).scalar()


def test_an_install_that_is_current_runs_no_statement_of_its_script_and_still_sets_a_new_logins_search_path(installed):
    url, engine, made = installed
    with engine.connect() as conn:
        view = conn.execute(sa.text(VIEW_OID)).scalar_one()
        kept = conn.execute(sa.text("SELECT fingerprint FROM xiaoqi_sec.installed")).scalar_one()
    # a login made by hand (its role and its row), without the search_path ``users add`` gives
    name = f"security_{uuid.uuid4().hex[:10]}"
    made.append(name)
    school = get_kind("schools")
    with engine.begin() as conn:
        code = conn.execute(sa.select(school.model.school_code).limit(1)).scalar_one()
        conn.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN IN ROLE {logins.GROUPS["school"]}')
        conn.execute(sa.text("INSERT INTO xiaoqi_sec.logins (login, role, code) VALUES (:l, 'school', :c)"), {"l": name, "c": code})
    with engine.connect() as conn:
        assert _search_path(conn, name) is None
    with engine.begin() as conn:
        logins.install(conn)
    with engine.connect() as conn:
        assert conn.execute(sa.text(VIEW_OID)).scalar_one() == view  # the view was not made again
        assert conn.execute(sa.text("SELECT fingerprint FROM xiaoqi_sec.installed")).scalar_one() == kept
        assert _search_path(conn, name) == [f"search_path={logins.MASKED}, public"]
        # what a new process (xiaoqi users add) finds in the user's cache instead of building the script,
        # kept unless a source file changed while this one ran (the suite writes some: then nothing is)
        catalog = logins._Catalog(conn)
        if logins._remember(conn, catalog, None, kept):
            assert logins._recall(conn, catalog, None) == kept


def test_a_changed_table_or_another_set_of_kinds_runs_the_script_again(installed):
    url, engine, _made = installed
    with engine.connect() as conn:
        view = conn.execute(sa.text(VIEW_OID)).scalar_one()
        kept = conn.execute(sa.text("SELECT fingerprint FROM xiaoqi_sec.installed")).scalar_one()
    # a column added to one of xiaoqi's own tables: its masked view shows it after the install
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE import_files ADD COLUMN security_note text")
        assert logins._recall(conn, logins._Catalog(conn), None) is None  # nothing kept for this catalog
        logins.install(conn)
    with engine.connect() as conn:
        columns = conn.execute(sa.text("SELECT column_name FROM information_schema.columns WHERE table_schema = 'xiaoqi_masked' "
                                       "AND table_name = 'import_files'")).scalars().all()
        assert "security_note" in columns
        changed = conn.execute(sa.text("SELECT fingerprint FROM xiaoqi_sec.installed")).scalar_one()
        assert changed != kept
        assert conn.execute(sa.text(VIEW_OID)).scalar_one() != view
        view = conn.execute(sa.text(VIEW_OID)).scalar_one()
    # the policies of one kind only: another script, run; then every kind's again
    with engine.begin() as conn:
        logins.install(conn, [get_kind("schools")])
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT fingerprint FROM xiaoqi_sec.installed")).scalar_one() not in (kept, changed)
        assert conn.execute(sa.text(VIEW_OID)).scalar_one() != view
    with engine.begin() as conn:
        logins.install(conn)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT fingerprint FROM xiaoqi_sec.installed")).scalar_one() == changed


def test_db_upgrade_builds_everything_again_a_policy_dropped_by_hand_too(installed):
    url, engine, _made = installed
    policy = "SELECT count(*) FROM pg_policies WHERE tablename = 'students' AND policyname = 'xq_school_read'"
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP POLICY xq_school_read ON students")
    with engine.begin() as conn:  # the fingerprint does not see it
        logins.install(conn)
    with engine.connect() as conn:
        assert conn.execute(sa.text(policy)).scalar_one() == 0
    engine.dispose()
    code, out, err = _cli(url, "db", "upgrade")
    assert code == 0, (out, err)
    with engine.connect() as conn:
        assert conn.execute(sa.text(policy)).scalar_one() == 1

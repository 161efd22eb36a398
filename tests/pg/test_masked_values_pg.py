"""A hidden personal value that is not text (a student's hardship flag) looks the same on both
databases: a login's masked view on PostgreSQL keeps the column's type and gives NULL outside the
login's reveal scope, and xiaoqi shows *** for it wherever it is hidden — run as that login, as an
actor narrowed with ``--as`` on PostgreSQL, and on SQLite — whatever the flag holds (yes, no, or no
value: on the view the three look alike), in the records and in the audit log's states."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine

from .test_logins_pg import _cli, _raw, drop_with_logins

pytestmark = pytest.mark.pg


def _students(url: str, *actor: str) -> dict[str, dict]:
    """``records list students`` as JSON, by masked ID number (what every surface shows)."""
    code, out, err = _cli(url, *actor, "records", "list", "students", "--format", "json", "--limit", "10000")
    assert code == 0, err
    return {r["id_number"]: r for r in json.loads(out)}


def test_a_hidden_flag_is_null_in_the_view_and_shown_as_stars_on_both_databases(xiaoqi_pg, pg_logins_template, demo_db):
    from .conftest import busiest_pair, new_login, pg_copy

    url = pg_copy(xiaoqi_pg, pg_logins_template[0])
    engine = make_engine(url)
    sqlite_url, _manifest = demo_db
    login = None
    try:
        with engine.connect() as conn:
            firm, _school = busiest_pair(conn)
            # two interns of the firm whose flags say no: the first's made yes, the second's no value
            # (on both databases)
            flagged, unset = conn.execute(sa.text(
                "SELECT s.id_number FROM students s WHERE s.id_number IN (SELECT id_number FROM internships WHERE uscc = :f) "
                "AND s.hardship IS FALSE ORDER BY s.id_number LIMIT 2"), {"f": firm}).scalars().all()
        for target in (url, sqlite_url):
            code, out, err = _cli(target, "records", "set", "students", flagged, "hardship=是")
            assert code == 0, (out, err)
            owner = make_engine(target)
            with owner.begin() as conn:
                conn.execute(sa.text("UPDATE students SET hardship = NULL WHERE id_number = :i"), {"i": unset})
            owner.dispose()
        login, login_url = new_login(engine, url, f"enterprise:{firm}")
        with _raw(login_url) as raw:
            # the view keeps the column's type: a boolean, NULL for every intern (yes, no or no value)
            assert raw.execute("SELECT data_type FROM information_schema.columns WHERE table_schema = 'xiaoqi_masked' "
                               "AND table_name = 'students' AND column_name = 'hardship'").fetchone()[0] == "boolean"
            assert {r[0] for r in raw.execute("SELECT hardship FROM students").fetchall()} == {None}
        with engine.connect() as conn:
            stored = {r[0] for r in conn.execute(sa.text(
                "SELECT hardship FROM students WHERE id_number IN (SELECT id_number FROM internships WHERE uscc = :f)"),
                {"f": firm})}
        assert stored == {True, False, None}  # the three cases are all there
        as_login = _students(login_url)
        narrowed = _students(url, "--as", f"enterprise:{firm}")
        on_sqlite = _students(sqlite_url, "--as", f"enterprise:{firm}")
        assert as_login and {r["hardship"] for r in as_login.values()} == {"***"}
        assert as_login == narrowed == on_sqlite
        # the audit log's states: the change of the flag, as the enterprise reads it
        shown = []
        for target, actor in ((url, ("--as", f"enterprise:{firm}")), (sqlite_url, ("--as", f"enterprise:{firm}"))):
            code, out, err = _cli(target, *actor, "audit", "show", "students", flagged, "--format", "json")
            assert code == 0, err
            entry = json.loads(out)[-1]
            shown.append((entry["action"], entry["before"]["hardship"], entry["after"]["hardship"]))
        # (the login finds no entries by the full number it is not shown: it browses them)
        code, out, err = _cli(login_url, "audit", "list", "--kind", "students", "--limit", "500", "--format", "json")
        assert code == 0, err
        masked = flagged[:6] + "********" + flagged[-4:]
        entry = next(e for e in json.loads(out)["entries"] if e["key"] == masked and e["action"] == "update")
        shown.append((entry["action"], entry["before"]["hardship"], entry["after"]["hardship"]))
        assert shown == [("update", "***", "***")] * 3
        # revealed (by the admin), the flag itself
        code, out, err = _cli(sqlite_url, "records", "show", "students", flagged, "--reveal", "--format", "json")
        assert code == 0 and json.loads(out)["hardship"] is True, err
    finally:
        engine.dispose()
        drop_with_logins(xiaoqi_pg, url, [login] if login else [])

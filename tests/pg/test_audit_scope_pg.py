"""The audit log and the import batches read in scope on PostgreSQL, tried the hostile way (a login
connecting with psycopg, bypassing xiaoqi) and through xiaoqi run as the logins: a school or an
enterprise reads the entries it wrote and those about records it may read (an admin's import of
its students included), no other school's or enterprise's; its own import batches only; the
auditor reads all and writes nothing; nobody but the owner changes or deletes an entry."""

from __future__ import annotations

import csv
import datetime as dt
import json

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.kinds import get_kinds
from xiaoqi.testing import make_id_number

from .test_logins_pg import _cli, _raw, drop_with_logins

pytestmark = pytest.mark.pg


def students_file(engine, path, school_rows: list[tuple[str, int]]) -> dict[str, list[str]]:
    """A CSV of new students (copies of each school's first student under new ID numbers and
    student numbers): ``school_rows`` gives each school and how many; returns the ID numbers by
    school."""
    cols = get_kinds()["students"].columns
    made: dict[str, list[str]] = {}
    with engine.connect() as conn, open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow([c.zh for c in cols])
        serial = 0
        for school, n in school_rows:
            row = dict(conn.execute(sa.text("SELECT * FROM students WHERE school_code = :s ORDER BY id LIMIT 1"),
                                    {"s": school}).mappings().one())
            for _ in range(n):
                serial += 1
                values = {**row, "id_number": make_id_number("110101", dt.date(2006, 5, 1), 500 + serial),
                          "student_no": f"SCOPE{serial:05d}"}
                made.setdefault(school, []).append(values["id_number"])
                writer.writerow(["" if values.get(c.name) is None else
                                 str(values[c.name]).replace("True", "是").replace("False", "否") for c in cols])
    return made


@pytest.fixture(scope="module")
def shared(xiaoqi_pg, pg_logins_template, tmp_path_factory):
    """A demo database on PostgreSQL set up for logins (a copy of the session's); the admin (owner)
    imports new students of two schools and changes a position of each of two enterprises; logins
    for the first school, the first enterprise and the auditor."""
    from .conftest import new_login, pg_copy

    url = pg_copy(xiaoqi_pg, pg_logins_template[0])
    engine = make_engine(url)
    with engine.connect() as conn:
        schools = conn.execute(sa.text("SELECT school_code FROM students GROUP BY school_code ORDER BY count(*) DESC, "
                                       "school_code LIMIT 2")).scalars().all()
        firms = conn.execute(sa.text("SELECT uscc FROM positions GROUP BY uscc ORDER BY count(*) DESC, uscc LIMIT 2")).scalars().all()
        positions = {f: conn.execute(sa.text("SELECT position_code FROM positions WHERE uscc = :f ORDER BY id LIMIT 1"),
                                     {"f": f}).scalar_one() for f in firms}
    path = tmp_path_factory.mktemp("scope") / "new-students.csv"
    made = students_file(engine, path, [(schools[0], 2), (schools[1], 2)])
    code, out, err = _cli(url, "import", "students", path)
    assert code == 0, (out, err)
    for firm in firms:
        code, out, err = _cli(url, "records", "set", "positions", f"{firm}/{positions[firm]}", "wage=4321")
        assert code == 0, (out, err)
    logins = {}
    for who, actor in (("school", f"school:{schools[0]}"), ("firm", f"enterprise:{firms[0]}"), ("auditor", "auditor")):
        logins[who] = new_login(engine, url, actor)
    yield {"url": url, "engine": engine, "schools": schools, "firms": firms, "positions": positions, "made": made,
           "logins": logins}
    engine.dispose()
    drop_with_logins(xiaoqi_pg, url, [name for name, _url in logins.values()])


def _entries(login_url, sql, *params):
    with _raw(login_url) as raw:
        return raw.cursor().execute(sql, params).fetchall()


def test_an_enterprise_login_reads_no_other_enterprises_position_entries_nor_batches(shared):
    firm, other = shared["firms"]
    _name, firm_url = shared["logins"]["firm"]
    seen = _entries(firm_url, "SELECT key, before, after FROM audit_log WHERE kind = 'positions'")
    keys = {k for k, _b, _a in seen}
    assert f"{firm}/{shared['positions'][firm]}" in keys
    assert not any(k.startswith(other) for k in keys), keys
    assert all(k.startswith(firm) for k in keys), keys
    # the base table is not the door either
    with _raw(firm_url) as raw, pytest.raises(psycopg.errors.InsufficientPrivilege):
        raw.cursor().execute("SELECT kind, key, actor FROM public.audit_log")
    # nor another's (the admin's) import batch, its problems or its file
    assert _entries(firm_url, "SELECT id FROM import_batches") == []
    assert _entries(firm_url, "SELECT batch_id FROM import_files") == []
    with _raw(firm_url) as raw, pytest.raises(psycopg.errors.InsufficientPrivilege):
        raw.cursor().execute("SELECT file_name, actor FROM public.import_batches")


def test_a_school_login_reads_its_students_history_with_the_admins_import_and_no_other_schools(shared):
    school, other = shared["schools"]
    _name, school_url = shared["logins"]["school"]
    mine, theirs = shared["made"][school], shared["made"][other]
    engine = shared["engine"]
    with engine.connect() as conn:
        pseudo = {k: v for k, v in conn.execute(sa.text(
            "SELECT key, xiaoqi_sec.pseudo_ids(key, (SELECT secret FROM xiaoqi_sec.pseudonym_key)) FROM audit_log "
            "WHERE kind = 'students' AND action = 'create'")).all()}
    rows = _entries(school_url, "SELECT key, actor, action, batch_id FROM audit_log WHERE kind = 'students'")
    keys = {k for k, _a, _act, _b in rows}
    assert {pseudo.get(i, i) for i in mine} <= keys or set(mine) <= keys, (mine, keys)
    assert not ({pseudo.get(i, i) for i in theirs} | set(theirs)) & keys
    assert all(a == "admin" and b is not None for k, a, act, b in rows if k in set(mine) | {pseudo.get(i) for i in mine})
    # xiaoqi as the school's login: the whole history of its student, the import's creation rebuilt
    code, out, err = _cli(school_url, "audit", "show", "students", mine[0], "--format", "json")
    assert code == 0, (out, err)
    history = json.loads(out)
    assert history[0]["action"] == "create" and history[0]["batch_id"] is not None
    assert history[0]["after"] and history[0]["after"]["school_code"] == school
    assert history[0]["after"]["student_no"].startswith("SCOPE")
    code, out, err = _cli(school_url, "audit", "show", "students", theirs[0])
    assert code != 0 and theirs[0] not in out + err
    # audit list: its own students' creations, no other school's
    with engine.connect() as conn:
        created = dict(conn.execute(sa.text("SELECT key, id FROM audit_log WHERE kind = 'students' AND action = 'create' "
                                            "AND batch_id IS NOT NULL")).all())
    code, out, err = _cli(school_url, "audit", "list", "--kind", "students", "--format", "json", "--limit", "1000")
    assert code == 0, err
    listed = {e["id"] for e in json.loads(out)["entries"]}
    assert {created[i] for i in mine} <= listed and not {created[i] for i in theirs} & listed
    # the admin's batch is not the school's: neither its counts nor its file
    code, out, err = _cli(school_url, "imports", "list", "--format", "json")
    assert code == 0 and json.loads(out) == []


def test_the_auditor_reads_every_entry_and_batch_and_nobody_but_the_owner_changes_an_entry(shared):
    engine = shared["engine"]
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one()
        batches = conn.execute(sa.text("SELECT count(*) FROM import_batches")).scalar_one()
    _name, auditor_url = shared["logins"]["auditor"]
    assert _entries(auditor_url, "SELECT count(*) FROM audit_log")[0][0] == total
    assert _entries(auditor_url, "SELECT count(*) FROM import_batches")[0][0] == batches > 0
    # by the full ID number (which the auditor is not shown) it finds none (``test_audit_oracle_pg``),
    # browsing the students' entries it reads the entry
    code, out, err = _cli(auditor_url, "audit", "show", "students", shared["made"][shared["schools"][1]][0])
    assert code != 0 and "audit list --kind" in err, err
    code, out, err = _cli(auditor_url, "audit", "list", "--kind", "students", "--limit", "500", "--format", "json")
    assert code == 0, err
    assert "SCOPE00003" in {(e.get("after") or {}).get("student_no") for e in json.loads(out)["entries"]}, out[:2000]
    for who in ("auditor", "school", "firm"):
        _n, login_url = shared["logins"][who]
        with _raw(login_url) as raw:
            cur = raw.cursor()
            for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "UPDATE public.audit_log SET actor = 'x'",
                              "DELETE FROM public.audit_log", "TRUNCATE public.audit_log"):
                with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectNotInPrerequisiteState,
                                    psycopg.errors.FeatureNotSupported)):
                    cur.execute(statement)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() == total
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE actor = 'x'")).scalar_one() == 0

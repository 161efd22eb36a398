"""Personal data held back by the database itself: a login reading PostgreSQL directly (psycopg,
bypassing xiaoqi) gets the personal columns masked outside its reveal scope — an enterprise no
student's ID number, birth date, guardian or phone; a school its own students in full (its reveal
scope) and nobody else's — and xiaoqi run as the same logins keeps working on what the database
gives them, its reveals audited."""

from __future__ import annotations

import json

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.logins import OWN_TABLES

from .test_logins_pg import _cli, _raw, drop_with_logins

pytestmark = pytest.mark.pg


@pytest.fixture(scope="module")
def shared(xiaoqi_pg, pg_logins_template):
    """One demo database on PostgreSQL set up for logins (a copy of the session's) with an
    enterprise, a school and an auditor login (dropped afterwards)."""
    from .conftest import busiest_pair, new_login, pg_copy

    url = pg_copy(xiaoqi_pg, pg_logins_template[0])
    engine = make_engine(url)
    with engine.connect() as conn:
        firm, school = busiest_pair(conn)  # the school with most interns at the busiest enterprise
    logins = {}
    for who, actor in (("firm", f"enterprise:{firm}"), ("school", f"school:{school}"), ("auditor", "auditor")):
        logins[who] = new_login(engine, url, actor)
    yield {"url": url, "engine": engine, "firm": firm, "school": school, "logins": logins}
    engine.dispose()
    drop_with_logins(xiaoqi_pg, url, [name for name, _url in logins.values()])


def _stored(engine, sql: str, **params) -> set:
    with engine.connect() as conn:
        return set(conn.execute(sa.text(sql), params).scalars())


def _everything(cur) -> tuple[str, set[str]]:
    """Every value of every table and view the login can name, as one text, and the tables it
    could not read whole."""
    names = [r[0] for r in cur.execute("SELECT DISTINCT table_name FROM information_schema.tables "
                                       "WHERE table_schema IN ('public', 'xiaoqi_masked')").fetchall()]
    seen, refused = [], set()
    for name in names:
        try:
            rows = cur.execute(f'SELECT * FROM "{name}"').fetchall()  # the login's search_path: the masked view first
        except psycopg.errors.InsufficientPrivilege:
            refused.add(name)
            continue
        seen.extend(str(v) for row in rows for v in row if v is not None)
    return "\n".join(seen), refused


def test_an_enterprise_login_reading_the_database_directly_gets_no_students_personal_data(shared):
    engine, firm = shared["engine"], shared["firm"]
    _name, firm_url = shared["logins"]["firm"]
    ids = _stored(engine, "SELECT id_number FROM students")
    interns = _stored(engine, "SELECT id_number FROM internships WHERE uscc = :f", f=firm)
    phones = _stored(engine, "SELECT guardian_phone FROM students WHERE guardian_phone <> ''")
    guardians = _stored(engine, "SELECT guardian FROM students WHERE id_number IN (SELECT id_number FROM internships "
                                "WHERE uscc = :f) AND guardian <> ''", f=firm)
    assert interns and phones and guardians
    # xiaoqi's own tables hold personal data too: an audited change of a student's phone (its
    # states), the findings of a check run by the owner (their keys)
    other = _stored(engine, "SELECT id_number FROM students WHERE id_number NOT IN (SELECT id_number FROM internships "
                            "WHERE uscc = :f) ORDER BY id_number LIMIT 1", f=firm).pop()
    assert _cli(shared["url"], "records", "set", "students", other, "guardian_phone=13912345678")[0] == 0
    phones.add("13912345678")
    assert _cli(shared["url"], "check", "--format", "json")[0] in (0, 1)
    assert _stored(engine, "SELECT count(*) FROM check_findings WHERE subject_kind IN ('students', 'internships')") != {0}
    with _raw(firm_url) as raw:
        cur = raw.cursor()
        # the table's personal columns are not the login's to read; its other columns are
        for column in ("id_number", "guardian", "guardian_phone", "birth_date", "hardship", "*"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cur.execute(f"SELECT {column} FROM public.students")
        assert cur.execute("SELECT count(name) FROM public.students").fetchone()[0] == len(interns)
        # its interns' rows, read the plain way: masked
        rows = cur.execute("SELECT id_number, guardian, guardian_phone, birth_date, name FROM students").fetchall()
        assert len(rows) == len(interns)
        assert all(r[0] not in ids and r[0][:6] + r[0][14:] in {i[:6] + i[14:] for i in interns} for r in rows)
        assert {r[3] for r in rows} == {None}
        assert all(r[1] is None or r[1] == "" or ("*" in r[1] and r[1] not in guardians) for r in rows)
        assert all(r[2] is None or r[2] == "" or "****" in r[2] for r in rows)
        # an ID number names the same person in every table: joins still match
        assert cur.execute("SELECT count(*) FROM internships i JOIN students s ON s.id_number = i.id_number").fetchone()[0] \
            == len(_stored(engine, "SELECT id FROM internships WHERE uscc = :f", f=firm))
        # a lookup by a full number finds nothing (no guessing of birth dates)
        assert cur.execute("SELECT count(*) FROM students WHERE id_number = ANY(%s)", (sorted(interns),)).fetchone()[0] == 0
        # of the owner's check of everyone, only the findings about the enterprise (its own checks' all)
        assert cur.execute("SELECT count(*) FROM check_findings WHERE uscc IS DISTINCT FROM %s", (firm,)).fetchone()[0] == 0
        text, refused = _everything(cur)
    assert "students" not in refused  # read through its masked view
    leaked = sorted(i for i in ids if i in text)
    assert leaked == [], f"{len(leaked)} students' full ID numbers readable by the enterprise login"
    assert not any(p in text for p in phones)


def test_a_school_login_reads_its_own_students_in_full_and_no_one_elses(shared):
    engine, school = shared["engine"], shared["school"]
    _name, school_url = shared["logins"]["school"]
    own = _stored(engine, "SELECT id_number FROM students WHERE school_code = :s", s=school)
    others = _stored(engine, "SELECT id_number FROM students WHERE school_code <> :s", s=school)
    mentors = _stored(engine, "SELECT id_number FROM teachers WHERE kind = '企业导师' AND id_number IN "
                              "(SELECT enterprise_mentor_id FROM internships WHERE school_code = :s)", s=school)
    assert own and others and mentors
    with _raw(school_url) as raw:
        cur = raw.cursor()
        # the school's reveal scope (its own students): in full, the birth date too
        rows = cur.execute("SELECT id_number, birth_date FROM students").fetchall()
        assert {r[0] for r in rows} == own and None not in {r[1] for r in rows}
        assert {r[0] for r in cur.execute("SELECT id_number FROM internships").fetchall()} <= own
        # the enterprise mentors of its internships are read (to name them), not revealed
        shown = {r[0] for r in cur.execute("SELECT id_number FROM teachers WHERE kind = '企业导师'").fetchall()}
        assert shown and not shown & mentors
        mentor_ids = {r[0] for r in cur.execute("SELECT enterprise_mentor_id FROM internships "
                                                "WHERE enterprise_mentor_id IS NOT NULL").fetchall()}
        assert mentor_ids and mentor_ids <= shown  # the same pseudonym in both tables
        text, _refused = _everything(cur)
    assert not [i for i in others | mentors if i in text]


def test_writes_through_the_masked_views_keep_the_stored_values(shared):
    engine, url, school = shared["engine"], shared["url"], shared["school"]
    _name, school_url = shared["logins"]["school"]
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT id, enterprise_mentor_id, monthly_pay FROM internships WHERE school_code = :s "
                                   "AND enterprise_mentor_id IS NOT NULL ORDER BY id LIMIT 1"), {"s": school}).one()
    with _raw(school_url) as raw:
        cur = raw.cursor()
        shown = cur.execute("SELECT enterprise_mentor_id FROM internships WHERE id = %s", (row.id,)).fetchone()[0]
        assert shown != row.enterprise_mentor_id
        # writing the row back as the login reads it changes only what it changes
        assert cur.execute("UPDATE internships SET monthly_pay = 1234.50, enterprise_mentor_id = enterprise_mentor_id "
                           "WHERE id = %s", (row.id,)).rowcount == 1
        # another school's student cannot be changed, nor a row put outside the school's scope
        assert cur.execute("UPDATE students SET class_name = 'x' WHERE school_code <> %s", (school,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cur.execute("UPDATE internships SET school_code = '0000000000' WHERE id = %s", (row.id,))
    with engine.connect() as conn:
        after = conn.execute(sa.text("SELECT enterprise_mentor_id, monthly_pay FROM internships WHERE id = :i"), {"i": row.id}).one()
        conn.execute(sa.text("UPDATE internships SET monthly_pay = :p WHERE id = :i"), {"p": row.monthly_pay, "i": row.id})
        conn.commit()
    assert after.enterprise_mentor_id == row.enterprise_mentor_id and str(after.monthly_pay) == "1234.50"
    # xiaoqi as the school login: the same through records set
    key = _stored(engine, "SELECT id_number FROM students WHERE school_code = :s ORDER BY id_number LIMIT 1", s=school).pop()
    code, out, err = _cli(school_url, "records", "set", "students", key, "class_name=测试班")
    assert code == 0, (out, err)
    assert _stored(engine, "SELECT class_name FROM students WHERE id_number = :k", k=key) == {"测试班"}
    assert _stored(engine, "SELECT birth_date FROM students WHERE id_number = :k", k=key) != {None}


def test_xiaoqi_as_the_logins_shows_what_the_database_gives_and_audits_a_reveal(shared):
    from stdnum.cn import ric

    engine, url, firm, school = shared["engine"], shared["url"], shared["firm"], shared["school"]
    _firm, firm_url = shared["logins"]["firm"]
    school_login, school_url = shared["logins"]["school"]
    ids = _stored(engine, "SELECT id_number FROM students")
    for args in (("records", "list", "students", "--format", "json", "--limit", "1000"),
                 ("records", "list", "internships", "--format", "json", "--limit", "1000"),
                 ("export", "students", "--format", "csv"),
                 ("check", "--format", "json")):
        code, out, err = _cli(firm_url, *args)
        assert code in (0, 1) and "Traceback" not in err, (args, err)
        assert out.strip(), args
        assert not [i for i in ids if i in out + err], args
    # its own check's findings are stored and read back, as its dashboard reads them
    from xiaoqi.core.actors import Actor
    from xiaoqi.core.check_store import last_run_as
    from xiaoqi.core.db import read_session

    firm_engine = make_engine(firm_url)
    with read_session(firm_engine) as session:
        run = last_run_as(session, actor=Actor("enterprise", firm))
        assert run is not None and run.result.findings
        assert {f.uscc for f in run.result.findings} <= {firm, None}
    firm_engine.dispose()
    listed = json.loads(_cli(firm_url, "records", "list", "students", "--format", "json", "--limit", "1000")[1])
    assert listed and all("********" in s["id_number"] for s in listed)
    assert not [w for s in listed for w in s["id_number"].split("*") if ric.is_valid(w)]
    # the enterprise may not reveal; the school reveals its own student, and the entry is written
    code, out, err = _cli(firm_url, "records", "list", "students", "--reveal")
    assert code == 1 and "不能查看" in err
    key = _stored(engine, "SELECT id_number FROM students WHERE school_code = :s ORDER BY id_number LIMIT 1", s=school).pop()
    before = _stored(engine, "SELECT id FROM audit_log WHERE action = 'reveal'")
    code, out, err = _cli(school_url, "records", "show", "students", key)
    assert code == 0 and key not in out and key[:6] + "********" + key[14:] in out
    code, out, err = _cli(school_url, "records", "show", "students", key, "--reveal")
    assert code == 0 and key in out, (out, err)
    with engine.connect() as conn:
        entries = conn.execute(sa.text("SELECT actor, key FROM audit_log WHERE action = 'reveal' AND kind = 'students'")).all()
    new = _stored(engine, "SELECT id FROM audit_log WHERE action = 'reveal'") - before
    assert new and any(school in e.actor and e.key == key for e in entries)


def test_the_masked_views_come_back_after_an_upgrade_with_a_plugin_kind(shared):
    """``db upgrade`` drops the views before the migrations and makes them again from the kinds
    (a plugin's kinds included: henan's assessments hold a personal conclusion)."""
    from xiaoqi.core.migrate import upgrade
    from xiaoqi.core.rules.facts import all_facts

    engine, firm = shared["engine"], shared["firm"]
    _name, firm_url = shared["logins"]["firm"]
    upgrade(engine)
    kinds = [k for k in get_kinds().values() if k.rights.personal]
    with engine.connect() as conn:
        views = set(conn.exec_driver_sql("SELECT table_name FROM information_schema.views "
                                         "WHERE table_schema = 'xiaoqi_masked'").scalars())
        tables = set(conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars())
    # and the facts that rules read instead of personal data (core.rules.facts)
    facts = {f"facts_{f.table}" for f in all_facts() if f.table in tables}
    assert facts and ({k.model.__tablename__ for k in kinds} | set(OWN_TABLES)) & tables | facts == views
    assert any(k.plugin for k in kinds if k.model.__tablename__ in views)
    with _raw(firm_url) as raw:
        shown = {r[0] for r in raw.cursor().execute("SELECT id_number FROM students").fetchall()}
    assert shown and not shown & _stored(engine, "SELECT id_number FROM students")


def test_the_tui_edit_form_of_a_login_masks_what_the_database_holds_back_and_a_save_keeps_it(shared):
    import asyncio

    from textual.widgets import Input

    from xiaoqi.core.actors import Actor

    from ..tui.test_tui_form_personal import open_edit_form, save_form
    from ..tui.tui_helpers import SIZE, make_app, screen_text, settle

    engine, school = shared["engine"], shared["school"]
    _name, school_url = shared["logins"]["school"]
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT id, id_number, uscc, start_on, enterprise_mentor_id, monthly_pay FROM internships "
                                   "WHERE school_code = :s AND enterprise_mentor_id IS NOT NULL ORDER BY id DESC LIMIT 1"),
                           {"s": school}).one()
    mentor = row.enterprise_mentor_id
    key = f"{row.id_number}/{row.uscc}/{row.start_on.isoformat()}"

    async def scenario():
        app = make_app(school_url, Actor("school", school), auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            form = await open_edit_form(pilot, "internships", key)
            # the school's own student in full; the enterprise's mentor masked (the database gives a pseudonym)
            assert form.query_one("#f-id_number", Input).value == row.id_number
            assert form.query_one("#f-enterprise_mentor_id", Input).value == mentor[:6] + "********" + mentor[14:]
            assert mentor not in screen_text(app)
            form.query_one("#f-monthly_pay", Input).value = "2345.60"
            await save_form(pilot)

    asyncio.run(scenario())
    with engine.connect() as conn:
        after = conn.execute(sa.text("SELECT enterprise_mentor_id, monthly_pay FROM internships WHERE id = :i"), {"i": row.id}).one()
        conn.execute(sa.text("UPDATE internships SET monthly_pay = :p WHERE id = :i"), {"p": row.monthly_pay, "i": row.id})
        conn.commit()
    assert after.enterprise_mentor_id == mentor and str(after.monthly_pay) == "2345.60"


def test_the_problems_of_an_admins_refused_import_read_masked_by_the_logins(shared, tmp_path):
    """A refused import keeps its first problems, each echoing its bad cell: the admin's are kept
    in full; an enterprise's or a school's login reads no batch but its own, and the auditor's
    login reading ``import_batches`` directly gets the cells of the kind's personal columns (a
    guardian, a phone) masked as the students' view masks them, under the Chinese and the English
    header alike."""
    import csv

    engine = shared["engine"]
    with engine.connect() as conn:
        row = dict(conn.execute(sa.text("SELECT * FROM students ORDER BY id_number LIMIT 2")).mappings().all()[0])
    cols = [c for c in get_kinds()["students"].columns]
    phone, guardian = "13800138000" + " 转" + "9" * 45, "欧阳" + "某" * 120  # too long: bad cells
    for n, (headers, path) in enumerate(((lambda c: c.zh, tmp_path / "zh.csv"), (lambda c: c.name.upper(), tmp_path / "en.csv"))):
        values = {**row, "guardian_phone": phone, "guardian": guardian}
        with open(path, "w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow([headers(c) for c in cols])
            writer.writerow(["" if values.get(c.name) is None else str(values[c.name]).replace("True", "是").replace("False", "否")
                             for c in cols])
        code, out_, err = _cli(shared["url"], "import", "students", path)
        assert code != 0, (out_, err)
    stored = _stored(engine, "SELECT problems::text FROM import_batches WHERE status = 'refused'")
    assert any("13800138000" in p and "欧阳某" in p for p in stored), stored  # the admin's: in full
    for who in ("firm", "school", "auditor"):
        _name, login_url = shared["logins"][who]
        with _raw(login_url) as raw:
            seen = [p for (p,) in raw.cursor().execute(
                "SELECT problems FROM import_batches WHERE status = 'refused' AND file_name IN ('zh.csv', 'en.csv')").fetchall()]
        if who != "auditor":  # another's batches are not theirs to read (the auditor reads all, masked)
            assert seen == [], who
            continue
        assert len(seen) == 2, who
        cells = {(p["column"].lower(), p["value"]) for batch in seen for p in batch}
        text = json.dumps(seen, ensure_ascii=False)
        assert "13800138000" not in text and "欧阳某" not in text, (who, text)
        assert {c for c, _v in cells} >= {"监护人电话", "监护人", "guardian_phone", "guardian"}, cells
        assert all(v.startswith("138****") for c, v in cells if c in ("监护人电话", "guardian_phone")), cells
        assert all(v == "欧" + "*" * (len(guardian) - 1) for c, v in cells if c in ("监护人", "guardian")), cells
        # the refused batches' audit entries keep the first problem in their notes: masked too
        with _raw(login_url) as raw:
            notes = [n for (n,) in raw.cursor().execute(
                "SELECT note FROM audit_log WHERE kind = 'import_batches' AND action = 'refused'").fetchall()]
        assert len(notes) >= 2 and all(n["first"]["value"].startswith(("138****", "欧*")) for n in notes), (who, notes)
        assert "13800138000" not in json.dumps(notes, ensure_ascii=False) and "欧阳某" not in json.dumps(notes, ensure_ascii=False)

"""The hostile findings of the shared-deployment security review, replayed as the review tried them
(the real commands, on the demo data, as a school or an enterprise), each now refused with the
data as it was. The ones found on PostgreSQL are replayed there by tests/pg/test_logins_pg.py,
test_personal_data_pg.py and test_masked_audit_pg.py; the full-ID-number sweep of every command
by tests/cli/test_personal_data_surfaces.py."""

from __future__ import annotations

import csv
import getpass
import os
import stat

import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine

SERVICE = "只能通过 xiaoqi quota reserve / confirm / release 办理"


@pytest.fixture
def demo(demo_db):
    """The demo database and the review's cast: school A (most students), another school B, the
    enterprise with most interns of school A among those holding A's reservations, one of its positions and
    reservations, a student of B."""
    url = demo_db[0]
    engine = make_engine(url)
    with engine.connect() as conn:
        q = lambda sql, **p: conn.execute(sa.text(sql), p).first()  # noqa: E731
        firm, school = q("SELECT uscc, school_code FROM internships i WHERE EXISTS (SELECT 1 FROM quota_reservations r WHERE "
                         "r.uscc = i.uscc AND r.school_code = i.school_code) GROUP BY uscc, school_code ORDER BY count(*) DESC, uscc LIMIT 1")
        other = q("SELECT school_code FROM students WHERE school_code <> :s GROUP BY school_code ORDER BY count(*) DESC LIMIT 1",
                  s=school)[0]
        cast = {
            "url": url, "engine": engine, "firm": firm, "school": school, "other": other,
            "position": q("SELECT position_code FROM positions WHERE uscc = :f ORDER BY position_code LIMIT 1", f=firm)[0],
            "reservation": q("SELECT reservation_no FROM quota_reservations WHERE school_code = :s AND uscc = :f ORDER BY id LIMIT 1",
                             s=school, f=firm)[0],
            "their_student": q("SELECT id_number FROM students WHERE school_code = :o AND id_number NOT IN "
                               "(SELECT id_number FROM internships WHERE uscc = :f) ORDER BY id_number LIMIT 1", o=other, f=firm)[0],
            "own_policy": q("SELECT policy_no FROM policies WHERE holder = :s ORDER BY policy_no LIMIT 1", s=school)[0],
            "internship": q("SELECT id_number || '/' || uscc || '/' || start_on FROM internships WHERE uscc = :f AND school_code = :s "
                            "ORDER BY id LIMIT 1", f=firm, s=school)[0],
        }
    yield cast
    engine.dispose()


def _snapshot(demo) -> tuple:
    """What the findings could change: reservations, internships, insured people, assessments, schools."""
    with demo["engine"].connect() as conn:
        return tuple(conn.execute(sa.text(sql)).all() for sql in (
            "SELECT reservation_no, places, released_places, status FROM quota_reservations ORDER BY id",
            "SELECT id_number, uscc, start_on, school_code FROM internships ORDER BY id",
            "SELECT policy_no, id_number FROM insured ORDER BY id",
            "SELECT school_code FROM schools ORDER BY school_code"))


def test_the_quota_cannot_be_bypassed_through_records_or_an_import(demo, xiaoqi_cli, tmp_path):
    """Finding: `records add reservations … 预留名额=999` or `records set … 预留名额=500` by a school
    (or an enterprise) in scope gave "−995 free". Reservations are kept by the quota service only."""
    before = _snapshot(demo)
    url, firm, school = demo["url"], demo["firm"], demo["school"]
    path = tmp_path / "reservations.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["预约编号", "统一社会信用代码", "岗位编号", "学校代码", "预留名额", "截止日期", "预留日期"],
                                   ["YLX-1", firm, demo["position"], school, "999", "2027-01-01", "2026-11-01"]])
    for actor in (f"school:{school}", f"enterprise:{firm}", "admin"):
        for args in (("records", "add", "reservations", "reservation_no=YLX-1", f"uscc={firm}", f"position_code={demo['position']}",
                      f"school_code={school}", "places=999", "expires_on=2027-01-01", "reserved_on=2026-11-01"),
                     ("records", "set", "reservations", demo["reservation"], "places=500"),
                     ("records", "delete", "reservations", demo["reservation"], "--yes"),
                     ("import", "reservations", path)):
            result = xiaoqi_cli("--as", actor, *args, db=url)
            assert result.exit_code == 1 and SERVICE in result.stderr + result.output, (actor, args, result.output, result.stderr)
    assert _snapshot(demo) == before


def test_a_write_opens_no_read_and_a_refusal_names_no_other_scope(demo, xiaoqi_cli):
    """Finding: an enterprise added an internship for any school's student and then read that
    student's whole record; school A put school B's student on A's policy or filed a 心理健康评估
    for B's student; a refusal said "student … belongs to school 4133974459"."""
    before = _snapshot(demo)
    url, firm, school, other, student = demo["url"], demo["firm"], demo["school"], demo["other"], demo["their_student"]
    attempts = [
        (f"enterprise:{firm}", ("records", "add", "internships", f"id_number={student}", f"uscc={firm}", f"school_code={other}",
                                "start_on=2026-12-01", "end_on=2027-01-31", "kind=岗位实习")),
        (f"enterprise:{firm}", ("records", "add", "internships", f"id_number={student}", f"uscc={firm}", f"school_code={school}",
                                "start_on=2026-12-01", "end_on=2027-01-31", "kind=岗位实习")),
        (f"school:{school}", ("records", "add", "insured", f"policy_no={demo['own_policy']}", f"id_number={student}")),
        (f"school:{school}", ("records", "add", "henan_mental_checks", f"id_number={student}", f"school_code={school}",
                              "assessed_on=2026-11-01", "conclusion=正常")),
        (f"school:{school}", ("records", "add", "henan_mental_checks", f"id_number={student}", f"school_code={other}",
                              "assessed_on=2026-11-01", "conclusion=正常")),
    ]
    for actor, args in attempts:
        result = xiaoqi_cli("--as", actor, *args, db=url)
        text = result.output + result.stderr
        assert result.exit_code == 1, (actor, args, text)
        assert other not in text.replace(f"school_code={other}", "") and student not in text, (actor, args, text)
    assert _snapshot(demo) == before
    # nor does the enterprise read the student afterwards
    shown = xiaoqi_cli("--as", f"enterprise:{firm}", "records", "show", "students", student, db=url)
    assert shown.exit_code == 1 and student not in shown.output + shown.stderr


def test_an_enterprise_neither_deletes_a_schools_internship_nor_reserves_on_its_behalf(demo, xiaoqi_cli):
    """Finding: an enterprise deleted a school's internship record (`records delete internships …`,
    no confirmation) and reserved places on a school's behalf."""
    before = _snapshot(demo)
    url, firm, school = demo["url"], demo["firm"], demo["school"]
    deleted = xiaoqi_cli("--as", f"enterprise:{firm}", "records", "delete", "internships", demo["internship"], "--yes", db=url)
    assert deleted.exit_code == 1 and "不能删除" in deleted.stderr, deleted.stderr
    reserved = xiaoqi_cli("--as", f"enterprise:{firm}", "quota", "reserve", "--enterprise", firm, "--position", demo["position"],
                          "--places", "1", "--expires", "2027-01-01", "--school", school, db=url)
    assert reserved.exit_code == 1, reserved.output
    # every delete confirms: in a script (no terminal) it needs --yes, even the admin's
    unconfirmed = xiaoqi_cli("records", "delete", "internships", demo["internship"], db=url)
    assert unconfirmed.exit_code != 0 and "--yes" in unconfirmed.stderr, unconfirmed.stderr
    assert _snapshot(demo) == before


def test_an_enterprise_lists_only_its_own_positions_and_interns(demo, xiaoqi_cli):
    """Finding: an enterprise saw every enterprise's positions and wages, and its students' full
    ID numbers and guardians' phones."""
    url, firm = demo["url"], demo["firm"]
    as_firm = ("--as", f"enterprise:{firm}")
    positions = xiaoqi_cli(*as_firm, "records", "list", "positions", "--format", "json", "--limit", "10000", db=url).json
    internships = xiaoqi_cli(*as_firm, "records", "list", "internships", "--format", "json", "--limit", "10000", db=url).json
    students = xiaoqi_cli(*as_firm, "records", "list", "students", "--format", "json", "--limit", "10000", db=url).json
    assert positions and {p["uscc"] for p in positions} == {firm}
    assert internships and {i["uscc"] for i in internships} == {firm}
    assert students and all("********" in s["id_number"] and "****" in (s["guardian_phone"] or "****") for s in students)


def test_an_actor_must_exist_and_the_audit_log_names_the_login(demo, xiaoqi_cli):
    """Finding: `--as school:9999999999` created its own school; the audit log stored only the
    self-declared string."""
    before = _snapshot(demo)
    url = demo["url"]
    for args in (("records", "add", "schools", "school_code=9999999999", "name=自封学院", "level=higher", "region=320100"),
                 ("records", "list", "students"), ("import", "schools", os.devnull)):
        result = xiaoqi_cli("--as", "school:9999999999", *args, db=url)
        assert result.exit_code != 0 and "不在学校名录中" in result.stderr, (args, result.stderr)
    assert _snapshot(demo) == before
    school = demo["school"]
    assert xiaoqi_cli("--as", f"school:{school}", "records", "set", "schools", school, "contact=张老师", db=url).exit_code == 0
    with demo["engine"].connect() as conn:
        actor, login = conn.execute(sa.text("SELECT actor, login FROM audit_log WHERE kind = 'schools' ORDER BY id DESC LIMIT 1")).one()
    assert actor == f"school:{school}" and login == getpass.getuser()  # (PostgreSQL: current_user, test_audit_chain)


def test_backup_is_the_admins_and_every_file_xiaoqi_creates_is_its_owners(demo, xiaoqi_cli, tmp_path):
    """Finding: `backup` ignored the actor (an enterprise copied every school's students), and
    database and backup files were created world-readable."""
    url, firm = demo["url"], demo["firm"]
    for actor in (f"enterprise:{firm}", f"school:{demo['school']}", "auditor"):
        result = xiaoqi_cli("--as", actor, "backup", tmp_path / "copy.db", db=url)
        assert result.exit_code == 1 and "--as admin" not in result.stderr, (actor, result.stderr)
    assert not (tmp_path / "copy.db").exists()
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "new.db"
        assert xiaoqi_cli("init", db=f"sqlite:///{fresh}").exit_code == 0
        made = [fresh, tmp_path / "copy.db", tmp_path / "students.csv", tmp_path / "report.xlsx"]
        assert xiaoqi_cli("backup", made[1], db=url).exit_code == 0
        assert xiaoqi_cli("export", "students", "-o", made[2], db=url).exit_code == 0
        assert xiaoqi_cli("report", "annual", "--year", "2025", "-o", made[3], db=url).exit_code == 0
    finally:
        os.umask(old)
    assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in made} == {p.name: "0o600" for p in made}

"""The audit log and the import batches as a login reads them directly (psycopg, bypassing
xiaoqi): every personal value they hold — record states before and after, a refused write's values
and the reason quoting them, a refused import's problems and first problem, record keys — is masked
by its kind's personal columns, as ``core.privacy`` masks them in xiaoqi's own output; the core's
kinds and a plugin's (the industrial college's members' phones) alike."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import uuid

import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.logins import db_personal
from xiaoqi.testing import make_id_number

from .test_logins_pg import _cli, _raw, drop_with_logins

pytestmark = pytest.mark.pg

PHONE = "13800138000 转" + "9" * 45  # too long: a bad cell
GUARDIAN = "欧阳" + "某" * 120
BAD_ID = "110101200001011234"  # the check digit is wrong (2)
SCHOOL = "4133010001"


@pytest.fixture(scope="module")
def refused(xiaoqi_pg, tmp_path_factory):
    """An empty database where the owner (admin) wrote and was refused personal data of the
    core's kinds and a plugin kind, and an auditor's login that reads every entry."""
    url = xiaoqi_pg.create()
    tmp = tmp_path_factory.mktemp("masked_audit")
    student = make_id_number("330100", dt.date(2006, 1, 1), 1)
    teacher = make_id_number("330100", dt.date(1980, 1, 1), 2)
    for args in (("records", "add", "schools", f"school_code={SCHOOL}", "name=甲学院", "level=higher", "region=330100"),
                 ("records", "add", "majors", f"school_code={SCHOOL}", "major_code=460301", "name=机电"),
                 ("records", "add", "students", f"school_code={SCHOOL}", "student_no=S1", "name=甲", f"id_number={student}",
                  "major_code=460301", "enrolled_on=2024-09-01", "guardian=司马懿", "guardian_phone=13912345678"),
                 ("records", "set", "students", student, "guardian=诸葛亮", "guardian_phone=13687654321", "hardship=是"),
                 ("records", "add", "teachers", f"id_number={teacher}", "name=乙", "kind=专任", f"school_code={SCHOOL}",
                  "phone=13511112222")):
        code, out, err = _cli(url, *args)
        assert code == 0, (args, out, err)
    # refused writes: a number that is not valid, cells too long (their values kept in the note)
    for args in (("records", "add", "students", f"school_code={SCHOOL}", "student_no=S2", "name=丙", f"id_number={BAD_ID}",
                  "major_code=460301", "enrolled_on=2024-09-01", f"guardian={GUARDIAN}", f"guardian_phone={PHONE}"),
                 ("records", "add", "ic_members", "college_code=IC1", "body_name=理事会", "name=丁", f"organisation_code={SCHOOL}",
                  "role=理事", f"phone={PHONE}")):
        code, out, err = _cli(url, *args)
        assert code == 1, (args, out, err)
    # refused imports: each problem echoes its bad cell; the first one goes into the audit note too
    for kind, row in (("students", {"school_code": SCHOOL, "student_no": "S3", "name": "戊", "id_number": BAD_ID,
                                    "major_code": "460301", "enrolled_on": "2024-09-01", "guardian": GUARDIAN, "guardian_phone": PHONE}),
                      ("ic_members", {"phone": PHONE, "college_code": "IC1", "body_name": "理事会", "name": "己",
                                      "organisation_code": SCHOOL, "role": "理事"})):
        path = tmp / f"{kind}.csv"
        columns = get_kinds()[kind].columns
        with open(path, "w", newline="", encoding="utf-8-sig") as out_file:
            writer = csv.writer(out_file)
            writer.writerow([c.zh for c in columns])
            writer.writerow([row.get(c.name, "") for c in columns])
        code, out, err = _cli(url, "import", kind, path)
        assert code == 1, (kind, out, err)
    engine = make_engine(url)
    login = f"security_{uuid.uuid4().hex[:10]}"
    code, out, err = _cli(url, "users", "add", login, "--actor", "auditor", "--password-stdin", input="s3cret\n")
    assert code == 0, (out, err)
    login_url = sa.engine.make_url(url).set(username=login, password="s3cret").render_as_string(hide_password=False)
    yield {"url": url, "engine": engine, "login_url": login_url, "ids": {student, teacher, BAD_ID}}
    engine.dispose()
    drop_with_logins(xiaoqi_pg, url, [login])


def _personal_values(engine) -> set[str]:
    """Every personal value the owner's audit log and import batches hold, found by the kinds'
    declarations: the personal columns of each entry's states and refused values, the cells of
    personal columns in problems, the personal parts of keys."""
    kinds = get_kinds()
    found: set = set()

    def cell(kind, header, value):
        if kind is not None and header and kind.column_for_header(header) in db_personal(kind):
            found.add(value)

    with engine.connect() as conn:
        for kind_name, key, before, after, note in conn.execute(sa.text("SELECT kind, key, before, after, note FROM audit_log")):
            kind = kinds.get(kind_name)
            personal = db_personal(kind) if kind is not None else {}
            for state in (before, after, (note or {}).get("values")):
                found.update((state or {}).get(c) for c in personal)
            if kind is not None and len(key.split("/")) == len(kind.key):
                found.update(part for name, part in zip(kind.key, key.split("/")) if name in personal)
            if isinstance((note or {}).get("first"), dict):
                cell(kinds.get(note["kind"]), note["first"]["column"], note["first"]["value"])
        for kind_name, problems in conn.execute(sa.text("SELECT kind, problems FROM import_batches")):
            for p in problems or []:
                cell(kinds.get(kind_name), p["column"], p["value"])
    return {v for v in found if isinstance(v, str) and len(v) >= 3}


def _stored_one(engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def test_a_login_reads_no_personal_value_of_the_audit_log_or_import_batches(refused):
    engine = refused["engine"]
    personal = _personal_values(engine)
    # what the owner wrote and was refused is there in full, for the core's kinds and the plugin's
    assert {PHONE, GUARDIAN, BAD_ID, "13912345678", "诸葛亮", "13687654321", "13511112222"} <= personal, personal
    with engine.connect() as conn:
        kinds = set(conn.execute(sa.text("SELECT note ->> 'kind' FROM audit_log WHERE action = 'refused' "
                                         "AND kind = 'import_batches'")).scalars())
        assert kinds == {"students", "ic_members"}
    with _raw(refused["login_url"]) as raw:
        cur = raw.cursor()
        entries = cur.execute("SELECT kind, key, before, after, note FROM audit_log ORDER BY id").fetchall()
        batches = cur.execute("SELECT kind, problems FROM import_batches ORDER BY id").fetchall()
    text = json.dumps([entries, batches], ensure_ascii=False, default=str)
    assert len(entries) > 5 and len(batches) == 2
    leaked = sorted(v for v in personal | refused["ids"] if v in text)
    assert leaked == [], leaked
    # masked as the views mask them: phones 138****, names 欧*, ID numbers (a bad one too) as pseudonyms
    notes = {(kind, note.get("action")): note for kind, _key, _b, _a, note in entries if note and kind != "import_batches"}
    values = notes[("students", "create")]["values"]
    assert values["guardian_phone"].startswith("138****") and values["guardian"] == "欧" + "*" * (len(GUARDIAN) - 1)
    assert re.fullmatch(r"110101[a-p]{8}1234", values["id_number"]), values
    assert notes[("ic_members", "create")]["values"]["phone"].startswith("138****")
    first = {note["kind"]: note["first"] for kind, _key, _b, _a, note in entries if kind == "import_batches" and note.get("first")}
    assert first["ic_members"]["column"] == "联系电话" and first["ic_members"]["value"].startswith("138****"), first
    keys = [key for kind, key, *_rest in entries if kind == "students"]
    assert any(re.fullmatch(r"110101[a-p]{8}1234", k) for k in keys), keys
    cells = {p["column"]: p["value"] for kind, problems in batches if kind == "ic_members" for p in problems}
    assert cells["联系电话"].startswith("138****"), cells


def test_a_reason_quoting_a_personal_cell_reads_masked(refused):
    """A problem's or a refused write's reason that quotes a personal cell (a plugin's validator
    may) quotes it masked: the stored batch of a plugin kind and a note through the same
    functions the views use."""
    engine = refused["engine"]
    reason = f"「{PHONE}」不是手机号"
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO import_batches (kind, file_name, sha256, actor, started_at, rows, created, updated, unchanged, invalid, "
            "dry_run, status, problems) VALUES ('ic_members', 'echo.csv', '', 'admin', now(), 1, 0, 0, 0, 1, false, 'refused', "
            "CAST(:p AS json))"), {"p": json.dumps([{"row": 2, "column": "PHONE", "value": PHONE, "reason": reason},
                                                   {"row": 3, "column": "监护人", "value": GUARDIAN, "reason": f"{GUARDIAN}？"}],
                                                  ensure_ascii=False)})
    note = {"action": "create", "reason": f"监护人「{GUARDIAN}」与电话 {PHONE} 不符",
            "values": {"guardian": GUARDIAN, "guardian_phone": PHONE, "name": "庚"}}
    with _raw(refused["login_url"]) as raw:
        cur = raw.cursor()
        problems = cur.execute("SELECT problems FROM import_batches WHERE file_name = 'echo.csv'").fetchone()[0]
        shown = cur.execute("SELECT xiaoqi_sec.mask_note('students', %s::json, 'k')",
                            (json.dumps(note, ensure_ascii=False),)).fetchone()[0]
    phone_shown = problems[0]["value"]
    assert phone_shown.startswith("138****") and problems[0]["reason"] == f"「{phone_shown}」不是手机号", problems
    # (the other column is not one of the members' personal columns: kept as written)
    assert problems[1]["value"] == GUARDIAN
    assert PHONE not in shown["reason"] and GUARDIAN not in shown["reason"], shown
    assert shown["reason"] == f"监护人「{shown['values']['guardian']}」与电话 {shown['values']['guardian_phone']} 不符"
    assert shown["values"]["name"] == "庚"


def test_xiaoqi_as_the_login_shows_one_form_of_masked_id_numbers(refused):
    """xiaoqi run as the login reads the pseudonyms the database gives (a key that stays joinable)
    and shows every ID number as 110101********1234, the form its output has everywhere; no full
    personal value."""
    personal = _personal_values(refused["engine"]) | refused["ids"]
    batch = _stored_one(refused["engine"], "SELECT min(id) FROM import_batches WHERE kind = 'students'")
    for args in (("audit", "list", "--format", "json", "--limit", "100"), ("records", "list", "students", "--format", "json"),
                 ("records", "list", "teachers", "--format", "json"), ("export", "students", "--format", "csv"),
                 ("imports", "show", batch, "--format", "json"), ("check", "--format", "json")):
        code, out, err = _cli(refused["login_url"], *args)
        assert code in (0, 1) and out.strip() and "Traceback" not in err, (args, err)
        assert not re.search(r"\d{6}[a-p]{8}\d{3}[\dX]", out + err), (args, out)
        assert "330100********" in out or args[0] in ("imports", "check"), (args, out)
        assert not sorted(v for v in personal if v in out + err), args

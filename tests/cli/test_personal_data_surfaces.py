"""Personal data on every surface: every command of the CLI (plugins' included), run as an
enterprise, a school, a province and the auditor on the demo, prints no valid full 身份证号
(stdnum.cn.ric) anywhere — stdout, stderr, the files it writes (CSV, JSON, Excel, --errors) — and
no guardian's phone; ``--reveal`` shows them to an allowed actor and writes who saw whose data to
the audit log, and is refused to the others."""

from __future__ import annotations

import json
import re

import click
import openpyxl
import pytest
import sqlalchemy as sa
from stdnum.cn import ric

from xiaoqi.core.actors import Actor
from xiaoqi.core.db import make_engine, read_session
from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.services import list_records

#: commands that are not run here, and why (every other command is run by ``_invocations``)
NOT_RUN = {
    "init": "creates a new database (no data to show)",
    "demo": "fills a database with invented data (admin's own)",
    "backup": "admin only (tests/cli/test_backup_restore.py refuses it to every other actor)",
    "restore": "admin only (tests/cli/test_backup_restore.py)",
    "db upgrade": "schema only",
    "plugin new": "writes a plugin package (no data)",
    "tui": "the TUI is run through Textual's pilot in tests/tui/test_tui_personal_data.py",
}

ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")


def full_ids(text: str) -> list[str]:
    """The valid full ID numbers in ``text`` (python-stdnum's check, not the code's own)."""
    return [m.group(0) for m in ID_CANDIDATE.finditer(text) if ric.is_valid(m.group(0))]


def leaf_commands(group: click.Group, ctx: click.Context, prefix: str = "") -> list[str]:
    out = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        path = f"{prefix}{name}"
        if isinstance(cmd, click.Group):
            out += leaf_commands(cmd, click.Context(cmd, parent=ctx, info_name=name), path + " ")
        else:
            out.append(path)
    return out


def _file_text(path) -> str:
    if not path.exists():
        return ""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
                         if v is not None)
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".docx":
        import docx

        book = docx.Document(path)
        return "\n".join([p.text for p in book.paragraphs] + [c.text for table in book.tables for row in table.rows
                                                              for c in row.cells])
    return path.read_text(encoding="utf-8-sig", errors="replace")


def _visible_keys(url: str, actor: Actor) -> dict[str, list[str]]:
    """A key of each kind that ``actor`` may read (as it would know them)."""
    engine = make_engine(url)
    out = {}
    with read_session(engine) as session:
        for name, kind in get_kinds().items():
            rows = list_records(session, actor=actor, kind=kind, limit=1).rows
            out[name] = [kind.key_of(kind.export_values(r)) for r in rows[:1]]
    engine.dispose()
    return out


def _others(url: str, actor: Actor) -> dict:
    """Real people outside ``actor``'s scope: a student and a teacher of another school or firm."""
    engine = make_engine(url)
    with engine.connect() as conn:
        if actor.role == "enterprise":
            student = conn.execute(sa.text(
                "SELECT id_number FROM students WHERE id_number NOT IN (SELECT id_number FROM internships WHERE uscc = :c) "
                "LIMIT 1"), {"c": actor.code}).scalar_one()
        else:
            student = conn.execute(sa.text("SELECT id_number FROM students WHERE school_code <> :c LIMIT 1"),
                                   {"c": actor.code or ""}).scalar_one()
        teacher = conn.execute(sa.text("SELECT id_number, name, school_code FROM teachers WHERE coalesce(uscc, '') <> :c "
                                       "AND coalesce(school_code, '') <> :c LIMIT 1"), {"c": actor.code or ""}).one()
        reservation = conn.execute(sa.text("SELECT reservation_no FROM quota_reservations LIMIT 1")).scalar_one_or_none()
        luban = conn.execute(sa.text("SELECT name FROM luban_workshops LIMIT 1")).scalar_one_or_none()
    engine.dispose()
    return {"student": student, "teacher": teacher, "reservation": reservation, "luban": luban}


#: commands whose output depends on neither the actor nor the data (``template`` writes a kind's
#: empty workbook without opening the database): run as one of the actors only, the school
ACTOR_FREE = {"template": "school"}


def _invocations(url: str, actor: Actor, tmp_path) -> list[tuple[tuple, list]]:
    """(arguments, files it writes) for every command, with arguments that make it show data."""
    keys = _visible_keys(url, actor)
    other = _others(url, actor)
    runs: list[tuple[tuple, list]] = []
    for name in get_kinds():
        for fmt in ("text", "json"):
            runs.append((("records", "list", name, "--limit", "2000", "--format", fmt), []))
            for key in keys[name]:
                runs.append((("records", "show", name, key, "--format", fmt), []))
        for key in keys[name][:1]:
            runs.append((("audit", "show", name, key, "--format", "json"), []))
        out = tmp_path / f"{name}.xlsx"
        runs.append((("export", name, "-o", out), [out]))
        runs.append((("export", name, "--format", "json"), []))
        if ACTOR_FREE["template"] == actor.role:
            template = tmp_path / f"{name}-template.xlsx"
            runs.append((("template", name, "-o", template), [template]))
    # writes that name people outside the actor's scope: the refusals must not echo them in full
    runs.append((("records", "add", "internships", f"身份证号={other['student']}", "学校代码=4132124906",
                  f"统一社会信用代码={actor.code if actor.role == 'enterprise' else '91320500YEJKR54JGC'}",
                  "实习类型=认识实习", "开始日期=2026-03-01", "结束日期=2026-03-20"), []))
    runs.append((("records", "set", "students", other["student"], "班级=一班"), []))
    runs.append((("records", "delete", "students", other["student"], "--yes"), []))
    bad = tmp_path / "teachers.csv"
    teacher_id, teacher_name, teacher_school = other["teacher"]
    bad.write_text(f"身份证号,姓名,学校代码,统一社会信用代码,教师类别\n{teacher_id},{teacher_name},{teacher_school or ''},,专任\n"
                   f"{teacher_id},{teacher_name},,{actor.code if actor.role == 'enterprise' else ''},企业导师\n",
                   encoding="utf-8")
    errors = tmp_path / "errors.csv"
    runs.append((("import", "teachers", bad, "--errors", errors), [errors]))
    runs.append((("import", "teachers", bad, "--format", "json"), []))
    for fmt in ("text", "json"):
        runs.append((("check", "--format", fmt), []))
        runs.append((("quota", "show", "--format", fmt), []))
        runs.append((("audit", "list", "--format", fmt), []))
        runs.append((("imports", "list", "--format", fmt), []))
        runs.append((("imports", "show", "1", "--format", fmt), []))
        runs.append((("luban", "list", "--format", fmt), []))
        runs.append((("luban", "summary", "--format", fmt), []))
        runs.append((("ic", "list", "--format", fmt), []))
        runs.append((("ic", "summary", "--year", "2026", "--format", fmt), []))
        runs.append((("ic", "show", "NOSUCHCOLLEGE", "--format", fmt), []))
        runs.append((("ic", "scorecard", "NOSUCHCOLLEGE", "--year", "2026", "--format", fmt), []))
    if other["luban"]:
        runs.append((("luban", "show", other["luban"], "--format", "json"), []))
    runs.append((("check", "--explain", "INT-DURATION"), []))
    report = tmp_path / "report.xlsx"
    runs.append((("report", "annual", "--year", "2026"), []))
    runs.append((("report", "annual", "--year", "2026", "--format", "html"), []))
    runs.append((("report", "annual", "--year", "2026", "-o", report), [report]))
    for suffix in ("pdf", "docx"):
        document = tmp_path / f"report.{suffix}"
        runs.append((("report", "annual", "--year", "2026", "-o", document), [document]))
    reservation = other["reservation"] or "R-NONE"
    runs.append((("quota", "confirm", reservation, "--student", other["student"]), []))
    runs.append((("quota", "release", reservation, "--places", "1"), []))
    uscc, position = (keys["positions"][0] if keys["positions"] else "91320500YEJKR54JGC/P001").split("/")
    runs.append((("quota", "reserve", "--enterprise", uscc, "--position", position, "--places", "1",
                  "--expires", "2030-01-01", "--school", "4132124906"), []))
    runs.append((("quota", "expire",), []))
    runs.append((("imports", "undo", "1", "--yes"), []))
    runs.append((("audit", "verify"), []))
    for fmt in ("text", "json"):
        runs.append((("teachers", "list", "--format", fmt), []))
        runs.append((("teachers", "practice-due", "--within", "365", "--format", fmt), []))
        runs.append((("teachers", "summary", "--year", "2026", "--format", fmt), []))
        runs.append((("teachers", "show", teacher_id, "--format", fmt), []))
        runs.append((("teachers", "show", teacher_name, "--format", fmt), []))
        for key in keys["teachers"]:
            runs.append((("teachers", "show", key, "--format", fmt), []))
    for fmt in ("text", "json"):
        runs.append((("incentives", "accrue", "--year", "2026", "--dry-run", "--format", fmt), []))
        runs.append((("incentives", "balance", "--format", fmt), []))
        runs.append((("incentives", "eligibility", "--year", "2026", "--format", fmt), []))
    for verb in ("claim", "approve", "pay", "pass-on"):
        runs.append((("incentives", verb, "1"), []))
    runs.append((("incentives", "close-period", "2026"), []))
    firm = actor.code if actor.role == "enterprise" else "91320500YEJKR54JGC"
    statement = tmp_path / "statement.xlsx"
    runs.append((("incentives", "statement", "--enterprise", firm, "--year", "2026"), []))
    runs.append((("incentives", "statement", "--enterprise", firm, "--year", "2026", "-o", statement), [statement]))
    for suffix in ("pdf", "docx"):
        document = tmp_path / f"statement.{suffix}"
        runs.append((("incentives", "statement", "--enterprise", firm, "--year", "2026", "-o", document), [document]))
    runs.append((("incentives", "export"), []))
    runs.append((("incentives", "reverse", "1", "--reason", "测试"), []))
    account = tmp_path / "account.xlsx"
    session = (keys["onex_sessions"] or ["X-NONE"])[0]
    for fmt in ("text", "json"):
        runs.append((("onex", "certificates", "--format", fmt), []))
        runs.append((("onex", "sites", "--format", fmt), []))
        runs.append((("onex", "results", "--session", session, "--format", fmt), []))
        runs.append((("onex", "summary", "--year", "2025", "--format", fmt), []))
        runs.append((("onex", "convert", "--term", "2025-2026-1", "--dry-run", "--format", fmt), []))
        for student in keys["students"][:1] + [other["student"]]:  # its own student, and one outside its scope
            runs.append((("onex", "account", student, "--format", fmt), []))
    if keys["students"]:
        runs.append((("onex", "account", keys["students"][0], "-o", account), [account]))
        for suffix in ("pdf", "docx"):
            document = tmp_path / f"account.{suffix}"
            runs.append((("onex", "account", keys["students"][0], "-o", document), [document]))
    # logins exist on PostgreSQL only (tests/pg/test_logins_pg.py); on SQLite each says so
    runs.append((("users", "list"), []))
    runs.append((("users", "add", "someone", "--actor", "auditor", "--password-stdin"), []))
    runs.append((("users", "set", "someone", "--actor", "auditor"), []))
    runs.append((("users", "remove", "someone"), []))
    runs.append((("status",), []))
    runs.append((("plugins",), []))
    runs.append((("db", "current"), []))
    return runs


ACTORS = ["enterprise", "school", "province", "auditor"]


def _actor(url: str, role: str) -> Actor:
    engine = make_engine(url)
    with engine.connect() as conn:
        if role == "enterprise":  # the enterprise with the most interns (it reads their students)
            code = conn.execute(sa.text("SELECT uscc FROM internships GROUP BY uscc ORDER BY count(*) DESC LIMIT 1")).scalar_one()
        elif role == "school":
            code = conn.execute(sa.text("SELECT school_code FROM students GROUP BY school_code ORDER BY count(*) DESC LIMIT 1")).scalar_one()
        else:
            code = "32" if role == "province" else None
    engine.dispose()
    return Actor(role, code)


@pytest.mark.parametrize("role", ACTORS)
def test_no_command_shows_a_full_id_number_to_anyone_but_on_reveal(demo_db, xiaoqi_cli, tmp_path, role):
    from xiaoqi.core.cli import cli

    url = demo_db[0]
    actor = _actor(url, role)
    # something of the actor's own in the audit log and among the import batches
    if role == "enterprise":
        position = _visible_keys(url, actor)["positions"][0]
        assert xiaoqi_cli("--as", str(actor), "records", "set", "positions", position, "staff_count=120", db=url).exit_code == 0
    runs = _invocations(url, actor, tmp_path)
    ctx = click.Context(cli, info_name="xiaoqi")
    ran = [" ".join(map(str, args)) + " " for args, _files in runs]
    elsewhere = {command for command, runs_as in ACTOR_FREE.items() if runs_as != role}
    missing = {p for p in leaf_commands(cli, ctx) if p not in NOT_RUN and p not in elsewhere
               and not any(r.startswith(p + " ") for r in ran)}
    assert not missing, f"commands the surface test does not run: {sorted(missing)}"
    leaks = {}
    for args, files in runs:
        result = xiaoqi_cli("--as", str(actor), *args, db=url)
        assert result.exit_code in (0, 1, 2), (args, result.output, result.stderr)  # 2: a usage error
        assert "Traceback" not in result.stderr and "内部错误" not in result.stderr, (args, result.stderr)
        text = result.output + result.stderr + "".join(_file_text(f) for f in files)
        found = full_ids(text)
        if found:
            leaks[" ".join(map(str, args))] = found[:3]
    assert not leaks, leaks


def test_guardians_and_phones_are_masked_and_reveal_is_audited_for_the_own_school(demo_db, xiaoqi_cli):
    url = demo_db[0]
    school = _actor(url, "school")
    engine = make_engine(url)
    with engine.connect() as conn:
        student = conn.execute(sa.text("SELECT id_number, guardian, guardian_phone FROM students WHERE school_code = :s "
                                       "AND guardian IS NOT NULL AND guardian_phone IS NOT NULL LIMIT 1"),
                               {"s": school.code}).one()
    engine.dispose()
    as_school = ("--as", str(school))
    shown = xiaoqi_cli(*as_school, "records", "show", "students", student.id_number, "--format", "json", db=url).json
    assert shown["id_number"] == student.id_number[:6] + "********" + student.id_number[14:]
    assert shown["guardian"] == student.guardian[0] + "*" * (len(student.guardian) - 1)
    assert shown["guardian_phone"] != student.guardian_phone and shown["guardian_phone"][-4:] == student.guardian_phone[-4:]
    listed = xiaoqi_cli(*as_school, "records", "list", "students", "--format", "json", "--limit", "1000", db=url).output
    assert student.guardian_phone not in listed and not full_ids(listed)
    # the school reveals its own student: in full, and the audit log says who saw whose data
    revealed = xiaoqi_cli(*as_school, "records", "show", "students", student.id_number, "--format", "json", "--reveal", db=url)
    assert revealed.exit_code == 0 and revealed.json["guardian_phone"] == student.guardian_phone
    log = xiaoqi_cli("audit", "list", "--kind", "students", "--format", "json", db=url).json["entries"]
    assert any(e["action"] == "reveal" and e["actor"] == str(school) and e["key"] == student.id_number for e in log)
    # an enterprise may not reveal students, nor the auditor, and says so without a full number
    firm = _actor(url, "enterprise")
    for actor in (firm, Actor("auditor")):
        refused = xiaoqi_cli("--as", str(actor), "records", "list", "students", "--reveal", db=url)
        assert refused.exit_code == 1 and "完整个人信息" in refused.stderr and not full_ids(refused.output + refused.stderr)
    # the admin too sees masked data unless it reveals (and then it is audited as well)
    admin = xiaoqi_cli("records", "list", "students", "--format", "json", db=url)
    assert not full_ids(admin.output)
    full = xiaoqi_cli("records", "list", "students", "--format", "json", "--limit", "3", "--reveal", db=url)
    assert len(full_ids(full.output)) == 3


def test_a_revealing_export_is_audited_and_findings_are_masked_but_for_the_admin(demo_db, xiaoqi_cli):
    url = demo_db[0]
    school = _actor(url, "school")
    exported = xiaoqi_cli("--as", str(school), "export", "students", "--format", "json", "--reveal", db=url)
    assert exported.exit_code == 0 and full_ids(exported.output)
    entries = xiaoqi_cli("audit", "list", "--kind", "students", "--format", "json", db=url).json["entries"]
    export = [e for e in entries if e["action"] == "reveal" and e["note"] and e["note"].get("surface") == "export"]
    assert export and export[0]["actor"] == str(school) and export[0]["note"]["rows"] == len(exported.json)
    # the school's own findings: masked; the admin's, who keeps the register: in full
    own = xiaoqi_cli("--as", str(school), "check", "--format", "json", db=url).json["findings"]
    assert own and not full_ids(json.dumps(own, ensure_ascii=False))
    assert any("********" in f["subject_key"] for f in own)
    full = xiaoqi_cli("check", "--format", "json", db=url).json["findings"]
    assert full_ids(json.dumps(full, ensure_ascii=False))

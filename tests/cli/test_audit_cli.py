"""``xiaoqi audit`` and ``xiaoqi imports`` through the CLI: a record's history (its imported
creation rebuilt from the stored file) equals what a full-snapshot log would have shown, for
every core kind, from CSV, xlsx and JSON, on SQLite and PostgreSQL; listing, masking, the chain's
verification, refused imports kept as attempts, and undoing a batch."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from .test_import_cli import ORDER, engine_for, kind_file, write_gb18030, write_xlsx, json_value

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)

#: a change made through the services, then one made by importing a file, per kind
SERVICE_CHANGE = {
    "schools": {"contact": "李老师"}, "majors": {"name": "机电一体化技术（新）"}, "enterprises": {"staff_count": "600"},
    "positions": {"wage": "5200"}, "students": {"class_name": "机电2301班"}, "agreements": {"vetted_on": "2026-01-05"},
    "internships": {"work_region": "320100"}, "policies": {"premium": "12000"},
    "teachers": {"title": "讲师"},
}
IMPORT_CHANGE = {
    "schools": {"phone": "0371-66668888"}, "majors": {"name": "机电一体化技术（再改）"}, "enterprises": {"name": "改名制造有限公司"},
    "positions": {"title": "新岗位"}, "students": {"guardian": "王五"}, "agreements": {"vetted_on": "2026-02-01"},
    "internships": {"work_region": "320500"}, "policies": {"insurer": "新保险股份有限公司"},
    "teachers": {"phone": "0371-12345678"},
}
#: kinds whose first record nothing else refers to, so it can be deleted at the end
DELETABLE = ("internships", "insured")


def one_row_file(tmp_path, kind_name: str, fmt: str, record: dict, n: int):
    from xiaoqi.core.kinds import get_kind

    kind = get_kind(kind_name)
    cols = [c for c in kind.columns if c.name in kind.model.__table__.c]
    headers = [c.zh for c in cols]
    row = [_typed(c, record.get(c.name)) for c in cols]
    if fmt == "xlsx":
        return write_xlsx(tmp_path / f"change{n}-{kind_name}.xlsx", headers, [row])
    if fmt == "json":
        path = tmp_path / f"change{n}-{kind_name}.json"
        path.write_text(json.dumps([dict(zip(headers, map(json_value, row)))], ensure_ascii=False), encoding="utf-8")
        return path
    return write_gb18030(tmp_path / f"change{n}-{kind_name}.csv", headers, [row])


def _typed(col, value):
    """A JSON-ready value as a file would hold it (dates and money as Python values)."""
    import datetime as dt
    from decimal import Decimal

    if value is None:
        return None
    if col.type == "date":
        return dt.date.fromisoformat(value)
    if col.type == "money":
        return Decimal(value)
    return value


def _changes(xiaoqi_cli, kind_name: str, record: dict) -> tuple[dict, dict]:
    """The service change and the import change of a kind; an insured row's end stays within its
    policy's period (an insured row outside its policy is refused)."""
    if kind_name != "insured":
        return SERVICE_CHANGE[kind_name], IMPORT_CHANGE[kind_name]
    import datetime as dt

    end = dt.date.fromisoformat(show(xiaoqi_cli, "policies", record["policy_no"])["end_on"])
    return {"end_on": str(end - dt.timedelta(days=1))}, {"end_on": str(end - dt.timedelta(days=31))}


def show(xiaoqi_cli, kind: str, key: str) -> dict:
    result = xiaoqi_cli("records", "show", kind, key, "--format", "json", "--reveal")
    assert result.exit_code == 0, result.stderr
    return result.json


@BOTH
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_records_history_equals_a_full_snapshot_log(demo_db, xiaoqi_cli, xiaoqi_db_url, tmp_path, fmt):
    from xiaoqi.core.kinds import get_kind

    source = demo_db[0]
    for n, kind in enumerate(ORDER):
        result = xiaoqi_cli("import", kind, kind_file(tmp_path, source, kind, fmt, english=n % 2 == 1))
        assert result.exit_code == 0, (kind, result.output, result.stderr)
    for n, kind_name in enumerate(ORDER):
        kind = get_kind(kind_name)
        first = xiaoqi_cli("export", kind_name, "--format", "json", "--reveal").json[0]
        key = kind.key_of(kind.parse_row(first))
        # the full-snapshot log: the record as it stands after each write
        expected = [("create", None, show(xiaoqi_cli, kind_name, key))]
        service_change, import_change = _changes(xiaoqi_cli, kind_name, first)
        pairs = [f"{name}={value}" for name, value in service_change.items()]
        assert xiaoqi_cli("records", "set", kind_name, key, *pairs).exit_code == 0
        expected.append(("update", expected[-1][2], show(xiaoqi_cli, kind_name, key)))
        changed = {**expected[-1][2], **import_change}
        imported = xiaoqi_cli("import", kind_name, one_row_file(tmp_path, kind_name, fmt, changed, n))
        assert imported.exit_code == 0 and ("修改 1" in imported.output), (kind_name, imported.output, imported.stderr)
        expected.append(("update", expected[-1][2], show(xiaoqi_cli, kind_name, key)))
        if kind_name in DELETABLE:
            assert xiaoqi_cli("records", "delete", kind_name, key, "--yes").exit_code == 0
            expected.append(("delete", expected[-1][2], None))
        history = xiaoqi_cli("audit", "show", kind_name, key, "--format", "json")
        assert history.exit_code == 0, history.stderr
        # the reveals of ``show --reveal`` are in the history too (who saw whose data); not writes
        got = [(e["action"], e["before"], e["after"]) for e in history.json if e["action"] != "reveal"]
        assert got == expected, kind_name
        assert bool(get_kind(kind_name).rights.personal) == any(e["action"] == "reveal" for e in history.json), kind_name
        creation = history.json[0]
        assert creation["batch_id"] is not None and creation["row_no"] >= 2 - (fmt == "json")
    verified = xiaoqi_cli("audit", "verify", "--files", "--format", "json")
    assert verified.exit_code == 0 and verified.json["ok"] and verified.json["files"] == 2 * len(ORDER)


def test_audit_list_pages_newest_first_with_names_and_filters(xiaoqi_factory, xiaoqi_cli):
    school = xiaoqi_factory.school()
    for n in range(5):
        assert xiaoqi_cli("records", "set", "schools", school.school_code, f"contact=老师{n}").exit_code == 0
    page = xiaoqi_cli("audit", "list", "--kind", "学校", "--limit", "3", "--format", "json").json
    ids = [e["id"] for e in page["entries"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 3 and page["next_before"] == ids[-1]
    assert page["entries"][0]["name"] == school.name and page["entries"][0]["after"]["contact"] == "老师4"
    rest = xiaoqi_cli("audit", "list", "--kind", "schools", "--before", str(page["next_before"]), "--format", "json").json
    assert all(e["id"] < ids[-1] for e in rest["entries"]) and rest["next_before"] is None
    text = xiaoqi_cli("audit", "list", "--key", school.school_code)
    assert text.exit_code == 0 and "联系人: 老师3 → 老师4" in text.output and school.name in text.output
    assert xiaoqi_cli("audit", "list", "--since", "2999-01-01").output.strip() == "（没有审计记录）"
    bad = xiaoqi_cli("audit", "list", "--since", "昨天")
    assert bad.exit_code == 2 and "2026-03-01" in bad.stderr


def test_personal_data_is_masked_for_actors_who_may_not_see_it(xiaoqi_factory, xiaoqi_cli):
    student = xiaoqi_factory.student(guardian_phone="13912345678")
    admin = xiaoqi_cli("audit", "show", "students", student.id_number, "--format", "json")
    assert admin.json[0]["after"]["id_number"] == student.id_number
    auditor = xiaoqi_cli("--as", "auditor", "audit", "show", "students", student.id_number,
                         "--format", "json")
    after = auditor.json[0]["after"]
    assert after["id_number"] == student.id_number[:6] + "********" + student.id_number[14:]
    assert after["guardian_phone"] == "139****5678"
    listed = xiaoqi_cli("--as", "auditor", "audit", "list", "--format", "json").json["entries"]
    assert student.id_number not in json.dumps(listed, ensure_ascii=False)


def test_an_actor_sees_its_own_entries_and_the_history_of_records_it_may_see(xiaoqi_factory, xiaoqi_cli):
    mine = xiaoqi_factory.school()
    own_student = xiaoqi_factory.student(mine)
    other = xiaoqi_factory.school()
    their_student = xiaoqi_factory.student(other)
    me = f"school:{mine.school_code}"
    assert xiaoqi_cli("--as", me, "records", "set", "students", own_student.id_number, "class_name=一班").exit_code == 0
    # its own entries and those about records it reads (its student, every school), not about
    # another school's student
    every = xiaoqi_cli("audit", "list", "--format", "json").json["entries"]
    listed = xiaoqi_cli("--as", me, "audit", "list", "--format", "json").json["entries"]
    about = lambda key: {e["id"] for e in every if e["key"] == key}  # noqa: E731
    assert {e["id"] for e in listed if e["actor"] == me} == {e["id"] for e in every if e["actor"] == me} != set()
    assert about(own_student.id_number) | about(other.school_code) <= {e["id"] for e in listed}
    assert not about(their_student.id_number) & {e["id"] for e in listed}
    # its own student's history, written by the admin too, personal data masked (only the admin,
    # who keeps the log, reads its states in full)
    own = xiaoqi_cli("--as", me, "audit", "show", "students", own_student.id_number, "--format", "json").json
    number = own_student.id_number
    assert [e["actor"] for e in own] == ["admin", me] and own[0]["after"]["id_number"] == number[:6] + "********" + number[14:]
    hidden = xiaoqi_cli("--as", me, "audit", "show", "students", their_student.id_number)
    assert hidden.exit_code == 1 and "没有审计记录" in hidden.stderr and their_student.id_number not in hidden.stderr


def test_a_refused_import_is_kept_as_an_attempt_and_listed(xiaoqi_cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("学校代码,学校名称,办学层次,所在地区代码\n4132012345,甲学院,高职,320100\n123,乙,高职,320100\n", encoding="utf-8")
    assert xiaoqi_cli("import", "schools", bad).exit_code == 1
    batches = xiaoqi_cli("imports", "list", "--format", "json").json
    assert [(b["status"], b["invalid"], b["created"], b["file_kept"]) for b in batches] == [("refused", 1, 0, False)]
    shown = xiaoqi_cli("imports", "show", str(batches[0]["id"]))
    assert "被拒绝" in shown.output and "第 3 行" in shown.output and "10位数字" in shown.output
    assert xiaoqi_cli("records", "list", "schools").output.strip() == "（没有记录）"
    attempt = xiaoqi_cli("audit", "list", "--format", "json").json["entries"][0]
    assert attempt["action"] == "refused" and attempt["note"]["kind"] == "schools" and attempt["login"]
    assert xiaoqi_cli("audit", "verify").exit_code == 0
    refused_undo = xiaoqi_cli("imports", "undo", str(batches[0]["id"]), "--yes")
    assert refused_undo.exit_code == 1 and "被拒绝" in refused_undo.stderr


@BOTH
def test_imports_undo_reverts_a_batch_or_names_what_changed_since(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("学校代码,学校名称,办学层次,所在地区代码\n4132012345,一职,高职,410100\n4132012346,二职,中职,410100\n",
                     encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text("学校代码,学校名称,办学层次,所在地区代码\n4132012345,一职改,高职,410100\n4132012347,三职,中职,410100\n",
                      encoding="utf-8")
    assert xiaoqi_cli("import", "schools", first).exit_code == 0
    assert xiaoqi_cli("import", "schools", second).exit_code == 0
    engine = engine_for(xiaoqi_db_url)
    with engine.connect() as conn:
        before_undo = conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar()
    # asked first; "n" changes nothing
    no = xiaoqi_cli("imports", "undo", "2", input="n\n")
    assert no.exit_code == 0 and "已取消" in no.output
    done = xiaoqi_cli("imports", "undo", "2", input="y\n")
    assert done.exit_code == 0 and "删除 1 条，恢复 1 条" in done.output
    schools = xiaoqi_cli("export", "schools", "--format", "json").json
    assert sorted((s["school_code"], s["name"]) for s in schools) == [("4132012345", "一职"), ("4132012346", "二职")]
    with engine.connect() as conn:
        notes = conn.execute(sa.text("SELECT action, note FROM audit_log WHERE id > :n ORDER BY id"), {"n": before_undo}).all()
    engine.dispose()
    assert [a for a, _ in notes] == ["update", "delete", "undo"] or [a for a, _ in notes] == ["delete", "update", "undo"]
    assert xiaoqi_cli("imports", "list", "--format", "json").json[0]["status"] == "undone"
    assert xiaoqi_cli("imports", "undo", "2", "--yes").exit_code == 1  # once only
    history = xiaoqi_cli("audit", "show", "schools", "4132012345").output
    assert "撤销导入批次 2" in history
    # batch 1 cannot be undone now: its record 4132012345 was changed by batch 2 and its undo
    refused = xiaoqi_cli("imports", "undo", "1", "--yes")
    assert refused.exit_code == 1 and "4132012345" in refused.stderr and "一职" in refused.stderr and "admin" in refused.stderr
    assert xiaoqi_cli("audit", "verify").exit_code == 0


def test_an_import_whose_created_records_are_referenced_is_not_undone(xiaoqi_cli, tmp_path):
    schools = tmp_path / "schools.csv"
    schools.write_text("学校代码,学校名称,办学层次,所在地区代码\n4132012345,一职,高职,410100\n", encoding="utf-8")
    majors = tmp_path / "majors.csv"
    majors.write_text("学校代码,专业代码,专业名称\n4132012345,460301,机电一体化技术\n", encoding="utf-8")
    assert xiaoqi_cli("import", "schools", schools).exit_code == 0
    assert xiaoqi_cli("import", "majors", majors).exit_code == 0
    result = xiaoqi_cli("imports", "undo", "1", "--yes")
    assert result.exit_code == 1 and "仍被其他记录引用" in result.stderr and "专业" in result.stderr
    assert len(xiaoqi_cli("export", "schools", "--format", "json").json) == 1


def test_verify_names_a_tampered_entry(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url):
    school = xiaoqi_factory.school()
    assert xiaoqi_cli("records", "set", "schools", school.school_code, "contact=甲").exit_code == 0
    ok = xiaoqi_cli("audit", "verify")
    assert ok.exit_code == 0 and "审计链完整" in ok.output
    engine = engine_for(xiaoqi_db_url)
    with engine.begin() as conn:
        target = conn.execute(sa.text("SELECT id FROM audit_log WHERE action = 'update'")).scalar_one()
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        conn.execute(sa.text("UPDATE audit_log SET after = '{\"contact\": \"乙\"}' WHERE id = :i"), {"i": target})
    engine.dispose()
    bad = xiaoqi_cli("audit", "verify")
    assert bad.exit_code == 1 and f"记录 #{target}" in bad.output and school.school_code in bad.output
    assert "写入后被修改" in bad.output

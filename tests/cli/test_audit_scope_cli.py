"""The audit log and the import batches follow each actor's read scope on SQLite too (``--as``):
a school or an enterprise reads the entries it wrote and those about records it may read — the
admin's changes and imports of them included, a deleted record's by its last state — and no other
school's or enterprise's; import batches are their importer's (and the admin's and the auditor's)."""

from __future__ import annotations

import datetime as dt

from xiaoqi.testing import make_id_number

from .test_import_cli import write_xlsx


def test_audit_entries_and_batches_follow_each_actors_read_scope(xiaoqi_factory, xiaoqi_cli, tmp_path):
    mine, other = xiaoqi_factory.school(), xiaoqi_factory.school()
    our_major = xiaoqi_factory.major(mine)
    xiaoqi_factory.major(other)
    firm, rival = xiaoqi_factory.enterprise(), xiaoqi_factory.enterprise()
    own_position, their_position = xiaoqi_factory.position(firm), xiaoqi_factory.position(rival)
    own_key, their_key = f"{firm.uscc}/{own_position.position_code}", f"{rival.uscc}/{their_position.position_code}"
    for key, wage in ((own_key, "5100"), (their_key, "5200")):
        assert xiaoqi_cli("records", "set", "positions", key, f"wage={wage}").exit_code == 0
    # the admin imports a student of each school (light entries, rebuilt from the stored file)
    ours, theirs = make_id_number("330100", dt.date(2006, 1, 1), 1), make_id_number("330100", dt.date(2006, 1, 1), 2)
    path = write_xlsx(tmp_path / "students.xlsx", ["学校代码", "学号", "姓名", "身份证号", "专业代码", "入学日期"],
                      [[mine.school_code, "A1", "甲", ours, "460301", "2024-09-01"],
                       [other.school_code, "A2", "乙", theirs, "460301", "2024-09-01"]])
    assert xiaoqi_cli("import", "students", path).exit_code == 0
    # and deletes a student of the school: its history is the school's by its last state
    gone = xiaoqi_factory.student(mine, our_major)
    assert xiaoqi_cli("records", "delete", "students", gone.id_number, "--yes").exit_code == 0
    every = xiaoqi_cli("audit", "list", "--limit", "1000", "--format", "json").json["entries"]
    by_key = {}
    for e in every:
        by_key.setdefault((e["kind"], e["key"]), set()).add(e["id"])

    school, enterprise = f"school:{mine.school_code}", f"enterprise:{firm.uscc}"
    # an enterprise: its position's changes by the admin, not another enterprise's
    listed = xiaoqi_cli("--as", enterprise, "audit", "list", "--kind", "positions", "--format", "json").json["entries"]
    assert {e["key"] for e in listed} == {own_key}
    assert {e["action"] for e in listed} == {"create", "update"}
    changed = next(e for e in listed if e["action"] == "update")
    assert changed["after"]["wage"] == "5100.00" and changed["before"]["wage"] != "5100.00"
    assert xiaoqi_cli("--as", enterprise, "audit", "show", "positions", own_key).exit_code == 0
    hidden = xiaoqi_cli("--as", enterprise, "audit", "show", "positions", their_key)
    assert hidden.exit_code == 1 and "5200" not in hidden.output + hidden.stderr
    everything = xiaoqi_cli("--as", enterprise, "audit", "list", "--limit", "1000", "--format", "json").json["entries"]
    assert not {e["id"] for e in everything} & by_key[("positions", their_key)]
    assert not {e["id"] for e in everything} & by_key[("students", theirs)]

    # a school: its student's whole history, the admin's import rebuilt from the stored file
    history = xiaoqi_cli("--as", school, "audit", "show", "students", ours, "--format", "json")
    assert history.exit_code == 0, history.stderr
    assert history.json[0]["batch_id"] is not None and history.json[0]["after"]["student_no"] == "A1"
    assert history.json[0]["after"]["school_code"] == mine.school_code
    refused = xiaoqi_cli("--as", school, "audit", "show", "students", theirs)
    assert refused.exit_code == 1 and theirs not in refused.output + refused.stderr
    deleted = xiaoqi_cli("--as", school, "audit", "show", "students", gone.id_number, "--format", "json")
    assert deleted.exit_code == 0 and [e["action"] for e in deleted.json] == ["create", "delete"]
    assert xiaoqi_cli("--as", f"school:{other.school_code}", "audit", "show", "students", gone.id_number).exit_code == 1
    seen = {e["id"] for e in xiaoqi_cli("--as", school, "audit", "list", "--limit", "1000", "--format", "json").json["entries"]}
    assert by_key[("students", ours)] | by_key[("students", gone.id_number)] <= seen
    assert not seen & by_key[("students", theirs)]
    assert by_key[("positions", their_key)] <= seen  # a school reads every position (and its history)

    # the admin's batch: not the school's nor the enterprise's; the auditor reads it
    for actor in (school, enterprise):
        assert xiaoqi_cli("--as", actor, "imports", "list", "--format", "json").json == []
        assert xiaoqi_cli("--as", actor, "imports", "show", "1").exit_code == 1
    assert [b["id"] for b in xiaoqi_cli("--as", "auditor", "imports", "list", "--format", "json").json] == [1]
    auditor = {e["id"] for e in xiaoqi_cli("--as", "auditor", "audit", "list", "--limit", "1000", "--format", "json").json["entries"]}
    assert auditor == {e["id"] for e in every}

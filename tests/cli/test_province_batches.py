"""A province reads the import batches of its schools and enterprises (``imports list/show`` and the
batches' own audit entries), on SQLite and PostgreSQL alike: such a batch holds only rows within
its importer's scope, which lies within the province's. Not the admin's batches (they span every
scope), not another province's schools' or enterprises'."""

from __future__ import annotations

import csv
import json

import pytest

from xiaoqi.core.kinds import get_kinds


def _file(path, kind: str, rows: list[dict]):
    """A CSV of ``rows`` of ``kind`` with its Chinese headers."""
    cols = get_kinds()[kind].columns
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow([c.zh for c in cols])
        for row in rows:
            writer.writerow(["" if row.get(c.name) is None else str(row[c.name]) for c in cols])
    return path


def _batch(xiaoqi_cli, actor: str, kind: str, path) -> int:
    """Import ``path`` as ``actor`` (``--as``): the new batch's id."""
    before = {b["id"] for b in xiaoqi_cli("imports", "list", "--format", "json").json}
    result = xiaoqi_cli(*(("--as", actor) if actor != "admin" else ()), "import", kind, path)
    assert result.exit_code == 0, (result.output, result.stderr)
    (made,) = {b["id"] for b in xiaoqi_cli("imports", "list", "--format", "json").json} - before
    return made


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_a_province_reads_its_schools_and_enterprises_batches_and_no_others(xiaoqi_factory, xiaoqi_cli, tmp_path):
    school = xiaoqi_factory.school(region="320100")
    other_school = xiaoqi_factory.school(region="330100")
    firm = xiaoqi_factory.enterprise(region="320500")
    other_firm = xiaoqi_factory.enterprise(region="330200")
    for s in (school, other_school):
        xiaoqi_factory.major(s)
    for e in (firm, other_firm):
        xiaoqi_factory.position(e)

    def majors(s, name):
        return [{"school_code": s.school_code, "major_code": "460301", "name": name}]

    def positions(e, title):
        rows = xiaoqi_cli("--as", f"enterprise:{e.uscc}", "records", "list", "positions", "--format", "json").json
        return [{**r, "title": title} for r in rows]

    batches = {
        "school": _batch(xiaoqi_cli, f"school:{school.school_code}", "majors", _file(tmp_path / "a.csv", "majors", majors(school, "甲"))),
        "firm": _batch(xiaoqi_cli, f"enterprise:{firm.uscc}", "positions", _file(tmp_path / "e.csv", "positions", positions(firm, "甲岗"))),
        "other_school": _batch(xiaoqi_cli, f"school:{other_school.school_code}", "majors",
                               _file(tmp_path / "b.csv", "majors", majors(other_school, "乙"))),
        "other_firm": _batch(xiaoqi_cli, f"enterprise:{other_firm.uscc}", "positions",
                             _file(tmp_path / "f.csv", "positions", positions(other_firm, "乙岗"))),
        # the admin's batch holds both provinces' rows: it is no province's
        "admin": _batch(xiaoqi_cli, "admin", "majors", _file(tmp_path / "all.csv", "majors",
                                                              majors(school, "丙") + majors(other_school, "丁"))),
    }
    for province, mine in (("32", {"school", "firm"}), ("33", {"other_school", "other_firm"})):
        actor = ("--as", f"province:{province}")
        listed = {b["id"] for b in xiaoqi_cli(*actor, "imports", "list", "--format", "json").json}
        assert listed == {batches[k] for k in mine}, (province, listed, batches)
        for name, batch_id in batches.items():
            shown = xiaoqi_cli(*actor, "imports", "show", batch_id, "--format", "json")
            if name in mine:
                assert shown.exit_code == 0, shown.stderr
                shown = shown.json
                assert shown["id"] == batch_id and shown["status"] == "committed"
                # the batch's own audit entries come with it, as its importer reads them
                assert [e["action"] for e in shown["events"]] == ["import"]
            else:
                assert shown.exit_code != 0 and f"没有编号为 {batch_id} 的导入批次" in shown.stderr
                assert "Traceback" not in shown.stderr
        # the audit log: the entries of the batches it reads, no other batch's
        page = xiaoqi_cli(*actor, "audit", "list", "--kind", "import_batches", "--format", "json", "--limit", "100").json
        assert {int(e["key"]) for e in page["entries"]} == {batches[k] for k in mine}
    # read-only: the province reads a batch but does not undo it
    undo = xiaoqi_cli("--as", "province:32", "imports", "undo", batches["school"], "--yes")
    assert undo.exit_code != 0 and "Traceback" not in undo.stderr
    english = xiaoqi_cli("--lang", "en", "--as", "province:32", "imports", "show", batches["admin"])
    assert english.exit_code != 0 and f"No import batch {batches['admin']}" in english.stderr
    assert json.loads(xiaoqi_cli("--as", "auditor", "imports", "list", "--format", "json").output)[0]["id"] == batches["admin"]

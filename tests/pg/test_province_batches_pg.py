"""A province's login on PostgreSQL reads the import batches of its schools and enterprises, their
stored files (the rows, not the bytes) and their own audit entries, through the masked views, the
same batches xiaoqi's own filter gives the province (``imports.list_batches``); not the admin's
batches nor another province's schools'. Tried the hostile way (psycopg, bypassing xiaoqi) and
through xiaoqi run as the login."""

from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.kinds import get_kinds

from .test_logins_pg import _cli, _raw, drop_with_logins

pytestmark = pytest.mark.pg


def _majors_file(engine, path, school: str, name: str):
    """A CSV of ``school``'s majors, renamed ``name``."""
    cols = get_kinds()["majors"].columns
    with engine.connect() as conn, open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow([c.zh for c in cols])
        for row in conn.execute(sa.text("SELECT * FROM majors WHERE school_code = :s ORDER BY id"), {"s": school}).mappings():
            writer.writerow([name if c.name == "name" else row[c.name] for c in cols])
    return path


@pytest.fixture(scope="module")
def world(xiaoqi_pg, pg_logins_template, tmp_path_factory):
    """A copy of the session's demo with logins; the owner imports, narrowed with ``--as``, a
    file for a school and one for an enterprise of one province, one for a school of another
    province, and one as the admin; a login for each province."""
    from .conftest import new_login, pg_copy

    url = pg_copy(xiaoqi_pg, pg_logins_template[0])
    engine = make_engine(url)
    with engine.connect() as conn:
        province, school = conn.execute(sa.text(
            "SELECT left(s.region, 2), s.school_code FROM schools s WHERE EXISTS (SELECT 1 FROM enterprises e "
            "WHERE left(e.region, 2) = left(s.region, 2)) AND EXISTS (SELECT 1 FROM majors m WHERE m.school_code = s.school_code) "
            "ORDER BY s.school_code LIMIT 1")).one()
        firm = conn.execute(sa.text("SELECT e.uscc FROM enterprises e WHERE left(e.region, 2) = :p AND EXISTS "
                                    "(SELECT 1 FROM positions p WHERE p.uscc = e.uscc) ORDER BY e.uscc LIMIT 1"),
                            {"p": province}).scalar_one()
        other_province, other_school = conn.execute(sa.text(
            "SELECT left(s.region, 2), s.school_code FROM schools s WHERE left(s.region, 2) <> :p AND EXISTS "
            "(SELECT 1 FROM majors m WHERE m.school_code = s.school_code) ORDER BY s.school_code LIMIT 1"),
            {"p": province}).one()
        before = set(conn.execute(sa.text("SELECT id FROM import_batches")).scalars())
    tmp = tmp_path_factory.mktemp("province-batches")
    positions = tmp / "positions.csv"
    code, out, err = _cli(url, "--as", f"enterprise:{firm}", "export", "positions", "-o", positions)
    assert code == 0, (out, err)
    imports = [(f"school:{school}", "majors", _majors_file(engine, tmp / "a.csv", school, "甲专业")),
               (f"enterprise:{firm}", "positions", positions),
               (f"school:{other_school}", "majors", _majors_file(engine, tmp / "b.csv", other_school, "乙专业")),
               ("admin", "majors", _majors_file(engine, tmp / "all.csv", school, "丙专业"))]
    batches = {}
    for actor, kind, path in imports:
        code, out, err = _cli(url, "--as", actor, "import", kind, path)
        assert code == 0, (out, err)
        with engine.connect() as conn:
            (batches[actor],) = set(conn.execute(sa.text("SELECT id FROM import_batches")).scalars()) - before - set(batches.values())
    logins = {p: new_login(engine, url, f"province:{p}") for p in (province, other_province)}
    yield {"url": url, "engine": engine, "province": province, "other_province": other_province, "school": school,
           "firm": firm, "other_school": other_school, "batches": batches, "logins": logins}
    engine.dispose()
    drop_with_logins(xiaoqi_pg, url, [name for name, _url in logins.values()])


def _rows(login_url, sql) -> set:
    with _raw(login_url) as raw:
        return {r[0] for r in raw.execute(sql).fetchall()}


def test_a_province_login_reads_its_schools_and_enterprises_batches_files_and_entries_as_xiaoqi_does(world):
    b = world["batches"]
    expected = {world["province"]: {b[f"school:{world['school']}"], b[f"enterprise:{world['firm']}"]},
                world["other_province"]: {b[f"school:{world['other_school']}"]}}
    with world["engine"].connect() as conn:
        kept = set(conn.execute(sa.text("SELECT DISTINCT batch_id FROM import_files")).scalars())
    assert set(b.values()) <= kept  # every batch here kept its file
    for province, mine in expected.items():
        _name, login_url = world["logins"][province]
        # psycopg as the login: its masked views, no other batch, no other file, no other batch's entry
        assert _rows(login_url, "SELECT id FROM import_batches") == mine
        assert _rows(login_url, "SELECT DISTINCT batch_id FROM import_files") == mine
        assert _rows(login_url, "SELECT DISTINCT data IS NULL FROM import_files") == {True}  # the rows, not the bytes
        assert _rows(login_url, "SELECT key::int FROM audit_log WHERE kind = 'import_batches'") == mine
        # xiaoqi's own filter (the owner narrowed to the province) gives the same batches
        code, out, err = _cli(world["url"], "--as", f"province:{province}", "imports", "list", "--format", "json")
        assert code == 0, err
        assert {x["id"] for x in json.loads(out)} == mine
        # and xiaoqi run as the login
        code, out, err = _cli(login_url, "imports", "list", "--format", "json")
        assert code == 0, err
        assert {x["id"] for x in json.loads(out)} == mine
        for batch_id in mine:
            code, out, err = _cli(login_url, "imports", "show", batch_id, "--format", "json")
            assert code == 0, err
            shown = json.loads(out)
            assert shown["file_kept"] is True and [e["action"] for e in shown["events"]] == ["import"]
        for batch_id in set(b.values()) - mine:  # the admin's, the other province's
            code, out, err = _cli(login_url, "imports", "show", batch_id)
            assert code != 0 and f"没有编号为 {batch_id} 的导入批次" in err and "Traceback" not in err
        code, out, err = _cli(login_url, "audit", "list", "--kind", "import_batches", "--format", "json")
        assert code == 0, err
        assert {int(e["key"]) for e in json.loads(out)["entries"]} == mine

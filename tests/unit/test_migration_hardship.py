"""Migration 0009 (the 家庭经济困难 flag of a student) on a database
with data: a database at the previous core head, filled with the demo's records, is upgraded on
SQLite and PostgreSQL; every row is intact, the new column reads NULL, the schema equals the
models, and the upgraded database records a hardship flag, hidden unless revealed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import Actor
from xiaoqi.core.db import read_session
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.migrate import current, heads, upgrade
from xiaoqi.core.privacy import present

from .test_migration_teachers import contents, old_database, schema_diff

PREVIOUS = "0008"


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_upgrade_from_the_previous_head_keeps_every_row(xiaoqi_backend, request, tmp_path, demo_db, xiaoqi_cli):
    url, engine, counts = old_database(xiaoqi_backend, request, tmp_path, PREVIOUS, demo_db[0])
    assert counts["students"] > 1000
    old_columns = {t: [c["name"] for c in sa.inspect(engine).get_columns(t)] for t in counts}
    before = contents(engine, old_columns)

    upgrade(engine)

    assert current(engine) == heads()
    assert contents(engine, old_columns) == before
    new = {c["name"] for c in sa.inspect(engine).get_columns("students")} - set(old_columns["students"])
    assert new == {"hardship"}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(hardship) FROM students")).scalar() == 0
    assert schema_diff(engine) == []
    with engine.connect() as conn:
        id_number = conn.execute(sa.text("SELECT id_number FROM students ORDER BY id LIMIT 1")).scalar()
    changed = xiaoqi_cli("records", "set", "students", id_number, "家庭经济困难=是", db=url)
    assert changed.exit_code == 0, changed.stderr
    revealed = xiaoqi_cli("export", "students", "--format", "json", "--reveal", db=url).json
    assert [r["hardship"] for r in revealed if r["id_number"] == id_number] == [True]
    with read_session(engine) as session:
        kind = get_kind("students")
        student = session.execute(sa.select(kind.model).where(kind.model.id_number == id_number)).scalar_one()
        shown = present(session, Actor("school", student.school_code), kind, [student])[0]
    assert shown["hardship"] == "***"  # personal data: hidden unless revealed

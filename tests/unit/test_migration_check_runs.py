"""Migration 0008 (kept check runs) on a database with data: a database at the previous core head,
filled with the demo's records, is upgraded on SQLite and PostgreSQL; every row is intact, the new
tables are empty, the schema equals the models, and a check run is kept and read back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.check_store import check_and_store, last_run
from xiaoqi.core.db import read_session
from xiaoqi.core.migrate import current, heads, upgrade

from .test_migration_teachers import contents, old_database, schema_diff

PREVIOUS = "0007"


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_upgrade_from_the_previous_head_keeps_every_row(xiaoqi_backend, request, tmp_path, demo_db):
    _url, engine, counts = old_database(xiaoqi_backend, request, tmp_path, PREVIOUS, demo_db[0])
    assert counts["internships"] > 900
    old_columns = {t: [c["name"] for c in sa.inspect(engine).get_columns(t)] for t in counts}
    before = contents(engine, old_columns)
    assert "check_runs" not in sa.inspect(engine).get_table_names()

    upgrade(engine)

    assert current(engine) == heads()
    assert contents(engine, old_columns) == before
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM check_runs")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM check_findings")).scalar() == 0
    assert schema_diff(engine) == []
    run = check_and_store(engine, actor=ADMIN)
    assert run.id and run.result.findings
    with read_session(engine) as session:
        assert len(last_run(session).result.findings) == len(run.result.findings)

"""Migration 0006 (the revocation date of an enterprise's 产教融合型企业 certification) on a database
with data: a database at the previous core head, filled with the demo's records, is upgraded on
SQLite and PostgreSQL; every row is intact, the new column reads NULL, the schema equals the
models, and the upgraded database records a revocation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from xiaoqi.core.migrate import current, heads, upgrade

from .test_migration_teachers import contents, old_database, schema_diff

PREVIOUS = "0005"


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_upgrade_from_the_previous_head_keeps_every_row(xiaoqi_backend, request, tmp_path, demo_db, xiaoqi_cli):
    url, engine, counts = old_database(xiaoqi_backend, request, tmp_path, PREVIOUS, demo_db[0])
    assert counts["enterprises"] >= 40 and counts["internships"] > 900
    old_columns = {t: [c["name"] for c in sa.inspect(engine).get_columns(t)] for t in counts}
    before = contents(engine, old_columns)

    upgrade(engine)

    assert current(engine) == heads()
    assert contents(engine, old_columns) == before
    new = {c["name"] for c in sa.inspect(engine).get_columns("enterprises")} - set(old_columns["enterprises"])
    assert new == {"pce_revoked_on"}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(pce_revoked_on) FROM enterprises")).scalar() == 0
    assert schema_diff(engine) == []
    with engine.connect() as conn:
        uscc = conn.execute(sa.text("SELECT uscc FROM enterprises ORDER BY id LIMIT 1")).scalar()
    changed = xiaoqi_cli("records", "set", "enterprises", uscc, "pce_revoked_on=2026-01-05", db=url)
    assert changed.exit_code == 0, changed.stderr
    assert xiaoqi_cli("export", "enterprises", "--format", "json", db=url).json[0]["pce_revoked_on"] == "2026-01-05"

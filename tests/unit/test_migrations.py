"""Migrations: an empty database migrates to head on SQLite and PostgreSQL, and the schema then
equals the models (Alembic's autogenerate comparison finds nothing)."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from xiaoqi.core.db import make_engine
from xiaoqi.core.migrate import current, ensure_current, heads, load_models, upgrade
from xiaoqi.core.errors import DatabaseStateError


def schema_diff(engine) -> list:
    load_models()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, SQLModel.metadata)


def test_sqlite_empty_to_head_equals_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    with pytest.raises(DatabaseStateError, match="数据库不存在.*init"):
        ensure_current(engine, url)
    with engine.connect():
        pass  # the file now exists, empty
    with pytest.raises(DatabaseStateError, match="尚未初始化"):
        ensure_current(engine, url)
    upgrade(engine)
    assert current(engine) == heads()
    ensure_current(engine, url)
    assert schema_diff(engine) == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@pytest.mark.pg
def test_postgresql_empty_to_head_equals_models(xiaoqi_pg):
    url = xiaoqi_pg.create(migrated=False)
    try:
        engine = make_engine(url)
        upgrade(engine)
        assert current(engine) == heads()
        assert schema_diff(engine) == []
        engine.dispose()
    finally:
        xiaoqi_pg.drop(url)


def test_foreign_keys_are_enforced_on_sqlite(xiaoqi_engine):
    with pytest.raises(sa.exc.IntegrityError):
        with xiaoqi_engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO majors (school_code, major_code, name) VALUES ('4100000000', '460301', 'x')"))


def test_outdated_database_names_the_upgrade_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('zzzz_unknown')")
    with pytest.raises(DatabaseStateError, match="更新版本|xiaoqi"):
        ensure_current(engine, url)


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_0003_lengthens_the_sweep_indexes_and_keeps_the_rows(xiaoqi_backend, request, tmp_path):
    from tests.rules_data import World
    from xiaoqi.core.db import write_session

    if xiaoqi_backend == "pg":
        dbs = request.getfixturevalue("xiaoqi_pg")
        url = dbs.create(migrated=False)
        request.addfinalizer(lambda: dbs.drop(url))
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0002")
    with write_session(engine) as session:
        key = World(session).internship()
    upgrade(engine)
    inspector = sa.inspect(engine)
    columns = {ix["name"]: ix["column_names"] for table in ("internships", "insured") for ix in inspector.get_indexes(table)}
    assert columns["ix_internships_uscc_dates"] == ["uscc", "start_on", "end_on", "kind"]
    assert columns["ix_internships_position"] == ["uscc", "position_code", "start_on", "end_on", "kind"]
    assert columns["ix_insured_person"] == ["id_number", "start_on", "end_on", "policy_no"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id_number, uscc FROM internships").all() == [tuple(key.split("/")[:2])]
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM insured").scalar_one() == 1
    engine.dispose()


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_0010_puts_the_school_into_the_mentor_indexes_keeping_the_rows(xiaoqi_backend, request, tmp_path):
    from tests.rules_data import World
    from xiaoqi.core.db import write_session

    if xiaoqi_backend == "pg":
        dbs = request.getfixturevalue("xiaoqi_pg")
        url = dbs.create(migrated=False)
        request.addfinalizer(lambda: dbs.drop(url))
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0009")
    with write_session(engine) as session:
        key = World(session).internship()
    upgrade(engine)
    columns = {ix["name"]: ix["column_names"] for ix in sa.inspect(engine).get_indexes("internships")}
    assert columns["ix_internships_school_mentor"] == ["school_mentor_id", "school_code"]
    assert columns["ix_internships_enterprise_mentor"] == ["enterprise_mentor_id", "school_code"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id_number, uscc FROM internships").all() == [tuple(key.split("/")[:2])]
    engine.dispose()


@pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
def test_0011_records_the_rule_set_of_a_kept_run_and_an_older_run_reads_as_stale(xiaoqi_backend, request, tmp_path):
    """A check run kept at 0010 survives the upgrade with every value, its rule set NULL (not
    known), so it reads back as stale; the schema then equals the models."""
    import datetime as dt

    from tests.unit.test_migration_teachers import old_database
    from xiaoqi.core.check_store import is_stale, last_run
    from xiaoqi.core.db import read_session

    _url, engine, _rows = old_database(xiaoqi_backend, request, tmp_path, "0010")
    today = dt.date.today()
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO check_runs (checked_on, started_at, finished_at, milliseconds, audit_id, actor, findings, errors,"
            " rules_run, switched_off) VALUES (:on, :at, :at, 1500, 0, '管理员', 0, 0, :ran, '[]')"),
            {"on": today, "at": dt.datetime(2026, 11, 23, 8, 0), "ran": '["INT-INSURANCE"]'})
        before = conn.execute(sa.text("SELECT id, checked_on, milliseconds, actor, rules_run FROM check_runs")).one()
    upgrade(engine)
    assert "0011" in current(engine)
    with engine.connect() as conn:
        after = conn.execute(sa.text("SELECT id, checked_on, milliseconds, actor, rules_run, rule_set FROM check_runs")).one()
    assert tuple(after[:5]) == tuple(before) and after.rule_set is None
    with read_session(engine) as session:
        kept = last_run(session)
        assert kept.result.rules_run == ["INT-INSURANCE"] and kept.rule_set is None
        assert is_stale(session, kept, today)  # the same day, no change since: stale for its unknown rules
    assert schema_diff(engine) == []

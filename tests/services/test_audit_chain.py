"""The audit log's hash chain on SQLite and PostgreSQL: verification of a log written by every
path (services, an import, a refused attempt), tampering found and named, the database refusing
UPDATE and DELETE on the log, concurrent PostgreSQL writers forming one linear chain, and the
migration that chains a log written before the chain existed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from xiaoqi.core import audit
from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import make_engine, write_session
from xiaoqi.core.errors import PermissionDenied
from xiaoqi.core.io import import_file
from xiaoqi.core.services import create_record, update_record

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
SCHOOLS = "学校代码,学校名称,办学层次,所在地区代码\n4132012345,一职,高职,410100\n4132012346,二职,中职,410100\n"


def verify(engine) -> audit.Verification:
    with engine.connect() as conn:
        return audit.verify(conn, files=True)


def write_some(engine, tmp_path) -> None:
    """Entries from each path: an import (light entries and the batch's), a service update, a
    refused attempt, a service create."""
    path = tmp_path / "schools.csv"
    path.write_text(SCHOOLS, encoding="utf-8")
    assert import_file(engine, actor=ADMIN, kind="schools", path=path).created == 2
    with write_session(engine) as session:
        update_record(session, actor=ADMIN, kind="schools", key="4132012345", changes={"contact": "张老师"})
    with pytest.raises(PermissionDenied):
        with write_session(engine) as session:
            update_record(session, actor=Actor("school", "4132012346"), kind="schools", key="4132012345",
                          changes={"contact": "李老师"})
    with write_session(engine) as session:
        create_record(session, actor=ADMIN, kind="majors", data={"school_code": "4132012345", "major_code": "460301",
                                                                 "name": "机电一体化技术"})


def entries(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT id, block_id, action, kind, key, login FROM audit_log ORDER BY id")).all()


def tamper(engine, sql: str) -> None:
    """Change the log behind xiaoqi's back, as someone with direct access to the database could:
    around the append-only triggers."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            names = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
            for name in names:
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")  # skips triggers (superuser)
        conn.exec_driver_sql(sql)


@BOTH
def test_a_log_written_by_every_path_verifies(xiaoqi_engine, tmp_path):
    write_some(xiaoqi_engine, tmp_path)
    logged = entries(xiaoqi_engine)
    assert [e.action for e in logged] == ["create", "create", "import", "update", "refused", "create"]
    # one block per transaction: the import's three entries together, the others alone
    assert [e.block_id for e in logged][:3] == [logged[0].block_id] * 3 and len({e.block_id for e in logged}) == 4
    expected_login = "postgres" if xiaoqi_engine.dialect.name == "postgresql" else audit.os_user()
    assert {e.login for e in logged} == {expected_login}
    result = verify(xiaoqi_engine)
    assert result.ok, result.problems
    assert (result.blocks, result.entries, result.files) == (4, 6, 1) and len(result.head) == 32


@BOTH
def test_an_entry_changed_in_sql_is_named(xiaoqi_engine, tmp_path):
    write_some(xiaoqi_engine, tmp_path)
    update = next(e for e in entries(xiaoqi_engine) if e.action == "update")
    tamper(xiaoqi_engine, f"UPDATE audit_log SET actor = 'school:4132012346' WHERE id = {update.id}")
    result = verify(xiaoqi_engine)
    assert not result.ok
    first = result.problems[0]
    assert first.entry_id == update.id and first.entry["key"] == "4132012345" and "哈希" in first.reason


@BOTH
def test_a_deleted_entry_a_rewritten_hash_and_a_removed_block_are_found(xiaoqi_engine, tmp_path):
    write_some(xiaoqi_engine, tmp_path)
    logged = entries(xiaoqi_engine)
    second = logged[1]
    tamper(xiaoqi_engine, f"DELETE FROM audit_log WHERE id = {second.id}")
    problems = verify(xiaoqi_engine).problems
    assert problems and problems[0].entry_id == logged[0].id and "应有 3 条" in problems[0].reason
    # an entry rewritten together with its own hash: its block no longer matches
    refused = next(e for e in logged if e.action == "refused")
    fake = audit.entry_hash(refused.block_id, audit.utcnow(), "admin", refused.login, "schools", None, "refused",
                            "4132012345", None, None, None, None)
    hex_fake = fake.hex()
    literal = f"X'{hex_fake}'" if xiaoqi_engine.dialect.name == "sqlite" else f"'\\x{hex_fake}'::bytea"
    tamper(xiaoqi_engine, f"UPDATE audit_log SET hash = {literal} WHERE id = {refused.id}")
    problems = verify(xiaoqi_engine).problems
    assert any(p.entry_id == refused.id for p in problems)
    # a whole block removed: the chain has a gap
    tamper(xiaoqi_engine, f"DELETE FROM audit_blocks WHERE id = {refused.block_id}")
    reasons = [p.reason for p in verify(xiaoqi_engine).problems]
    assert any("缺失" in r for r in reasons) and any("不属于任何" in r for r in reasons)


@BOTH
def test_the_stored_file_and_the_batch_hash_are_covered(xiaoqi_engine, tmp_path):
    write_some(xiaoqi_engine, tmp_path)
    tamper(xiaoqi_engine, "UPDATE import_batches SET sha256 = '" + "0" * 64 + "'")
    assert any("SHA-256" in p.reason for p in verify(xiaoqi_engine).problems)


@BOTH
def test_the_database_refuses_to_change_or_delete_audit_entries(xiaoqi_engine, tmp_path):
    write_some(xiaoqi_engine, tmp_path)
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "UPDATE audit_blocks SET entries = 0",
                "DELETE FROM audit_blocks", "DELETE FROM import_files"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with xiaoqi_engine.begin() as conn:
                conn.exec_driver_sql(sql)
    assert len(entries(xiaoqi_engine)) == 6 and verify(xiaoqi_engine).ok


@pytest.mark.pg
@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_concurrent_postgresql_writers_form_one_linear_chain(xiaoqi_engine, xiaoqi_db_url, tmp_path):
    """Two writers commit over and over at the same time: their transactions overlap (entry ids
    interleave between blocks), yet every block follows exactly one other."""
    write_some(xiaoqi_engine, tmp_path)
    engines = [make_engine(xiaoqi_db_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(engine, n: int) -> None:
        try:
            barrier.wait()
            for i in range(25):
                with write_session(engine) as session:
                    update_record(session, actor=ADMIN, kind="schools", key=f"413201234{5 + n}",
                                  changes={"contact": f"老师{i}", "phone": f"0371-{i:04d}"})
                    # both writers hold open transactions with entries written before either commits
                    session.connection().exec_driver_sql("SELECT pg_sleep(0.002)")
                    update_record(session, actor=ADMIN, kind="schools", key=f"413201234{5 + n}",
                                  changes={"phone": f"0371-{i:04d}-1"})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(e, n)) for n, e in enumerate(engines)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for engine in engines:
        engine.dispose()
    assert not errors, errors
    result = verify(xiaoqi_engine)
    assert result.ok, result.problems[:3]
    with xiaoqi_engine.connect() as conn:
        blocks = conn.execute(sa.text("SELECT seq, prev_hash, hash, id FROM audit_blocks ORDER BY seq")).all()
        spans = conn.execute(sa.text("SELECT block_id, min(id), max(id) FROM audit_log GROUP BY block_id")).all()
    assert [b.seq for b in blocks] == list(range(1, len(blocks) + 1)) and len(blocks) == 4 + 50
    assert all(bytes(b.prev_hash) == bytes(a.hash) for a, b in zip(blocks, blocks[1:]))
    # the writers really overlapped: some block's entries span another block's
    ranges = sorted((lo, hi) for _b, lo, hi in spans)
    assert any(hi > next_lo for (lo, hi), (next_lo, _) in zip(ranges, ranges[1:]))


@BOTH
def test_migration_keeps_and_chains_a_log_written_before_it(xiaoqi_backend, xiaoqi_pg_or_none, tmp_path):
    """A database at the previous head with records, import batches and full-snapshot audit entries: after the
    upgrade every row is still there, the old entries form block 1 and verify."""
    from xiaoqi.core.migrate import upgrade

    if xiaoqi_backend == "pg":
        url = xiaoqi_pg_or_none.create(migrated=False)
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine, "0003")  # the core head before this migration
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO schools (school_code, name, level, region) VALUES ('4132012345', '一职', '高职', '410100')"))
            conn.execute(sa.text("INSERT INTO import_batches (kind, file_name, sha256, actor, started_at, rows, created, updated, "
                                 "unchanged, invalid, dry_run) VALUES ('schools', 's.csv', :sha, 'admin', '2026-01-02 03:04:05.000006', "
                                 "1, 1, 0, 0, 0, false)"), {"sha": "a" * 64})
            as_json = (lambda p: f"CAST(:{p} AS json)") if engine.dialect.name == "postgresql" else (lambda p: f":{p}")
            for n, (action, before, after) in enumerate([("create", None, '{"school_code": "4132012345", "name": "一职"}'),
                                                         ("update", '{"name": "一职"}', '{"name": "第一职校"}')]):
                conn.execute(sa.text("INSERT INTO audit_log (at, actor, action, kind, key, before, after, batch_id) VALUES "
                                     f"(:at, 'admin', :a, 'schools', '4132012345', {as_json('b')}, {as_json('f')}, 1)"),
                             {"at": dt.datetime(2026, 1, 2, 3, 4, n, 1), "a": action, "b": before, "f": after})
            old = conn.execute(sa.text("SELECT id, at, actor, action, kind, key, before, after, batch_id FROM audit_log ORDER BY id")).all()
        upgrade(engine)
        with engine.connect() as conn:
            kept = conn.execute(sa.text("SELECT id, at, actor, action, kind, key, before, after, batch_id FROM audit_log ORDER BY id")).all()
            chained = conn.execute(sa.text("SELECT block_id FROM audit_log")).scalars().all()
            batch = conn.execute(sa.text("SELECT status, file_size, rows FROM import_batches")).one()
            school = conn.execute(sa.text("SELECT name FROM schools")).scalar_one()
        assert kept == old and chained == [1, 1] and tuple(batch) == ("committed", None, 1) and school == "一职"
        result = verify(engine)
        assert result.ok and result.blocks == 1 and result.entries == 2
        # and the log goes on from there
        with write_session(engine) as session:
            update_record(session, actor=ADMIN, kind="schools", key="4132012345", changes={"contact": "张"})
        assert verify(engine).ok and verify(engine).blocks == 2
    finally:
        engine.dispose()
        if xiaoqi_backend == "pg":
            xiaoqi_pg_or_none.drop(url)


@pytest.fixture
def xiaoqi_pg_or_none(request, xiaoqi_backend):
    return request.getfixturevalue("xiaoqi_pg") if xiaoqi_backend == "pg" else None

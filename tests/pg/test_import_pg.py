"""Import on PostgreSQL: COPY for new rows, the same validation, idempotent re-import, and a bad
file that leaves the database unchanged."""

from __future__ import annotations

import pytest

from tests.cli.test_import_cli import ORDER, assert_audit_snapshots_match_records, kind_file, records, table_contents


@pytest.mark.pg
@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_import_on_postgresql_round_trips_and_is_idempotent(demo_db, xiaoqi_cli, xiaoqi_db_url, tmp_path):
    source = demo_db[0]
    for kind in ORDER:
        result = xiaoqi_cli("import", kind, kind_file(tmp_path, source, kind, "xlsx"))
        assert result.exit_code == 0, (kind, result.output, result.stderr)
        assert records(xiaoqi_db_url, kind) == records(source, kind), kind
    # the snapshots PostgreSQL built (json_build_object) read as the services' own
    assert assert_audit_snapshots_match_records(xiaoqi_db_url, ORDER) == sum(len(records(source, k)) for k in ORDER)
    before = table_contents(xiaoqi_db_url)
    again = xiaoqi_cli("import", "internships", tmp_path / "internships.xlsx")
    assert "新建 0，修改 0" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text((tmp_path / "schools.xlsx").name and "学校代码,学校名称,办学层次,所在地区代码\n4132012345,甲学院,高职,320100\n123,乙,高职,320100\n",
                   encoding="utf-8")
    assert xiaoqi_cli("import", "schools", bad).exit_code == 1
    after = table_contents(xiaoqi_db_url)
    assert {k: v for k, v in after.items() if k != "import_batches"} == {k: v for k, v in before.items() if k != "import_batches"}
    changed = tmp_path / "changed.csv"
    code = records(xiaoqi_db_url, "schools")[0][0]
    changed.write_text(f"学校代码,学校名称,办学层次,所在地区代码\n{code},改名学院,高职,320100\n", encoding="utf-8")
    assert "修改 1" in xiaoqi_cli("import", "schools", changed).output
    exported = xiaoqi_cli("export", "internships", "--format", "json", "--reveal")
    assert exported.exit_code == 0 and len(exported.json) == len(records(source, "internships"))


def _problems(result) -> list[tuple]:
    return [(p.row, p.column, p.value, p.reason) for p in result.problems]


@pytest.mark.pg
@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_the_parse_worker_and_copy_give_postgresql_the_same_rows_audit_and_errors(demo_db, xiaoqi_cli, xiaoqi_db_url,
                                                                                     tmp_path, monkeypatch):
    """A CSV file parsed by the worker process (as every large file is) and written with COPY: the
    same records and light audit entries as the source, and a file with a bad cell, a key given
    twice and a missing student refused with the same problems as when parsed in-process, nothing
    written either way."""
    import datetime as dt

    from tests.cli.test_import_cli import demo_rows, write_gb18030
    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import make_engine
    from xiaoqi.core.io import import_file, importer, worker
    from xiaoqi.testing import make_id_number

    started = []
    original = worker.parse_in_worker
    monkeypatch.setattr(worker, "parse_in_worker", lambda *a, **k: started.append(original(*a, **k)) or started[-1])

    def parallel(on: bool) -> None:
        for threshold in ("PARALLEL_BYTES", "PARALLEL_EXCEL_BYTES"):
            monkeypatch.setattr(importer, threshold, 0 if on else 1 << 62)

    parallel(True)
    source = demo_db[0]
    for kind in ORDER:
        result = xiaoqi_cli("import", kind, kind_file(tmp_path, source, kind, "csv"))
        assert result.exit_code == 0, (kind, result.output, result.stderr)
        assert records(xiaoqi_db_url, kind) == records(source, kind), kind
    assert len(started) == len(ORDER) and all(w is not None for w in started)  # every file went through the worker
    assert assert_audit_snapshots_match_records(xiaoqi_db_url, ORDER) == sum(len(records(source, k)) for k in ORDER)

    cols, rows = demo_rows(source, "internships")
    names = [c.name for c in cols]
    data = [[r[c.name] for c in cols] for r in rows[:6]]
    data[1][names.index("start_on")] = "2025-13-45"  # a bad cell
    data[3][names.index("id_number")] = make_id_number("320100", dt.date(2005, 1, 1), 999)  # no such student
    data.append(list(data[4]))  # the key of row 6 again
    path = write_gb18030(tmp_path / "bad-internships.csv", [c.zh for c in cols], data)
    before = table_contents(xiaoqi_db_url)
    outcomes = []
    for on in (True, False):
        parallel(on)
        engine = make_engine(xiaoqi_db_url)
        try:
            result = import_file(engine, actor=ADMIN, kind="internships", path=path)
        finally:
            engine.dispose()
        assert not result.written
        outcomes.append(_problems(result))
        after = table_contents(xiaoqi_db_url)
        # nothing written (a refused batch is kept, with its problems)
        assert {k: v for k, v in after.items() if k != "import_batches"} == \
            {k: v for k, v in before.items() if k != "import_batches"}
        before = after
    assert outcomes[0] == outcomes[1]
    assert [p[0] for p in outcomes[0]] == [3, 5, 8], outcomes[0]
    assert "日期" in outcomes[0][0][3] and "学生" in outcomes[0][1][3] and "第 6 行" in outcomes[0][2][3]


def _index_definitions(url: str) -> list[tuple]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'internships' "
                                        "ORDER BY indexname").all()
    finally:
        engine.dispose()


def _constraint_definitions(url: str) -> list[tuple]:
    """The internships' own constraints and those of other tables that refer to it, each with its
    definition and whether PostgreSQL holds it validated."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                "WHERE 'internships'::regclass IN (conrelid, confrelid) ORDER BY 1, 2").all()
    finally:
        engine.dispose()


def record_pauses(monkeypatch) -> list[tuple]:
    """``REBUILD_MIN_ROWS`` 1 (the demo's internships count as large) and each decision of
    ``indexes._drop_postgresql``: (table, whether the import checks every foreign key, (indexes
    dropped, foreign keys dropped))."""
    from xiaoqi.core.io import indexes

    monkeypatch.setattr(indexes, "REBUILD_MIN_ROWS", 1)
    decided = []
    original = indexes._drop_postgresql
    monkeypatch.setattr(indexes, "_drop_postgresql", lambda raw, table, checked: decided.append(
        (table, checked, original(raw, table, checked))) or decided[-1][2])
    return decided


@pytest.mark.pg
@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_a_large_import_by_the_owner_builds_the_secondary_indexes_and_foreign_keys_again_unless_a_reader_holds_a_table(
        demo_db, xiaoqi_cli, xiaoqi_db_url, tmp_path, monkeypatch):
    """On PostgreSQL the owner's large import drops the secondary indexes under the table's
    exclusive lock, and the foreign keys it checks itself under their tables' locks too, and makes
    them again before the commit: the same definitions, validated, after it, after a dry run's
    rollback and after an import refused for a bad reference (refused by the import's own check,
    with its usual message per row). While a reader holds the table the lock is given up after a
    moment and the import keeps them all; while a reader holds a table a key refers to, the keys
    stay. A key that no longer holds when it is added again rolls the whole import back with its
    own message."""
    import datetime as dt

    import psycopg
    import sqlalchemy as sa

    from tests.cli.test_import_cli import demo_rows, write_gb18030
    from xiaoqi.core.io import indexes
    from xiaoqi.testing import make_id_number

    decided = record_pauses(monkeypatch)
    source = demo_db[0]
    for kind in ORDER[:ORDER.index("internships")]:  # what the internships refer to
        assert xiaoqi_cli("import", kind, kind_file(tmp_path, source, kind, "csv")).exit_code == 0
    path = kind_file(tmp_path, source, "internships", "csv")
    definitions = _index_definitions(xiaoqi_db_url)
    constraints = _constraint_definitions(xiaoqi_db_url)
    assert len(definitions) > 3
    own_keys = sorted(name for table, name, sql, _v in constraints if table == "internships" and sql.startswith("FOREIGN KEY"))
    assert len(own_keys) == 6 and any(table != "internships" for table, *_rest in constraints)  # (the placements')
    u = sa.engine.make_url(xiaoqi_db_url)
    with psycopg.connect(host=u.host, port=u.port or 5432, dbname=u.database, user=u.username) as reader:
        reader.execute("SELECT count(*) FROM internships").fetchone()  # holds the table till its transaction ends
        decided.clear()
        result = xiaoqi_cli("import", "internships", path, "--dry-run")
        assert result.exit_code == 0, result.output
        assert decided == [("internships", True, ([], []))]  # kept: the reader was not made to wait
    with psycopg.connect(host=u.host, port=u.port or 5432, dbname=u.database, user=u.username) as reader:
        reader.execute("SELECT count(*) FROM students").fetchone()  # a table a key refers to
        decided.clear()
        assert xiaoqi_cli("import", "internships", path, "--dry-run").exit_code == 0
        assert decided[0][2][0] and decided[0][2][1] == []  # the indexes dropped, the keys kept
    decided.clear()
    assert xiaoqi_cli("import", "internships", path, "--dry-run").exit_code == 0
    dropped, keys = decided[0][2]
    assert [name for name, _sql in dropped] == sorted(n for n, d in definitions if " UNIQUE " not in d)
    assert [name for name, _sql in keys] == own_keys
    assert _index_definitions(xiaoqi_db_url) == definitions  # the rollback restored them
    assert _constraint_definitions(xiaoqi_db_url) == constraints

    # a bad reference: refused by the import's own check, with its message, the keys dropped meanwhile
    cols, rows = demo_rows(source, "internships")
    stranger = make_id_number("320100", dt.date(2005, 1, 1), 999)
    data = [[r[c.name] for c in cols] for r in rows]
    data[3][[c.name for c in cols].index("id_number")] = stranger
    bad = write_gb18030(tmp_path / "missing.csv", [c.zh for c in cols], data)
    decided.clear()
    result = xiaoqi_cli("import", "internships", bad)
    assert result.exit_code == 1 and decided[0][2][1], result.output
    shown = f"{stranger[:6]}********{stranger[-4:]}"
    assert f"第 5 行  身份证号「{shown}」：引用的学生不存在：{shown}" in result.output
    assert "Traceback" not in result.output + result.stderr
    assert records(xiaoqi_db_url, "internships") == []
    assert _index_definitions(xiaoqi_db_url) == definitions and _constraint_definitions(xiaoqi_db_url) == constraints

    decided.clear()
    result = xiaoqi_cli("import", "internships", path)
    assert result.exit_code == 0, result.output
    assert decided[0][2][0] and [name for name, _sql in decided[0][2][1]] == own_keys
    assert _index_definitions(xiaoqi_db_url) == definitions
    assert _constraint_definitions(xiaoqi_db_url) == constraints
    assert records(xiaoqi_db_url, "internships") == records(source, "internships")

    # a key that does not hold when it is added again (here a row changed behind the import's back)
    engine = sa.create_engine(xiaoqi_db_url)
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        trans = conn.begin()
        dropped, keys = indexes._drop_postgresql(raw, "internships", True)
        assert [name for name, _sql in keys] == own_keys
        raw.execute("UPDATE internships SET school_code = '9999999999' WHERE id = (SELECT min(id) FROM internships)")
        with pytest.raises(indexes.ReferenceRecheckFailed, match="internships_school_code_fkey（表 internships）.*本次导入已全部撤销"):
            indexes.restore_postgresql(raw, dropped, keys)
        trans.rollback()
    engine.dispose()
    assert _index_definitions(xiaoqi_db_url) == definitions and _constraint_definitions(xiaoqi_db_url) == constraints

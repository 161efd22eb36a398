"""The same validation on both databases: what PostgreSQL would reject (integers of 2^31 and more
in an integer column, NUL in text) is refused with the same message on SQLite first; % and _ in
``--filter`` / ``--search`` match literally; an unknown ``--sort`` column is a usage error; and
on PostgreSQL a lock held by another session ends in a clear message after ``--lock-timeout``
instead of a wait for ever."""

from __future__ import annotations

import json

import pytest

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", pytest.param("pg", marks=pytest.mark.pg)], indirect=True)


@BOTH
def test_values_postgres_rejects_are_refused_alike_on_both(xiaoqi_cli, xiaoqi_factory, tmp_path):
    position = xiaoqi_factory.position()
    big = xiaoqi_cli("records", "set", "positions", f"{position.uscc}/{position.position_code}", "staff_count=2147483648")
    assert big.exit_code == 1 and "数值过大（最大 2,147,483,647）" in big.stderr
    assert xiaoqi_cli("records", "set", "positions", f"{position.uscc}/{position.position_code}",
                      "staff_count=2147483647").exit_code == 0
    path = tmp_path / "s.json"
    path.write_text(json.dumps([{"school_code": "4132090000", "name": "坏\x00学院", "level": "高职", "region": "320100"}]))
    nul = xiaoqi_cli("import", "schools", path)
    assert nul.exit_code == 1 and "U+0000" in nul.output
    assert "内部错误" not in nul.stderr + big.stderr


@BOTH
def test_percent_and_underscore_match_literally(xiaoqi_cli, xiaoqi_factory):
    xiaoqi_factory.school(name="甲学院")
    xiaoqi_factory.school(name="乙_100%学院")
    for args, expected in ((("--filter", "name=%"), ["乙_100%学院"]), (("--search", "_"), ["乙_100%学院"]),
                           (("--filter", "name=_*"), []), (("--filter", "name=乙_*"), ["乙_100%学院"])):
        result = xiaoqi_cli("records", "list", "schools", *args, "--format", "json")
        assert result.exit_code == 0 and [r["name"] for r in result.json] == expected, args


def test_an_unknown_sort_column_is_a_usage_error(xiaoqi_cli):
    result = xiaoqi_cli("records", "list", "schools", "--sort", "nosuch")
    assert result.exit_code == 2 and "nosuch" in result.stderr
    assert xiaoqi_cli("records", "list", "schools", "--sort", "学校名称").exit_code == 0


@pytest.mark.pg
@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_a_lock_held_by_another_session_ends_in_a_message_after_the_lock_timeout(xiaoqi_cli, xiaoqi_db_url, xiaoqi_factory, tmp_path):
    import psycopg

    school = xiaoqi_factory.school()
    xiaoqi_factory.engine.dispose()
    holder = psycopg.connect(xiaoqi_db_url.replace("postgresql+psycopg", "postgresql"))
    try:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE schools IN ACCESS EXCLUSIVE MODE")
        path = tmp_path / "s.csv"
        path.write_text("school_code,name,level,region\n4132090000,新学院,高职,320100\n", encoding="utf-8")
        for args in (("records", "set", "schools", school.school_code, "contact=某某"), ("import", "schools", path), ("status",)):
            result = xiaoqi_cli("--lock-timeout", "0.5", *args)
            assert result.exit_code == 1 and "--lock-timeout" in result.stderr, (args, result.stderr)
            assert "内部错误" not in result.stderr
        slow = xiaoqi_cli("--statement-timeout", "0.001", "--lock-timeout", "0", "status")
        assert slow.exit_code == 1 and ("--statement-timeout" in slow.stderr or "--lock-timeout" in slow.stderr)
    finally:
        holder.close()
    assert xiaoqi_cli("records", "set", "schools", school.school_code, "contact=某某").exit_code == 0


@pytest.mark.pg
@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_a_connection_lost_during_the_import_commit_says_the_outcome_is_unknown(xiaoqi_db_url, xiaoqi_factory, tmp_path):
    """The server ends the import's session at the moment it commits (a real fault, injected at
    the commit through SQLAlchemy's event): the message names the batch to look up."""
    import psycopg
    import sqlalchemy as sa

    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import make_engine
    from xiaoqi.core.io import import_file
    from xiaoqi.core.io.importer import CommitUnknown

    path = tmp_path / "s.csv"
    path.write_text("school_code,name,level,region\n4132090000,新学院,高职,320100\n", encoding="utf-8")
    engine = make_engine(xiaoqi_db_url)
    server = xiaoqi_db_url.replace("postgresql+psycopg", "postgresql")

    @sa.event.listens_for(engine, "commit")
    def _kill(conn):
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with psycopg.connect(server, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))

    with pytest.raises(CommitUnknown) as caught:
        import_file(engine, actor=ADMIN, kind="schools", path=path)
    engine.dispose()
    assert "xiaoqi imports show" in str(caught.value)

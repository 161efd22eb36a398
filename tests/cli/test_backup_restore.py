"""``xiaoqi backup`` and ``xiaoqi restore``: checked copies, a restore that refuses while another
connection holds the database (the case where a ``cp`` restore was silently reverted by a TUI's
stale WAL), keeps the previous content aside and survives the other program closing later."""

from __future__ import annotations

import gc
import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from tests.cli.test_import_cli import table_contents


def db_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def let_go(factory) -> None:
    """Close this test process's own connections (the factory's pool, engines of earlier in-process
    commands): a restore rightly refuses while any connection is open."""
    factory.engine.dispose()
    gc.collect()


def contact(url: str, code: str) -> str:
    conn = sqlite3.connect(db_path(url))
    value = conn.execute("SELECT contact FROM schools WHERE school_code = ?", (code,)).fetchone()[0]
    conn.close()
    return value


def test_backup_is_checked_private_and_restores_over_a_changed_database(xiaoqi_cli, xiaoqi_db_url, xiaoqi_factory, tmp_path):
    school = xiaoqi_factory.school(contact="原联系人")
    copy = tmp_path / "b.db"
    done = xiaoqi_cli("backup", copy)
    assert done.exit_code == 0 and "完整性" in done.output
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert xiaoqi_cli("backup", copy).exit_code == 2  # never over an existing file
    assert xiaoqi_cli("records", "set", "schools", school.school_code, "contact=新联系人").exit_code == 0
    before_restore = table_contents(xiaoqi_db_url)
    let_go(xiaoqi_factory)
    result = xiaoqi_cli("restore", copy, "--yes")
    assert result.exit_code == 0, result.stderr
    assert contact(xiaoqi_db_url, school.school_code) == "原联系人"
    aside = [p for p in os.listdir(tmp_path) if ".before-restore-" in p]
    assert len(aside) == 1
    assert table_contents(f"sqlite:///{tmp_path / aside[0]}") == before_restore
    assert xiaoqi_cli("status").exit_code == 0


def test_restore_refuses_while_another_connection_is_open_and_nothing_reverts_it_later(xiaoqi_cli, xiaoqi_db_url, xiaoqi_factory, tmp_path):
    school = xiaoqi_factory.school(contact="原联系人")
    copy = tmp_path / "b.db"
    assert xiaoqi_cli("backup", copy).exit_code == 0
    assert xiaoqi_cli("records", "set", "schools", school.school_code, "contact=新联系人").exit_code == 0
    let_go(xiaoqi_factory)
    # a second program (as a TUI does) with the database open in WAL mode and a change in its WAL
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
                               "c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0');"
                               "c.execute(\"UPDATE schools SET name = name || '!'\"); print('open', flush=True); sys.stdin.readline()",
                               db_path(xiaoqi_db_url)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"open"
        before = table_contents(xiaoqi_db_url)
        refused = xiaoqi_cli("restore", copy, "--yes")
        assert refused.exit_code == 1 and "正被其他程序打开" in refused.stderr
        assert table_contents(xiaoqi_db_url) == before
    finally:
        holder.communicate(b"\n", timeout=30)
    gc.collect()
    result = xiaoqi_cli("restore", copy, "--yes")
    assert result.exit_code == 0, result.stderr
    assert contact(xiaoqi_db_url, school.school_code) == "原联系人"
    # a later connection, and the database opened afresh, still see the restored content
    assert contact(xiaoqi_db_url, school.school_code) == "原联系人"
    assert xiaoqi_cli("records", "show", "schools", school.school_code).exit_code == 0


def test_restore_verifies_the_file_first(xiaoqi_cli, xiaoqi_db_url, tmp_path):
    before = table_contents(xiaoqi_db_url)
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    assert "不是 SQLite" in xiaoqi_cli("restore", junk, "--yes").stderr
    plain = tmp_path / "plain.db"
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert "不是 xiaoqi 数据库" in xiaoqi_cli("restore", plain, "--yes").stderr
    newer = tmp_path / "newer.db"
    assert xiaoqi_cli("backup", newer).exit_code == 0
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future' WHERE version_num GLOB '[0-9]*'")
    conn.commit()
    conn.close()
    assert "更新版本" in xiaoqi_cli("restore", newer, "--yes").stderr
    assert xiaoqi_cli("restore", tmp_path / "missing.db", "--yes").exit_code == 2
    assert table_contents(xiaoqi_db_url) == before


def test_backup_of_a_damaged_database_is_refused(xiaoqi_cli, demo_db, tmp_path):
    url, _ = demo_db
    path = db_path(url)
    with open(path, "r+b") as fh:
        for page in range(2, os.path.getsize(path) // 4096, 2):
            fh.seek(page * 4096)
            fh.write(os.urandom(4096))
    result = xiaoqi_cli("backup", tmp_path / "b.db", db=url)
    assert result.exit_code == 1 and not (tmp_path / "b.db").exists()
    assert "内部错误" not in result.stderr


def test_backup_and_restore_are_for_an_administrator(xiaoqi_cli, tmp_path):
    assert xiaoqi_cli("--as", "auditor", "backup", tmp_path / "b.db").exit_code == 1
    assert xiaoqi_cli("--as", "auditor", "restore", tmp_path / "b.db", "--yes").exit_code == 1


@pytest.mark.pg
@pytest.mark.parametrize("xiaoqi_backend", ["pg"], indirect=True)
def test_postgres_backup_and_restore_wrap_pg_dump(xiaoqi_cli, xiaoqi_db_url, xiaoqi_factory, tmp_path):
    school = xiaoqi_factory.school(contact="原联系人")
    copy = tmp_path / "b.dump"
    done = xiaoqi_cli("backup", copy)
    assert done.exit_code == 0, done.stderr
    assert xiaoqi_cli("records", "set", "schools", school.school_code, "contact=新联系人").exit_code == 0
    let_go(xiaoqi_factory)
    result = xiaoqi_cli("restore", copy, "--yes")
    assert result.exit_code == 0, result.stderr
    shown = xiaoqi_cli("records", "show", "schools", school.school_code, "--format", "json")
    assert shown.json["contact"] == "原联系人"
    assert list(tmp_path.glob("*.before-restore-*.dump"))
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"nope")
    assert xiaoqi_cli("restore", junk, "--yes").exit_code == 1

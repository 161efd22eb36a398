"""Routine database conditions each get their own message with the way out — never the catch-all
"internal error", never a statement's parameters: SQLite busy, a read-only database or folder,
a full disk, a corrupt file, a database from a newer schema, integers beyond the column's range.
The read-only and disk-full cases mount small tmpfs file systems (this machine's CI runs as root);
without the privilege they skip, and the message paths are still covered by the others."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_import_cli import table_contents


def db_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def no_internal(result) -> None:
    text = result.output + result.stderr
    assert "内部错误" not in text and "Internal error" not in text and "[parameters" not in text and "[SQL" not in text, text


@pytest.fixture
def mount(tmp_path):
    """``mount(size)`` -> a fresh tmpfs folder (unmounted afterwards)."""
    made = []

    def make(size: str) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root")
        where = tmp_path / f"mnt{len(made)}"
        where.mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True).returncode:
            pytest.skip("no permission to mount a tmpfs here")
        made.append(where)
        return where

    yield make
    for where in made:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_sqlite_busy_names_the_timeout_and_the_option(xiaoqi_cli, xiaoqi_db_url, xiaoqi_factory):
    school = xiaoqi_factory.school()
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
                               "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(60)", db_path(xiaoqi_db_url)],
                              stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"held"
        before = table_contents(xiaoqi_db_url)
        result = xiaoqi_cli("--busy-timeout", "0.5", "records", "set", "schools", school.school_code, "contact=某某")
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert "0.5 秒" in result.stderr and "--busy-timeout" in result.stderr
    no_internal(result)
    assert table_contents(xiaoqi_db_url) == before


def test_a_database_in_a_read_only_folder(xiaoqi_cli, xiaoqi_db_url, mount):
    where = mount("32m")
    copy = where / "x.db"
    copy.write_bytes(Path(db_path(xiaoqi_db_url)).read_bytes())
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
    result = xiaoqi_cli("--lang", "en", "records", "add", "schools", "school_code=4132090000", "name=x", "level=高职",
                        "region=320100", db=str(copy))
    assert result.exit_code == 1 and "read-only" in result.stderr, result.stderr
    no_internal(result)


def test_a_full_disk_rolls_back_and_says_so(xiaoqi_cli, xiaoqi_db_url, tmp_path, mount):
    where = mount("3m")
    copy = where / "x.db"
    copy.write_bytes(Path(db_path(xiaoqi_db_url)).read_bytes())
    rows = ["school_code,name,level,region"] + [f"41{i:08d},{'很长的学院名称' * 25}{i},高职,320100" for i in range(8000)]
    source = tmp_path / "many.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = table_contents(f"sqlite:///{copy}", ["schools"])
    result = xiaoqi_cli("--lang", "en", "import", "schools", source, db=str(copy))
    assert result.exit_code == 1 and "disk is full" in result.stderr, result.stderr
    no_internal(result)
    assert table_contents(f"sqlite:///{copy}", ["schools"]) == before
    export = xiaoqi_cli("--lang", "en", "export", "schools", "-o", where / "big.csv", db=xiaoqi_db_url)
    assert export.exit_code in (0, 1)  # the test database's export may fit; when it does not, it says why
    no_internal(export)


def test_a_corrupt_file_names_the_damage_and_the_restore(xiaoqi_cli, demo_db):
    url, _ = demo_db
    path = db_path(url)
    size = os.path.getsize(path)
    with open(path, "r+b") as fh:
        for page in range(2, size // 4096, 2):
            fh.seek(page * 4096)
            fh.write(os.urandom(4096))
    result = xiaoqi_cli("--lang", "en", "status", db=url)
    assert result.exit_code == 1 and ("damaged" in result.stderr or "not an SQLite" in result.stderr), result.stderr
    no_internal(result)


def test_a_database_from_a_newer_schema(xiaoqi_cli, xiaoqi_db_url):
    conn = sqlite3.connect(db_path(xiaoqi_db_url))
    conn.execute("UPDATE alembic_version SET version_num = '9999_future' WHERE version_num GLOB '[0-9]*'")
    conn.commit()
    conn.close()
    result = xiaoqi_cli("--lang", "en", "status")
    assert result.exit_code == 1 and "newer xiaoqi" in result.stderr
    no_internal(result)


@pytest.mark.parametrize("value", ["3000000000", "9" * 25, "9" * 5000])
def test_integers_beyond_the_column_range_are_refused_before_the_database(xiaoqi_cli, xiaoqi_db_url, xiaoqi_factory, value):
    position = xiaoqi_factory.position()
    before = table_contents(xiaoqi_db_url)
    result = xiaoqi_cli("records", "set", "positions", f"{position.uscc}/{position.position_code}", f"staff_count={value}")
    assert result.exit_code == 1 and "2,147,483,647" in result.stderr
    no_internal(result)
    assert table_contents(xiaoqi_db_url) == before


def test_an_internal_error_never_shows_statement_parameters(xiaoqi_db_url, xiaoqi_factory):
    """A driver fault the CLI does not know: only its first line, never the parameters."""
    from click.testing import CliRunner

    from xiaoqi.core.cli import cli
    from xiaoqi.core.db import make_engine

    student = xiaoqi_factory.student()
    engine = make_engine(xiaoqi_db_url)
    with engine.begin() as conn:  # a trigger that fails with a statement carrying the ID number
        conn.exec_driver_sql("CREATE TRIGGER boom BEFORE UPDATE ON students BEGIN SELECT RAISE(ABORT, 'boom'); END")
    engine.dispose()
    result = CliRunner().invoke(cli, ["--db", xiaoqi_db_url, "records", "set", "students",
                                      f"{student.school_code}/{student.student_no}", "name=某某"])
    assert result.exit_code == 1
    assert student.id_number not in result.output + result.stderr and "[parameters" not in result.stderr

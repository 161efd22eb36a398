"""Back up and restore a whole database, so that an operator can trust both ways.

SQLite:

- ``backup`` reads the live database through SQLite's backup API (a consistent copy while others
  read and write), after ``PRAGMA quick_check`` of the source, into a new file beside the target
  that is checked in full (``PRAGMA integrity_check``, a xiaoqi schema) before it is renamed into
  place, readable by its owner only.
- ``restore`` checks the file first (SQLite, intact, a xiaoqi schema this version can read), then
  takes the database for itself: switching it out of WAL mode succeeds only when no other
  connection has it open (a TUI, another command), and an exclusive lock keeps newcomers out until
  the end. The current content is copied aside (``<db>.before-restore-<time>``), and the backup's
  pages are written into the database through SQLite itself — never a file copy over a database
  whose stale WAL a process still holding it would write back.

PostgreSQL: ``pg_dump --format=custom`` into a file that ``pg_restore --list`` must read back;
``restore`` refuses while other sessions use the database, dumps the current content aside,
and runs ``pg_restore --clean --single-transaction`` (all or nothing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from .db import display_name, is_sqlite, sqlite_files
from .errors import DatabaseStateError, UsageError, XiaoqiError
from .i18n import catalogue, t
from .output import check_target, write_problem

catalogue(
    {
        "bk.exists": ("文件已存在：{path}。请换一个文件名，或先删除它。", "File exists: {path}. Choose another name or remove it first."),
        "bk.source_damaged": ("数据库 {db} 未通过完整性检查（{reason}），不做备份：备份一个损坏的数据库没有意义。请用以前的备份恢复（xiaoqi restore）。",
                              "The database {db} fails its integrity check ({reason}); no backup was made of a damaged database. Restore an earlier backup (xiaoqi restore)."),
        "bk.copy_damaged": ("备份副本未通过完整性检查（{reason}），已删除。请重试；若仍失败，请检查磁盘。", "The backup copy fails its integrity check ({reason}) and was removed. Retry; if it fails again, check the disk."),
        "bk.not_file": ("找不到备份文件：{path}", "No such backup file: {path}"),
        "bk.not_sqlite": ("{path} 不是 SQLite 数据库文件，不能用来恢复。", "{path} is not an SQLite database file and cannot be restored."),
        "bk.damaged": ("备份文件 {path} 已损坏（{reason}），没有恢复。数据库保持原样。", "The backup file {path} is damaged ({reason}); nothing was restored. The database is as it was."),
        "bk.not_xiaoqi": ("{path} 不是 xiaoqi 数据库（没有结构版本记录），没有恢复。", "{path} is not a xiaoqi database (it has no schema revision); nothing was restored."),
        "bk.newer": ("备份文件 {path} 来自更新版本的 xiaoqi 或未加载的插件（{revision}），没有恢复。请先升级 xiaoqi。",
                     "The backup file {path} was written by a newer xiaoqi or by a plugin that is not loaded ({revision}); nothing was restored. Upgrade xiaoqi first."),
        "bk.in_use": ("数据库 {db} 正被其他程序打开（如 xiaoqi tui 或另一个命令），不能恢复。请先关闭它们再重试。数据库保持原样。",
                      "The database {db} is open in another program (xiaoqi tui or another command, say), so it cannot be restored. Close them and retry. The database is as it was."),
        "bk.same_file": ("备份文件就是数据库本身：{path}", "The backup file is the database itself: {path}"),
        "bk.no_database": ("数据库不存在：{db}。恢复会新建它。", "No database at {db}; the restore creates it."),
        "bk.tool_missing": ("找不到 {tool}：PostgreSQL 的备份和恢复需要它（Debian：apt-get install postgresql-client）。", "{tool} was not found: PostgreSQL backups and restores need it (Debian: apt-get install postgresql-client)."),
        "bk.tool_failed": ("{tool} 失败：{reason}", "{tool} failed: {reason}"),
        "bk.pg_in_use": ("数据库 {db} 还有 {n} 个其他会话在使用（{who}），不能恢复。请先让它们断开再重试。数据库保持原样。",
                         "The database {db} has {n} other sessions ({who}), so it cannot be restored. Have them disconnect and retry. The database is as it was."),
        "bk.pg_unreadable": ("{path} 不是可读的 pg_dump 备份文件（{reason}），没有恢复。", "{path} is not a readable pg_dump archive ({reason}); nothing was restored."),
    }
)

#: how long a restore waits for the database to be free before it says who holds it (seconds)
RESTORE_WAIT = 2.0
#: a backup is readable and writable by its owner only: it holds every ID number
BACKUP_MODE = 0o600


@dataclass
class Restored:
    path: Path
    aside: Path | None
    revisions: set[str]
    #: the restored schema is older than this xiaoqi's: ``xiaoqi db upgrade`` brings it up
    needs_upgrade: bool


@contextlib.contextmanager
def _private_file(target: Path):
    """A new file beside ``target``, readable by its owner only, renamed onto ``target`` when the
    block succeeds (after checking nothing put a link or a device there), removed otherwise."""
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise write_problem(exc, target) from None
    os.close(fd)
    try:
        os.chmod(temp, BACKUP_MODE)
        yield temp
        check_target(target)
        os.replace(temp, target)
    except OSError as exc:
        raise write_problem(exc, target) from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


# -- SQLite ------------------------------------------------------------------------------------

def _sqlite_path(url: str) -> Path:
    return Path(sa.engine.make_url(url).database)


def _check(conn: sqlite3.Connection, pragma: str = "integrity_check") -> str | None:
    """None when the database passes ``PRAGMA <pragma>``, else the first problem it names."""
    try:
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows and rows[0][0] == "ok" else "; ".join(str(r[0]) for r in rows[:3])


def _revisions(conn: sqlite3.Connection) -> set[str] | None:
    try:
        return {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.DatabaseError:
        return None


def backup_sqlite(url: str, target: str | Path) -> Path:
    """A checked copy of the SQLite database at ``url`` in ``target`` (a new file); its path."""
    source = _sqlite_path(url)
    target = check_target(target, inputs=sqlite_files(url))
    if target.exists():
        raise UsageError(t("bk.exists", path=target))
    db = display_name(url)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        problem = _check(src, "quick_check")
        if problem:
            raise DatabaseStateError(t("bk.source_damaged", db=db, reason=problem))
        with _private_file(target) as temp:
            dest = sqlite3.connect(temp)
            try:
                src.backup(dest)
                problem = _check(dest)
                if problem is None and _revisions(dest) is None:
                    problem = "alembic_version"
                dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                dest.close()
            if problem:
                raise DatabaseStateError(t("bk.copy_damaged", reason=problem))
    except sqlite3.DatabaseError as exc:
        raise DatabaseStateError(t("bk.source_damaged", db=db, reason=exc)) from None
    finally:
        src.close()
    return target


def verify_backup(path: Path, heads_known) -> tuple[set[str], bool]:
    """The revisions of a SQLite backup file and whether it needs ``db upgrade``; raises when it
    is not an intact xiaoqi database this version can read. ``heads_known(revisions)`` gives
    (unknown revisions, missing heads) as ``migrate.judge`` does."""
    if not path.is_file():
        raise UsageError(t("bk.not_file", path=path))
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise DatabaseStateError(t("bk.not_sqlite", path=path))
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        problem = _check(conn)
        if problem:
            raise DatabaseStateError(t("bk.damaged", path=path, reason=problem))
        revisions = _revisions(conn)
    finally:
        conn.close()
    if not revisions:
        raise DatabaseStateError(t("bk.not_xiaoqi", path=path))
    unknown, missing = heads_known(revisions)
    if unknown and missing:
        raise DatabaseStateError(t("bk.newer", path=path, revision=", ".join(sorted(unknown))))
    return revisions, bool(missing)


def restore_sqlite(url: str, file: str | Path, heads_known, *, wait: float = RESTORE_WAIT) -> Restored:
    """Replace the SQLite database at ``url`` by the backup ``file`` (see the module)."""
    file = Path(file).absolute()
    target = _sqlite_path(url)
    if target.exists() and file.exists() and os.path.samefile(file, target):
        raise UsageError(t("bk.same_file", path=file))
    revisions, needs_upgrade = verify_backup(file, heads_known)
    check_target(target)  # a folder we may write, not a link or a device
    db = display_name(url)
    aside = None
    dest = sqlite3.connect(target, timeout=wait, isolation_level=None)
    try:
        try:
            # only the last connection may leave WAL mode; then no one else may even read
            mode = dest.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            if mode.lower() != "delete":
                raise DatabaseStateError(t("bk.in_use", db=db))
            dest.execute("PRAGMA locking_mode = EXCLUSIVE")
            dest.execute("BEGIN EXCLUSIVE")
            dest.execute("COMMIT")
        except sqlite3.OperationalError:
            raise DatabaseStateError(t("bk.in_use", db=db)) from None
        if dest.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            aside = target.with_name(f"{target.name}.before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}")
            keep = sqlite3.connect(aside)
            try:
                dest.backup(keep)
            finally:
                keep.close()
            os.chmod(aside, BACKUP_MODE)
        src = sqlite3.connect(f"file:{file}?mode=ro&immutable=1", uri=True)
        try:
            src.backup(dest)
        finally:
            src.close()
        problem = _check(dest)
        if problem:  # the pages written do not read back: put the previous content back
            if aside is not None:
                back = sqlite3.connect(aside)
                try:
                    back.backup(dest)
                finally:
                    back.close()
            raise DatabaseStateError(t("bk.damaged", path=file, reason=problem))
    except OSError as exc:
        raise write_problem(exc, target) from None
    finally:
        dest.close()  # releases the exclusive lock; the next xiaoqi connection turns WAL on again
    return Restored(path=target, aside=aside, revisions=revisions, needs_upgrade=needs_upgrade)


# -- PostgreSQL --------------------------------------------------------------------------------

def _libpq(url: str) -> str:
    """The URL as libpq's tools take it (without SQLAlchemy's driver name)."""
    u = sa.engine.make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    exe = shutil.which(name)
    if exe is None:
        raise XiaoqiError(t("bk.tool_missing", tool=name))
    proc = subprocess.run([exe, *args], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise XiaoqiError(t("bk.tool_failed", tool=name, reason=reason))
    return proc


def backup_postgres(url: str, target: str | Path) -> Path:
    target = check_target(target)
    if target.exists():
        raise UsageError(t("bk.exists", path=target))
    with _private_file(target) as temp:
        _tool("pg_dump", "--format=custom", f"--file={temp}", f"--dbname={_libpq(url)}")
        _tool("pg_restore", "--list", temp)  # the archive reads back
    return target


def restore_postgres(engine, url: str, file: str | Path) -> Restored:
    file = Path(file).absolute()
    if not file.is_file():
        raise UsageError(t("bk.not_file", path=file))
    try:
        _tool("pg_restore", "--list", str(file))
    except XiaoqiError as exc:
        raise DatabaseStateError(t("bk.pg_unreadable", path=file, reason=exc)) from None
    db = display_name(url)
    with engine.connect() as conn:
        others = conn.execute(sa.text(
            "SELECT coalesce(application_name, '') || '@' || coalesce(client_addr::text, 'local') FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalars().all()
    engine.dispose()
    if others:
        raise DatabaseStateError(t("bk.pg_in_use", db=db, n=len(others), who=", ".join(sorted(set(others)))[:200]))
    aside = file.with_name(f"{sa.engine.make_url(url).database}.before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}.dump")
    backup_postgres(url, aside)
    _tool("pg_restore", "--clean", "--if-exists", "--single-transaction", "--no-owner", "--exit-on-error",
          f"--dbname={_libpq(url)}", str(file))
    return Restored(path=Path(db), aside=aside, revisions=set(), needs_upgrade=False)


def backup(url: str, target: str | Path) -> Path:
    return backup_sqlite(url, target) if is_sqlite(url) else backup_postgres(url, target)

"""The routine ways a database command fails, each as its own message with the way out — never the
catch-all "internal error", and never the statement's parameters (they carry ID numbers).

``explain(exc, ...)`` looks through an exception (SQLAlchemy's wrapper, the driver's error, the
chain of causes) and returns the ``XiaoqiError`` to show, or None for a fault it does not know
(the CLI then reports an internal error, with the driver's first line only).
"""

from __future__ import annotations

import errno
import sqlite3

from .errors import XiaoqiError
from .i18n import catalogue, t

catalogue(
    {
        "dbe.busy": ("数据库 {db} 正被另一个程序写入，等待 {seconds} 秒后仍未释放。数据库未被修改。请稍后重试，或用 --busy-timeout 秒数 等待更久（如 --busy-timeout 120）。",
                     "The database {db} is being written by another program and was still busy after {seconds} s. Nothing was changed. Retry later, or wait longer with --busy-timeout SECONDS (e.g. --busy-timeout 120)."),
        "dbe.read_only": ("数据库 {db} 是只读的（文件、所在目录或文件系统不可写；SQLite 还需要在同一目录中创建 -wal 和 -shm 文件）。数据库未被修改。请在可写的位置使用它，或检查权限。",
                          "The database {db} is read-only (the file, its folder or the file system cannot be written; SQLite also needs to create its -wal and -shm files in the same folder). Nothing was changed. Use it from a writable place, or check the permissions."),
        "dbe.cant_open": ("无法打开数据库 {db}：文件或所在目录不可访问（SQLite 需要能在该目录中创建 -wal 和 -shm 文件）。请检查目录权限，或换一个位置。",
                          "Cannot open the database {db}: the file or its folder is not accessible (SQLite must be able to create its -wal and -shm files there). Check the folder's permissions, or use another place."),
        "dbe.full": ("磁盘已满，数据库 {db} 无法写入。本次修改已全部撤销，数据库保持原样。请释放磁盘空间后重试。",
                     "The disk is full: the database {db} cannot be written. This change was rolled back entirely; the database is as it was. Free some disk space and retry."),
        "dbe.corrupt": ("数据库文件 {db} 已损坏（{reason}）。请停止写入，用备份恢复：xiaoqi --db {db} restore 备份文件；或用 sqlite3 的 .recover 抢救数据。",
                        "The database file {db} is damaged ({reason}). Stop writing to it and restore a backup: xiaoqi --db {db} restore BACKUP-FILE; or salvage the data with sqlite3's .recover."),
        "dbe.int_range": ("有一个整数超出了数据库能保存的范围（最大 2,147,483,647）。数据库未被修改。请检查输入的数值。",
                          "A whole number is beyond what the database can store (at most 2,147,483,647). Nothing was changed. Check the numbers given."),
        "dbe.nul": ("文本中含有 NUL 字符（\\x00），数据库不能保存。数据库未被修改。请删除该字符。", "A text holds a NUL character (\\x00), which the database cannot store. Nothing was changed. Remove it."),
        "dbe.lost": ("与数据库服务器 {db} 的连接中断（{reason}）。未提交的修改已由服务器撤销。请检查服务器和网络后重试；若中断发生在提交时，请先查看修改是否已生效。",
                     "The connection to the database server {db} was lost ({reason}). Changes not yet committed were rolled back by the server. Check the server and the network and retry; if it dropped while committing, first check whether the change is there."),
        "dbe.lock_timeout": ("另一个会话锁住了所需的数据，等待 {seconds} 秒后仍未释放。数据库未被修改。请稍后重试，或用 --lock-timeout 秒数 等待更久。",
                             "Another session holds a lock on the data needed, still held after {seconds} s. Nothing was changed. Retry later, or wait longer with --lock-timeout SECONDS."),
        "dbe.statement_timeout": ("一条数据库语句运行超过 {seconds} 秒，已被取消。数据库未被修改。如确需更久，请用 --statement-timeout 秒数。",
                                  "A database statement ran longer than {seconds} s and was cancelled. Nothing was changed. If it really needs longer, use --statement-timeout SECONDS."),
        "dbe.quota_over": ("名额不足：岗位「{position}」（{title}）剩余 {free} 个名额，不能再占用 {places} 个（名额 {quota}）。数据库未被修改。可用 xiaoqi quota show 查看剩余名额。",
                           "Not enough places: position {position} ({title}) has {free} free places left, {places} more were to be held (quota {quota}). Nothing was changed. See the free places with: xiaoqi quota show"),
        "dbe.quota_update": ("预留「{reservation}」占用的名额不能用修改增加（多占 {places} 个）。数据库未被修改。请用 xiaoqi quota reserve 新建预留。",
                             "Reservation {reservation}: an update may not hold more places ({places} more). Nothing was changed. Reserve them anew with: xiaoqi quota reserve"),
        "dbe.audit_actor": ("登录 {login} 的身份是 {own}，不能以「{actor}」的名义写审计条目。数据库未被修改。",
                            "Login {login} acts as {own}; it cannot write an audit entry as '{actor}'. Nothing was changed."),
        "dbe.audit_login": ("审计条目的登录名「{given}」不是当前登录 {login}。数据库未被修改。",
                            "The audit entry's login '{given}' is not the session's login {login}. Nothing was changed."),
        "dbe.server_read_only": ("数据库服务器 {db} 处于只读状态（如备用服务器）。数据库未被修改。请连接主服务器。", "The database server {db} is read-only (a standby, say). Nothing was changed. Connect to the primary server."),
    }
)

#: the SQLSTATE of the quota's trigger on PostgreSQL (``core.quota.guard_sql``)
QUOTA_STATE = "XQ001"
#: the SQLSTATE of the audit log's trigger refusing an entry in another's name (``core.logins._audit_guard``)
AUDIT_STATE = "XQ002"

# SQLite's primary result codes
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


class DatabaseProblem(XiaoqiError):
    """A routine database condition, explained."""


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        orig = getattr(exc, "orig", None)
        if orig is not None and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
        exc = exc.__cause__ or exc.__context__


def explain(exc: BaseException, *, db: str, busy_seconds: float, lock_seconds: float | None = None,
            statement_seconds: float | None = None) -> XiaoqiError | None:
    """The message for ``exc`` (see the module), or None."""
    for err in _chain(exc):
        found = _sqlite(err, db, busy_seconds) or _postgres(err, db, lock_seconds, statement_seconds) or _other(err, db)
        if found is not None:
            return found
    return None


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _sqlite(err, db: str, busy_seconds: float) -> XiaoqiError | None:
    if not isinstance(err, sqlite3.Error):
        return None
    code = getattr(err, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(err)
    if primary in (_BUSY, _LOCKED) or "database is locked" in text:
        return DatabaseProblem(t("dbe.busy", db=db, seconds=_seconds(busy_seconds)))
    if primary == _READONLY or "readonly database" in text:
        return DatabaseProblem(t("dbe.read_only", db=db))
    if primary == _FULL or "database or disk is full" in text:
        return DatabaseProblem(t("dbe.full", db=db))
    if primary in (_CORRUPT, _NOTADB) or "malformed" in text or "file is not a database" in text:
        return DatabaseProblem(t("dbe.corrupt", db=db, reason=text))
    if primary == _CANTOPEN or "unable to open database file" in text:
        return DatabaseProblem(t("dbe.read_only" if _read_only_folder(db) else "dbe.cant_open", db=db))
    if primary == _IOERR and "disk I/O error" in text:
        return DatabaseProblem(t("dbe.full" if _disk_full(db) else "dbe.corrupt", db=db, reason=text))
    return None


def _read_only_folder(db: str) -> bool:
    import os
    from pathlib import Path

    folder = Path(db).absolute().parent
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)
    except OSError:
        return False


def _disk_full(db: str) -> bool:
    import os
    from pathlib import Path

    try:
        st = os.statvfs(Path(db).absolute().parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


def _postgres(err, db: str, lock_seconds, statement_seconds) -> XiaoqiError | None:
    module = type(err).__module__ or ""
    if not module.startswith("psycopg"):
        return None
    state = getattr(err, "sqlstate", None) or ""
    first = (str(err).strip().splitlines() or [type(err).__name__])[0]
    if state == "55P03":
        return DatabaseProblem(t("dbe.lock_timeout", seconds=_seconds(lock_seconds)))
    if state == "57014":
        return DatabaseProblem(t("dbe.statement_timeout", seconds=_seconds(statement_seconds)))
    if state in ("22003", "22P03") or "out of range for type" in first:
        return DatabaseProblem(t("dbe.int_range"))
    if "NUL (0x00)" in first or state == "22021" and "0x00" in first:
        return DatabaseProblem(t("dbe.nul"))
    if state == "53100":
        return DatabaseProblem(t("dbe.full", db=db))
    if state == QUOTA_STATE:
        import json

        try:
            figures = json.loads(getattr(err.diag, "message_detail", None) or "")
            if figures.get("what") == "update":
                return DatabaseProblem(t("dbe.quota_update", reservation=figures["reservation"], places=figures["places"]))
            return DatabaseProblem(t("dbe.quota_over", **{k: figures[k] for k in ("position", "title", "free", "places", "quota")}))
        except (ValueError, KeyError, TypeError):
            return DatabaseProblem(first)
    if state == AUDIT_STATE:
        import json

        try:
            refused = json.loads(getattr(err.diag, "message_detail", None) or "")
            return DatabaseProblem(t(f"dbe.audit_{refused['what']}", **{k: refused[k] or "" for k in ("login", "own", "actor", "given")}))
        except (ValueError, KeyError, TypeError):
            return DatabaseProblem(first)
    if state == "25006":
        return DatabaseProblem(t("dbe.server_read_only", db=db))
    import psycopg

    if state.startswith("08") or state in ("57P01", "57P02", "57P03") or (
            isinstance(err, psycopg.OperationalError) and not state):
        return DatabaseProblem(t("dbe.lost", db=db, reason=first))
    return None


def _other(err, db: str) -> XiaoqiError | None:
    if isinstance(err, OverflowError) and "SQLite INTEGER" in str(err):
        return DatabaseProblem(t("dbe.int_range"))
    if isinstance(err, ValueError) and "NUL (0x00)" in str(err):
        return DatabaseProblem(t("dbe.nul"))
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return DatabaseProblem(t("dbe.full", db=db))
    return None


def first_line(exc: BaseException) -> str:
    """What an internal error shows of ``exc``: its type and the driver's first line, without the
    statement or its parameters."""
    orig = getattr(exc, "orig", None)
    shown = orig if orig is not None else exc
    lines = str(shown).strip().splitlines()
    return f"{type(shown).__name__}: {lines[0] if lines else ''}".rstrip(": ")

"""Database engines and sessions: SQLite by default (WAL, foreign keys, busy timeout), PostgreSQL
through ``postgresql+psycopg://`` URLs.

The database is chosen by ``--db`` (a path or a URL), else ``XIAOQI_DB``, else ``xiaoqi.db`` in the
user data directory (platformdirs).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .config import sqlite_file
from .errors import DatabaseStateError, XiaoqiError
from .i18n import catalogue, t
from .lazy import lazy_module

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

#: imported by the first engine or URL object: naming the database file, or the terminal UI's first
#: page read with sqlite3 (``xiaoqi.core.lean``), needs no SQLAlchemy
sa = lazy_module("sqlalchemy")

catalogue(
    {
        "db.no_dir": ("数据库目录不存在：{path}。请先创建该目录，或用 --db 指定其他位置。", "The database directory does not exist: {path}. Create it, or choose another place with --db."),
        "db.missing": ("数据库不存在：{db}。请先运行 xiaoqi --db {db} init 创建它。", "No database at {db}. Create it first with: xiaoqi --db {db} init"),
        "db.not_initialised": ("数据库 {db} 尚未初始化。请先运行 xiaoqi --db {db} init。", "The database {db} is not initialised. Run: xiaoqi --db {db} init"),
        "db.outdated": ("数据库 {db} 的结构版本较旧（{current}）。请运行 xiaoqi --db {db} db upgrade 升级（数据会保留）。", "The database {db} has an older schema ({current}). Run: xiaoqi --db {db} db upgrade (data is kept)."),
        "db.newer": ("数据库 {db} 由更新版本的 xiaoqi 或未加载的插件创建（{revision}）。请升级 xiaoqi 或启用相应插件。", "The database {db} was written by a newer xiaoqi or by a plugin that is not loaded ({revision}). Upgrade xiaoqi or enable the plugin."),
        "db.unreachable": ("无法连接数据库 {db}：{reason}", "Cannot connect to the database {db}: {reason}"),
        "db.pg.no_database": ("PostgreSQL 服务器 {server} 上没有数据库 {name}。请先创建它：createdb -h {host} -p {port} -U {user} {name}，然后运行 xiaoqi --db {db} init",
                              "The PostgreSQL server {server} has no database {name}. Create it first: createdb -h {host} -p {port} -U {user} {name}, then run: xiaoqi --db {db} init"),
        "db.pg.refused": ("无法连接 PostgreSQL 服务器 {server}（连接被拒绝）。请确认服务器已启动并在该地址和端口监听（例如 systemctl start postgresql），或检查 --db 中的主机和端口。",
                          "Cannot reach the PostgreSQL server {server} (connection refused). Check that the server is running and listening there (e.g. systemctl start postgresql), or correct the host and port in --db."),
        "db.pg.no_role": ("PostgreSQL 服务器 {server} 上没有用户 {user}。请在 --db 中使用已有的用户；为办公室开设 xiaoqi 登录，由数据库所有者运行："
                          "xiaoqi --db postgresql+psycopg://所有者@{host}:{port}/{name} users add {user} --actor school:学校代码；"
                          "其他用途的用户请管理员创建：createuser -h {host} -p {port} -U postgres {user}",
                          "The PostgreSQL server {server} has no user {user}. Use an existing user in --db; for an office's xiaoqi login, the database's owner runs: "
                          "xiaoqi --db postgresql+psycopg://OWNER@{host}:{port}/{name} users add {user} --actor school:CODE; "
                          "any other user is created by the administrator: createuser -h {host} -p {port} -U postgres {user}"),
        "db.pg.auth": ("用户 {user} 登录 PostgreSQL 服务器 {server} 失败：密码错误或未提供密码。请在 --db 中写明密码（postgresql+psycopg://{user}:密码@{host}:{port}/{name}），或保存在 ~/.pgpass 中。",
                       "User {user} could not log in to the PostgreSQL server {server}: wrong or missing password. Give it in --db (postgresql+psycopg://{user}:PASSWORD@{host}:{port}/{name}) or keep it in ~/.pgpass."),
        "db.pg.no_host": ("找不到 PostgreSQL 服务器的主机 {host}。请检查 --db 中的主机名。", "Cannot find the PostgreSQL server's host {host}. Check the host name in --db."),
        "db.not_sqlite_file": ("{path} 不是 SQLite 数据库文件。", "{path} is not an SQLite database file."),
        "db.bad_url": ("无法识别的数据库地址 {db}：请给出文件路径、sqlite:/// 或 postgresql+psycopg:// 地址。", "Unrecognised database address {db}: give a file path, a sqlite:/// or a postgresql+psycopg:// URL."),
    }
)

#: how long a SQLite connection waits for another writer (``--busy-timeout``), and how long a
#: PostgreSQL session waits for a lock and lets one statement run (``--lock-timeout``,
#: ``--statement-timeout``), in seconds. Without the PostgreSQL bounds a row locked by another
#: session made even ``xiaoqi status`` wait for ever.
BUSY_TIMEOUT = 30.0
LOCK_TIMEOUT = 30.0
STATEMENT_TIMEOUT = 3600.0


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("xiaoqi", appauthor=False)) / "xiaoqi.db"


def resolve_url(db: str | None = None) -> str:
    """A SQLAlchemy URL for ``--db`` / ``XIAOQI_DB`` / the default file."""
    db = db or os.environ.get("XIAOQI_DB")
    if not db:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if "://" in db:
        if db.startswith("postgresql://") or db.startswith("postgres://"):
            db = "postgresql+psycopg://" + db.split("://", 1)[1]
        if not (db.startswith("sqlite") or db.startswith("postgresql+psycopg://")):
            raise DatabaseStateError(t("db.bad_url", db=db))
        return db
    return f"sqlite:///{Path(db).expanduser().absolute()}"


def _sqlite_url(url: str) -> bool:
    """A SQLite URL (``sqlite://``, ``sqlite+driver://``), as ``make_url(url).get_backend_name()`` says."""
    return url.partition("://")[0].split("+", 1)[0] == "sqlite"


def display_name(url: str) -> str:
    """The database as the user wrote it: a path for SQLite, the URL without password otherwise."""
    if _sqlite_url(url):
        return sqlite_file(url) or ":memory:"
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def is_sqlite(engine_or_url) -> bool:
    if isinstance(engine_or_url, str):
        return _sqlite_url(engine_or_url)
    url = getattr(engine_or_url, "url", engine_or_url)  # an engine, or a URL object
    return url.get_backend_name() == "sqlite"


def _private_when_created(engine: Engine, path: Path) -> None:
    """A database file this engine creates is readable by its owner only (0600, or less if the
    umask says so; SQLite gives its WAL and shared-memory files the same): it holds every ID number."""
    from .output import private_mode

    @sa.event.listens_for(engine, "connect", insert=True)
    def _private(_dbapi_conn, _record):
        with contextlib.suppress(OSError):
            if path.stat().st_size == 0:  # created by this connection, nothing written yet
                os.chmod(path, private_mode())


def _sqlite_setup(engine: Engine, busy_ms: int) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        # let SQLAlchemy emit BEGIN itself so writes can ask for BEGIN IMMEDIATE
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cur.execute("PRAGMA foreign_keys = ON")
        mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal":
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        # BEGIN IMMEDIATE takes the write lock up front: two writers queue instead of one failing
        # with "database is locked" at its first write after reading (quota reservations rely on it)
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


_json = functools.partial(json.dumps, ensure_ascii=False)  # the audit log stays readable in Chinese


def make_engine(url: str, *, busy_timeout: float = BUSY_TIMEOUT, lock_timeout: float = LOCK_TIMEOUT,
                statement_timeout: float = STATEMENT_TIMEOUT, **kw) -> Engine:
    """An engine for ``url``; the timeouts in seconds (0: wait for ever). Error messages never
    carry a statement's parameters (``hide_parameters``): they hold ID numbers."""
    from . import audit

    kw.setdefault("hide_parameters", True)
    if is_sqlite(url):
        u = sa.engine.make_url(url)
        if u.database and u.database != ":memory:":
            parent = Path(u.database).parent
            if not parent.exists():
                raise DatabaseStateError(t("db.no_dir", path=parent))
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False},
                                  json_serializer=_json, **kw)
        if u.database and u.database != ":memory:" and not Path(u.database).exists():
            _private_when_created(engine, Path(u.database))
        _sqlite_setup(engine, int(busy_timeout * 1000))
        audit.install(engine)
        return engine
    options = f"-c lock_timeout={int(lock_timeout * 1000)} -c statement_timeout={int(statement_timeout * 1000)}"
    connect_args = {"options": options, **kw.pop("connect_args", {})}
    engine = sa.create_engine(url, pool_pre_ping=True, json_serializer=_json, connect_args=connect_args, **kw)
    engine.xiaoqi_timeouts = {"lock": lock_timeout, "statement": statement_timeout}  # named by check_connect's messages
    audit.install(engine)
    return engine


def sqlite_file_exists(url: str) -> bool:
    database = sqlite_file(url)
    return database is not None and Path(database).exists()


def sqlite_files(url: str) -> list[Path]:
    """The files of a SQLite database (the file, its WAL and shared-memory files); [] otherwise."""
    database = sqlite_file(url)
    if database is None:
        return []
    path = Path(database)
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


#: libpq's words for the connection failures a user can fix, and the message that says how
PG_FAILURES = (
    (re.compile(r'database "[^"]*" does not exist'), "db.pg.no_database"),
    (re.compile(r"Connection refused"), "db.pg.refused"),
    (re.compile(r'role "[^"]*" does not exist'), "db.pg.no_role"),
    (re.compile(r"password authentication failed|no password supplied|fe_sendauth"), "db.pg.auth"),
    (re.compile(r"failed to resolve host|could not translate host name"), "db.pg.no_host"),
)


def connect_failure(url, driver_message: str) -> str:
    """The message for a failed connection to ``url``: the remedy for what libpq reported, or the
    driver's first line when it is something else."""
    u = sa.engine.make_url(url) if isinstance(url, str) else url
    db = u.render_as_string(hide_password=True)
    if u.get_backend_name() == "postgresql":
        host, port, user = u.host or "localhost", u.port or 5432, u.username or "postgres"
        for pattern, key in PG_FAILURES:
            if pattern.search(driver_message):
                return t(key, server=f"{host}:{port}", host=host, port=port, user=user, name=u.database or user, db=db)
    reason = driver_message.strip().splitlines()[0] if driver_message.strip() else driver_message
    return t("db.unreachable", db=display_name(db), reason=reason.removeprefix("connection failed: "))


def check_connect(engine: Engine) -> None:
    """Open one connection, turning driver errors into a message that names the database."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DatabaseError as exc:
        if is_sqlite(engine) and "file is not a database" in str(exc.orig):
            raise DatabaseStateError(t("db.not_sqlite_file", path=display_name(str(engine.url)))) from None
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if is_sqlite(engine) or sqlstate in ("55P03", "57014"):  # a damaged file, a read-only folder, a timeout
            from .db_errors import explain

            waits = getattr(engine, "xiaoqi_timeouts", {})
            known = explain(exc, db=display_name(str(engine.url)), busy_seconds=waits.get("busy", BUSY_TIMEOUT),
                            lock_seconds=waits.get("lock"), statement_seconds=waits.get("statement"))
            if known is not None:
                raise known from None
        raise DatabaseStateError(connect_failure(engine.url, str(exc.orig))) from None


@contextlib.contextmanager
def write_session(engine: Engine):
    """A session for one unit of work that commits on success and rolls back on any error.

    On SQLite the transaction begins IMMEDIATE (takes the write lock first).
    A write refused for permission or validation (``audit.refusals``) is recorded as an attempt
    in a transaction of its own once this one has rolled back."""
    conn = _writer(engine)
    try:
        from sqlmodel import Session

        with Session(bind=conn, expire_on_commit=False) as session:
            with session.begin():
                yield session
    except XiaoqiError as exc:
        attempt = getattr(exc, "attempt", None)
        if attempt is None:
            raise
        conn.close()
        from . import audit

        try:
            audit.refused(engine, **attempt)
        except sa.exc.SQLAlchemyError:
            pass  # the refusal the user must see is the original one; a failing log cannot replace it
        raise
    finally:
        conn.close()


def _writer(engine: Engine) -> "sa.Connection":
    """A connection whose transaction begins IMMEDIATE on SQLite (takes the write lock first)."""
    if is_sqlite(engine):
        return engine.connect().execution_options(sqlite_begin="IMMEDIATE")
    return engine.connect()


@contextlib.contextmanager
def write_connection(engine: Engine):
    """``write_session`` for Core statements: a connection in one transaction that commits on
    success and rolls back on any error (no session, no model class)."""
    with _writer(engine) as conn, conn.begin():
        yield conn


@contextlib.contextmanager
def read_session(engine: Engine):
    from sqlmodel import Session  # imported by the commands that use a session, not by every one

    with Session(engine, expire_on_commit=False) as session:
        yield session

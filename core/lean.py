"""A first page of records read with the standard library's ``sqlite3``: no SQLAlchemy, no SQLModel.

A short command, or the terminal UI's first screen, spends most of its time importing SQLAlchemy
and SQLModel (about half a second on a busy machine) before it reads a few dozen rows. This module
reads what ``services.list_records(names=True)`` reads for a listing without search or sort
(``--where`` and ``--filter`` on the kind's own columns included) — the records of a kind the actor may see, in id order, with their name columns — from a
SQLite file with plain SQL, and gives the same values: the kind's columns as
``RecordKind.export_values`` gives them (dates as ``date``, money and hours as quantized
``Decimal``, booleans as ``bool``) and the names within the reader's scope.

The actor's scope is the kind's access declaration (``xiaoqi.core.access``), written as SQL here:
``ALL``, ``NONE``, ``OWN``, ``via()``, ``referenced_by()`` and their unions. A ``where(fn)`` scope
is SQLAlchemy code: ``scope_sql`` reads it as the SQL the full path compiled and kept
(``remember_where``), and raises ``Unsupported`` while there is none, and so does anything else this
module cannot read as the full path does (another database, a column type it does not know); the
caller then uses the services. Everything here is compared with the services' results in
tests/tui/test_lean.py, for every kind and every type of actor.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from decimal import Decimal
from itertools import count as numbers
from pathlib import Path

from . import access
from .access import AnyOf, ReferencedBy, Via, _All, _None, _Own, _reference, own_column


class Unsupported(Exception):
    """This read needs the full path (SQLAlchemy): say why in the message."""


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL that exists (None for another database or a missing file)."""
    from .config import sqlite_file

    path = sqlite_file(url)
    return path if path and Path(path).is_file() else None


def connect(path: str, *, busy_ms: int = 30_000, within: float | None = None) -> sqlite3.Connection:
    """A read-only connection to the SQLite file ``path`` (WAL readers do not block writers).
    ``busy_ms``: how long a statement waits for a lock; ``within``: seconds after which a
    statement is interrupted (``sqlite3.OperationalError``), for a read that must be quick or not
    at all."""
    conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True, check_same_thread=False,
                           timeout=busy_ms / 1000)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    if within is not None:
        deadline = time.monotonic() + within
        conn.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
    return conn


# -- the schema and the actor ------------------------------------------------------------------

def schema_current(conn: sqlite3.Connection) -> bool:
    """The database records exactly the heads of the core's and the loaded plugins' migrations
    (what ``migrate.ensure_current`` accepts without Alembic); False for anything else, which the
    full check then explains."""
    from .migrate import declared_heads

    try:
        have = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:
        return False
    return bool(have) and have == declared_heads()


def actor_registered(conn: sqlite3.Connection, actor) -> bool:
    """A school or enterprise actor is in the register (``actors.check_registered`` refuses it otherwise)."""
    if actor.role not in ("school", "enterprise"):
        return True
    from .kinds import get_kind

    kind = get_kind("schools" if actor.role == "school" else "enterprises")
    column = "school_code" if actor.role == "school" else "uscc"
    return conn.execute(f'SELECT 1 FROM "{kind.table}" WHERE "{column}" = ? LIMIT 1', (actor.code,)).fetchone() is not None


# -- scopes as SQL -------------------------------------------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Aliases:
    def __init__(self) -> None:
        self._n = numbers(1)

    def new(self) -> str:
        return f"lean_{next(self._n)}"


def _scope(kind, actor_type: str, action: str, alias: str, aliases: _Aliases, seen: frozenset) -> str | None:
    """The rows of ``kind`` (table alias ``alias``) an actor of ``actor_type`` may ``action``, as a
    condition on the parameter ``:code`` (the actor's code); None: every row. The same meaning as
    each ``Scope.clause`` of ``xiaoqi.core.access``."""
    if actor_type == "admin":
        return None
    key = (kind.name, action, actor_type)
    if key in seen:
        raise access.DeclarationError(f"{kind.name}: the {action} scope of {actor_type} refers back to itself")
    return _clause(kind.rights.scope(action, actor_type), kind, actor_type, action, alias, aliases, seen | {key})


def _clause(scope, kind, actor_type: str, action: str, alias: str, aliases: _Aliases, seen: frozenset) -> str | None:
    from .kinds import get_kind

    if isinstance(scope, _All):
        return None
    if isinstance(scope, _None):
        return "0"
    if isinstance(scope, _Own):
        if actor_type == "province":
            parts = []
            for column, owner, code in ((kind.school_column, "schools", "school_code"),
                                        (kind.enterprise_column, "enterprises", "uscc")):
                if column:
                    parts.append(f"{alias}.{_q(column)} IN (SELECT {_q(code)} FROM {_q(get_kind(owner).table)} "
                                 f"WHERE region LIKE :code || '%')")
            return "(" + " OR ".join(parts) + ")" if parts else "0"
        return f"{alias}.{_q(own_column(kind, actor_type))} = :code"
    if isinstance(scope, Via):
        ref = _reference(kind, scope.kind)
        target, inner_alias = get_kind(scope.kind), aliases.new()
        inner = _scope(target, actor_type, scope.action or action, inner_alias, aliases, seen)
        match = [f"{inner_alias}.{_q(tc)} = {alias}.{_q(c)}" for c, tc in zip(ref.columns, ref.target_columns)]
        return _exists(target, inner_alias, match, inner)
    if isinstance(scope, ReferencedBy):
        source = get_kind(scope.kind)
        refs = [r for r in source.references if r.kind == kind.name]
        if not refs:
            raise access.DeclarationError(f"{kind.name}: {scope.kind} has no reference to it")
        parts = []
        for ref in refs:
            inner_alias = aliases.new()
            inner = _scope(source, actor_type, scope.action, inner_alias, aliases, seen)
            match = [f"{inner_alias}.{_q(c)} = {alias}.{_q(tc)}" for c, tc in zip(ref.columns, ref.target_columns)]
            parts.append(_exists(source, inner_alias, match, inner))
        return "(" + " OR ".join(parts) + ")"
    if isinstance(scope, AnyOf):
        parts = []
        for part in scope.scopes:
            sql = _clause(part, kind, actor_type, action, alias, aliases, seen)
            if sql is None:
                return None
            parts.append(sql)
        return "(" + " OR ".join(parts) + ")"
    if isinstance(scope, access.Where):
        sql = _compiled_where().get(_where_key(kind, actor_type, action, scope))
        if sql is not None:
            return sql.replace(f"{_SELF}.", f"{alias}.")
    raise Unsupported(f"{kind.name}: the {action} scope of {actor_type} ({scope!r}) is SQLAlchemy code")


# -- where(fn) scopes, compiled once by the full path ------------------------------------------
#
# A ``where(fn)`` scope is SQLAlchemy code: only SQLAlchemy can write it as SQL. The full path
# (``remember_where``, called where a command fell back to it) compiles every such scope of the
# loaded kinds for one type of actor and keeps the SQL in a small file of the user's cache directory
# (``xiaoqi.core.cache``), with the state of every source file loaded then, as ``lean_check`` keeps
# the rule set's digest: the next short command of that actor reads its scopes from there while no
# source file, installed distribution or plugin switch has changed. A scope whose SQL needs a
# value besides the actor's code (a day, a setting) is never kept: it stays the full path's.

#: the table alias a kept scope is compiled with, replaced by the alias of the query it goes into
_SELF = "lean_where_self"
#: bumped when the cache file's layout changes
WHERE_CACHE_VERSION = 1


def _where_key(kind, actor_type: str, action: str, scope) -> str:
    return f"{kind.name}|{actor_type}|{action}|{scope.fn.__module__}.{scope.fn.__qualname__}"


def _wheres(scope):
    """The where(fn) scopes in ``scope`` (itself, or the parts of a union)."""
    if isinstance(scope, access.Where):
        yield scope
    for part in getattr(scope, "scopes", None) or ():
        yield from _wheres(part)


def _where_name() -> str:
    from .lean_check import _context_key

    return f"where-scopes-{_context_key(None)[:32]}.json"


#: the file read (by its name: the plugins and switches it is for) and the SQL it kept
_KEPT: dict[str, dict[str, str]] = {}


def _compiled_where() -> dict[str, str]:
    """The kept SQL of the where(fn) scopes (empty while the file is missing or out of date)."""
    name = _where_name()
    if name not in _KEPT:
        from . import cache

        entry = cache.kept(name, WHERE_CACHE_VERSION)
        _KEPT[name] = dict(entry["scopes"]) if entry is not None else {}
    return _KEPT[name]


#: the actor's code while a scope is compiled, replaced by the parameter ``:code``
_CODE = "lean-where-code-7f3a"


def _compile_where(kind, scope) -> str | None:
    """``scope``'s condition in SQLite's SQL on the alias ``_SELF`` with the parameter ``:code``, or
    None when it needs any value besides the actor's code and constants (text, whole numbers)."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import sqlite

    row = sa.orm.aliased(kind.model, name=_SELF)
    dialect = sqlite.dialect(paramstyle="named")
    try:
        # inside a statement on the alias, so that its subqueries correlate as they do in a listing
        stmt = sa.select(sa.literal_column("1")).select_from(row).where(scope.fn(row, _CODE))
        values = stmt.compile(dialect=dialect).params.values()
    except Exception:  # noqa: BLE001 - a scope written for real codes only: the full path's to read
        return None
    if _CODE not in values or any(isinstance(v, bool) or not isinstance(v, (str, int)) for v in values):
        return None  # the code not used as given, or a day, a number or a setting computed now
    text = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    literal = f"'{_CODE}'"
    if literal not in text or text.count(literal) != text.count(_CODE):
        return None
    text = text.replace(literal, ":code")
    return "(" + text[text.index("\nWHERE ") + len("\nWHERE "):] + ")"


def remember_where(actor_type: str) -> None:
    """Compile every where(fn) scope of the loaded kinds for ``actor_type`` and keep them, beside
    those kept for other types of actor (see above). A cache that cannot be written is no error."""
    from . import cache
    from .kinds import get_kinds

    wanted = [(kind, action, part) for kind in get_kinds().values() for action in ("read", "create", "update", "delete")
              for part in _wheres(kind.rights.scope(action, actor_type))]
    scopes = dict(_compiled_where())
    if all(_where_key(kind, actor_type, action, part) in scopes for kind, action, part in wanted):
        return  # (kept already)
    for kind, action, part in wanted:
        sql = _compile_where(kind, part)
        if sql is not None:
            scopes[_where_key(kind, actor_type, action, part)] = sql
    name = _where_name()
    # (nothing kept when a file changed while this process ran: the SQL may be of the code before)
    if cache.keep(name, {"version": WHERE_CACHE_VERSION, "scopes": scopes}):
        _KEPT[name] = scopes


def _exists(kind, alias: str, match: list[str], inner: str | None) -> str:
    where = " AND ".join([*match, *([] if inner is None else [inner])])
    return f"EXISTS (SELECT 1 FROM {_q(kind.table)} AS {alias} WHERE {where})"


def scope_sql(kind, actor, action: str = "read", alias: str = "t", aliases: _Aliases | None = None) -> str | None:
    """The condition for the rows of ``kind`` (table alias ``alias``) that ``actor`` may
    ``action``, in SQLite's SQL with the parameter ``:code``; None: every row. Raises
    ``Unsupported`` for a scope written as SQLAlchemy code (``where(fn)``)."""
    return _scope(kind, actor.role, action, alias, aliases or _Aliases(), frozenset())


# -- values as the models give them ------------------------------------------------------------

_QUANTA = {"money": Decimal("0.01"), "hours": Decimal("0.1")}


def _money(quantum: Decimal):
    def read(value):
        return None if value is None else Decimal(str(value)).quantize(quantum)
    return read


def _date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def _bool(value):
    return None if value is None else bool(value)


def _int(value):
    return None if value is None else int(value)


def _text(value):
    return value


_READERS = {"date": _date, "money": _money(_QUANTA["money"]), "hours": _money(_QUANTA["hours"]), "bool": _bool, "int": _int}


def _reader(column):
    from .kinds import CORE_COLUMN_TYPES, column_types

    if column.type in _READERS:
        return _READERS[column.type]
    known = column_types().get(column.type)
    if known is None:
        raise Unsupported(f"column type {column.type}")
    if known.stored_as is None or known in CORE_COLUMN_TYPES:
        return _text
    if known.stored_as not in _READERS:
        raise Unsupported(f"column type {column.type} stored as {known.stored_as}")
    return _READERS[known.stored_as]


# -- a listing's first pages -------------------------------------------------------------------

def _names_sql(kind, actor, aliases: _Aliases) -> tuple[list, list[str]]:
    """The kind's name columns (``names.name_columns``) as correlated subqueries on ``t``."""
    from .kinds import get_kind
    from .names import name_columns

    named, parts = name_columns(kind), []
    for nc in named:
        target, alias = get_kind(nc.target), aliases.new()
        match = [f"{alias}.{_q(tc)} = t.{_q(c)}" for c, tc in zip(nc.reference.columns, nc.reference.target_columns)]
        scope = _scope(target, actor.role, "read", alias, aliases, frozenset())
        where = " AND ".join([*match, *([] if scope is None else [scope])])
        parts.append(f"(SELECT {alias}.{_q(nc.target_attr)} FROM {_q(target.table)} AS {alias} WHERE {where} LIMIT 1)")
    return named, parts


# -- a listing's conditions (--where, --filter) -------------------------------------------------

#: the comparisons of ``services.COMPARISONS``, as SQL
_OPS = {"=": "=", "!=": "<>", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}
#: the column types that ``services`` lets compare by order (the others by = and != only)
_ORDERED = ("date", "money", "int", "hours")


def _stored_as_text(column) -> bool:
    """Whether the column's values are stored as the text its parser gives (not a date, number or flag)."""
    from .kinds import CORE_COLUMN_TYPES, column_types

    if column.type in _READERS or column.type == "list":
        return False
    known = column_types().get(column.type)
    return known is not None and (known.stored_as is None or known in CORE_COLUMN_TYPES)


def _bound(value):
    """A parsed value as SQLAlchemy binds it on SQLite: a date as ISO text, a Decimal as a float,
    a flag as 1 or 0; Unsupported for anything else but text and whole numbers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        raise Unsupported("a date and time")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (int, str)):
        return value
    raise Unsupported(f"a value of type {type(value).__name__}")


def _like(value: str) -> str:
    """``value`` escaped for LIKE … ESCAPE '/' (SQLAlchemy's ``autoescape``)."""
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


def conditions_sql(kind, where=(), filters=None) -> tuple[list[str], dict]:
    """``services.list_records``'s ``where`` (``(column, op, value)``) and ``filters`` (column ->
    value) on the kind's own columns as SQL on ``t``, with their parameters, matching the same
    rows. Raises ``Unsupported`` for what only the services read (a name column, a list column, a
    value the column's parser refuses: the services then give the error)."""
    parts, params = [], {}
    for i, (name, op, value) in enumerate(where or ()):
        column = kind.by_name.get(name)
        if column is None or column.type == "list" or op not in _OPS:
            raise Unsupported(f"--where on {name}")
        if op not in ("=", "!=") and column.type not in _ORDERED:
            raise Unsupported(f"{op} on {name}")
        if not _stored_as_text(column) and column.type not in _READERS:
            raise Unsupported(f"column type {column.type}")
        if isinstance(value, str):
            try:
                value = column.parse(value)
            except ValueError:
                raise Unsupported(f"a value of {name} its parser refuses") from None
        col = f"t.{_q(name)}"
        if value is None:
            parts.append(f"{col} IS NULL" if op == "=" else f"{col} IS NOT NULL")
            continue
        params[f"w{i}"] = _bound(value)
        test = f"{col} {_OPS[op]} :w{i}"
        parts.append(f"({test} OR {col} IS NULL)" if op == "!=" else test)
    for i, (name, value) in enumerate((filters or {}).items()):
        column = kind.by_name.get(name)
        if column is None or not isinstance(value, str):
            raise Unsupported(f"--filter on {name}")
        col = f"t.{_q(name)}"
        if value.endswith("*"):
            params[f"f{i}"] = _like(value[:-1])
            parts.append(f"{col} LIKE :f{i} || '%' ESCAPE '/'")
        elif column.type in ("text", "list"):
            params[f"f{i}"] = _like(value)
            parts.append(f"{col} LIKE '%' || :f{i} || '%' ESCAPE '/'")
        elif _stored_as_text(column):
            params[f"f{i}"] = value
            parts.append(f"{col} = :f{i}")
        else:
            raise Unsupported(f"--filter on {name} ({column.type})")
    return parts, params


def page(conn: sqlite3.Connection, actor, kind, *, limit: int, offset: int = 0, after_id: int | None = None,
         where=(), filters=None) -> list[tuple[int, dict, dict]]:
    """The records of ``kind`` that ``actor`` may read, in id order (``offset`` rows skipped, or
    those after the id ``after_id``): for each its id, its values (``RecordKind.export_values``)
    and its name columns (``Page.names`` of ``list_records(names=True)``). ``where`` and
    ``filters`` as ``list_records`` takes them, on the kind's own columns (``conditions_sql``)."""
    aliases = _Aliases()
    readers = [(c.name, _reader(c)) for c in kind.columns]
    named, name_parts = _names_sql(kind, actor, aliases)
    scope = scope_sql(kind, actor, aliases=aliases)
    conditions, params = conditions_sql(kind, where, filters)
    where = [c for c in (scope, *conditions, None if after_id is None else "t.id > :after") if c]
    sql = (f"SELECT t.id, {', '.join(f't.{_q(name)}' for name, _r in readers)}"
           f"{''.join(', ' + p for p in name_parts)} FROM {_q(kind.table)} AS t"
           f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY t.id LIMIT :limit OFFSET :offset")
    params.update({"code": actor.code, "limit": limit, "offset": 0 if after_id is not None else offset, "after": after_id})
    out = []
    width = len(readers)
    for row in conn.execute(sql, params):
        values = {name: read(row[i + 1]) for i, (name, read) in enumerate(readers)}
        names = {nc.name: row[1 + width + i] for i, nc in enumerate(named)}
        out.append((row[0], values, names))
    return out


def count(conn: sqlite3.Connection, actor, kind, *, where=(), filters=None) -> int:
    """How many records of ``kind`` ``actor`` may read (``services.count_records``, with ``where``
    and ``filters`` as ``page`` takes them)."""
    conditions, params = conditions_sql(kind, where, filters)
    parts = [c for c in (scope_sql(kind, actor), *conditions) if c]
    sql = f"SELECT count(*) FROM {_q(kind.table)} AS t" + (f" WHERE {' AND '.join(parts)}" if parts else "")
    return conn.execute(sql, {**params, "code": actor.code}).fetchone()[0]


def check_kind(kind, actor) -> None:
    """Raise ``Unsupported`` unless this module reads ``kind`` for ``actor`` as the services do."""
    for column in kind.columns:
        _reader(column)
    aliases = _Aliases()
    _names_sql(kind, actor, aliases)
    scope_sql(kind, actor, aliases=aliases)


__all__ = ["Unsupported", "actor_registered", "check_kind", "conditions_sql", "connect", "count", "page", "schema_current", "scope_sql",
           "sqlite_path"]

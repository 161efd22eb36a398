"""Reading the audit log: a record's whole history (``record_history``) and pages of entries
(``list_entries``), each entry with the record's full state before and after it.

A record an import created has a light entry (its batch and file row); its state is rebuilt from
the file the batch kept, parsed with the kind exactly as the import parsed it (``imported_rows``).
An update keeps the record before and the changed columns after; a delete keeps the record
before. So every state a full-snapshot log would show is recovered, entry by entry. A reader
that may not read the stored file (a login on PostgreSQL but an admin's) gets the creation as the
record's next audited state found it, or as it is now.

Who reads which entries: ``entry_scope`` (the admin and the auditor all; others their own and
those about records in their read scope).

Personal data (the kinds' personal columns: ID numbers, phones, guardians) is masked for every
reader but the admin (``mask_state``, the one place that decides).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from .lazy import lazy_module

from .actors import Actor
from .audit import jsonable
from .errors import NotFound, UsageError
from .i18n import catalogue, t
from .kinds import RecordKind, get_kind, get_kinds
from .privacy import mask_key, mask_note, mask_text, mask_values

sa = lazy_module("sqlalchemy")  # imported by the first use: a command's --help imports no SQLAlchemy

catalogue(
    {
        "audit.kind.import_batches": ("导入批次", "import batch"),
        "audit.show.from_file": ("来自导入批次 {batch} 第 {row} 行", "from row {row} of import batch {batch}"),
        "audit.show.file_gone": ("（批次未保存文件，无法重建）", "(the batch kept no file to rebuild it from)"),
        "audit.show.undo": ("撤销导入批次 {batch}", "undo of import batch {batch}"),
        "history.none": ("{kind}「{key}」没有审计记录。", "No audit entries for {kind} '{key}'."),
        "history.none_login": ("{kind}「{key}」没有本登录可以查看的审计记录。按完整身份证号查找时，只找得到本登录能看到完整号码的人"
                               "（如本校学生）的记录；其他记录请用 xiaoqi audit list --kind 浏览，或请管理员查询。",
                               "No audit entries of {kind} '{key}' that this login reads. A key with a full ID number finds "
                               "entries only for people whose number this login is shown in full (its own students, say); "
                               "browse others with xiaoqi audit list --kind, or ask an admin."),
        "history.bad_since": ("无法识别的时间「{value}」：请写成 2026-03-01 或 2026-03-01T08:00", "Unrecognised time '{value}': write 2026-03-01 or 2026-03-01T08:00"),
    }
)

@dataclass
class Entry:
    """One audit entry as a reader sees it: ``before`` / ``after`` are whole records (None where
    the record did not exist), ``changed`` the columns that differ."""

    id: int
    at: dt.datetime
    actor: str
    login: str | None
    action: str
    kind: str
    key: str
    batch_id: int | None = None
    row_no: int | None = None
    note: dict | None = None
    before: dict | None = None
    after: dict | None = None
    changed: list[str] = field(default_factory=list)
    #: the record's name where cheap (from the states shown)
    name: str | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "at": self.at.isoformat(sep=" ", timespec="seconds"), "actor": self.actor,
                "login": self.login, "action": self.action, "kind": self.kind, "key": self.key, "name": self.name,
                "batch_id": self.batch_id, "row_no": self.row_no, "note": self.note, "before": self.before,
                "after": self.after, "changed": self.changed}


COLUMNS = ("id", "at", "actor", "login", "action", "kind", "key", "batch_id", "row_no", "note", "before", "after")
NAME_FIELDS = ("name", "title", "agreement_no", "policy_no", "reservation_no")


def from_json(value):
    """A JSON column as Python (SQLite gives text, PostgreSQL the value)."""
    import json

    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _rows(conn, where, params: dict, *, order: str = "id", limit: int | None = None) -> list[dict]:
    sql = f"SELECT {', '.join(COLUMNS)} FROM audit_log WHERE {where} ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    out = []
    for row in conn.execute(sa.text(sql), params).mappings():
        entry = dict(row)
        for name in ("note", "before", "after"):
            entry[name] = from_json(entry[name])
        if not isinstance(entry["at"], dt.datetime):
            entry["at"] = dt.datetime.fromisoformat(entry["at"])
        out.append(entry)
    return out


# -- who reads which entries -------------------------------------------------------------------
#
# Admins and auditors read every entry. Every other actor reads the entries it wrote (its actor,
# ``role:code``) and the entries about records it may read: an entry of kind K with key k is
# theirs when K's read scope (the same declarations as the services, the importer and the
# masked views on PostgreSQL) holds for the row of K whose key is k; for a record that no longer
# exists, when it holds for the record's last state (its delete entry's ``before``, read as a
# row). A record whose key was used again after a delete is judged by the live row. An import
# batch's own entries (kind ``import_batches``) are the batch's readers' (``imports.list_batches``:
# its importer's; a province's for its schools' and enterprises' batches). One SQL condition on
# the entry's row, per actor type (``entry_scope``), read by ``list_entries``, ``record_history``
# and, on PostgreSQL, the masked view of ``audit_log`` (``core.logins``).

def _audit_table(alias: str | None = None):
    table = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("key", sa.String),
                     sa.column("actor", sa.String), sa.column("action", sa.String), sa.column("batch_id", sa.Integer),
                     sa.column("login", sa.String), sa.column("before", sa.JSON))
    return table if alias is None else table.alias(alias)


class _LastState:
    """A deleted record's last state (the JSON ``before`` of its delete entry) standing for a row
    of ``kind``'s table in a scope condition: each column read from the JSON, typed as the table's."""

    def __init__(self, kind: RecordKind, before, postgres: bool):
        self._kind, self._before, self._postgres = kind, before, postgres

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        column = self._kind.model.__table__.c.get(name)
        if column is None:
            raise AttributeError(name)
        value = self._before[name].as_string()
        if isinstance(column.type, sa.String) or not self._postgres:
            return sa.type_coerce(value, column.type)  # SQLite's json_extract gives the value typed
        return sa.cast(value, column.type)


def _key_part_text(kind: RecordKind, row, name: str, postgres: bool):
    """A key column as ``RecordKind.key_of`` writes it (a date as 2026-03-01, a number as digits)."""
    column = getattr(row, name)
    col_type = kind.model.__table__.c[name].type
    if isinstance(col_type, sa.String):
        text = column
    elif isinstance(col_type, sa.Date) and postgres:
        text = sa.func.to_char(column, "YYYY-MM-DD")
    else:
        text = sa.cast(column, sa.String)
    return sa.func.coalesce(text, "")


def key_matches(kind: RecordKind, row, key, postgres: bool):
    """The condition that ``row`` (the kind's model or an alias) is the record whose key text is
    ``key`` (a SQL expression): its first key column compared with the key's first part (so the
    table's key index finds it), and the whole key text for a key of several columns."""
    first = kind.key[0]
    col_type = kind.model.__table__.c[first].type
    if len(kind.key) == 1:
        head = key
    elif postgres:
        head = sa.func.split_part(key, "/", 1)
    else:
        head = sa.func.substr(key, 1, sa.func.instr(key.concat("/"), "/") - 1)
    parts = []
    if isinstance(col_type, sa.String):
        parts.append(getattr(row, first) == head)
    elif isinstance(col_type, sa.Integer):
        number = (sa.case((head.op("~")("^-?[0-9]{1,18}$"), sa.cast(head, sa.BigInteger)), else_=sa.null())
                  if postgres else sa.cast(head, sa.Integer))
        parts.append(getattr(row, first) == number)
    if len(kind.key) > 1 or not parts:
        text = reduce(lambda a, b: a.concat("/").concat(b), [_key_part_text(kind, row, n, postgres) for n in kind.key])
        parts.append(text == key)
    return sa.and_(*parts)


def entry_conditions(actor_type: str, code, me, *, postgres: bool, tables: set[str] | None = None, entries=None,
                     own_login=None, kinds: tuple[str, ...] | None = None) -> tuple[sa.ColumnElement, list[tuple[str, sa.ColumnElement]]]:
    """What ``entry_scope`` is made of: the condition that the entry is the actor's own, and per
    kind (``import_batches`` for a batch's own entries) the condition that an entry of that kind
    is about a record the actor reads (kinds it reads nothing of are left out)."""
    from .access import ALL, NONE, scope_clause
    from .models import ImportBatch

    e = entries if entries is not None else _audit_table()
    whens = []
    for kind in get_kinds().values():
        table = kind.model.__tablename__
        scope = kind.rights.scope("read", actor_type)
        if scope is NONE or (tables is not None and table not in tables) or (kinds is not None and kind.name not in kinds):
            continue
        if scope is ALL:
            whens.append((kind.name, sa.true()))
            continue
        row = sa.orm.aliased(kind.model, name=f"r_{table}")
        match = key_matches(kind, row, e.c.key, postgres)
        live_in_scope = sa.exists().where(match, scope_clause(kind, actor_type, "read", code, row))
        d = _audit_table("d")
        last = _LastState(kind, d.c.before, postgres)
        deleted_in_scope = sa.exists().where(d.c.kind == kind.name, d.c.key == e.c.key, d.c.action == "delete",
                                             d.c.before.isnot(None), scope_clause(kind, actor_type, "read", code, last))
        whens.append((kind.name, sa.or_(live_in_scope, sa.and_(~sa.exists().where(match), deleted_in_scope))))
    if kinds is None or "import_batches" in kinds:
        b = ImportBatch.__table__.alias("b")
        mine_batch = b.c.actor == me if own_login is None else sa.or_(b.c.actor == me, b.c.login == own_login)
        if actor_type == "province":  # and its schools' and enterprises' (``imports.list_batches``)
            from .imports import in_region

            mine_batch = sa.or_(mine_batch, in_region(b.c.actor, code))
        whens.append(("import_batches", sa.exists().where(b.c.id == e.c.batch_id, mine_batch)))
    own = e.c.actor == me if own_login is None else sa.or_(e.c.actor == me, e.c.login == own_login)
    return own, whens


def entry_scope(actor_type: str, code, me, *, postgres: bool, tables: set[str] | None = None, entries=None,
                kinds: tuple[str, ...] | None = None):
    """The condition on an audit entry (``entries``: the ``audit_log`` table or an alias) that an
    actor of ``actor_type`` reads it (None: every entry). ``code``: the actor's code and ``me``
    its ``role:code``, SQL expressions; ``tables``: the tables that exist (kinds without one are
    left out); ``kinds``: only the entries of these kinds are asked for (the others' conditions
    are left out)."""
    if actor_type in ("admin", "auditor"):
        return None
    e = entries if entries is not None else _audit_table()
    own, whens = entry_conditions(actor_type, code, me, postgres=postgres, tables=tables, entries=e, kinds=kinds)
    if not whens:
        return own
    return sa.or_(own, sa.case(dict(whens), value=e.c.kind, else_=sa.false()))


#: stand-ins for the actor's code and ``role:code`` in the compiled condition (bound per query)
_CODE, _ME = "xq_scope_code_", "xq_scope_me_"


def entry_scope_sql(conn, actor: Actor, kinds: tuple[str, ...] | None = None) -> tuple[str | None, dict]:
    """``entry_scope`` for ``actor`` as SQL on ``audit_log`` and its parameters (None: every
    entry). Compiled once per actor type and set of kinds in a process; the code is bound."""
    if actor.role in ("admin", "auditor") or scoped_login(conn):
        return None, {}  # every entry, or those the database gives the login (its masked view)
    sql = _compiled_scope(actor.role, conn.dialect.name == "postgresql", frozenset(_tables(conn)),
                          tuple(get_kinds()), kinds)
    return sql, {"scope_code": actor.code, "scope_me": str(actor)}


def scoped_login(conn) -> bool:
    """Whether ``conn`` is a PostgreSQL login whose rows the database scopes (any but an admin's):
    its ``audit_log`` is the masked view of the entries it reads, ID numbers in keys as pseudonyms."""
    from .rules.context import login_role

    return login_role(conn) not in (None, "admin")


def _has_function(conn, signature: str) -> bool:
    """Whether the database has ``xiaoqi_sec.<signature>`` (installed by ``logins.install``: a
    database set up for logins before it reads the views as before until ``xiaoqi db upgrade``)."""
    return conn.execute(sa.text("SELECT to_regprocedure(:f) IS NOT NULL"), {"f": f"xiaoqi_sec.{signature}"}).scalar()


def _tables(conn) -> set[str]:
    if conn.dialect.name == "postgresql":
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {name for (name,) in conn.execute(sa.text(sql))}


@functools.lru_cache(maxsize=32)
def _compiled_scope(role: str, postgres: bool, tables: frozenset, _loaded: tuple, kinds: tuple | None) -> str:
    from sqlalchemy.dialects import postgresql, sqlite

    clause = entry_scope(role, sa.literal(_CODE, sa.String), sa.literal(_ME, sa.String), postgres=postgres,
                         tables=set(tables), kinds=kinds)
    sql = where_sql(_audit_table(), clause, postgresql.dialect() if postgres else sqlite.dialect())
    return sql.replace(f"'{_CODE}'", ":scope_code").replace(f"'{_ME}'", ":scope_me")


def where_sql(table, clause, dialect) -> str:
    """``clause`` as SQL text on ``table``, compiled inside a statement on it (so that its
    subqueries correlate with the row), its literals inline and a percent sign written once."""
    sql = str(sa.select(sa.literal(1)).select_from(table).where(clause)
              .compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    sql = sql.split("\nWHERE ", 1)[1]
    return sql.replace("%%", "%") if dialect.name == "postgresql" else sql


# -- the imported creation --------------------------------------------------------------------

def imported_rows(conn, batch_id: int, rows: set[int]) -> dict[int, dict]:
    """The records an import created from file rows ``rows`` of batch ``batch_id``, as
    ``services.snapshot`` would show them: the stored file read again and those rows parsed with
    the kind as the import parsed them (the same reader, header mapping, parser and defaults)."""
    from .io import readers
    from .io.rows import Preparer, map_headers
    from .io.stored import restored

    batch = conn.execute(sa.text("SELECT kind, file_name, sheet FROM import_batches WHERE id = :b"), {"b": batch_id}).one()
    kind = get_kind(batch.kind)
    raw = conn.connection.dbapi_connection
    wanted: list[tuple[int, list]] = []
    with restored(raw, batch_id, batch.file_name) as path:
        table = readers.open_table(path, sheet=batch.sheet)
        try:
            layout = map_headers(kind, table.headers)
            last = max(rows)
            for number, cells in table.rows:
                if number in rows:
                    wanted.append((number, cells))
                if number >= last:
                    break
        finally:
            table.close()
        typed = readers.file_format(path) != "csv"
    preparer = Preparer(layout, conn.dialect)
    prepared = preparer.prepare(wanted, typed=typed)
    out = {}
    for i, number in enumerate(prepared.numbers):
        values = {c.name: prepared.cols[c.name][i] for c in kind.columns}
        for name, default in preparer.defaults.items():
            values[name] = default
        out[number] = {c.name: jsonable(values.get(c.name)) for c in kind.columns}
    return out


def _creations(conn, entries: list[dict], actor: Actor | None = None, record: tuple | None = None) -> dict[tuple[int, int], dict]:
    """The rebuilt records of the light create entries among ``entries``: from the batch's stored
    file (one read per batch) where the reader may read it; otherwise (a login on PostgreSQL reads
    no stored file but an admin's, a batch that kept none) as the record's next audited state
    found it (the ``before`` of its next update or delete) or, with none, as it is now in
    ``actor``'s read scope. ``record``: (kind, key as written) when ``entries`` are that record's
    whole history, oldest first (its next states are among them)."""
    light = [e for e in entries
             if e["action"] == "create" and e["after"] is None and e["batch_id"] is not None and e["row_no"] is not None]
    by_batch: dict[int, set[int]] = {}
    for e in light:
        by_batch.setdefault(e["batch_id"], set()).add(e["row_no"])
    out = {}
    for batch_id, rows in by_batch.items():
        readable = conn.execute(sa.text("SELECT 1 FROM import_files WHERE batch_id = :b AND data IS NOT NULL LIMIT 1"),
                                {"b": batch_id}).first()
        if readable is None:
            continue
        for number, state in imported_rows(conn, batch_id, rows).items():
            out[(batch_id, number)] = state
    missing = [e for e in light if (e["batch_id"], e["row_no"]) not in out]
    if missing and record is None:
        out.update(_later_states(conn, missing, actor))
    elif missing:
        now = None
        for e in missing:
            later = next((n["before"] for n in entries if n["id"] > e["id"] and n["action"] in ("update", "delete")
                          and n["before"] is not None), None)
            if later is None and now is None:
                # by the key as written and as the entries give it (a login's views may give an
                # ID number in full in the record's table, as a pseudonym in the audit log's)
                found = _current_states(conn, record[0], {record[1]: [e], e["key"]: [e]}, actor)
                now = found.get(record[1]) or found.get(e["key"]) or {}
            out[(e["batch_id"], e["row_no"])] = later if later is not None else now or None
    return {k: v for k, v in out.items() if v is not None}


def _later_states(conn, entries: list[dict], actor: Actor | None) -> dict[tuple[int, int], dict]:
    """The states of light create ``entries`` without their file (see ``_creations``)."""
    out: dict[tuple[int, int], dict] = {}
    by_id = {e["id"]: e for e in entries}
    ids = sorted(by_id)
    by_function = scoped_login(conn) and _has_function(conn, "next_changes(integer[])")
    for start in range(0, len(ids), 500):
        part = ", ".join(str(int(i)) for i in ids[start:start + 500])
        if by_function:  # a login: the next changes found by the key as written, their states read in its view
            nexts = dict(conn.execute(sa.text(f"SELECT entry, next FROM xiaoqi_sec.next_changes(ARRAY[{part}])")).all())
            found = [n for n in nexts.values() if n is not None]
            befores = dict(conn.execute(sa.text("SELECT id, before FROM audit_log WHERE id = ANY(:ids)"), {"ids": found}).all()) \
                if found else {}
            rows = [(entry, befores.get(n)) for entry, n in nexts.items()]
        else:
            rows = conn.execute(sa.text(
                "SELECT c.id, (SELECT n.before FROM audit_log n WHERE n.kind = c.kind AND n.key = c.key AND n.id > c.id "
                "AND n.action IN ('update', 'delete') AND n.before IS NOT NULL ORDER BY n.id LIMIT 1) "
                f"FROM audit_log c WHERE c.id IN ({part})")).all()
        for entry_id, before in rows:
            if before is not None:
                e = by_id[entry_id]
                out[(e["batch_id"], e["row_no"])] = from_json(before)
    now: dict[str, dict[str, list[dict]]] = {}
    for e in entries:
        if (e["batch_id"], e["row_no"]) not in out and e["kind"] in get_kinds():
            now.setdefault(e["kind"], {}).setdefault(e["key"], []).append(e)
    for kind_name, keyed in now.items():
        for key, state in _current_states(conn, get_kind(kind_name), keyed, actor).items():
            for e in keyed[key]:
                out[(e["batch_id"], e["row_no"])] = state
    return out


def _key_text_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _current_states(conn, kind: RecordKind, keyed: dict[str, list], actor: Actor | None) -> dict[str, dict]:
    """The records of ``kind`` with the keys of ``keyed`` as they are now, in ``actor``'s read
    scope, by key (one statement per 200 keys)."""
    from .access import actor_clause
    from .services import snapshot

    out: dict[str, dict] = {}
    table = kind.model.__table__
    scope = None if actor is None else actor_clause(kind, actor, "read")
    keys = list(keyed)
    postgres = conn.dialect.name == "postgresql"
    for start in range(0, len(keys), 200):
        # the key as the entries give it: a login's masked views give an ID number it may not
        # see as the same pseudonym in the record's table and in the audit log's key
        clauses = [key_matches(kind, table.c, sa.literal(key, sa.String), postgres) for key in keys[start:start + 200]]
        stmt = sa.select(*(table.c[c.name] for c in kind.columns)).where(sa.or_(*clauses))
        if scope is not None:
            stmt = stmt.where(scope)
        for row in conn.execute(stmt).mappings():
            key = kind.key_of({name: _key_text_value(value) for name, value in row.items()})
            if key in keyed:
                out[key] = snapshot(kind, dict(row))
    return out


# -- states -----------------------------------------------------------------------------------

def _states(e: dict, state: dict | None, creations: dict) -> tuple[dict | None, dict | None]:
    """The record before and after entry ``e`` (``state``: the record after the previous entry)."""
    action = e["action"]
    if action == "create":
        after = e["after"]
        if after is None:
            after = creations.get((e["batch_id"], e["row_no"]))
        return None, after
    if action == "update":
        before = e["before"] if e["before"] is not None else state
        return before, {**(before or {}), **(e["after"] or {})}
    if action == "delete":
        return e["before"] if e["before"] is not None else state, None
    return state, state  # refused attempts and other verbs change nothing


def _entry(e: dict, before: dict | None, after: dict | None) -> Entry:
    names = list(dict.fromkeys([*(before or {}), *(after or {})]))
    changed = [n for n in names if (before or {}).get(n) != (after or {}).get(n)] if before is not None and after is not None else []
    shown = after or before or {}
    name = next((str(shown[f]) for f in NAME_FIELDS if shown.get(f)), None)
    return Entry(id=e["id"], at=e["at"], actor=e["actor"], login=e["login"], action=e["action"], kind=e["kind"],
                 key=e["key"], batch_id=e["batch_id"], row_no=e["row_no"], note=e["note"], before=before, after=after,
                 changed=changed, name=name)


def may_see_personal(actor: Actor) -> bool:
    """Who reads the audit's states in full: the admin, who keeps the log; every other reader sees
    personal columns masked (``xiaoqi.core.privacy``)."""
    return actor.is_admin


def mask_state(kind: RecordKind | None, state: dict | None, actor: Actor) -> dict | None:
    """``state`` with its personal data masked unless ``actor`` may see it: the one place where the
    audit's output decides what to hide (a state of a kind no longer loaded has its ID numbers
    masked wherever they stand)."""
    if state is None or may_see_personal(actor):
        return state
    if kind is None:
        return {name: mask_text(value) for name, value in state.items()}
    return mask_values(kind, state)


def _masked(entry: Entry, actor: Actor) -> Entry:
    kind = get_kinds().get(entry.kind)
    entry.before = mask_state(kind, entry.before, actor)
    entry.after = mask_state(kind, entry.after, actor)
    if entry.note and not may_see_personal(actor):
        entry.note = mask_note(kind, entry.note)
    if entry.name and not may_see_personal(actor):
        entry.name = mask_text(entry.name)
    return entry


def _mask_key(kind: RecordKind | None, key: str, actor: Actor) -> str:
    if may_see_personal(actor):
        return key
    return mask_text(key) if kind is None else mask_key(kind, key)


# -- the two readers ---------------------------------------------------------------------------

def record_history(session, *, actor: Actor, kind: str | RecordKind, key: str) -> list[Entry]:
    """Every audit entry of one record that ``actor`` reads (``entry_scope``: all of them for a
    record in its read scope, a deleted one's by its last state), oldest first, with its full
    states."""
    from .services import _key_values

    kind = kind if isinstance(kind, RecordKind) else get_kind(kind)
    key_text = kind.key_of(_key_values(kind, key))
    conn = session.connection()
    where, params = "kind = :kind AND key = :key", {"kind": kind.name, "key": key_text}
    if scoped_login(conn):  # found by the key as written, in the login's scope (``logins.entries_of``)
        where = "id = ANY(ARRAY(SELECT xiaoqi_sec.entries_of(:kind, :key)))"
    scope, scope_params = entry_scope_sql(conn, actor, (kind.name,))
    if scope is not None:  # a record outside the scope reads as one without entries
        where, params = f"{where} AND ({scope})", {**params, **scope_params}
    raw = _rows(conn, where, params)
    if not raw:
        message = "history.none_login" if scoped_login(conn) else "history.none"
        raise NotFound(t(message, kind=kind.label(), key=_mask_key(kind, key_text, actor)))
    creations = _creations(conn, raw, actor, (kind, key_text))
    out, state = [], None
    for e in raw:
        before, after = _states(e, state, creations)
        state = after
        out.append(_masked(_entry(e, before, after), actor))
    for entry in out:
        entry.key = _mask_key(kind, entry.key, actor)
    return out


def kind_name(kind: str) -> str:
    """A record kind's name (Chinese names work too), or the name as given (``import_batches``)."""
    try:
        return get_kind(kind).name
    except KeyError:
        return kind


def parse_since(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        raise UsageError(t("history.bad_since", value=value)) from None


@dataclass
class EntryPage:
    entries: list[Entry]
    #: pass as ``before_id`` for the next (older) page; None at the end
    next_before: int | None


def list_entries(session, *, actor: Actor, kind: str | None = None, key: str | None = None, actor_filter: str | None = None,
                 since: dt.datetime | None = None, before_id: int | None = None, limit: int = 50,
                 states: bool = True) -> EntryPage:
    """A page of audit entries, newest first (keyset paging by id: pass ``next_before``).

    Admins and auditors see every entry; other actors the entries they wrote and those about
    records they may read (``entry_scope``). ``states``: rebuild
    the records' states (reads each import batch's file once per page for light entries)."""
    clauses, params = ["1 = 1"], {}
    if kind:
        clauses.append("kind = :kind")
        params["kind"] = kind_name(kind)
    if key:
        clauses.append("key = :key")
        params["key"] = key
    if actor_filter:
        clauses.append("(actor = :af OR login = :af)")
        params["af"] = actor_filter
    conn = session.connection()
    scope, scope_params = entry_scope_sql(conn, actor, (params["kind"],) if kind else None)
    if scope is not None:
        clauses.append(f"({scope})")
        params.update(scope_params)
    if since is not None:
        clauses.append("at >= :since")
        params["since"] = since
    if before_id is not None:
        clauses.append("id < :before_id")
        params["before_id"] = before_id
    if scoped_login(conn) and _has_function(conn, "entries_page(text, text, text, timestamp, integer, integer)"):
        # the login's page found in the table by the owner's function (along the primary key, each
        # entry judged until the page is full), then read through its masked view: the view alone
        # is judged and masked whole, then sorted (minutes for a school on a million entries)
        clauses = ["id = ANY(ARRAY(SELECT xiaoqi_sec.entries_page(:kind, :key, :af, CAST(:since AS timestamp), "
                   ":before_id, :page)))"]
        params = {"kind": None, "key": None, "af": None, "since": None, "before_id": None, **params, "page": limit + 1}
    raw = _rows(conn, " AND ".join(clauses), params, order="id DESC", limit=limit + 1)
    more = len(raw) > limit
    raw = raw[:limit]
    creations = _creations(conn, raw, actor) if states else {}
    entries = []
    for e in raw:
        before, after = _states(e, None, creations)
        entry = _masked(_entry(e, before, after), actor)
        entry.key = _mask_key(get_kinds().get(entry.kind), entry.key, actor)
        entries.append(entry)
    return EntryPage(entries=entries, next_before=raw[-1]["id"] if more and raw else None)


def entry_text(entry: Entry, kind: RecordKind | None = None) -> str:
    """One line for an entry: what changed, or the record created / deleted, or the note."""
    def cell(state: dict, name: str) -> Any:
        value = state.get(name)
        return "" if value is None else value

    if entry.action == "update" and entry.before is not None and entry.after is not None:
        return "; ".join(f"{_header(kind, n)}: {cell(entry.before, n)} → {cell(entry.after, n)}" for n in entry.changed)
    state = entry.after if entry.action == "create" else entry.before if entry.action == "delete" else None
    if state:
        return "; ".join(f"{_header(kind, n)}={v}" for n, v in state.items() if v not in (None, ""))
    if entry.note:
        return str(entry.note.get("reason") or entry.note)
    return ""


def _header(kind: RecordKind | None, name: str) -> str:
    return kind.by_name[name].header() if kind is not None and name in kind.by_name else name


def kind_label(name: str) -> str:
    kind = get_kinds().get(name)
    if kind is not None:
        return kind.label()
    return t("audit.kind.import_batches") if name == "import_batches" else name


def entry_summary(entry) -> str:
    """What an entry says, in one line: the changes, the record created, the note."""
    note = entry.note or {}
    if entry.action == "create" and entry.after is None and entry.batch_id is not None:
        return t("audit.show.from_file", batch=entry.batch_id, row=entry.row_no) + " " + t("audit.show.file_gone")
    text = entry_text(entry, get_kinds().get(entry.kind))
    if entry.action in ("create", "update") and entry.batch_id is not None and entry.row_no is not None:
        text = t("audit.show.from_file", batch=entry.batch_id, row=entry.row_no) + "：" + text
    if "undo_of" in note:
        text = t("audit.show.undo", batch=note["undo_of"]) + "：" + text
    return text

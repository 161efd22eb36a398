"""Reading the audit log: a record's whole history (``record_history``) and pages of entries
(``list_entries``), each entry with the record's full state before and after it.

A record an import created has a light entry (its batch and file row); its state is rebuilt from
the file the batch kept, parsed with the kind exactly as the import parsed it (``imported_rows``).
An update keeps the record before and the changed columns after; a delete keeps the record
before. So every state a full-snapshot log would show is recovered, entry by entry.

Personal data (the kinds' personal columns: ID numbers, phones, guardians) is masked for every
reader but the admin (``mask_state``, the one place that decides).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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


def _creations(conn, entries: list[dict]) -> dict[tuple[int, int], dict]:
    """The rebuilt records of the light create entries among ``entries``, one file read per batch."""
    by_batch: dict[int, set[int]] = {}
    for e in entries:
        if e["action"] == "create" and e["after"] is None and e["batch_id"] is not None and e["row_no"] is not None:
            by_batch.setdefault(e["batch_id"], set()).add(e["row_no"])
    out = {}
    for batch_id, rows in by_batch.items():
        has_file = conn.execute(sa.text("SELECT 1 FROM import_files WHERE batch_id = :b LIMIT 1"), {"b": batch_id}).first()
        if has_file is None:
            continue
        for number, state in imported_rows(conn, batch_id, rows).items():
            out[(batch_id, number)] = state
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
    """Every audit entry of one record, oldest first, with its full states. The actor must be
    allowed to see the record (a deleted record's history: admin and auditor only)."""
    from .services import _key_values, get_record

    kind = kind if isinstance(kind, RecordKind) else get_kind(kind)
    key_text = kind.key_of(_key_values(kind, key))
    conn = session.connection()
    raw = _rows(conn, "kind = :kind AND key = :key", {"kind": kind.name, "key": key_text})
    if actor.role not in ("admin", "auditor"):
        get_record(session, actor=actor, kind=kind, key=key_text)  # NotFound outside the actor's scope
    if not raw:
        raise NotFound(t("history.none", kind=kind.label(), key=_mask_key(kind, key_text, actor)))
    creations = _creations(conn, raw)
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

    Admins and auditors see every entry; other actors see the entries they wrote themselves (a
    record's whole history is ``record_history``, for records they may see). ``states``: rebuild
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
    if actor.role not in ("admin", "auditor"):
        clauses.append("actor = :me")
        params["me"] = str(actor)
    if since is not None:
        clauses.append("at >= :since")
        params["since"] = since
    if before_id is not None:
        clauses.append("id < :before_id")
        params["before_id"] = before_id
    conn = session.connection()
    raw = _rows(conn, " AND ".join(clauses), params, order="id DESC", limit=limit + 1)
    more = len(raw) > limit
    raw = raw[:limit]
    creations = _creations(conn, raw) if states else {}
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

"""The audit log: the one way every write path records what it did, and the hash chain that makes
the log tamper-evident.

Writing: ``record(session_or_connection, actor=, kind=, action=, key=, before=, after=, ...)``
adds one entry in the caller's transaction; a bulk writer (the importer) takes the transaction's
``Block`` with ``block_for(connection)`` and calls ``Block.add_created`` for many rows at once.
Each entry carries the SHA-256 of its content (``entry_hash``). The entries of one transaction form
one block; when the transaction commits, its block is chained (``Block.seal``, run by a ``commit``
event of every engine): the block's hash covers the previous block's hash, its position and its
entries' hashes in order. On PostgreSQL an advisory lock is held from the chaining to the commit,
so concurrent writers that commit at once still form one linear chain, while their transactions
ran side by side until then. On SQLite the write lock already serialises them.

``refused(...)`` records a write that was refused (permission, validation) in a transaction of its
own, after the refused one rolled back. ``verify(connection)`` walks the chain.

The log is append-only: the database refuses UPDATE and DELETE on ``audit_log`` and
``audit_blocks`` (triggers, migration 0003).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .i18n import catalogue, t
from .lazy import lazy_module

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

sa = lazy_module("sqlalchemy")  # imported by the first use: a command's --help imports no SQLAlchemy

catalogue(
    {
        "audit.verify.entry": ("内容与其哈希不符（写入后被修改）", "its content does not match its hash (changed after it was written)"),
        "audit.verify.unsealed": ("不属于任何已链接的区块（在 xiaoqi 之外插入，或其区块被删除）", "it belongs to no chained block (inserted outside xiaoqi, or its block was removed)"),
        "audit.verify.block": ("所在区块 {seq} 的哈希不符：区块中的条目被增删、调换或改写了哈希", "the hash of its block {seq} does not match: entries of the block were added, removed, reordered or had their hashes rewritten"),
        "audit.verify.count": ("所在区块 {seq} 应有 {expected} 条，实有 {found} 条", "its block {seq} should hold {expected} entries but holds {found}"),
        "audit.verify.link": ("区块 {seq} 没有接在前一个区块之后（链被改写或区块被删除）", "block {seq} does not follow the block before it (the chain was rewritten or a block removed)"),
        "audit.verify.gap": ("区块 {expected} 缺失（下一个是 {seq}）", "block {expected} is missing (the next is {seq})"),
        "audit.verify.batch": ("导入批次 {batch} 的文件 SHA-256 与审计记录不符", "the file SHA-256 of import batch {batch} does not match its audit entry"),
        "audit.verify.file": ("导入批次 {batch} 保存的文件与其 SHA-256 不符", "the stored file of import batch {batch} does not match its SHA-256"),
        "audit.verify.no_entry": ("导入批次 {batch} 没有对应的审计记录", "import batch {batch} has no audit entry"),
    }
)

ZERO = bytes(32)
#: the transaction's block in the DBAPI connection's ``info`` (cleared whenever a transaction begins or ends)
_BLOCK = "xiaoqi.audit.block"
#: PostgreSQL advisory lock (two int4 keys) held from chaining a block to the commit
LOCK_KEYS = (0x78716175, 1)  # "xqau", 1

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json_ready(values: dict | None) -> dict | None:
    return None if values is None else {k: jsonable(v) for k, v in values.items()}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _at(at: dt.datetime) -> str:
    return at.isoformat(sep=" ", timespec="microseconds")


# -- the format: what is hashed ---------------------------------------------------------------

def entry_content(block_id: int, at: dt.datetime, actor: str, login: str | None, kind: str, batch_id: int | None,
                  action: str, key: str, row_no: int | None, before: dict | None, after: dict | None,
                  note: dict | None) -> str:
    """The canonical text of an entry that its hash covers: a JSON array, keys sorted, no spaces."""
    return _encode([block_id, _at(at), actor, login, kind, batch_id, action, key, row_no, before, after, note])


def entry_hash(*fields) -> bytes:
    return hashlib.sha256(entry_content(*fields).encode()).digest()


def block_hash(prev: bytes, seq: int, block_id: int, entries: int, sealed_at: dt.datetime, entries_digest: bytes) -> bytes:
    """A block's hash: the previous block's hash, its position, size and time, and the SHA-256 of
    its entries' hashes concatenated in entry order."""
    head = _encode([seq, block_id, entries, _at(sealed_at)]).encode()
    return hashlib.sha256(bytes(prev) + head + entries_digest).digest()


# -- who is at the keyboard -------------------------------------------------------------------

_os_user: str | None = None


def os_user() -> str:
    global _os_user
    if _os_user is None:
        try:
            _os_user = getpass.getuser()
        except Exception:  # no login name in this environment (a container without passwd entry)
            _os_user = f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return _os_user


# -- blocks -----------------------------------------------------------------------------------

class Block:
    """The audit entries of one transaction on one connection."""

    def __init__(self, conn: Connection):
        self.raw = conn.connection.dbapi_connection
        self.sqlite = conn.dialect.name == "sqlite"
        self.ph = "?" if self.sqlite else "%s"
        cursor = self.raw.cursor()
        if self.sqlite:
            cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM audit_blocks")
            self.id = cursor.fetchone()[0]
            self.login = os_user()
        else:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('audit_blocks', 'id')), current_user")
            self.id, self.login = cursor.fetchone()
        cursor.close()
        json_ph = "?" if self.sqlite else "CAST(%s AS json)"
        p = self.ph
        # on PostgreSQL the login is the column's default (current_user): a login cannot write another's
        self.login_column = ", login" if self.sqlite else ""
        self.copy_into: str | None = None  # PostgreSQL: the table light entries are copied into
        self.insert_sql = (
            f"INSERT INTO audit_log (block_id, at, actor{self.login_column}, kind, batch_id, action, key, row_no, before, "
            f"after, note, hash) VALUES ({p}, {p}, {p}{', ' + p if self.sqlite else ''}, {p}, {p}, {p}, {p}, {p}, "
            f"{json_ph}, {json_ph}, {json_ph}, {p})")

    def _row(self, *values) -> tuple:
        """``values`` (block, at, actor, login, ...) without the login where the database fills it in."""
        return values if self.sqlite else values[:3] + values[4:]

    def _bound_at(self, at: dt.datetime):
        return _at(at) if self.sqlite else at

    def add(self, *, actor, kind: str, action: str, key: str, before: dict | None = None, after: dict | None = None,
            batch_id: int | None = None, row_no: int | None = None, note: dict | None = None,
            at: dt.datetime | None = None) -> None:
        """One entry (values made JSON-ready: dates as ISO text, money as text)."""
        self.add_many([dict(actor=actor, kind=kind, action=action, key=key, before=before, after=after,
                            batch_id=batch_id, row_no=row_no, note=note, at=at)])

    def add_many(self, entries: Iterable[dict]) -> None:
        rows = []
        for e in entries:
            at = e.get("at") or utcnow()
            actor = str(e["actor"])
            before, after, note = _json_ready(e.get("before")), _json_ready(e.get("after")), _json_ready(e.get("note"))
            digest = entry_hash(self.id, at, actor, self.login, e["kind"], e.get("batch_id"), e["action"], e["key"],
                                e.get("row_no"), before, after, note)
            rows.append(self._row(self.id, self._bound_at(at), actor, self.login, e["kind"], e.get("batch_id"), e["action"],
                                  e["key"], e.get("row_no"), _dump(before), _dump(after), _dump(note), digest))
        if rows:
            cursor = self.raw.cursor()
            cursor.executemany(self.insert_sql, rows)
            cursor.close()

    def add_created(self, *, at: dt.datetime, actor, kind: str, batch_id: int, keys: list[str], rows: list[int]) -> None:
        """Light entries for records an import created: the key and the file row of each, in the
        order the records were inserted (no snapshot: the batch keeps the file)."""
        if not keys:
            return
        actor = str(actor)
        head = _encode([self.id, _at(at), actor, self.login, kind, batch_id, "create"])[:-1] + ","
        # (a key is a string: ``_encode`` of it is ``encode_basestring``'s, without the encoder's call)
        sha, quote = hashlib.sha256, encode_basestring
        hashes = [sha(f"{head}{quote(k)},{r},null,null,null]".encode()).digest() for k, r in zip(keys, rows)]
        bound = self._bound_at(at)
        cursor = self.raw.cursor()
        if self.sqlite:
            p = self.ph
            cursor.executemany(
                "INSERT INTO audit_log (block_id, at, actor, login, kind, batch_id, action, key, row_no, hash) "
                f"VALUES ({self.id}, {p}, {p}, {p}, {p}, {batch_id}, 'create', {p}, {p}, {p})",
                [(bound, actor, self.login, kind, k, r, h) for k, r, h in zip(keys, rows, hashes)])
        else:
            from .io.pgwrite import copy_target

            if self.copy_into is None:  # a login's audit_log is its masked view: the table itself
                self.copy_into = copy_target(self.raw, "audit_log")
            with cursor.copy(f"COPY {self.copy_into} (block_id, at, actor, kind, batch_id, action, key, row_no, hash) "
                             "FROM STDIN") as copy:
                for k, r, h in zip(keys, rows, hashes):
                    copy.write_row((self.id, at, actor, kind, batch_id, "create", k, r, h))
        cursor.close()

    def seal(self) -> None:
        """Chain this block after the last one (called just before the transaction commits)."""
        p = self.ph
        cursor = self.raw.cursor()
        cursor.execute(f"SELECT hash FROM audit_log WHERE block_id = {p} ORDER BY id", (self.id,))
        digest, count = hashlib.sha256(), 0
        while rows := cursor.fetchmany(100_000):
            digest.update(b"".join(bytes(r[0]) for r in rows))
            count += len(rows)
        if count:
            if not self.sqlite:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", LOCK_KEYS)
            cursor.execute("SELECT seq, hash FROM audit_blocks ORDER BY seq DESC LIMIT 1")
            last = cursor.fetchone()
            seq, prev = (last[0] + 1, bytes(last[1])) if last else (1, ZERO)
            sealed_at = utcnow()
            value = block_hash(prev, seq, self.id, count, sealed_at, digest.digest())
            cursor.execute(f"INSERT INTO audit_blocks (id, seq, prev_hash, hash, entries, sealed_at) "
                           f"VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
                           (self.id, seq, prev, value, count, self._bound_at(sealed_at)))
        cursor.close()


def _dump(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _connection(target) -> Connection:
    return target if isinstance(target, sa.engine.Connection) else target.connection()


def block_for(target) -> Block:
    """The audit block of the transaction ``target`` (a Session or a Connection) is in, opened on
    first use; it is chained when that transaction commits."""
    conn = _connection(target)
    block = conn.info.get(_BLOCK)
    if block is None:
        install(conn.engine)
        block = conn.info[_BLOCK] = Block(conn)
    return block


def record(target, *, actor, kind: str, action: str, key: str, before: dict | None = None, after: dict | None = None,
           batch_id: int | None = None, row_no: int | None = None, note: dict | None = None) -> None:
    """Add one audit entry in the transaction of ``target`` (a Session or a Connection).

    ``action``: ``create`` (``after`` = the record), ``update`` (``before`` = the record, ``after``
    = the whole record after it: only the changed columns are kept), ``delete`` (``before``), or a
    verb of the writer's own (``import``, ``undo``, a plugin's ``grant`` ...) with ``note``."""
    if action == "update" and before is not None and after is not None:
        after = changed(before, after)
    block_for(target).add(actor=actor, kind=kind, action=action, key=key, before=before, after=after,
                          batch_id=batch_id, row_no=row_no, note=note)


def changed(before: dict, after: dict) -> dict:
    """The columns of ``after`` whose values differ from ``before`` (JSON-ready)."""
    b, a = _json_ready(before), _json_ready(after)
    return {name: value for name, value in a.items() if b.get(name) != value or name not in b}


def refused(engine: Engine, *, actor, kind: str, action: str, key: str, reason: str, values: dict | None = None,
            batch_id: int | None = None) -> None:
    """Record a refused write (``action``: what was attempted) in a transaction of its own: call it
    after the refused transaction rolled back (on SQLite, while it still held the write lock, this
    would wait for it)."""
    from .db import write_session

    note = {"action": action, "reason": reason}
    if values:
        note["values"] = _json_ready(values)
    with write_session(engine) as session:
        block_for(session).add(actor=actor, kind=kind, action="refused", key=key, batch_id=batch_id, note=note)


@contextlib.contextmanager
def refusals(*, actor, kind: str, action: str, key: str, values: dict | None = None):
    """Marks a permission or validation refusal raised inside as an attempt to record:
    ``core.db.write_session`` records it with ``refused`` after its transaction rolled back.
    (Wrap a plugin's own writing service in it to have its refusals logged the same way.)"""
    from .errors import PermissionDenied, ValidationFailed

    try:
        yield
    except (PermissionDenied, ValidationFailed) as exc:
        if getattr(exc, "attempt", None) is None:
            exc.attempt = dict(actor=actor, kind=kind, action=action, key=key, reason=str(exc), values=values)
        raise


# -- the commit hook --------------------------------------------------------------------------

def _forget_on_begin(conn) -> None:
    conn.info.pop(_BLOCK, None)


def _forget_on_rollback(conn) -> None:
    conn.info.pop(_BLOCK, None)


def _seal_on_commit(conn) -> None:
    block = conn.info.pop(_BLOCK, None)
    if block is not None:
        block.seal()


def install(engine: Engine) -> None:
    """Seal each transaction's audit block when it commits, on ``engine`` (``make_engine`` calls it,
    ``block_for`` too for an engine made elsewhere). Only xiaoqi's engines get the listeners: other
    engines of the process are left as SQLAlchemy made them."""
    if not sa.event.contains(engine, "commit", _seal_on_commit):
        sa.event.listen(engine, "begin", _forget_on_begin)
        sa.event.listen(engine, "rollback", _forget_on_rollback)
        sa.event.listen(engine, "commit", _seal_on_commit)


# -- verification -----------------------------------------------------------------------------

@dataclass
class Mismatch:
    """The first entry (by its place in the chain) that does not match, and why."""

    entry_id: int | None
    seq: int | None
    reason: str
    entry: dict = field(default_factory=dict)


@dataclass
class Verification:
    blocks: int = 0
    entries: int = 0
    #: the hash of the last block: write it down to check later that nothing was rewritten since
    head: bytes | None = None
    problems: list[Mismatch] = field(default_factory=list)
    batches: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


ENTRY_COLUMNS = ("id", "block_id", "at", "actor", "login", "kind", "batch_id", "action", "key", "row_no", "before",
                 "after", "note", "hash")


def _loaded(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _datetime(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def verify(conn: Connection, *, files: bool = False, progress: Callable[[int], None] | None = None) -> Verification:
    """Walk the chain: every entry's hash against its content, every block's hash against its
    entries and the block before, every import batch's SHA-256 against its audit entry (and, with
    ``files``, against the stored file). Read in one snapshot."""
    out = Verification()
    raw = conn.connection.dbapi_connection
    cursor = raw.cursor()
    cursor.execute("SELECT id, seq, prev_hash, hash, entries, sealed_at FROM audit_blocks ORDER BY seq")
    blocks = {row[0]: row for row in cursor.fetchall()}
    found: dict[int, list] = {}  # block id -> [digest, count, first entry id]
    cursor.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM audit_log ORDER BY id")
    bad_entries: list[Mismatch] = []
    import_sha: dict[int, str] = {}
    while rows := cursor.fetchmany(50_000):
        for row in rows:
            (eid, block_id, at, actor, login, kind, batch_id, action, key, row_no, before, after, note, stored) = row
            before, after, note = _loaded(before), _loaded(after), _loaded(note)
            stored = bytes(stored) if stored is not None else None
            out.entries += 1
            if action == "import" and kind == "import_batches" and after:
                import_sha[int(key)] = after.get("sha256")
            summary = {"at": _at(_datetime(at)), "actor": actor, "login": login, "action": action, "kind": kind, "key": key}
            if block_id not in blocks:
                bad_entries.append(Mismatch(eid, None, t("audit.verify.unsealed"), summary))
                continue
            if entry_hash(block_id, _datetime(at), actor, login, kind, batch_id, action, key, row_no, before, after,
                          note) != stored:
                bad_entries.append(Mismatch(eid, blocks[block_id][1], t("audit.verify.entry"), summary))
            state = found.get(block_id)
            if state is None:
                state = found[block_id] = [hashlib.sha256(), 0, eid, summary]
            state[0].update(stored or b"")
            state[1] += 1
        if progress:
            progress(out.entries)
    problems = list(bad_entries)
    prev, expected_seq = ZERO, 1
    for block_id, seq, prev_hash, value, entries, sealed_at in blocks.values():
        out.blocks += 1
        digest, count, first, summary = found.get(block_id, (hashlib.sha256(), 0, None, {}))
        if seq != expected_seq:
            problems.append(Mismatch(first, seq, t("audit.verify.gap", expected=expected_seq, seq=seq), summary))
        elif bytes(prev_hash) != prev:
            problems.append(Mismatch(first, seq, t("audit.verify.link", seq=seq), summary))
        if count != entries:
            problems.append(Mismatch(first, seq, t("audit.verify.count", seq=seq, expected=entries, found=count), summary))
        elif block_hash(bytes(prev_hash), seq, block_id, entries, _datetime(sealed_at), digest.digest()) != bytes(value):
            problems.append(Mismatch(first, seq, t("audit.verify.block", seq=seq), summary))
        prev, expected_seq = bytes(value), seq + 1
    out.head = prev if blocks else None
    cursor.execute("SELECT id, sha256, status FROM import_batches ORDER BY id")
    for batch, sha, status in cursor.fetchall():
        out.batches += 1
        if batch not in import_sha:
            if status != "refused" and sha and _has_file(raw, batch):
                problems.append(Mismatch(None, None, t("audit.verify.no_entry", batch=batch), {"batch": batch}))
            continue
        if import_sha[batch] != sha:
            problems.append(Mismatch(None, None, t("audit.verify.batch", batch=batch), {"batch": batch}))
        elif files and _has_file(raw, batch):
            from .io.stored import file_digest

            out.files += 1
            if file_digest(raw, batch) != sha:
                problems.append(Mismatch(None, None, t("audit.verify.file", batch=batch), {"batch": batch}))
    cursor.close()
    # in the order of the log: a block's problem stands at its first entry; the batches' last
    problems.sort(key=lambda m: (m.entry_id is None, m.entry_id or 0))
    out.problems = problems
    return out


def _has_file(raw, batch: int) -> bool:
    cursor = raw.cursor()
    cursor.execute("SELECT 1 FROM import_files WHERE batch_id = " + str(int(batch)) + " LIMIT 1")
    found = cursor.fetchone() is not None
    cursor.close()
    return found

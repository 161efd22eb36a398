"""``xiaoqi import``: a file of one record kind, validated completely before anything is kept, then
upserted by natural key with audit entries, in one transaction.

How it stays fast on a million rows:

- Rows are parsed a batch at a time, column by column (``rows.RowParser``), and made ready for the
  database (``rows.Preparer``: bound values, keys). For a large CSV file or workbook on a machine
  with two or more cores this runs in a parse worker process (``worker``), which opens the
  file itself, while this process checks and writes the previous batch; the problems found are the
  same objects with the same texts either way, and nothing is written by the worker.
- References, unique columns and existing records are looked up once per batch with ``IN (...)``
  queries (a reference found once is remembered for the rest of the import); the internship's
  student and the student's school come from one lookup. When the import is about as large as a
  referenced table, that table's keys are read once, whole, instead (``refcheck.ReferenceCheck``). Into an empty
  table, only keys that may repeat an earlier row of the file are looked up (``created_hashes``).
- Rows are written with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL, ``pgwrite``: a login's
  rows staged in a temporary table and moved by one ``INSERT ... SELECT`` under its row-level
  security; lookups pass their values as arrays) in natural-key order
  within each batch — never one ORM object or one query per row. The audit entries of created
  rows are light (``audit.Block.add_created``): key, file row and hash, no snapshot.
- When an import creates many rows compared with what the table holds, its secondary (non-unique)
  indexes are dropped inside the transaction and rebuilt, from their own stored definitions, before
  the commit (``indexes.IndexPause``): building an index once from sorted data is several times faster than a million
  random insertions into it (on PostgreSQL by the table's owner only, under the table's exclusive
  lock when it comes at once: readers wait for such an import; see ``indexes``). Unique indexes
  stay in force throughout. Foreign keys are checked by the import itself, set-wise, rather than
  by the database row by row, when the import checks every one of them (``_checks_foreign_keys``):
  on SQLite they are off for the import's connection; on PostgreSQL the owner's large import drops
  them with the indexes and adds them again before the commit (one validating query each). A
  rollback (invalid rows, dry run, any error) restores the indexes and keys with everything else.

Where the time goes (``bench/import.py``, 1,000,000 internships on a 2-core machine): most of it
is the database's own work — the rows, their unique index, the rebuilt indexes, a million audit
entries, the commit — which the benchmark measures alone, in the same run, as its "floor";
parsing runs beside it in the worker.

Audit (``core.audit``): every created or updated row gets one ``audit_log`` entry in the import's
block. A created row's entry is light: ``batch_id`` and ``row_no`` (the file row) instead of a
snapshot; the batch keeps the file itself, compressed, with its SHA-256 (``stored``), so the
record as created is the file's row parsed with the kind as this import parsed it
(``core.history``). Updates keep the record before and the changed columns after. The batch itself
gets an ``import`` entry (file, SHA-256, counts), so the file is covered by the hash chain. An
import refused for invalid rows leaves a ``refused`` batch with its first problems and a
``refused`` entry, written after the rollback.

How it stays atomic: everything runs in one write transaction (``BEGIN IMMEDIATE`` on SQLite; the
target table locked against other writers on PostgreSQL), batches are written as they are checked
so that later rows may refer to earlier ones, and the transaction is rolled back at the end when a
row was invalid (unless ``skip_invalid``) or for a dry run. The counts of a dry run are therefore
exactly those of the real import.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import itertools
import os
import sys
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlalchemy as sa
from sqlmodel import Session

from .. import audit
from ..access import rows_allowed, run_guards, stored_allowed
from ..actors import Actor
from ..db import is_sqlite
from ..errors import PermissionDenied, XiaoqiError
from ..i18n import catalogue, t
from ..kinds import RecordKind, get_kind
from ..models import ImportBatch
from ..plugins import get_plugin_manager
from ..privacy import mask_cell, mask_echoes, mask_key, mask_value
from ..references import Resolver
from ..audit import jsonable, utcnow
from . import pgwrite, readers, stored
from .indexes import IndexPause
from .indexes import checks_foreign_keys as _checks_foreign_keys  # (SQLite: its foreign_keys off for the import)
from .refcheck import ReferenceCheck
from .rows import Layout, Notices, Prepared, Preparer, Problem, is_english_header_row, map_headers

catalogue(
    {
        "io.dup.file": ("与第 {row} 行的主键（{key}）重复", "same key ({key}) as row {row}"),
        "io.dup.earlier": ("与本文件前面一行的主键（{key}）重复", "same key ({key}) as an earlier row of this file"),
        "io.unique.file": ("{columns}与第 {row} 行重复（{value}）", "{columns} repeats row {row} ({value})"),
        "io.unique.db": ("{columns}「{value}」已被另一条{kind}（{key}）使用", "{columns} '{value}' is already used by another {kind} ({key})"),
        "import.refused.reason": ("{n} 行有误，未导入任何记录", "{n} invalid rows; nothing was imported"),
        "io.commit_unknown": ("提交导入时与数据库服务器的连接中断：无法确定导入是否已生效。请查看导入批次 {batch}（xiaoqi imports show {batch}）：它记有完成时间和行数，说明导入已生效；查不到则没有生效，可重新导入。",
                              "The connection to the database server dropped while the import was being committed: whether it took effect is unknown. Look up import batch {batch} (xiaoqi imports show {batch}): if it is there with its finish time and counts, the import took effect; if not, nothing was written and the file can be imported again."),
    }
)


class CommitUnknown(XiaoqiError):
    """The connection dropped during COMMIT: the outcome is known only to the server."""


BATCH_ROWS = 10_000
#: bound parameters per query (SQLite's limit is 32,766; PostgreSQL's 65,535)
MAX_PARAMS = 30_000
#: SQLite page cache of the importing connection (KiB)
CACHE_KIB = 384 * 1024
#: helper threads SQLite may use to sort while it builds an index again (``indexes.IndexPause``)
SORT_THREADS = 2
#: SQLite settings of the importing connection while it imports (the benchmark's floor uses them too)
SQLITE_PRAGMAS = {"cache_size": -CACHE_KIB, "temp_store": 2, "threads": SORT_THREADS}
#: a CSV file from this size on is parsed by a worker process (when there are two or more cores)
PARALLEL_BYTES = 4 * 1024 * 1024
#: and a workbook from this size on (compressed: about 10,000 rows of a wide sheet)
PARALLEL_EXCEL_BYTES = 1024 * 1024
#: problems kept with a batch (``import_batches.problems``); the count of invalid rows is complete
KEPT_PROBLEMS = 200


@dataclass
class ImportResult:
    kind: str
    file: str
    sha256: str
    unit: str = "row"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: names of references kept as text (no record or several with that name): notices, not errors
    unresolved: Notices = field(default_factory=Notices)
    invalid_rows: set[int] = field(default_factory=set)
    dry_run: bool = False
    skip_invalid: bool = False
    #: True when the changes were committed
    written: bool = False
    batch_id: int | None = None
    encoding: str | None = None
    english_row: bool = False

    @property
    def invalid(self) -> int:
        return len(self.invalid_rows)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "file": self.file, "sha256": self.sha256, "rows": self.rows, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "invalid": self.invalid, "dry_run": self.dry_run,
            "written": self.written, "batch_id": self.batch_id, "problems": [p.as_dict() for p in self.problems],
            "unresolved": [p.as_dict() for p in self.unresolved],
        }


def check_importable(kind: RecordKind, actor: Actor) -> None:
    """Refuse an import of a kind kept by its own service, or by an actor that may neither create
    nor update records of the kind."""
    if not kind.writable:
        raise PermissionDenied(t("access.service_only", kind=kind.label(), service=kind.rights.service))
    if not (kind.rights.allows("create", actor.role) or kind.rights.allows("update", actor.role)):
        if actor.read_only:
            raise PermissionDenied(t("err.read_only", actor=actor.label()))
        raise PermissionDenied(t("err.permission_kind", actor=actor.label(), action=t("action.import"),
                                 kind=kind.label(), hint=t("err.permission.hint")))


@contextlib.contextmanager
def gc_paused():
    """The cyclic garbage collector off for the block, as it was after it. An import makes millions
    of objects and no reference cycles, so the collector would walk the growing heap over and over
    for nothing; but the switch is process-wide, so only a program that owns its process (the
    ``xiaoqi import`` command) uses it — ``import_file`` itself leaves the collector alone, for a
    TUI session or an embedding application."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def import_file(engine, *, actor: Actor, kind: str | RecordKind, path: str | Path, sheet: str | None = None,
                dry_run: bool = False, skip_invalid: bool = False, batch_rows: int = BATCH_ROWS,
                progress: Callable[[int, int], None] | None = None, encoding: str | None = None,
                limits: readers.Limits = readers.DEFAULT_LIMITS) -> ImportResult:
    """Import ``path`` into ``kind`` as ``actor``. Raises ``FileProblem`` for a file that cannot be
    read at all (or is beyond ``limits``); row problems are in the result (nothing is committed
    when there are any, unless ``skip_invalid``). ``encoding`` names a CSV file's encoding.
    ``progress(done, total)`` is called after each batch."""
    kind = kind if isinstance(kind, RecordKind) else get_kind(kind)
    check_importable(kind, actor)
    path = Path(path)
    table = batches = None
    kept: stored.StoredFile | None = None
    try:
        result = ImportResult(kind=kind.name, file=path.name, sha256="", dry_run=dry_run, skip_invalid=skip_invalid)
        if _parallel(engine, path):
            from .worker import parse_in_worker

            # the worker opens the file itself (a workbook is read whole, once, there); the file's
            # digest and compressed copy are made meanwhile (hashing, compressing and reading
            # release the GIL)
            with ThreadPoolExecutor(1) as pool:
                reading = pool.submit(stored.read_file, path, keep=not dry_run)
                batches = parse_in_worker(path, kind, engine.dialect, batch_rows, sheet=sheet, typed=_typed(path),
                                          encoding=encoding, limits=limits)
                kept = reading.result()
            table = batches.table if batches is not None else None
        if table is None:
            table = readers.open_table(path, sheet=sheet, encoding=encoding, limits=limits)
        layout = map_headers(kind, table.headers)
        result.unit, result.encoding = table.unit, table.encoding
        if kept is None:
            kept = stored.read_file(path, keep=not dry_run)
        result.sha256 = kept.sha256
        if batches is None:
            batches = _parse_here(table, layout, result, Preparer(layout, engine.dialect), batch_rows, _typed(path))
        position = [0]
        with _Importer(engine, actor, kind, layout, result, kept, sheet) as importer:
            importer.estimate = lambda: _estimated_rows(table, result, position[0])
            for prepared in batches:
                position[0] = prepared.position
                if prepared.english_row:
                    result.english_row = True
                importer.take(prepared)
                if progress and table.big:
                    progress(prepared.position, table.total)
            # every surface that reports a problem (terminal, --errors file, JSON, the batch) shows it
            # masked to every actor but the admin
            if not actor.is_admin:
                _mask_problems(kind, layout, result)
            importer.finish(commit=not dry_run and (skip_invalid or not result.problems))
    finally:
        if batches is not None:
            batches.close()
        if table is not None:
            table.close()
    if not result.written and not dry_run and result.problems:
        _record_refusal(engine, actor, kind, result, kept, sheet)
    return result


def _mask_problems(kind: RecordKind, layout, result: ImportResult) -> None:
    """The problems' values and reasons with personal data masked: a personal column's value by
    its mask, and any valid ID number wherever it stands (a bad cell is echoed to the importer,
    and its file may carry other people's numbers)."""
    personal = kind.rights.personal
    by_header = {layout.header(name): name for name in personal}

    def masked(p: Problem) -> Problem:
        name = by_header.get(p.column)
        value = mask_value(personal[name], p.value) if name else mask_cell(kind, p.column, p.value)
        return Problem(p.row, p.column, value, mask_echoes(p.reason, [(p.value, value)]))

    result.problems[:] = [masked(p) for p in result.problems]
    result.unresolved = result.unresolved.masked(masked)


def _batch_values(kind: RecordKind, actor: Actor, result: ImportResult, kept: stored.StoredFile, sheet: str | None,
                  at, login: str) -> dict:
    values = dict(kind=kind.name, file_name=result.file[:500], sha256=result.sha256, actor=str(actor), started_at=at,
                  dry_run=result.dry_run, sheet=sheet, encoding=result.encoding, file_size=kept.size)
    if login is not None:  # (PostgreSQL fills in current_user itself)
        values["login"] = login
    return values


def _problems(result: ImportResult) -> list[dict]:
    return [p.as_dict() for p in result.problems[:KEPT_PROBLEMS]]


def batch_summary(result: ImportResult, kept: stored.StoredFile, sheet: str | None) -> dict:
    """What the batch's own audit entry keeps (its file's name, SHA-256 and size, and the counts)."""
    return {"kind": result.kind, "file_name": result.file, "sha256": result.sha256, "file_size": kept.size, "sheet": sheet,
            "encoding": result.encoding, "rows": result.rows, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "invalid": result.invalid}


def _record_refusal(engine, actor: Actor, kind: RecordKind, result: ImportResult, kept: stored.StoredFile,
                    sheet: str | None) -> None:
    """An import refused for its invalid rows: a ``refused`` batch (its file's name and SHA-256, its
    counts and first problems, not the file) and a ``refused`` entry, after the rollback."""
    from ..db import write_session

    with write_session(engine) as session:
        block = audit.block_for(session)
        at = utcnow()
        values = _batch_values(kind, actor, result, kept, sheet, at, block.login if block.sqlite else None)
        values.update(finished_at=at, rows=result.rows, created=0, updated=0, unchanged=result.unchanged,
                      invalid=result.invalid, status="refused", problems=_problems(result))
        batch_id = session.execute(sa.insert(ImportBatch.__table__).values(**values)).inserted_primary_key[0]
        first = result.problems[0]
        block.add(actor=actor, kind="import_batches", action="refused", key=str(batch_id), batch_id=batch_id,
                  note={"action": "import", "kind": kind.name, "reason": t("import.refused.reason", n=result.invalid),
                        "first": first.as_dict(), "summary": batch_summary(result, kept, sheet)})


def _typed(path: Path) -> bool:
    """Spreadsheet and JSON cells are typed (1, 1.0 and True differ); CSV cells are all text."""
    return readers.file_format(path) != "csv"


def _parallel(engine, path: Path) -> bool:
    """Parse in a worker process: a large CSV file or workbook and a second core to run on (on
    PostgreSQL the server's own work runs beside both). JSON is read whole to check its shape, in
    process."""
    if not path.is_file():
        return False
    fmt = readers.file_format(path)
    threshold = {"csv": PARALLEL_BYTES, "excel": PARALLEL_EXCEL_BYTES}.get(fmt)
    if threshold is None or path.stat().st_size < threshold:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores >= 2


def _parse_here(table: readers.Table, layout: Layout, result: ImportResult, preparer: Preparer, batch_rows: int,
                typed: bool) -> Iterator[Prepared]:
    rows = _data_rows(table, layout, result)
    while True:
        chunk = list(itertools.islice(rows, batch_rows))
        if not chunk:
            return
        yield preparer.prepare(chunk, typed=typed, position=table.position())


def _estimated_rows(table: readers.Table, result: ImportResult, done: int) -> int:
    """How many rows the whole file holds, judged from how far the reader got (``done``)."""
    if table.unit != "row" or not table.total:
        return result.rows
    if table.encoding is not None:  # CSV: the position is in bytes
        return int(result.rows * table.total / done) if done else result.rows
    return max(result.rows, table.total)


def _data_rows(table: readers.Table, layout: Layout, result: ImportResult):
    """The non-blank rows, without a template's English header row."""
    first = True
    for number, cells in table.rows:
        if not (cells and cells[0].__class__ is str and cells[0].strip()) and _blank_row(cells):
            continue
        if first:
            first = False
            if table.unit == "row" and is_english_header_row(layout, cells):
                result.english_row = True
                continue
        yield number, cells


def _blank_row(cells) -> bool:
    for cell in cells:  # stops at the first filled cell, usually the first
        if cell is not None and (cell.__class__ is not str or cell.strip()):
            return False
    return not isinstance(cells, readers.NotAnObject)


@dataclass
class TableColumns:
    """How an import reads and compares the rows of its table: ``stored`` the kind's columns the
    table holds, ``select`` every column read back for an existing record (``stored`` first) and
    ``index`` their positions in such a row (after ``id``), ``key_positions`` the key's; ``loaders``
    turn SQLite's stored values back into Python ones (None on PostgreSQL); ``uniques`` the unique
    column sets besides the key that a file row may collide on."""

    stored: list[str]
    select: list[str]
    index: dict[str, int]
    key_positions: list[int]
    loaders: dict[str, Any]
    uniques: list[tuple[str, ...]]


def table_columns(kind: RecordKind, dialect, sqlite: bool) -> TableColumns:
    table = kind.model.__table__
    stored = [c.name for c in kind.columns if c.name in table.c]
    loaders = {}
    for name in table.c.keys():
        col_type = table.c[name].type.dialect_impl(dialect)
        # psycopg returns dates, Decimals and booleans itself; SQLite stores text and numbers
        loaders[name] = col_type.result_processor(dialect, None) if sqlite else None
    uniques = []
    key = set(kind.key)
    for cons in table.constraints:
        if isinstance(cons, sa.UniqueConstraint):
            names = tuple(c.name for c in cons.columns)
            if set(names) != key and set(names) <= set(stored):
                uniques.append(names)
    for c in table.columns:
        if c.unique and c.name != "id" and {c.name} != key and c.name in stored:
            uniques.append((c.name,))
    select = stored + [n for n in table.c.keys() if n not in stored and n != "id"]
    return TableColumns(stored=stored, select=select, index={name: pos + 1 for pos, name in enumerate(select)},
                        key_positions=[1 + select.index(k) for k in kind.key], loaders=loaders, uniques=uniques)


class _Importer:
    """The database side of one import: one connection, one transaction."""

    def __init__(self, engine, actor: Actor, kind: RecordKind, layout: Layout, result: ImportResult,
                 kept: stored.StoredFile, sheet: str | None):
        self.engine, self.actor, self.kind, self.layout, self.result = engine, actor, kind, layout, result
        self.kept, self.sheet = kept, sheet
        self.sqlite = is_sqlite(engine)
        self.table: sa.Table = kind.model.__table__
        self.at = utcnow()
        #: the ids this import gave to the rows it created, and their file row numbers:
        #: (first id, rows) runs, so that a repeated key names the row it repeats
        self.created_runs: list[tuple[int, array]] = []
        self.updated_rows: dict[int, int] = {}  # id of an existing record this import matched -> file row
        self.session: Session | None = None
        self.references = ReferenceCheck(self)
        # the transaction's state, set when it begins (``__enter__``)
        self.conn: sa.Connection | None = None
        self.raw = None  # the DBAPI connection under ``conn`` (raw cursors, PRAGMAs)
        self.pragmas: dict[str, Any] = {}  # SQLite settings changed for the import, with their old values
        self.trans: sa.Transaction | None = None
        self.dialect = engine.dialect
        self.ph = "?" if self.sqlite else "%s"  # the driver's parameter placeholder
        self.max_before = 0  # the table's highest id before the import
        self.touched = bytearray()  # existing records this import matched, by id
        #: when the table was empty: the hashes of the keys this import created, so that a batch
        #: looks up only the keys that may repeat an earlier row instead of all of them
        self.created_hashes: set[int] | None = None
        self.block: audit.Block | None = None  # the import's audit block
        self.columns: TableColumns = table_columns(kind, engine.dialect, self.sqlite)
        self.estimate: Callable[[], int] = lambda: result.rows
        self.indexes = IndexPause(self)
        self.copier: pgwrite.CopyWriter | None = None  # PostgreSQL: the COPY of created rows
        self.resolver = Resolver(kind, layout.present)

    # -- transaction -------------------------------------------------------------------------
    def __enter__(self):
        engine = self.engine
        self.conn = (engine.connect().execution_options(sqlite_begin="IMMEDIATE") if self.sqlite else engine.connect())
        self.raw = self.conn.connection.dbapi_connection
        try:
            self._begin()
        except BaseException:
            # (a locked database, a lost server): the connection goes back to the pool as it came
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _begin(self) -> None:
        if self.sqlite:
            # set on the bare connection, before the transaction (SQLite ignores foreign_keys inside
            # one), and restored in __exit__ before the connection goes back to the pool:
            # - a large page cache while it writes (index insertions into a small cache cost twice
            #   the time) and temporary sorts in memory;
            # - foreign keys checked by this import itself, set-wise, instead of by SQLite row by row
            #   (see ``_checks_foreign_keys``)
            # - the dropped indexes rebuilt with a helper thread for the sort (the parse worker has
            #   finished by then, so the second core is free)
            wanted = dict(SQLITE_PRAGMAS)
            if _checks_foreign_keys(self.kind, self.raw):
                wanted["foreign_keys"] = 0
            for name, value in wanted.items():
                self.pragmas[name] = self.raw.execute(f"PRAGMA {name}").fetchone()[0]
                self.raw.execute(f"PRAGMA {name} = {value}")
        self.trans = self.conn.begin()
        if not self.sqlite:
            # other writers of this table wait; readers do not
            self.conn.exec_driver_sql(f'LOCK TABLE "{self.table.name}" IN SHARE ROW EXCLUSIVE MODE')
        self.max_before = self.conn.execute(sa.select(sa.func.max(self.table.c.id))).scalar() or 0
        self.touched = bytearray(self.max_before + 1)
        self.created_hashes: set[int] | None = set() if self.max_before == 0 else None
        self.block = audit.block_for(self.conn)
        self.result.batch_id = self.conn.execute(sa.insert(ImportBatch.__table__).values(
            **_batch_values(self.kind, self.actor, self.result, self.kept, self.sheet, self.at,
                            self.block.login if self.sqlite else None)
        )).inserted_primary_key[0]

    def __exit__(self, exc_type, exc, tb):
        if self.session is not None:
            self.session.close()
        if self.trans is not None and self.trans.is_active:
            self.trans.rollback()
        for name, value in self.pragmas.items():  # outside any transaction again
            self.raw.execute(f"PRAGMA {name} = {value}")
        self.conn.close()
        return False

    def finish(self, *, commit: bool) -> None:
        r = self.result
        if not commit:
            self.trans.rollback()
            return
        self.indexes.restore()
        self.conn.execute(sa.update(ImportBatch.__table__).where(ImportBatch.__table__.c.id == r.batch_id).values(
            finished_at=utcnow(), rows=r.rows, created=r.created, updated=r.updated, unchanged=r.unchanged,
            invalid=r.invalid, problems=_problems(r) or None))
        stored.write_parts(self.raw, r.batch_id, self.kept, sqlite=self.sqlite)
        self.block.add(actor=self.actor, kind="import_batches", action="import", key=str(r.batch_id), batch_id=r.batch_id,
                       after=batch_summary(r, self.kept, self.sheet), at=self.at)
        if self.session is not None:
            self.session.flush()
        try:
            self.trans.commit()  # chains the import's audit block (audit._seal_on_commit)
        except sa.exc.DBAPIError as exc:
            if self.sqlite or not exc.connection_invalidated:
                raise
            # the server may have committed before the connection dropped: only it knows
            raise CommitUnknown(t("io.commit_unknown", batch=r.batch_id)) from None
        r.written = True

    # -- queries -----------------------------------------------------------------------------
    def lookup(self, table: sa.Table, match: tuple[str, ...], tuples, select: list[str],
               condition: str | None = None) -> list[tuple]:
        """Rows of ``table`` (the ``select`` columns, raw as stored) whose ``match`` columns equal
        one of ``tuples`` (bound values), and that meet ``condition`` (SQL on alias ``t``), in as
        few queries as the parameter limit allows.

        On SQLite, one column: ``IN (...)``; several: a join with a ``VALUES`` list, answered
        through the table's index (SQLite scans the whole table for ``(a, b) IN (VALUES ...)``). On
        PostgreSQL the values go as arrays (``pgwrite.lookup``)."""
        tuples = list(tuples)
        out: list[tuple] = []
        if not tuples:
            return out
        if not self.sqlite:
            return pgwrite.lookup(self.raw, table, match, tuples, select, condition, self.dialect)
        cols = ", ".join(f't."{n}"' for n in select)
        per = max(1, MAX_PARAMS // len(match))
        cursor = self.raw.cursor()
        for start in range(0, len(tuples), per):
            part = tuples[start:start + per]
            if len(match) == 1:
                sql = f'SELECT {cols} FROM "{table.name}" t WHERE t."{match[0]}" IN ({", ".join([self.ph] * len(part))})'
                if condition:
                    sql += f" AND ({condition})"
                params = tuple(p[0] for p in part)
            else:
                row = "(" + ", ".join([self.ph] * len(match)) + ")"
                names = [f"column{k}" for k in range(1, len(match) + 1)]
                alias = "k" if self.sqlite else f"k({', '.join(names)})"
                on = " AND ".join(f't."{m}" = k.{n}' for m, n in zip(match, names))
                sql = f'SELECT {cols} FROM (VALUES {", ".join([row] * len(part))}) AS {alias} JOIN "{table.name}" t ON {on}'
                if condition:
                    sql += f" WHERE {condition}"
                params = tuple(v for p in part for v in p)
            cursor.execute(sql, params)
            out.extend(cursor.fetchall())
        cursor.close()
        return out

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            cursor = self.raw.cursor()
            cursor.executemany(sql, rows)
            cursor.close()

    def insert(self, names: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{n}"' for n in names)
        if self.sqlite:
            self.executemany(f'INSERT INTO "{self.table.name}" ({cols}) VALUES ({", ".join(["?"] * len(names))})', rows)
            return
        if self.copier is None or self.copier.names != names:
            self.copier = pgwrite.CopyWriter(self.raw, self.table, names, self.dialect)
        self.copier.write(rows)

    def max_id(self) -> int:
        cursor = self.raw.cursor()
        cursor.execute(f'SELECT max(id) FROM "{self.table.name}"')
        value = cursor.fetchone()[0] or 0
        cursor.close()
        return value

    def _remember_ids(self, last: int, numbers: list[int]) -> None:
        """Which file rows the records just inserted after id ``last`` came from: their ids run
        on one by one in insertion order (SQLite's rowid, PostgreSQL's sequence under our table
        lock), which the range query confirms; otherwise a repeat is reported without its row."""
        cursor = self.raw.cursor()
        cursor.execute(f'SELECT min(id), max(id), count(*) FROM "{self.table.name}" WHERE id > {self.ph}', (last,))
        low, high, count = cursor.fetchone()
        cursor.close()
        if count == len(numbers) and high - low + 1 == count:
            self.created_runs.append((low, array("q", numbers)))

    # -- one batch ---------------------------------------------------------------------------
    def take(self, prep: Prepared) -> None:
        r, kind = self.result, self.kind
        r.rows += prep.counted
        for p in prep.problems:
            r.invalid_rows.add(p.row)
        r.problems.extend(prep.problems)
        rows_no = prep.numbers
        n = len(rows_no)
        if not n:
            return
        cols, bound, key_tuples, key_texts = prep.cols, prep.bound, prep.keys, prep.key_texts
        bad: dict[int, list[Problem]] = {}

        def problem(i: int, name: str, value, reason: str) -> None:
            bad.setdefault(i, []).append(Problem(rows_no[i], self.layout.header(name) if name else "", value, reason))

        # duplicate keys inside this batch (earlier batches are found in the database below)
        if len(set(key_tuples)) != n:
            first: dict[tuple, int] = {}
            for i, key in enumerate(key_tuples):
                j = first.setdefault(key, i)
                if j != i:
                    problem(i, kind.key[-1], key_texts[i], t("io.dup.file", row=rows_no[j], key=key_texts[i]))
        unresolved = self._resolve(prep, problem) if self.resolver else []
        self.references.check(cols, bound, key_tuples, problem, bad)
        self._check_uniques(cols, bound, key_tuples, rows_no, problem, bad)
        existing = self._existing(key_tuples, bad)
        self._check_scope(cols, bound, existing, key_texts, key_tuples, problem, bad)

        creates, updates = [], []
        write_names = prep.write_names
        stored_index = self.columns.index
        touched = self.touched
        for i in range(n):
            if i in bad:
                continue
            key = key_tuples[i]
            found = existing.get(key)
            if found is None:
                creates.append(i)
                continue
            rid = found[0]
            if rid > self.max_before or touched[rid]:
                earlier = self._row_of(rid)
                reason = (t("io.dup.file", row=earlier, key=key_texts[i]) if earlier
                          else t("io.dup.earlier", key=key_texts[i]))
                problem(i, kind.key[-1], key_texts[i], reason)
                continue
            touched[rid] = 1
            if all(found[stored_index[name]] == bound[name][i] for name in write_names):
                r.unchanged += 1
            else:
                updates.append(i)
        for i, problems in bad.items():
            r.invalid_rows.add(rows_no[i])
            r.problems.extend(problems)
        if bad:
            r.problems.sort(key=lambda p: p.row)
        for names in unresolved:
            if bad:
                names = names.keep([j for j, i in enumerate(names.positions) if i not in bad])
            rows = array("q", [rows_no[i] for i in names.positions])
            names.positions = None  # (the file rows say it from here on)
            r.unresolved.add(rows, self.layout.header(names.column), names.names, names)
        entries: list[dict] = []
        created_keys, updated_keys = [], []
        if creates:
            # in key order: the unique index (and the audit's) take neighbouring entries together
            creates.sort(key=key_tuples.__getitem__)
            self.indexes.consider(len(creates))
            insert_cols = [bound[name] for name in prep.insert_names]
            rows = list(zip(*insert_cols))
            last = self.max_id()
            self.insert(prep.insert_names, [rows[i] for i in creates])
            self._remember_ids(last, [rows_no[i] for i in creates])
            if self.created_hashes is not None:
                self.created_hashes.update(map(hash, map(key_tuples.__getitem__, creates)))
            created_keys = [key_texts[i] for i in creates]
            self.block.add_created(at=self.at, actor=self.actor, kind=kind.name, batch_id=r.batch_id, keys=created_keys,
                                   rows=[rows_no[i] for i in creates])
            r.created += len(creates)
        if updates:
            sets = ", ".join(f'"{name}" = {self.ph}' for name in write_names)
            write_cols = [bound[name] for name in write_names]
            self.executemany(f'UPDATE "{self.table.name}" SET {sets} WHERE id = {self.ph}',
                             [tuple(col[i] for col in write_cols) + (existing[key_tuples[i]][0],) for i in updates])
            present = [name for name in write_names if name in kind.by_name]
            for i in updates:
                found = existing[key_tuples[i]]
                before = self._snapshot(found)
                after = {name: value for name in present if (value := jsonable(cols[name][i])) != before.get(name)}
                self.updated_rows[found[0]] = rows_no[i]
                updated_keys.append(key_texts[i])
                entries.append(dict(actor=self.actor, kind=kind.name, action="update", key=key_texts[i], before=before,
                                    after=after, batch_id=r.batch_id, row_no=rows_no[i], at=self.at))
            r.updated += len(updates)
        self.block.add_many(entries)
        if created_keys or updated_keys:
            self._announce(created_keys, updated_keys)

    def _row_of(self, rid: int) -> int | None:
        """The file row that created or updated record ``rid`` earlier in this import."""
        if rid <= self.max_before:
            return self.updated_rows.get(rid)
        runs = self.created_runs
        pos = bisect.bisect_right(runs, rid, key=lambda run: run[0]) - 1
        if pos >= 0:
            start, numbers = runs[pos]
            if rid - start < len(numbers):
                return numbers[rid - start]
        return None

    # -- checks ------------------------------------------------------------------------------
    def _existing(self, key_tuples: list[tuple], bad) -> dict[tuple, tuple]:
        """The records already there for these keys: key -> (id, every other column, raw)."""
        seen = self.created_hashes  # (the table was empty: only a key this import created can be there)
        if bad:
            keys = {k for i, k in enumerate(key_tuples) if i not in bad and (seen is None or hash(k) in seen)}
        else:
            keys = set(key_tuples) if seen is None else {k for k in key_tuples if hash(k) in seen}
        found = self.lookup(self.table, self.kind.key, keys, ["id"] + self.columns.select)
        positions = self.columns.key_positions
        return {tuple(row[p] for p in positions): row for row in found}

    def _snapshot(self, row: tuple) -> dict:
        out = {}
        for pos, name in enumerate(self.columns.select, start=1):
            if name in self.kind.by_name:
                load = self.columns.loaders[name]
                out[name] = jsonable(load(row[pos]) if load else row[pos])
        return {c.name: out.get(c.name) for c in self.kind.columns}

    def _resolve(self, prep: Prepared, problem) -> list:
        """Mentors named by name or ID number (``references.Resolver``): keys filled in where a
        name is unique, both columns then written; returns the names kept as text."""
        found = self.resolver.resolve(self.conn, prep.cols, range(len(prep.numbers)))
        for i, name, value, reason in found.problems:
            problem(i, name, value, reason)
        for ref in self.resolver.refs:
            for name in (ref.column, ref.name_column):
                bind = self.table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)
                prep.bound[name] = list(map(bind, prep.cols[name])) if bind else list(prep.cols[name])
                if name not in prep.write_names:
                    prep.write_names.append(name)
        return found.unresolved

    def _check_uniques(self, cols, bound, key_tuples, rows_no, problem, bad) -> None:
        kind = self.kind
        for names in self.columns.uniques:
            label = "+".join(self.layout.header(n) for n in names)
            wanted: dict[tuple, int] = {}
            for i, values in enumerate(zip(*(bound[n] for n in names))):
                if i in bad or None in values:
                    continue
                j = wanted.setdefault(values, i)
                if j != i:
                    problem(i, names[-1], "/".join(str(cols[n][i]) for n in names),
                            t("io.unique.file", columns=label, row=rows_no[j], value="/".join(str(cols[n][i]) for n in names)))
            if not wanted:
                continue
            rows = self.lookup(self.table, names, wanted, list(names) + list(kind.key))
            for row in rows:
                values, other = tuple(row[:len(names)]), tuple(row[len(names):])
                i = wanted.get(values)
                if i is not None and i not in bad and key_tuples[i] != other:
                    text = "/".join(str(cols[n][i]) for n in names)
                    problem(i, names[-1], text, t("io.unique.db", columns=label, value=text, kind=kind.label(),
                                                  key="/".join("" if v is None else str(v) for v in other)))

    def _check_scope(self, cols, bound, existing, key_texts, key_tuples, problem, bad) -> None:
        """The kind's access declaration, as ``services.authorise`` applies it to one write: each
        row lies in the actor's create or update scope as it will be, an updated record also as it
        is, an update changes only the columns the actor may change, and the kind's guards hold.
        One query per scope step for the whole batch."""
        actor, kind = self.actor, self.kind
        todo = [i for i in range(len(key_tuples)) if i not in bad]
        if actor.is_admin and not kind.rights.guards:
            return  # the admin may write every record of the kind, and no guard speaks
        names = list(cols)
        rows = [dict(zip(names, values)) for values in zip(*cols.values())]
        updates = [i for i in todo if key_tuples[i] in existing]
        creates = [i for i in todo if key_tuples[i] not in existing]
        refused: dict[int, str] = {}
        if not actor.is_admin:
            for action, chosen in (("create", creates), ("update", updates)):
                if chosen:
                    flags = rows_allowed(self.conn, kind, actor, action, [rows[i] for i in chosen])
                    refused.update((i, action) for i, ok in zip(chosen, flags) if not ok)
            if updates:
                held = stored_allowed(self.conn, kind, actor, "update", [existing[key_tuples[i]][0] for i in updates])
                refused.update((i, "update") for i in updates if existing[key_tuples[i]][0] not in held)
        for i, action in refused.items():
            problem(i, "", mask_key(kind, key_texts[i]), t("err.permission", actor=actor.label(), action=t(f"action.{action}"),
                                                          kind=kind.label(), key=mask_key(kind, key_texts[i]),
                                                          hint=t("err.permission.hint")))
        allowed_columns = kind.rights.columns.get(actor.role)
        if allowed_columns is not None and not actor.is_admin:
            for i in updates:
                if i in refused:
                    continue
                found = existing[key_tuples[i]]
                changed = [c.name for c in kind.columns if c.name in self.columns.index and c.name not in allowed_columns
                           and found[self.columns.index[c.name]] != bound[c.name][i]]
                if changed:
                    refused[i] = "update"
                    problem(i, changed[0], "", t("access.columns", actor=actor.label(), kind=kind.label(),
                                                 key=mask_key(kind, key_texts[i]),
                                                 columns="、".join(kind.by_name[c].header() for c in changed)))
        if kind.rights.guards:
            checked = [i for i in todo if i not in refused]
            for pos, column, reason in run_guards(self.conn, kind, [rows[i] for i in checked]):
                problem(checked[pos], column, cols[column][checked[pos]], reason)

    def _session(self) -> Session:
        if self.session is None:
            self.session = Session(bind=self.conn)
        return self.session

    def _announce(self, created: list[str], updated: list[str]) -> None:
        session = self._session()
        get_plugin_manager().hook.xiaoqi_records_imported(
            session=session, actor=self.actor, kind=self.kind.name, batch_id=self.result.batch_id,
            created=created, updated=updated)
        session.flush()

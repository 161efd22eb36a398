"""Secondary indexes dropped for a large import and built again before it commits: creating many
rows into a table with its indexes costs an index insertion per row and index, building an index
once over the finished table far less. Unique indexes stay (they check the keys as rows arrive).
Building the natural key's unique index after the rows instead, into an empty table, was measured
and does not pay (200,000 internships, loaded 2-core machine, three alternating runs): on SQLite
1.82-1.94 -> 1.69-1.76 CPU s for the table's rows, and the key is the table's own UNIQUE constraint,
which SQLite cannot drop (only a migration rebuilding the table could); on PostgreSQL 1.18-1.24 ->
0.78-0.99 server CPU s for the COPY (about 2 s of a 1,000,000-row import), but the index carries
the foreign keys of other tables (placements and plugins' tables), which would have to be dropped
too under those tables' exclusive locks, and a key repeated across batches would then be looked up
by scanning the table.
A rollback (invalid rows, dry run, any error) restores the indexes with everything else.

On PostgreSQL this takes the table's ACCESS EXCLUSIVE lock until the commit, where an import
otherwise holds SHARE ROW EXCLUSIVE (other writers wait, readers do not): while such an import
runs, readers of the table wait too (a login's screen, a check) and see the finished import when
it commits. So it is done only where it pays and is allowed: by the table's owner (a login may not
drop an index; its row-level security stays in force either way, as the indexes are not part of
it), for an import that creates many rows compared with those already there, and only when the
lock comes at once: when a reader holds the table the lock is given up after ``LOCK_WAIT_MS`` (a
reader's transaction that then wants to write would otherwise wait on this import while the import
waits on it) and the import keeps the indexes, as it always did. Measured on 100,000 internships
(bench/import.py's data, loaded 2-core machine): the six secondary indexes took 25 of the insert's
30 s when kept; building them afterwards, 7.7 s.

On PostgreSQL the same import also drops the table's foreign keys when the import checks every one
of them itself (``checks_foreign_keys``, the rule that leaves SQLite's own enforcement off for an
import): each key would otherwise cost a trigger and a lookup per row (1,000,000 internships, six
keys: about 30 s), where adding them again to the finished table costs one validating query each
(2.6 s in all). Dropping a foreign key takes the ACCESS EXCLUSIVE lock of the table it refers to
too (students, schools, enterprises, positions, teachers for the internships), until the commit:
so this is done only when those locks too come at once (else the keys stay, the indexes are still
dropped), and while such an import runs, readers of those tables wait for it as well. Nothing the
import found can be deleted meanwhile; should a key still fail when it is added again, the import
is rolled back whole with its own message (``ReferenceRecheckFailed``).

On SQLite the audit log's index by record (``ix_audit_subject``, kind and key) is treated the same
way, by its own measure: an import that creates many entries compared with those the log held
before builds it again at the end instead of inserting a million entries at random places in it
(the log's other indexes, by time and by block, take each import's entries in order, at their end,
and stay). Measured on the floor of 1,000,000 internships (bench/import.py's data, 2-core machine
shared at load 2-4, CPU seconds per 100,000 rows, three alternating runs each): the audit entries
0.99-1.12 -> 0.52-0.70, building the log's index once 0.16-0.24, the whole floor 4.0-4.5 ->
3.7-4.1. On PostgreSQL the log's index stays: dropping
it would lock every other writer's and reader's audit log until the import commits."""

from __future__ import annotations

from typing import NamedTuple

from ..errors import XiaoqiError
from ..i18n import catalogue, t

catalogue(
    {
        "io.fk_recheck": ("提交前复核外键 {constraint}（表 {table}）时发现有记录引用了不存在的记录（在导入检查之后被删除或修改）。"
                          "本次导入已全部撤销，数据库未被修改。请重新导入。",
                          "Before the commit, the foreign key {constraint} (table {table}) found a record referring to one "
                          "that is not there (deleted or changed after the import checked it). The whole import was rolled "
                          "back; nothing was changed. Import the file again."),
    }
)

#: secondary indexes are rebuilt rather than updated when an import creates at least this many
#: rows, and at least half as many as the table held before
REBUILD_MIN_ROWS = 20_000
#: PostgreSQL: how long the import waits for the exclusive lock before it keeps the indexes (below
#: the server's deadlock_timeout, 1 s by default)
LOCK_WAIT_MS = 500
#: PostgreSQL: memory for sorting while an index is built again (the session's, for this transaction)
BUILD_MEMORY = "256MB"
#: SQLite: the audit log's indexes that an import's entries would enter at random places (rebuilt
#: like the table's secondary indexes when the import creates at least half as many entries as the
#: log held)
AUDIT_REBUILT = ("ix_audit_subject",)


class IndexPause:
    """The decision, once per import at its first rows to create, and the indexes (and on
    PostgreSQL the foreign keys) to restore."""

    def __init__(self, importer):
        self.importer = importer
        #: secondary indexes dropped, (name, CREATE sql); None until decided, [] for "kept"
        self.dropped: list[tuple[str, str]] | None = None
        #: PostgreSQL: foreign keys dropped, (name, ALTER TABLE ... ADD CONSTRAINT sql)
        self.constraints: list[tuple[str, str]] = []

    def consider(self, creating: int) -> None:
        """Drop the table's secondary indexes when this import will create many rows compared with
        those already there (decided once, at the first batch that creates rows)."""
        if self.dropped is not None:
            return
        imp = self.importer
        r = imp.result
        expected = imp.estimate() * (r.created + creating) / max(1, r.rows)
        if not imp.sqlite:
            self.dropped, self.constraints = [], []
            if rebuilds(expected, imp.max_before):
                self.dropped, self.constraints = _drop_postgresql(
                    imp.raw, imp.table.name, checks_foreign_keys(imp.kind, imp.raw, sqlite=False))
            return
        raw = imp.raw
        self.dropped = sqlite_paused(raw, imp.table.name, expected, imp.max_before,
                                     raw.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
        for name, _sql in self.dropped:
            raw.execute(f'DROP INDEX "{name}"')

    def restore(self) -> None:
        """Create the dropped indexes (and foreign keys) again from their own definitions, in the
        import's transaction."""
        if not self.importer.sqlite:
            restore_postgresql(self.importer.raw, self.dropped or [], self.constraints)
        else:
            for _name, sql in self.dropped or ():
                self.importer.conn.exec_driver_sql(sql)
        self.dropped, self.constraints = [], []


def rebuilds(creating: float, before: int) -> bool:
    """Whether an import that creates ``creating`` rows into a table that held ``before`` (its
    highest id) builds the table's secondary indexes again rather than updating them."""
    return creating >= max(REBUILD_MIN_ROWS, before / 2)


def sqlite_paused(raw, table: str, creating: float, table_before: int, audit_before: int) -> list[tuple[str, str]]:
    """The indexes (name, CREATE sql) an SQLite import of ``creating`` new rows into ``table`` builds
    again rather than updates: ``table``'s secondary (not unique) indexes when it held fewer than
    twice as many rows (``table_before``: its highest id), and the audit log's ``AUDIT_REBUILT``
    when it held fewer than twice as many entries (``audit_before``); none below
    ``REBUILD_MIN_ROWS``. (``raw``: a DBAPI connection; the benchmark's floor asks the same.)"""
    def secondary(name: str) -> list[tuple[str, str]]:
        found = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                            (name,)).fetchall()
        return [(index, sql) for index, sql in found if not sql.lstrip().upper().startswith("CREATE UNIQUE")]

    out = []
    if rebuilds(creating, table_before):
        out += secondary(table)
    if rebuilds(creating, audit_before):
        out += [(index, sql) for index, sql in secondary("audit_log") if index in AUDIT_REBUILT]
    return out



class ForeignKey(NamedTuple):
    """A foreign key as the database's catalogue has it."""
    name: str | None  # (SQLite: None)
    table: str
    columns: tuple[str, ...]
    target: str
    #: the referenced columns (SQLite: None for a primary key referred to without naming it)
    target_columns: tuple[str | None, ...]
    #: PostgreSQL: its definition (``pg_get_constraintdef``); SQLite: None
    definition: str | None = None
    #: MATCH SIMPLE (a reference with an empty column is not checked), as ``ReferenceCheck``'s rule
    simple: bool = True


def foreign_keys(raw, table: str, *, sqlite: bool) -> list[ForeignKey]:
    """The foreign keys of ``table`` and those of other tables that refer to it, from the
    database's own catalogue (it also knows the tables of plugins that are not loaded in this
    process). ``raw``: a DBAPI connection (sqlite3 or psycopg)."""
    if not sqlite:
        rows = raw.execute(
            "SELECT c.conname, r.relname, f.relname, "
            "ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a "
            "ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), "
            "ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a "
            "ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o), "
            "pg_get_constraintdef(c.oid), c.confmatchtype = 's' "
            "FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_class f ON f.oid = c.confrelid "
            "WHERE c.contype = 'f' AND to_regclass(%(t)s) IN (c.conrelid, c.confrelid) ORDER BY c.conname",
            {"t": f'"{table}"'}).fetchall()
        return [ForeignKey(name, own, tuple(cols), target, tuple(target_cols), definition, simple)
                for name, own, target, cols, target_cols, definition, simple in rows]
    out = []
    for (other,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        found: dict[int, list] = {}
        # (id, seq, table, from, to, on_update, on_delete, match)
        for fk in raw.execute(f'PRAGMA foreign_key_list("{other}")').fetchall():
            found.setdefault(fk[0], []).append(fk)
        for parts in found.values():
            parts.sort(key=lambda fk: fk[1])
            if other == table or parts[0][2] == table:
                out.append(ForeignKey(None, other, tuple(fk[3] for fk in parts), parts[0][2], tuple(fk[4] for fk in parts)))
    return out


def checks_foreign_keys(kind, raw, *, sqlite: bool = True) -> bool:
    """Whether an import of ``kind`` checks every foreign key the database would check, so that
    the database's own row-by-row enforcement can be left out for the import (SQLite: off for its
    connection; PostgreSQL: the owner's large import drops them and adds them again before the
    commit, ``_drop_postgresql``).

    True when each foreign key of the table is one of the kind's ``references`` (which
    ``ReferenceCheck`` (``refcheck``) verifies for every row, in the database or earlier in the
    file, with the same rule for empty columns: a reference with an empty column is not checked,
    MATCH SIMPLE), no other table's foreign key points at a column an import may change (an import
    never changes a record's natural key, so keys referenced by other tables never need their
    cascades), and no plugin listens to ``xiaoqi_records_imported`` (a listener writes in the
    import's transaction, through its connection). ``raw``: the import's DBAPI connection."""
    from ..kinds import get_kind
    from ..plugins import get_plugin_manager

    if get_plugin_manager().hook.xiaoqi_records_imported.get_hookimpls():
        return False  # a listener writes in the import's transaction: its rows get the database's checks
    table = kind.model.__table__.name
    refs = {(get_kind(r.kind).model.__table__.name, tuple(r.columns), tuple(r.target_columns)) for r in kind.references}
    for fk in foreign_keys(raw, table, sqlite=sqlite):
        if fk.table == table and ((fk.target, fk.columns, fk.target_columns) not in refs or not fk.simple):
            return False
        if fk.target == table and not set(fk.target_columns) <= set(kind.key):
            return False
    return True


def _locked(raw, tables: list[str]) -> bool:
    """Take ``tables``' ACCESS EXCLUSIVE locks if they come within ``LOCK_WAIT_MS`` (False, and
    nothing taken, when a reader holds one of them)."""
    import psycopg

    waited = raw.execute("SELECT current_setting('lock_timeout')").fetchone()[0]
    raw.execute("SAVEPOINT xiaoqi_pause")
    try:
        raw.execute(f"SELECT set_config('lock_timeout', '{LOCK_WAIT_MS}', true)")
        raw.execute("LOCK TABLE " + ", ".join(f'"{name}"' for name in tables) + " IN ACCESS EXCLUSIVE MODE")
        raw.execute("SELECT set_config('lock_timeout', %s, true)", (waited,))
    except psycopg.Error as exc:  # a reader holds a table
        raw.execute("ROLLBACK TO SAVEPOINT xiaoqi_pause")
        raw.execute("RELEASE SAVEPOINT xiaoqi_pause")
        if exc.sqlstate != "55P03":  # lock_not_available
            raise
        return False
    raw.execute("RELEASE SAVEPOINT xiaoqi_pause")
    return True


def _drop_postgresql(raw, table: str, foreign_keys_checked: bool) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Drop ``table``'s secondary indexes (not unique, not a constraint's) on PostgreSQL when the
    connection's role owns the table and gets its exclusive lock at once, and, when the import
    checks every foreign key itself (``foreign_keys_checked``, see ``checks_foreign_keys``), the
    table's foreign keys too when the tables they refer to are locked at once as well (dropping a
    foreign key takes its referenced table's ACCESS EXCLUSIVE lock, till the commit). Returns the
    indexes and the foreign keys dropped, each (name, SQL that makes it again); [] for those that
    stay. ``raw``: the import's psycopg connection, in its transaction (the benchmark's floor calls
    this too)."""
    none: tuple[list, list] = ([], [])
    owner = raw.execute(
        "SELECT pg_has_role(current_user, c.relowner, 'USAGE') AND NOT row_security_active(c.oid) "
        "FROM pg_class c WHERE c.oid = to_regclass(%(t)s)", {"t": f'"{table}"'}).fetchone()
    if not owner or not owner[0]:
        return none
    found = raw.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = to_regclass(%(t)s) AND NOT x.indisunique AND NOT x.indisprimary AND x.indisvalid "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname",
        {"t": f'"{table}"'}).fetchall()
    keys = [fk for fk in foreign_keys(raw, table, sqlite=False) if fk.table == table] if foreign_keys_checked else []
    if not (found or keys) or not _locked(raw, [table]):
        return none
    for name, _sql in found:
        raw.execute(f'DROP INDEX "{name}"')
    constraints = []
    if keys and _locked(raw, sorted({fk.target for fk in keys} - {table})):
        raw.execute(f'ALTER TABLE "{table}" ' + ", ".join(f'DROP CONSTRAINT "{fk.name}"' for fk in keys))
        constraints = [(fk.name, f'ALTER TABLE "{table}" ADD CONSTRAINT "{fk.name}" {fk.definition}') for fk in keys]
    return [tuple(row) for row in found], constraints


def restore_postgresql(raw, indexes: list[tuple[str, str]], constraints: list[tuple[str, str]]) -> None:
    """Build the dropped indexes again, then add the dropped foreign keys again (PostgreSQL checks
    each with one query over the table). A foreign key that no longer holds (should not happen:
    the import checked every row, and the referenced tables were locked) raises
    ``ReferenceRecheckFailed``; the caller's rollback then undoes the whole import."""
    import psycopg

    if indexes or constraints:
        raw.execute(f"SELECT set_config('maintenance_work_mem', '{BUILD_MEMORY}', true)")
    for _name, sql in indexes:
        raw.execute(sql)
    for name, sql in constraints:
        try:
            raw.execute(sql)
        except psycopg.errors.ForeignKeyViolation as exc:
            table = getattr(exc.diag, "table_name", None) or ""
            raise ReferenceRecheckFailed(t("io.fk_recheck", constraint=name, table=table)) from None


class ReferenceRecheckFailed(XiaoqiError):
    """A foreign key dropped for a large import did not hold when it was added again: the import is
    rolled back."""

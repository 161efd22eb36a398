"""Secondary indexes dropped for a large import and built again before it commits: creating many
rows into a table with its indexes costs an index insertion per row and index, building an index
once over the finished table far less. Unique indexes stay (they check the keys as rows arrive).
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
    """The decision, once per import at its first rows to create, and the indexes to restore."""

    def __init__(self, importer):
        self.importer = importer
        #: secondary indexes dropped, (name, CREATE sql); None until decided, [] for "kept"
        self.dropped: list[tuple[str, str]] | None = None

    def consider(self, creating: int) -> None:
        """Drop the table's secondary indexes when this import will create many rows compared with
        those already there (decided once, at the first batch that creates rows)."""
        if self.dropped is not None:
            return
        imp = self.importer
        r = imp.result
        expected = imp.estimate() * (r.created + creating) / max(1, r.rows)
        if not imp.sqlite:
            large = expected >= max(REBUILD_MIN_ROWS, imp.max_before / 2)
            self.dropped = _drop_postgresql(imp.conn, imp.table.name) if large else []
            return
        raw = imp.raw
        self.dropped = sqlite_paused(raw, imp.table.name, expected, imp.max_before,
                                     raw.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
        for name, _sql in self.dropped:
            raw.execute(f'DROP INDEX "{name}"')

    def restore(self) -> None:
        """Create the dropped indexes again from their own definitions (in the import's transaction)."""
        if self.dropped and not self.importer.sqlite:
            self.importer.conn.exec_driver_sql(f"SELECT set_config('maintenance_work_mem', '{BUILD_MEMORY}', true)")
        for _name, sql in self.dropped or ():
            self.importer.conn.exec_driver_sql(sql)
        self.dropped = []


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
    if creating >= max(REBUILD_MIN_ROWS, table_before / 2):
        out += secondary(table)
    if creating >= max(REBUILD_MIN_ROWS, audit_before / 2):
        out += [(index, sql) for index, sql in secondary("audit_log") if index in AUDIT_REBUILT]
    return out


def _drop_postgresql(conn, table: str) -> list[tuple[str, str]]:
    """Drop ``table``'s secondary indexes (not unique, not a constraint's) on PostgreSQL when the
    connection's role owns the table and gets its exclusive lock at once; their definitions, or
    [] when they stay."""
    owner = conn.exec_driver_sql(
        "SELECT pg_has_role(current_user, c.relowner, 'USAGE') AND NOT row_security_active(c.oid) "
        "FROM pg_class c WHERE c.oid = to_regclass(%(t)s)", {"t": f'"{table}"'}).scalar()
    if not owner:
        return []
    found = conn.exec_driver_sql(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = to_regclass(%(t)s) AND NOT x.indisunique AND NOT x.indisprimary AND x.indisvalid "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname",
        {"t": f'"{table}"'}).all()
    if not found:
        return []
    waited = conn.exec_driver_sql("SELECT current_setting('lock_timeout')").scalar()
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql(f"SELECT set_config('lock_timeout', '{LOCK_WAIT_MS}', true)")
        conn.exec_driver_sql(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        conn.exec_driver_sql(f"SELECT set_config('lock_timeout', '{waited}', true)")
    except Exception as exc:  # a reader holds the table: keep the indexes
        savepoint.rollback()
        if getattr(getattr(exc, "orig", None), "sqlstate", None) != "55P03":  # lock_not_available
            raise
        return []
    savepoint.commit()
    for name, _sql in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [(name, sql) for name, sql in found]

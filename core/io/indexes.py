"""Secondary indexes dropped for a large SQLite import and built again before it commits: creating
many rows into a table with its indexes costs an index insertion per row and index, building an
index once over the finished table far less. Unique indexes stay (they check the keys as rows
arrive); PostgreSQL keeps every index (its imports are not worth the exclusive lock)."""

from __future__ import annotations

#: secondary indexes are rebuilt rather than updated when an import creates at least this many
#: rows, and at least half as many as the table held before
REBUILD_MIN_ROWS = 20_000


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
        if expected < max(REBUILD_MIN_ROWS, imp.max_before / 2):
            self.dropped = []
            return
        found = imp.conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (imp.table.name,)).all()
        self.dropped = [(name, sql) for name, sql in found if not sql.lstrip().upper().startswith("CREATE UNIQUE")]
        for name, _sql in self.dropped:
            imp.conn.exec_driver_sql(f'DROP INDEX "{name}"')

    def restore(self) -> None:
        """Create the dropped indexes again from their own definitions (in the import's transaction)."""
        for _name, sql in self.dropped or ():
            self.importer.conn.exec_driver_sql(sql)
        self.dropped = []

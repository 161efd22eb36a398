"""The PostgreSQL side of an import (``importer._Importer`` on a PostgreSQL engine): its batched key
lookups and its writes of created rows.

- Lookups pass the batch's values as arrays, one parameter per column (``= ANY(%s)``, or a join
  with ``unnest`` of several arrays), instead of one placeholder per value: the driver parses a
  query with 30,000 placeholders in Python on every execute, and the server plans an ``IN`` list
  of 30,000 constants; an array is one value to both.
- Created rows go in with ``COPY``. The owner of the table copies into it directly; a login (a
  role under row-level security, which ``COPY FROM`` refuses) copies into a temporary table of
  the same columns, and one ``INSERT ... SELECT`` moves the batch into the table, judged by the
  login's ``WITH CHECK`` policies like any insert — not row by row through the masked view's
  ``INSTEAD OF`` trigger, which a login's unqualified table name names.
"""

from __future__ import annotations

import sqlalchemy as sa


def array_type(table: sa.Table, name: str, dialect) -> str:
    """The SQL type of an array of ``table``'s column ``name`` (``VARCHAR(18)[]``)."""
    return f"{table.c[name].type.compile(dialect=dialect)}[]"


def lookup(raw, table: sa.Table, match: tuple[str, ...], tuples: list[tuple], select: list[str],
           condition: str | None, dialect) -> list[tuple]:
    """Rows of ``table`` (the ``select`` columns) whose ``match`` columns equal one of ``tuples``,
    and that meet ``condition`` (SQL on alias ``t``): one query, the values as arrays."""
    cols = ", ".join(f't."{n}"' for n in select)
    arrays = [list(column) for column in zip(*tuples)]
    if len(match) == 1:
        sql = f'SELECT {cols} FROM "{table.name}" t WHERE t."{match[0]}" = ANY(%s::{array_type(table, match[0], dialect)})'
        if condition:
            sql += f" AND ({condition})"
    else:
        names = [f"column{k}" for k in range(1, len(match) + 1)]
        unnest = ", ".join(f"%s::{array_type(table, m, dialect)}" for m in match)
        on = " AND ".join(f't."{m}" = k.{n}' for m, n in zip(match, names))
        sql = f'SELECT {cols} FROM unnest({unnest}) AS k({", ".join(names)}) JOIN "{table.name}" t ON {on}'
        if condition:
            sql += f" WHERE {condition}"
    cursor = raw.cursor()
    try:
        cursor.execute(sql, arrays)
        return cursor.fetchall()
    finally:
        cursor.close()


def _target(raw, name: str) -> tuple[str, bool]:
    """Where the rows of table ``name`` are copied, and whether through a temporary table: the
    table the name resolves to when row-level security does not apply to the connection's role
    there; else the table in ``public`` (a login's name resolves to its masked view) — directly
    when no row-level security applies to it either (the audit log), staged when it does and the
    role may create temporary tables; else the name itself (the view's trigger, row by row)."""
    quoted = f'"{name}"'
    cursor = raw.cursor()
    try:
        cursor.execute("SELECT c.relkind IN ('r', 'p') AND NOT row_security_active(c.oid), p.oid IS NOT NULL, "
                       "p.oid IS NOT NULL AND row_security_active(p.oid), "
                       "has_database_privilege(current_database(), 'TEMP') "
                       "FROM (SELECT to_regclass(%s) AS oid) n LEFT JOIN pg_class c ON c.oid = n.oid "
                       "LEFT JOIN pg_class p ON p.oid = to_regclass(%s)", (quoted, f"public.{quoted}"))
        plain, public, secured, temporary = cursor.fetchone()
    finally:
        cursor.close()
    if plain:
        return quoted, False
    if public and not secured:
        return f"public.{quoted}", False
    if public and temporary:
        return f"public.{quoted}", True
    return quoted, False


class CopyWriter:
    """``COPY`` of rows (tuples of ``names``' values) into ``table`` for the connection's role,
    batch after batch (see the module's docstring); the rows of each batch keep their order, so
    that the ids a sequence gives them run in it."""

    def __init__(self, raw, table: sa.Table, names: list[str], dialect):
        self.raw, self.table, self.names, self.dialect = raw, table, list(names), dialect
        self.target, self.staged = _target(raw, table.name)
        self.stage: str | None = None  # the temporary table, made at the first staged batch

    def write(self, rows) -> None:
        cols = ", ".join(f'"{n}"' for n in self.names)
        cursor = self.raw.cursor()
        try:
            if not self.staged:
                with cursor.copy(f"COPY {self.target} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            if self.stage is None:
                # the columns' types from the model: a login may not read the table's personal
                # columns, so it cannot copy its definition (LIKE)
                self.stage = f'"xq_copy_{self.table.name}"'
                types = ", ".join(f'"{n}" {self.table.c[n].type.compile(dialect=self.dialect)}' for n in self.names)
                cursor.execute(f"CREATE TEMPORARY TABLE {self.stage} (xq_n bigint GENERATED ALWAYS AS IDENTITY, {types}) "
                               "ON COMMIT DROP")
            with cursor.copy(f"COPY {self.stage} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {self.target} ({cols}) SELECT {cols} FROM {self.stage} ORDER BY xq_n")
            cursor.execute(f"TRUNCATE {self.stage}")
        finally:
            cursor.close()


def copy_target(raw, name: str) -> str:
    """The table that rows of ``name`` may be copied into directly by the connection's role (the
    audit log: a login's name for it is its masked view, the table has no row-level security)."""
    target, staged = _target(raw, name)
    return f'"{name}"' if staged else target

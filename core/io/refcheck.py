"""The references of an import's rows, checked set-wise batch by batch (the bulk form of
``services.check_references``): every reference names a record the actor may read — in the
database, or created earlier in the same file — which holds the same values in the reference's
``agree`` columns. The keys found are remembered from batch to batch (up to ``KNOWN_REFS``), and a
target table about the size of the import is read whole once (``PREFETCH_ROWS``).

``ReferenceCheck`` works on the importer's connection (``xiaoqi.core.io.importer``), which holds
the write lock from its first check to its commit: what it found stays true until then."""

from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

from ..access import scope_sql
from ..i18n import t
from ..kinds import RecordKind, get_kind
from ..privacy import mask_key

#: references found in the database are remembered for the rest of the import, up to this many
KNOWN_REFS = 200_000
#: a reference's target table is read whole (``ReferenceCheck.prefetch``) up to this many rows
PREFETCH_ROWS = 2_000_000


class ReferenceCheck:
    """The reference checks of one import of ``kind`` by ``actor``. ``lookup`` is the importer's
    batched key lookup, ``estimate()`` the rows the import is expected to have in all."""

    def __init__(self, importer):
        self.importer = importer
        self.kind: RecordKind = importer.kind
        self.known: dict[int, set] = {}  # reference -> target keys found in the database
        self.complete: set[int] = set()  # references whose known keys are the whole target table
        self.agreed: dict[int, dict] = {}  # reference -> target key -> its ``agree`` values, as found

    def check(self, cols, bound, key_tuples, problem: Callable, bad) -> None:
        """Report (``problem``) every row of the batch whose reference names no readable record,
        or one that disagrees in an ``agree`` column; rows already ``bad`` are left alone."""
        kind = self.kind
        for number, ref in enumerate(kind.references):
            target = get_kind(ref.kind)
            columns = [bound[c] for c in ref.columns]
            # the values to find: bare values for a one-column reference, tuples otherwise; an
            # optional reference left empty is not checked
            if len(columns) > 1:
                wanted = {v for v in set(zip(*columns)) if None not in v}
            else:
                wanted = set(columns[0])
                wanted.discard(None)
            known = self.known.get(number)
            if known is None:
                known = self.known[number] = self.prefetch(number, ref, target)
            unknown = wanted - known
            if unknown and number not in self.complete:
                if len(known) + len(unknown) > KNOWN_REFS:  # forget the others, look up this batch's
                    known.clear()
                    self.agreed.get(number, {}).clear()
                    unknown = set(wanted)
                self.find(number, ref, target, unknown, known)
                if ref.kind == kind.name and tuple(ref.target_columns) == tuple(kind.key):
                    unknown -= set(key_tuples) if len(ref.columns) > 1 else {k[0] for k in key_tuples}
                unknown -= known
            refs = list(zip(*columns) if len(columns) > 1 else columns[0])
            if unknown:
                for i, values in enumerate(refs):
                    if i not in bad and values in unknown:
                        text = mask_key(target, "/".join(str(cols[c][i]) for c in ref.columns))
                        problem(i, ref.columns[-1], text, t("ref.missing", kind=target.label(), key=text))
            if ref.agree:
                # the agreed values of each row's record: found with it above (every row's record is
                # remembered until the next batch at least)
                given = list(zip(*(bound[c] for c in ref.agree))) if len(ref.agree) > 1 else bound[ref.agree[0]]
                actual = list(map(self.agreed[number].get, refs))
                if actual != given:
                    for i, (found, value) in enumerate(zip(actual, given)):
                        if found != value and found is not None and i not in bad:
                            column = ref.agree[0]
                            key = mask_key(target, "/".join(str(cols[c][i]) for c in ref.columns))
                            problem(i, column, cols[column][i], t("ref.disagrees", kind=target.label(), key=key,
                                                                  column=kind.by_name[column].header(), value=cols[column][i]))

    def scope(self, target: RecordKind) -> str | None:
        """The SQL condition (on alias ``t``) for the records of ``target`` the actor may read."""
        return scope_sql(target, self.importer.actor, "read", self.importer.dialect)

    def find(self, number: int, ref, target: RecordKind, values: set, known: set) -> None:
        """Look ``values`` of reference ``ref`` up in the database; those found join ``known``."""
        select = list(ref.target_columns) + list(ref.agree)
        width = len(ref.target_columns)
        found = self.importer.lookup(target.model.__table__, ref.target_columns,
                                     values if width > 1 else {(v,) for v in values}, select, self.scope(target))
        self.remember(number, ref, found, known)

    def remember(self, number: int, ref, rows, known: set, shared: dict | None = None) -> None:
        """Target rows found (key columns first, then the ``agree`` columns) join ``known``: bare
        values for a one-column key, tuples otherwise. ``shared`` keeps one object per agreed value
        (one string per school, not one per student)."""
        width = len(ref.target_columns)
        keys = [tuple(row[:width]) for row in rows] if width > 1 else [row[0] for row in rows]
        known.update(keys)
        if ref.agree:
            shared = {} if shared is None else shared
            agreed = self.agreed.setdefault(number, {})
            if len(ref.agree) > 1:
                agreed.update((key, tuple(row[width:])) for key, row in zip(keys, rows))
            else:
                agreed.update((key, shared.setdefault(row[width], row[width])) for key, row in zip(keys, rows))

    def prefetch(self, number: int, ref, target: RecordKind) -> set:
        """Every key of the reference's target table that the actor may read, read once, when this
        import will look up about as many as the table holds anyway (a large import against a table
        that is not much larger): one scan instead of a lookup per batch. Not for a kind that
        refers to itself (the import adds to the target as it goes). Otherwise an empty set,
        filled as batches look up."""
        importer = self.importer
        table = target.model.__table__
        if ref.kind == self.kind.name:
            return set()
        held = importer.conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        if held > PREFETCH_ROWS or importer.estimate() < held / 2:
            return set()
        names = list(ref.target_columns) + list(ref.agree)
        scope = self.scope(target)
        cursor = importer.raw.cursor()
        cursor.execute("SELECT " + ", ".join(f't."{n}"' for n in names) + f' FROM "{table.name}" t'
                       + ("" if scope is None else f" WHERE {scope}"))
        known: set = set()
        shared: dict = {}
        while rows := cursor.fetchmany(50_000):
            self.remember(number, ref, rows, known, shared)
        cursor.close()
        self.complete.add(number)
        return known

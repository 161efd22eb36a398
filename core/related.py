"""The records that refer to one record: a student's internships, insurance cover and the rest, an
enterprise's positions, agreements and interns. Each list is one paged statement through
``services.list_records`` (scoped to the reader, names beside codes, personal columns masked), with
its count; ``finding_matcher`` tells which findings are about the record or the records referring
to it, for a record's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import RecordKind, Reference, get_kinds
from .names import NameColumn, listing_columns

#: columns that say what a referring record is, when a list has room for a few only
_TELLING = ("name", "title", "kind", "status", "start_on", "end_on", "signed_on", "expires_on", "insurer")
#: at most this many columns in a list of referring records
MAX_COLUMNS = 6


@dataclass
class Related:
    """The records of one kind that refer to a record through one reference."""

    kind: RecordKind
    reference: Reference
    #: the columns shown (``Column`` and ``NameColumn``)
    columns: list
    #: the rows as shown: column values (personal ones masked) and names
    rows: list[dict]
    #: each row's key as text (unmasked: to open the record)
    keys: list[str]
    total: int


def referring(kind: RecordKind) -> list[tuple[RecordKind, Reference]]:
    """Every (kind, reference) that refers to ``kind``, in the order of the kinds."""
    return [(other, ref) for other in get_kinds().values() for ref in other.references
            if ref.kind == kind.name and other.model is not kind.model]


def summary_columns(kind: RecordKind, ref: Reference) -> list:
    """A few columns that tell records of ``kind`` apart in a list of those referring through
    ``ref``: names rather than codes, the key, what kind and when."""
    listing = listing_columns(kind)
    # a code with a name beside it is shown by its name (a policy's insurer does not tell it apart)
    named_codes = {c.beside for c in listing if isinstance(c, NameColumn) and c.target_attr != "insurer"}
    out = []
    for col in listing:
        if isinstance(col, NameColumn):
            if col.beside not in ref.columns:
                out.append(col)
        elif col.name in ref.columns or col.name in named_codes:
            continue
        elif col.key or col.name in _TELLING:
            out.append(col)
    return out[:MAX_COLUMNS]


def related_records(session, actor, kind: RecordKind, values: dict, *, limit: int = 20) -> list[Related]:
    """The records referring to the record with these ``values`` that ``actor`` may read, up to
    ``limit`` of each kind (with the count of all), kinds without any left out."""
    from .privacy import present
    from .services import list_records

    out = []
    for other, ref in referring(kind):
        local = [values.get(tc) for tc in ref.target_columns]
        if any(v is None for v in local):
            continue
        where = [(c, "=", v) for c, v in zip(ref.columns, local)]
        page = list_records(session, actor=actor, kind=other, where=where, limit=limit, count=True, names=True)
        if not page.total:
            continue
        shown = present(session, actor, other, page.rows)
        rows = [{**v, **n} for v, n in zip(shown, page.names)]
        keys = [other.key_of(other.export_values(r)) for r in page.rows]
        out.append(Related(kind=other, reference=ref, columns=summary_columns(other, ref), rows=rows, keys=keys,
                           total=page.total))
    return out


def finding_matcher(kind: RecordKind, key: str, values: dict):
    """A test of a finding (``subject_kind``, ``subject_key``): about this record, or about a
    record whose key holds this record's key (a student's internships, its insured entries)."""
    parts = []
    for other, ref in referring(kind):
        if not set(ref.columns) <= set(other.key):
            continue
        local = [values.get(tc) for tc in ref.target_columns]
        if any(v is None for v in local):
            continue
        positions = [other.key.index(c) for c in ref.columns]
        parts.append((other.name, positions, [str(v) for v in local], len(other.key)))

    def matches(subject_kind: str, subject_key: str) -> bool:
        if subject_kind == kind.name:
            return subject_key == key
        for name, positions, expected, length in parts:
            if name == subject_kind:
                pieces = str(subject_key).split("/")
                if len(pieces) == length and [pieces[p] for p in positions] == expected:
                    return True
        return False

    return matches


def group_findings(findings: list) -> list[tuple[object, int]]:
    """Findings about the same subject under the same rule as one entry: (the first finding, how
    many), in the order of their first appearance."""
    groups: dict[tuple, list] = {}
    for f in findings:
        entry = groups.setdefault((f.rule, f.subject_kind, f.subject_key), [f, 0])
        entry[1] += 1
    return [(first, n) for first, n in groups.values()]

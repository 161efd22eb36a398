"""Named references: a record that names another by name, or by key, in one column (an internship's
mentors, written as 张伟 or as an ID number), matched with the registry.

For each ``NamedReference`` of a kind, row by row:

- a key given (or an ID number written in the name column) must name a record of the target within
  the row's scope (a school mentor is a teacher of the internship's school); the name column is
  filled in from the registry when empty, and must agree with it when not;
- a name alone fills the key when exactly one record of the target within the scope has that name;
  when none or several have it, the name stays as text (as old data has it) and the row is reported
  as unresolved, with the reason (unknown / ambiguous, named) — a notice, not an error.

A key that names no record at all is left to the reference check (``ref.missing``). Lookups are
set-based: one query per reference for the keys of a batch and one for its names, and names found
are remembered for the rest of the import (the registry does not change while an internship file
is imported).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import sqlalchemy as sa

from .fields import parse_idcard
from .i18n import catalogue, get_lang, t
from .kinds import NamedReference, RecordKind, get_kind

catalogue(
    {
        "ref.named.unknown": ("名录中没有{scope}、名为「{name}」的{kind}；已按文字保留。可填写其身份证号，或先导入该{kind}",
                              "no {kind} named '{name}' with {scope} in the registry; kept as text. Give the ID number, or import the {kind} first"),
        "ref.named.ambiguous": ("名录中{scope}、名为「{name}」的{kind}有 {n} 名；已按文字保留，请填写身份证号以区分",
                                "{n} {kind} named '{name}' with {scope} in the registry; kept as text: give the ID number to tell them apart"),
        "ref.named.scope": ("{kind}「{name}」（{key}）的{differences}", "the {kind} '{name}' ({key}) has {differences}"),
        "ref.named.difference": ("{column}是 {found}，本行是 {value}", "{column} {found}, this row {value}"),
        "ref.named.other_name": ("与身份证号 {key} 对应的{kind}是「{name}」，不是「{written}」",
                                 "ID number {key} is the {kind} '{name}', not '{written}'"),
        "ref.named.scope_value": ("{column}为 {value}", "{column} {value}"),
        "ref.named.scope_none": ("{column}为空", "no {column}"),
        "ref.named.empty": ("（空）", "(empty)"),
    }
)

#: values per IN (...) list (SQLite allows 32,766 bound parameters, PostgreSQL 65,535)
CHUNK = 10_000
#: names looked up are remembered for later batches, up to this many
NAMES_KEPT = 200_000


@dataclass(slots=True)
class Unresolved:
    """A name that named no record, or several: the row's position, the name column, the name."""

    index: int
    column: str
    value: str
    reason: str


@dataclass
class Resolution:
    #: rows that cannot be written: (position, column, value, reason)
    problems: list[tuple[int, str, Any, str]]
    #: names kept as text
    unresolved: list[Unresolved]


def _as_key(text: str | None) -> str | None:
    """The ID number written in a name column, or None."""
    if not text or len(text) != 18:
        return None
    try:
        return parse_idcard(text)
    except ValueError:
        return None


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


class Resolver:
    """Resolves the named references of one kind, a batch of rows at a time (column-wise values)."""

    def __init__(self, kind: RecordKind, present: Iterable[str] | None = None):
        """``present``: the columns a file has (a reference neither of whose columns is there is
        left alone); None for whole rows."""
        self.kind = kind
        have = None if present is None else set(present)
        self.refs = [r for r in kind.named_references if have is None or {r.column, r.name_column} & have]
        #: reference column -> (scope values, name) -> keys of the records with that name
        self.names: dict[str, dict[tuple, list[str]]] = {}
        #: the same -> why the name stays text (made once: a file repeats its mentors' names on
        #: thousands of rows)
        self.reasons: dict[str, dict[tuple, str]] = {}
        #: reference column -> scope values -> their text in a notice (a school, an enterprise)
        self.scope_texts: dict[str, dict[tuple, str]] = {}

    def __bool__(self) -> bool:
        return bool(self.refs)

    def _scope_text(self, ref: NamedReference, values: tuple) -> str:
        parts = []
        for (local, _target), value in zip(ref.scope, values):
            header = self.kind.by_name[local].header()
            parts.append(t("ref.named.scope_value", column=header, value=value) if value is not None
                         else t("ref.named.scope_none", column=header))
        return "、".join(parts)

    def _differences(self, ref: NamedReference, found: tuple, given: tuple) -> str:
        empty = t("ref.named.empty")
        return "；".join(
            t("ref.named.difference", column=self.kind.by_name[local].header(), found=empty if a is None else a,
              value=empty if b is None else b)
            for (local, _target), a, b in zip(ref.scope, found, given) if a != b)

    def resolve(self, conn, cols: dict[str, list], rows: Iterable[int]) -> Resolution:
        """Fill ``cols[ref.column]`` and ``cols[ref.name_column]`` in place for ``rows`` (positions)."""
        problems: list[tuple[int, str, Any, str]] = []
        unresolved: list[Unresolved] = []
        rows = list(rows)
        for ref in self.refs:
            self._resolve(conn, ref, cols, rows, problems, unresolved)
        return Resolution(problems=problems, unresolved=unresolved)

    def _resolve(self, conn, ref: NamedReference, cols, rows, problems, unresolved) -> None:
        target = get_kind(ref.kind)
        model = target.model
        keys, names = cols[ref.column], cols[ref.name_column]
        scope_cols = [cols[local] for local, _ in ref.scope]
        target_key = getattr(model, target.key[0])
        target_name = getattr(model, ref.target_name)
        target_scope = [getattr(model, tc) for _, tc in ref.scope]
        by_key, by_name = [], []
        for i in rows:
            if keys[i] is None and (moved := _as_key(names[i])) is not None:
                keys[i], names[i] = moved, None  # an ID number written where the name goes
            if keys[i] is not None:
                by_key.append(i)
            elif names[i]:
                by_name.append(i)
        if by_key:
            wanted = sorted({keys[i] for i in by_key})
            found = {}
            for part in _chunks(wanted):
                for row in conn.execute(sa.select(target_key, target_name, *target_scope).where(target_key.in_(part))):
                    found[row[0]] = row
            label = target.label()
            for i in by_key:
                row = found.get(keys[i])
                if row is None:
                    continue  # the reference check reports it
                scope = tuple(c[i] for c in scope_cols)
                if tuple(row[2:]) != scope:
                    problems.append((i, ref.column, keys[i], t(
                        "ref.named.scope", key=keys[i], kind=label, name=row[1],
                        differences=self._differences(ref, tuple(row[2:]), scope))))
                elif names[i] is None:
                    names[i] = row[1]
                elif names[i] != row[1]:
                    problems.append((i, ref.name_column, names[i], t(
                        "ref.named.other_name", key=keys[i], kind=label, name=row[1], written=names[i])))
        if by_name:
            # (scope values, name) of each row: a few distinct pairs repeat over many rows
            scoped = zip(*([c[i] for i in by_name] for c in scope_cols)) if scope_cols else [()] * len(by_name)
            pairs = list(zip(scoped, [names[i] for i in by_name]))
            known = self._look_up_names(conn, ref, pairs)
            reasons = self.reasons.setdefault(ref.column, {})
            lang, label, column = get_lang(), target.label(), ref.name_column
            scopes = self.scope_texts.setdefault(ref.column, {})
            for i, pair in zip(by_name, pairs):
                matches = known[pair]
                if len(matches) == 1:
                    keys[i] = matches[0]
                    continue
                reason = reasons.get(pair)
                if reason is None:
                    scope = scopes.get(pair[0])
                    if scope is None:
                        scope = scopes[pair[0]] = self._scope_text(ref, pair[0])
                    reason = reasons[pair] = (
                        t("ref.named.unknown", lang, kind=label, scope=scope, name=pair[1]) if not matches else
                        t("ref.named.ambiguous", lang, kind=label, scope=scope, name=pair[1], n=len(matches)))
                unresolved.append(Unresolved(i, column, pair[1], reason))

    def _look_up_names(self, conn, ref: NamedReference, wanted: list[tuple[tuple, str]]) -> dict[tuple, list[str]]:
        """The keys of the records named by each (scope values, name) in ``wanted`` (those not
        looked up before are looked up now): the reference's dictionary of them."""
        known = self.names.setdefault(ref.column, {})
        if len(known) > NAMES_KEPT:  # forget the names of earlier batches (bounds memory)
            known.clear()
            self.reasons.get(ref.column, {}).clear()
            self.scope_texts.get(ref.column, {}).clear()
        new = set(wanted) - known.keys()
        if not new:
            return known
        for entry in new:
            known[entry] = []
        target = get_kind(ref.kind)
        model = target.model
        key, name = getattr(model, target.key[0]), getattr(model, ref.target_name)
        scope = [getattr(model, tc) for _, tc in ref.scope]
        scope_values = [sorted({e[0][k] for e in new if e[0][k] is not None}) for k in range(len(ref.scope))]
        if any(not values for values in scope_values):
            return known  # rows without their school or enterprise match nobody
        # the names within the scopes wanted; the pairs are matched here (a name recurs elsewhere)
        for part in _chunks(sorted({e[1] for e in new})):
            stmt = sa.select(key, name, *scope).where(name.in_(part), *(c.in_(v) for c, v in zip(scope, scope_values)))
            for row in conn.execute(stmt.order_by(key)):
                entry = (tuple(row[2:]), row[1])
                if entry in known:
                    known[entry].append(row[0])
        return known

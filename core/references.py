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


class Unresolved:
    """The names of one reference in one batch that named no record, or several, kept as text:
    the rows' positions, the names, the rows' scope values (a list per scope column) and, for a
    name several records have, how many (a notice's words are made only when it is shown:
    ``reason(j)``)."""

    __slots__ = ("resolver", "ref", "lang", "positions", "names", "scopes", "several")

    def __init__(self, resolver: "Resolver", ref: NamedReference, lang: str, positions: list[int] | None,
                 names: list[str], scopes: list[list], several: dict[int, int]):
        self.resolver, self.ref, self.lang = resolver, ref, lang
        self.positions, self.names, self.scopes, self.several = positions, names, scopes, several

    @property
    def column(self) -> str:
        return self.ref.name_column

    def __len__(self) -> int:
        return len(self.names)

    def keep(self, wanted: list[int]) -> "Unresolved":
        """The same notices for the ``wanted`` ones (indexes into these) only."""
        several = {new: self.several[old] for new, old in enumerate(wanted) if old in self.several}
        return Unresolved(self.resolver, self.ref, self.lang, [self.positions[j] for j in wanted],
                          [self.names[j] for j in wanted], [[c[j] for j in wanted] for c in self.scopes], several)

    def reason(self, j: int) -> str:
        ref, target = self.ref, get_kind(self.ref.kind)
        scope = self.resolver._scope_text(ref, tuple(c[j] for c in self.scopes), self.lang)
        n = self.several.get(j)
        if n is None:
            return t("ref.named.unknown", self.lang, kind=target.label(self.lang), scope=scope, name=self.names[j])
        return t("ref.named.ambiguous", self.lang, kind=target.label(self.lang), scope=scope, name=self.names[j], n=n)


@dataclass
class Resolution:
    #: rows that cannot be written: (position, column, value, reason)
    problems: list[tuple[int, str, Any, str]]
    #: names kept as text, one ``Unresolved`` per reference that has any
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
        #: reference column -> (scope values, name) -> keys of the records with that name (only
        #: the names some record has)
        self.names: dict[str, dict[tuple, list[str]]] = {}
        #: reference column -> the (scope values, name) pairs looked up so far
        self.looked: dict[str, set[tuple]] = {}
        #: target kind -> whether its table is empty (then no name is looked up)
        self.empty: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self.refs)

    def _scope_text(self, ref: NamedReference, values: tuple, lang: str | None = None) -> str:
        parts = []
        for (local, _target), value in zip(ref.scope, values):
            header = self.kind.by_name[local].header(lang)
            parts.append(t("ref.named.scope_value", lang, column=header, value=value) if value is not None
                         else t("ref.named.scope_none", lang, column=header))
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
        # an ID number written where the name goes: judged once per distinct name
        moved = {}
        for name in set(names[i] for i in rows) if len(rows) != len(names) else set(names):
            if name and len(name) == 18 and (key := _as_key(name)) is not None:
                moved[name] = key
        if moved:
            for i in rows:
                if keys[i] is None and (key := moved.get(names[i])) is not None:
                    keys[i], names[i] = key, None
        by_key = [i for i in rows if keys[i] is not None]
        by_name = [i for i in rows if keys[i] is None and names[i]]
        if by_key:
            target_key = getattr(model, target.key[0])
            target_name = getattr(model, ref.target_name)
            target_scope = [getattr(model, tc) for _, tc in ref.scope]
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
            scoped = list(zip(*([c[i] for i in by_name] for c in scope_cols))) if scope_cols else [()] * len(by_name)
            written = [names[i] for i in by_name]
            pairs = list(zip(scoped, written))
            known = self._look_up_names(conn, ref, pairs)
            unique = {pair: found[0] for pair in set(pairs) if len(found := known.get(pair, ())) == 1} if known else {}
            if unique:
                for i, pair in zip(by_name, pairs):
                    key = unique.get(pair)
                    if key is not None:
                        keys[i] = key
                left = [j for j, pair in enumerate(pairs) if pair not in unique]
            else:
                left = range(len(pairs))
            if left:
                several = {}
                if known:
                    for new, j in enumerate(left):
                        if len(found := known.get(pairs[j], ())) > 1:
                            several[new] = len(found)
                everyone = len(left) == len(pairs)
                chosen = by_name if everyone else [by_name[j] for j in left]
                unresolved.append(Unresolved(self, ref, get_lang(), chosen, written if everyone else [written[j] for j in left],
                                             [[c[i] for i in chosen] for c in scope_cols], several))

    def _look_up_names(self, conn, ref: NamedReference, wanted: list[tuple[tuple, str]]) -> dict[tuple, list[str]]:
        """The keys of the records named by each (scope values, name) in ``wanted`` (those not
        looked up before are looked up now): the reference's dictionary of the names that some
        record has (a pair absent from it names none)."""
        known = self.names.setdefault(ref.column, {})
        looked = self.looked.setdefault(ref.column, set())
        if len(looked) > NAMES_KEPT:  # forget the names of earlier batches (bounds memory)
            known.clear()
            looked.clear()
        new = set(wanted) - looked
        if not new:
            return known
        looked |= new
        if self.empty.get(ref.kind):
            return known
        target = get_kind(ref.kind)
        model = target.model
        key, name = getattr(model, target.key[0]), getattr(model, ref.target_name)
        if ref.kind not in self.empty:  # (the registry does not change during an import)
            self.empty[ref.kind] = conn.execute(sa.select(key).limit(1)).first() is None
            if self.empty[ref.kind]:
                return known
        scope = [getattr(model, tc) for _, tc in ref.scope]
        scope_values = [sorted({e[0][k] for e in new if e[0][k] is not None}) for k in range(len(ref.scope))]
        if any(not values for values in scope_values):
            return known  # rows without their school or enterprise match nobody
        # the names within the scopes wanted; the pairs are matched here (a name recurs elsewhere)
        for part in _chunks(sorted({e[1] for e in new})):
            stmt = sa.select(key, name, *scope).where(name.in_(part), *(c.in_(v) for c, v in zip(scope, scope_values)))
            for row in conn.execute(stmt.order_by(key)):
                entry = (tuple(row[2:]), row[1])
                if entry in new:
                    known.setdefault(entry, []).append(row[0])
        return known

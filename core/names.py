"""People and organisations by name beside their codes.

A record kind that refers to a student, a school, an enterprise, a major or a position (any kind
with a ``name`` or ``title`` column, referred to by its whole key) gets a *name column* for each such
reference: ``student_name`` beside ``id_number``, ``school_name`` beside ``school_code``,
``enterprise_name`` beside ``uscc``. A listing reads them in the same statement as the page
(``services.list_records(names=True)``), a search across text columns also finds a record by the
names it refers to, and a filter may name a name column. A name is read within the reader's scope:
a record the actor may not read shows no name.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import both
from .kinds import RecordKind, Reference, get_kind
from .lazy import lazy_module

sa = lazy_module("sqlalchemy")  # a listing's columns and headers (the TUI's first page) need none

#: the column that names a record of a kind, the first one it has (a policy by its insurer)
NAME_ATTRIBUTES = ("name", "title", "insurer")


def _singular(word: str) -> str:
    word = word.split()[-1]
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


@dataclass(frozen=True)
class NameColumn:
    """The name of the record one reference of a kind points to."""

    #: the key of the column in listings and ``--columns`` (``student_name``)
    name: str
    #: the referring kind's column it is shown beside (the reference's last column)
    beside: str
    reference: Reference
    #: the referred kind and its naming column
    target: str
    target_attr: str
    zh: str
    en: str

    def header(self, lang: str | None = None) -> str:
        return both(self.zh, self.en, lang)

    def _target(self) -> RecordKind:
        return get_kind(self.target)

    def _match(self, kind: RecordKind) -> list:
        target = self._target()
        return [getattr(target.model, tc) == getattr(kind.model, c)
                for c, tc in zip(self.reference.columns, self.reference.target_columns)]

    def _scope(self, actor) -> list:
        scope = self._target().read_filter(actor)
        return [] if scope is None else [scope]

    def expression(self, kind: RecordKind, actor):
        """The name as a correlated scalar subquery of a statement over ``kind``'s table (one
        indexed lookup per row of the page: the target's key is unique)."""
        target = self._target()
        return (sa.select(getattr(target.model, self.target_attr)).where(*self._match(kind), *self._scope(actor))
                .limit(1).scalar_subquery().label(self.name))

    def having(self, kind: RecordKind, actor, test):
        """Records of ``kind`` whose referred record's name passes ``test`` (a function of the
        name's SQL column), as a correlated EXISTS."""
        target = self._target()
        return sa.exists(sa.select(sa.literal(1)).where(*self._match(kind), *self._scope(actor),
                                                        test(getattr(target.model, self.target_attr))))

    def matches(self, kind: RecordKind, actor, value: str, *, prefix: bool = False):
        """Records of ``kind`` whose referred record's name contains ``value`` (starts with it)."""
        if prefix:
            return self.having(kind, actor, lambda col: col.startswith(value, autoescape=True))
        return self.having(kind, actor, lambda col: col.contains(value, autoescape=True))


def name_columns(kind: RecordKind) -> list[NameColumn]:
    """The name columns of ``kind``: one per reference to a kind that has a name, by its whole key,
    except a reference the kind names itself (the mentors' names) and one to its own table."""
    from .kinds import get_kinds

    kinds = get_kinds()
    own = {c.name for c in kind.columns}
    named_here = {n.column for n in kind.named_references}
    out: list[NameColumn] = []
    taken = set(own)
    for ref in kind.references:
        target = kinds.get(ref.kind)
        if target is None or target.table == kind.table or any(c in named_here for c in ref.columns):
            continue
        if set(ref.target_columns) != set(target.key):
            continue
        attr = next((a for a in NAME_ATTRIBUTES if a in target.by_name), None)
        if attr is None or attr in target.key:  # a record keyed by its name is named already
            continue
        name = f"{_singular(target.name)}_{attr}"
        if name in taken:
            continue
        taken.add(name)
        header = target.by_name[attr]
        # 学校名称 and 岗位名称 say whose name they are; 姓名 becomes 学生姓名
        zh = header.zh if len(header.zh) > 2 else target.zh + header.zh
        out.append(NameColumn(name=name, beside=ref.columns[-1], reference=ref, target=target.name,
                              target_attr=attr, zh=zh, en=f"{_singular(target.en)} {attr}"))
    return out


def name_column(kind: RecordKind, name: str) -> NameColumn | None:
    """The name column called ``name`` (its key, Chinese or English header), if ``kind`` has one."""
    for nc in name_columns(kind):
        if name in (nc.name, nc.zh, nc.en) or name.lower() == nc.en.lower():
            return nc
    return None


def listing_columns(kind: RecordKind) -> list:
    """The columns of a listing in order: the kind's columns, each name column right after the
    code it names (``Column`` and ``NameColumn`` objects)."""
    after: dict[str, list[NameColumn]] = {}
    for nc in name_columns(kind):
        after.setdefault(nc.beside, []).append(nc)
    out: list = []
    for col in kind.columns:
        out.append(col)
        out.extend(after.get(col.name, ()))
    return out


def names_of(session, actor, kind: RecordKind, ids: list[int]) -> dict[int, dict]:
    """The name columns of the records with these ids, in one statement: id -> {name: value}."""
    named = name_columns(kind)
    if not named or not ids:
        return {i: {} for i in ids}
    stmt = sa.select(kind.model.id, *[nc.expression(kind, actor) for nc in named]).where(kind.model.id.in_(ids))
    return {row[0]: {nc.name: row[i + 1] for i, nc in enumerate(named)} for row in session.execute(stmt)}


def title_of(kind: RecordKind, values: dict, names: dict) -> str:
    """A record in one line, by name: its own name (a student's, an enterprise's), or its key with
    each code that has a name shown by that name (an internship: 张三 · 某某公司 · 2026-03-01).
    Personal parts of a key are masked."""
    from .privacy import mask_key

    for attr in ("name", "title"):
        if attr in kind.by_name and attr not in kind.key and values.get(attr):
            return str(values[attr])
    by_code = {nc.beside: names.get(nc.name) for nc in name_columns(kind)}
    masked = mask_key(kind, kind.key_of(values)).split("/")
    parts = []
    for column, shown in zip(kind.key, masked):
        parts.append(str(by_code[column]) if by_code.get(column) else shown)
    return " · ".join(parts)


#: keys looked up per statement
_CHUNK = 400


def subject_titles(session, actor, subjects: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Findings' subjects ``(kind, "a/b/c")`` by name (``title_of``), a few statements per kind;
    a subject the actor may not read, or that no longer exists, is left out."""
    from .kinds import RowProblems, get_kinds

    kinds = get_kinds()
    by_kind: dict[str, list[str]] = {}
    for kind_name, key in dict.fromkeys(subjects):
        if kind_name in kinds:
            by_kind.setdefault(kind_name, []).append(key)
    out = {}
    for kind_name, keys in by_kind.items():
        kind = kinds[kind_name]
        parsed = {}
        for key in keys:
            try:
                parsed[key] = kind.parse_key(key)
            except RowProblems:
                continue
        named = name_columns(kind)
        own = [a for a in ("name", "title") if a in kind.by_name and a not in kind.key]
        key_cols = [getattr(kind.model, k) for k in kind.key]
        scope = kind.read_filter(actor)
        items = list(parsed.items())
        for start in range(0, len(items), _CHUNK):
            chunk = items[start:start + _CHUNK]
            wanted = sa.tuple_(*key_cols).in_([tuple(v[k] for k in kind.key) for _key, v in chunk]) if len(key_cols) > 1 \
                else key_cols[0].in_([v[kind.key[0]] for _key, v in chunk])
            stmt = sa.select(*key_cols, *[getattr(kind.model, a) for a in own],
                             *[nc.expression(kind, actor) for nc in named]).where(wanted, *([] if scope is None else [scope]))
            for row in session.execute(stmt):
                values = dict(zip(kind.key, row[:len(kind.key)]))
                values.update(zip(own, row[len(kind.key):len(kind.key) + len(own)]))
                names = dict(zip((nc.name for nc in named), row[len(kind.key) + len(own):]))
                key = kind.key_of(values)
                out[(kind_name, key)] = title_of(kind, values, names)
    return out


def organisation_names(session, actor, school_codes, usccs) -> dict[str, str]:
    """Schools' and enterprises' names by code (both kinds are readable by everyone)."""
    from .kinds import get_kind

    out = {}
    for kind_name, codes in (("schools", school_codes), ("enterprises", usccs)):
        kind = get_kind(kind_name)
        col = getattr(kind.model, kind.key[0])
        wanted = sorted({c for c in codes if c})
        scope = kind.read_filter(actor)
        for start in range(0, len(wanted), _CHUNK):
            stmt = sa.select(col, kind.model.name).where(col.in_(wanted[start:start + _CHUNK]), *([] if scope is None else [scope]))
            out.update(dict(session.execute(stmt).all()))
    return out


@dataclass(frozen=True)
class Match:
    """A record found by ``lookup``: its key values, its name, its key as shown (personal parts
    masked) and the names of what it refers to (a student's school and major)."""

    values: dict
    name: str
    shown_key: str
    context: tuple[str, ...]


def name_attribute(kind: RecordKind) -> str | None:
    """The column that names a record of ``kind`` (``name``, ``title``, ``insurer``), if any."""
    return next((a for a in NAME_ATTRIBUTES if a in kind.by_name), None)


def lookup(session, actor, kind: RecordKind, text: str, *, fixed: dict | None = None, limit: int = 20) -> list[Match]:
    """Records of ``kind`` the actor may read whose name contains ``text`` or whose key (a code,
    an ID number) starts with it; the same name first, then names that start with it. ``fixed``
    narrows to columns of ``kind`` equal to values (the enterprise of a position). One statement,
    at most ``limit`` rows; what a form's reference field offers to pick from."""
    from .privacy import mask_key

    attr = name_attribute(kind)
    if attr is None:
        return []
    model = kind.model
    name = getattr(model, attr)
    keys = [getattr(model, k) for k in kind.key]
    named = name_columns(kind)
    where = [] if kind.read_filter(actor) is None else [kind.read_filter(actor)]
    where += [getattr(model, c) == v for c, v in (fixed or {}).items() if v not in (None, "")]
    text = text.strip()
    if text:
        codes = [k.startswith(text, autoescape=True) for k in keys if isinstance(k.type, sa.String)]
        where.append(sa.or_(name.contains(text, autoescape=True), *codes))
        order = [sa.case((name == text, 0), (name.startswith(text, autoescape=True), 1), else_=2), name, *keys]
    else:
        order = [name, *keys]
    stmt = (sa.select(*keys, name, *[nc.expression(kind, actor) for nc in named])
            .where(*where).order_by(*order).limit(limit))
    out = []
    for row in session.execute(stmt):
        values = dict(zip(kind.key, row[:len(keys)]))
        context = tuple(str(v) for v in row[len(keys) + 1:] if v)
        out.append(Match(values=values, name=str(row[len(keys)] or ""), shown_key=mask_key(kind, kind.key_of(values)),
                         context=context))
    return out

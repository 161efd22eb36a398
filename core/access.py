"""Who may see and change what, declared once on each record kind (``RecordKind.access``).

An ``Access`` names, per action (read, create, update, delete, reveal personal data) and per actor
type (auditor, province, school, enterprise; admin may do everything), the rows the actor may act
on — a ``Scope`` — and also the columns an actor type may change, the columns that hold personal
data and how each is masked, whether the kind is written only through its own service, and guards
that a write must pass against the database. The services, the importer, the masking of every
surface and, on PostgreSQL, the row-level security policies are all derived from it.

Scopes:

- ``ALL`` every row; ``NONE`` not at all;
- ``OWN`` the actor's own rows: a school's by the kind's ``school_column``, an enterprise's by its
  ``enterprise_column``, a province's those whose school or enterprise lies in the province;
- ``via("policies")`` rows whose referenced record of that kind is in the actor's scope for the
  same action (``via("policies", "update")`` for another action);
- ``referenced_by("internships")`` rows that a record of that kind, in the actor's read scope,
  refers to by any of its references (the students of the internships at an enterprise); for
  reading and revealing only;
- ``where(fn, doc)`` custom SQL on the kind's model, ``fn(model, code)`` (``code`` is the actor's
  school code, USCC or province prefix as a SQL expression); for reading and revealing only;
- ``a | b`` either.

What a kind leaves unsaid follows from its ``school_column`` / ``enterprise_column``:

| actor type | read | create, update, delete | reveal |
|---|---|---|---|
| admin | all | all | all |
| auditor | all | — | — |
| province | own | — | — |
| school | own (with a ``school_column``) | own (with a ``school_column``) | as update |
| enterprise | own (with an ``enterprise_column``) | own (with an ``enterprise_column``) | as update |

An action given as one scope (``read=ALL``) applies to every actor type but admin (the auditor
and a province never write); ``write=`` sets create, update and delete together (an action named on its own
wins). Every column of type
``idcard`` is personal data (masked as 110101********1234) without being named.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .lazy import lazy_module

from .i18n import catalogue, t

sa = lazy_module("sqlalchemy")  # imported by the first use: declaring kinds imports no SQLAlchemy

if TYPE_CHECKING:  # the kinds framework imports this module
    from .kinds import RecordKind

catalogue(
    {
        "scope.all": ("全部", "all"),
        "scope.none": ("—", "—"),
        "scope.own.school": ("本校（{column}）", "own school ({column})"),
        "scope.own.enterprise": ("本企业（{column}）", "own enterprise ({column})"),
        "scope.own.province": ("本省的学校或企业", "its schools or enterprises"),
        "scope.via": ("经{kind}", "via {kind}"),
        "scope.via_action": ("经{kind}（{action}）", "via {kind} ({action})"),
        "scope.referenced_by": ("被{kind}引用", "referenced by {kind}"),
        "scope.or": ("或", " or "),
    }
)

ACTIONS = ("read", "create", "update", "delete", "reveal")
WRITES = ("create", "update", "delete")
ACTOR_TYPES = ("admin", "auditor", "province", "school", "enterprise")
#: the actor types a kind declares scopes for (admin may do everything everywhere)
SCOPED = ACTOR_TYPES[1:]

# masks of personal columns (``core.privacy`` applies them)
IDCARD = "idcard"  #: 110101********1234
PHONE = "phone"  #: 138****5678
NAME = "name"  #: 张**
HIDE = "hide"  #: *** (free text such as an assessment's conclusion)
IDS = "ids"  #: text with the ID numbers inside it masked (a case key apprentice/USCC/110101********1234/2025)
MASKS = (IDCARD, PHONE, NAME, HIDE, IDS)


class DeclarationError(Exception):
    """A kind's access declaration is inconsistent (a programming error, raised when first used)."""


@dataclass(frozen=True)
class _Query:
    actor_type: str
    action: str
    code: Any  # a SQL expression: the actor's code
    seen: frozenset


class Scope(abc.ABC):
    """Which rows of a kind an actor may act on."""

    #: evaluable on a row before it is written (create and update scopes must be)
    before_write = True

    @abc.abstractmethod
    def clause(self, kind: "RecordKind", t, q: _Query):
        """A SQL condition on ``t`` (the kind's model or an alias); None means every row."""

    @abc.abstractmethod
    def label(self, kind: "RecordKind", actor_type: str) -> str:
        """The scope in the reader's language, for the permission table of the docs."""

    def __or__(self, other: "Scope") -> "Scope":
        return AnyOf((self, other))


class _All(Scope):
    def clause(self, kind, t, q):
        return None

    def label(self, kind, actor_type):
        return t("scope.all")

    def __repr__(self):
        return "ALL"


class _None(Scope):
    def clause(self, kind, t, q):
        return sa.false()

    def label(self, kind, actor_type):
        return t("scope.none")

    def __repr__(self):
        return "NONE"


class _Own(Scope):
    def clause(self, kind, t, q):
        if q.actor_type == "province":
            parts = []
            if kind.school_column:
                parts.append(in_province(getattr(t, kind.school_column), "school", q.code))
            if kind.enterprise_column:
                parts.append(in_province(getattr(t, kind.enterprise_column), "enterprise", q.code))
            return sa.or_(*parts) if parts else sa.false()
        return getattr(t, own_column(kind, q.actor_type)) == q.code

    def label(self, kind, actor_type):
        if actor_type == "province":
            return t("scope.own.province")
        return t(f"scope.own.{actor_type}", column=own_column(kind, actor_type))

    def __repr__(self):
        return "OWN"


def in_province(column, who: str, code):
    """The condition that ``column`` names a school (``who`` "school": a school code) or an
    enterprise ("enterprise": a USCC) of the province ``code`` (its region prefix, a SQL
    expression), by the region in the school's or enterprise's row: how a province's rows are
    judged (``OWN``, the kept checks' and the import batches' views on PostgreSQL)."""
    from . import models as m

    model, key = (m.School, m.School.school_code) if who == "school" else (m.Enterprise, m.Enterprise.uscc)
    return column.in_(sa.select(key).where(model.region.startswith(code)))


ALL: Scope = _All()
NONE: Scope = _None()
OWN: Scope = _Own()


def own_column(kind: "RecordKind", actor_type: str) -> str:
    """The column naming the school (or enterprise) that owns a row of ``kind``."""
    column = {"school": kind.school_column, "enterprise": kind.enterprise_column}.get(actor_type)
    if not column:
        raise DeclarationError(f"{kind.name}: OWN for {actor_type} needs the kind's {actor_type}_column")
    return column


def _reference(kind: "RecordKind", target: str):
    refs = [r for r in kind.references if r.kind == target]
    if len(refs) != 1:
        raise DeclarationError(f"{kind.name}: needs exactly one reference to {target}, has {len(refs)}")
    return refs[0]


@dataclass(frozen=True)
class Via(Scope):
    """Rows whose referenced record of ``kind`` is in the actor's scope for ``action`` (default:
    the same action)."""

    kind: str
    action: str | None = None

    def target(self, kind, q):
        from .kinds import get_kind

        ref = _reference(kind, self.kind)
        return ref, get_kind(self.kind), self.action or q.action

    def clause(self, kind, t, q):
        from sqlalchemy.orm import aliased

        ref, target, action = self.target(kind, q)
        a = aliased(target.model)
        inner = scope_clause(target, q.actor_type, action, q.code, a, q.seen)
        match = [getattr(a, tc) == getattr(t, c) for c, tc in zip(ref.columns, ref.target_columns)]
        return sa.exists().where(*match, *([] if inner is None else [inner]))

    def label(self, kind, actor_type):
        from .kinds import get_kind

        name = get_kind(self.kind).label()
        if self.action:
            return t("scope.via_action", kind=name, action=t(f"action.{self.action}"))
        return t("scope.via", kind=name)


@dataclass(frozen=True)
class ReferencedBy(Scope):
    """Rows that a record of ``kind`` in the actor's ``action`` scope refers to."""

    kind: str
    action: str = "read"
    before_write = False

    def clause(self, kind, t, q):
        from sqlalchemy.orm import aliased

        from .kinds import get_kind

        source = get_kind(self.kind)
        refs = [r for r in source.references if r.kind == kind.name]
        if not refs:
            raise DeclarationError(f"{kind.name}: {self.kind} has no reference to it")
        a = aliased(source.model)
        inner = scope_clause(source, q.actor_type, self.action, q.code, a, q.seen)
        # by any of the references (an internship names a school mentor and an enterprise mentor):
        # one EXISTS each, so each finds its rows through the index on its own columns (one EXISTS
        # of an OR reads every row of the inner scope for every outer row)
        return sa.or_(*[sa.exists().where(*[getattr(a, c) == getattr(t, tc) for c, tc in zip(r.columns, r.target_columns)],
                                          *([] if inner is None else [inner]))
                        for r in refs])

    def label(self, kind, actor_type):
        from .kinds import get_kind

        return t("scope.referenced_by", kind=get_kind(self.kind).label())


@dataclass(frozen=True)
class Where(Scope):
    """Rows for which ``fn(model, code)`` holds; ``doc`` describes them (Chinese, English)."""

    fn: Callable[[Any, Any], Any]
    doc: tuple[str, str]
    before_write = False

    def clause(self, kind, t, q):
        return self.fn(t, q.code)

    def label(self, kind, actor_type):
        from .i18n import both

        return both(*self.doc)


@dataclass(frozen=True)
class AnyOf(Scope):
    scopes: tuple[Scope, ...]

    @property
    def before_write(self) -> bool:  # type: ignore[override]
        return all(s.before_write for s in self.scopes)

    def clause(self, kind, t, q):
        parts = []
        for scope in self.scopes:
            part = scope.clause(kind, t, q)
            if part is None:
                return None
            parts.append(part)
        return sa.or_(*parts)

    def label(self, kind, actor_type):
        return t("scope.or").join(s.label(kind, actor_type) for s in self.scopes)

    def __or__(self, other):
        return AnyOf((*self.scopes, other))


def via(kind: str, action: str | None = None) -> Scope:
    return Via(kind, action)


def referenced_by(kind: str, action: str = "read") -> Scope:
    return ReferencedBy(kind, action)


def where(fn: Callable[[Any, Any], Any], doc: tuple[str, str]) -> Scope:
    return Where(fn, doc)


#: an action's scopes: one for every actor type, or one per actor type
Scopes = Scope | Mapping[str, Scope] | None
#: ``guard(session, kind, rows) -> [(row index, column, reason)]``: rows are the new states
Guard = Callable[[Any, "RecordKind", list[dict]], list[tuple[int, str, str]]]


@dataclass
class Access:
    """The permission declaration of a record kind (see the module's documentation)."""

    read: Scopes = None
    create: Scopes = None
    update: Scopes = None
    delete: Scopes = None
    #: create, update and delete at once (an action given on its own wins)
    write: Scopes = None
    reveal: Scopes = None
    #: per actor type: the only columns it may change in an update
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: personal columns and their masks (``IDCARD``, ``PHONE``, ``NAME``, ``HIDE``); every idcard
    #: column is personal without being named
    personal: Mapping[str, str] = field(default_factory=dict)
    #: stored columns that are not the kind's but derived from its personal data (a student's birth
    #: date, read from the ID number): logins reading the database directly do not see them
    #: outside their reveal scope either (``core.logins``)
    derived_personal: tuple[str, ...] = ()
    #: written only through this service: the command that users run instead (no plain
    #: ``records add/set/delete`` nor import)
    service: str | None = None
    #: checks a write must pass against the database, whoever writes
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True)
class Rights:
    """A kind's declaration resolved: a scope for every action and actor type."""

    scopes: Mapping[tuple[str, str], Scope]
    columns: Mapping[str, tuple[str, ...]]
    personal: Mapping[str, str]
    service: str | None
    guards: tuple[Guard, ...]
    derived_personal: tuple[str, ...] = ()

    def scope(self, action: str, actor_type: str) -> Scope:
        return ALL if actor_type == "admin" else self.scopes[(action, actor_type)]

    def allows(self, action: str, actor_type: str) -> bool:
        return self.scope(action, actor_type) is not NONE


def _default(kind: "RecordKind", action: str, actor_type: str) -> Scope:
    if action == "read":
        if actor_type == "auditor":
            return ALL
        if actor_type == "province":
            return OWN if kind.school_column or kind.enterprise_column else NONE
    if actor_type in ("auditor", "province"):
        return NONE
    return OWN if {"school": kind.school_column, "enterprise": kind.enterprise_column}[actor_type] else NONE


#: the actor types that only read
READ_ONLY = ("auditor", "province")


def _given(value: Scopes, actor_type: str, action: str) -> Scope | None:
    if isinstance(value, Scope):
        # one scope for every actor type; the auditor and a province never write
        return NONE if actor_type in READ_ONLY and action in WRITES else value
    return None if value is None else value.get(actor_type)


def resolve(kind: "RecordKind") -> Rights:
    """The full table of ``kind``'s rights; raises DeclarationError for an inconsistent declaration."""
    access = kind.access
    name = kind.name
    for action in (*ACTIONS, "write"):
        value = getattr(access, action)
        if isinstance(value, Mapping):
            unknown = set(value) - set(SCOPED)
            if unknown:
                raise DeclarationError(f"{name}: {action} names unknown actor types {sorted(unknown)}")
            if any(not isinstance(s, Scope) for s in value.values()):
                raise DeclarationError(f"{name}: {action} maps actor types to scopes")
        elif value is not None and not isinstance(value, Scope):
            raise DeclarationError(f"{name}: {action} is a scope or a mapping of actor types to scopes")
    scopes: dict[tuple[str, str], Scope] = {}
    for actor_type in SCOPED:
        for action in ("read", *WRITES):
            given = _given(getattr(access, action), actor_type, action)
            if given is None and action in WRITES:
                given = _given(access.write, actor_type, action)
            scopes[(action, actor_type)] = given if given is not None else _default(kind, action, actor_type)
        reveal = _given(access.reveal, actor_type, "reveal")
        if reveal is None:
            reveal = NONE if actor_type in ("auditor", "province") else scopes[("update", actor_type)]
        scopes[("reveal", actor_type)] = reveal
    for actor_type in READ_ONLY:
        if any(scopes[(a, actor_type)] is not NONE for a in WRITES):
            raise DeclarationError(f"{name}: the {actor_type} actor type never writes")
    for (action, actor_type), scope in scopes.items():
        if action in ("create", "update") and not scope.before_write:
            raise DeclarationError(f"{name}: {action} for {actor_type} must be ALL, NONE, OWN, via(...) or their union")
    unknown = set(access.columns) - set(SCOPED)
    if unknown:
        raise DeclarationError(f"{name}: columns names unknown actor types {sorted(unknown)}")
    for actor_type, cols in access.columns.items():
        missing = set(cols) - set(kind.by_name)
        if missing:
            raise DeclarationError(f"{name}: columns for {actor_type} names unknown columns {sorted(missing)}")
    personal = {c.name: IDCARD for c in kind.columns if c.type == "idcard"}
    for column, mask in access.personal.items():
        if column not in kind.by_name:
            raise DeclarationError(f"{name}: personal names an unknown column {column!r}")
        if mask not in MASKS:
            raise DeclarationError(f"{name}: {column} has an unknown mask {mask!r}; use one of {MASKS}")
        personal[column] = mask
    # derived columns are checked against the table when its model class exists already: reading the
    # rights (the masks of a listing read with sqlite3) builds none; the columns are used only by the
    # PostgreSQL views, which build every model (tests/cli/test_cli_lean.py checks every kind's)
    for column in access.derived_personal if kind.model_loaded else ():
        if column not in kind.model.__table__.columns or column in kind.by_name:
            raise DeclarationError(f"{name}: derived_personal names {column!r}, not a stored column outside the kind's")
    return Rights(scopes=scopes, columns=dict(access.columns), personal=personal, service=access.service,
                  guards=tuple(access.guards), derived_personal=tuple(access.derived_personal))


def scope_clause(kind: "RecordKind", actor_type: str, action: str, code, t=None, seen: frozenset = frozenset()):
    """The SQL condition for the rows of ``kind`` an actor of ``actor_type`` with ``code`` (a SQL
    expression) may ``action``, on ``t`` (the kind's model by default); None means every row."""
    if actor_type == "admin":
        return None
    key = (kind.name, action, actor_type)
    if key in seen:
        raise DeclarationError(f"{kind.name}: the {action} scope of {actor_type} refers back to itself")
    return kind.rights.scope(action, actor_type).clause(
        kind, kind.model if t is None else t, _Query(actor_type, action, code, seen | {key}))


def actor_clause(kind: "RecordKind", actor, action: str, t=None):
    """``scope_clause`` for an ``Actor``: its code bound as a parameter."""
    if actor.role == "admin":
        return None
    return scope_clause(kind, actor.role, action, sa.literal(actor.code, sa.String), t)


def scope_sql(kind: "RecordKind", actor, action: str, dialect, alias: str = "t") -> str | None:
    """``actor_clause`` as SQL text on the table alias ``alias`` (for queries written in SQL);
    None means every row. The actor's code is a checked code, rendered as a literal."""
    if actor.role == "admin":
        return None
    from sqlalchemy.orm import aliased

    row = aliased(kind.model, name=alias)
    clause = scope_clause(kind, actor.role, action, sa.literal(actor.code, sa.String), row)
    if clause is None:
        return None
    # compiled inside a query of the row's table, so that the EXISTS of via() and referenced_by()
    # correlate with the row (compiled alone, each would list the table again and hold for every row)
    sql = str(sa.select(sa.literal(1)).select_from(row).where(clause)
              .compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return sql.split("\nWHERE ", 1)[1]


# -- rows about to be written ---------------------------------------------------------------------

def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _matching(conn, table_model, columns: tuple[str, ...], wanted: set, condition) -> set:
    """The tuples of ``wanted`` that rows of ``table_model`` satisfying ``condition`` hold in ``columns``."""
    found: set = set()
    values = sorted(wanted, key=repr)
    for part in _chunks(values):
        cols = [getattr(table_model, c) for c in columns]
        match = cols[0].in_([v[0] for v in part]) if len(cols) == 1 else sa.or_(
            *[sa.and_(*[c == x for c, x in zip(cols, v)]) for v in part])
        stmt = sa.select(*cols).where(match, *([] if condition is None else [condition]))
        found.update(tuple(row) for row in conn.execute(stmt))
    return found


def _rows_in(conn, kind: "RecordKind", scope: Scope, actor, action: str, rows: list[dict], seen: frozenset) -> list[bool]:
    from . import models as m

    if scope is ALL:
        return [True] * len(rows)
    if scope is NONE:
        return [False] * len(rows)
    if isinstance(scope, AnyOf):
        parts = [_rows_in(conn, kind, s, actor, action, rows, seen) for s in scope.scopes]
        return [any(flags) for flags in zip(*parts)]
    if isinstance(scope, _Own) and actor.role != "province":
        column = own_column(kind, actor.role)
        return [row.get(column) == actor.code for row in rows]
    if isinstance(scope, _Own):
        inside = [False] * len(rows)
        for column, model, code_col in ((kind.school_column, m.School, "school_code"),
                                        (kind.enterprise_column, m.Enterprise, "uscc")):
            if not column:
                continue
            wanted = {(row.get(column),) for row in rows if row.get(column)}
            found = _matching(conn, model, (code_col,), wanted, model.region.startswith(actor.code))
            inside = [flag or (row.get(column),) in found for flag, row in zip(inside, rows)]
        return inside
    if isinstance(scope, Via):
        ref, target, target_action = scope.target(kind, _Query(actor.role, action, None, seen))
        key = (target.name, target_action, actor.role)
        if key in seen:
            raise DeclarationError(f"{kind.name}: the {action} scope of {actor.role} refers back to itself")
        from sqlalchemy.orm import aliased

        a = aliased(target.model)
        condition = actor_clause(target, actor, target_action, a)
        wanted = {tuple(row.get(c) for c in ref.columns) for row in rows}
        wanted = {v for v in wanted if None not in v}
        found = _matching(conn, a, tuple(ref.target_columns), wanted, condition)
        return [tuple(row.get(c) for c in ref.columns) in found for row in rows]
    raise DeclarationError(f"{kind.name}: {scope!r} cannot judge a row before it is written")


def rows_allowed(conn, kind: "RecordKind", actor, action: str, rows: list[dict]) -> list[bool]:
    """Whether each row (its column values as they will be stored) lies in ``actor``'s scope for
    ``action`` (create, or update's new state): one query per scope step for all the rows."""
    if actor.role == "admin":
        return [True] * len(rows)
    scope = kind.rights.scope(action, actor.role)
    return _rows_in(conn, kind, scope, actor, action, rows, frozenset({(kind.name, action, actor.role)}))


def stored_allowed(conn, kind: "RecordKind", actor, action: str, ids: list[int]) -> set[int]:
    """The ids among ``ids`` of stored rows that ``actor`` may ``action``."""
    condition = actor_clause(kind, actor, action)
    if condition is None:
        return set(ids)
    model = kind.model
    found: set[int] = set()
    for part in _chunks(list(ids)):
        found.update(conn.execute(sa.select(model.id).where(model.id.in_(part), condition)).scalars())
    return found


def changed_columns_refused(kind: "RecordKind", actor, before: dict, after: dict) -> list[str]:
    """The columns that the update from ``before`` to ``after`` changes and ``actor`` may not."""
    allowed = kind.rights.columns.get(actor.role)
    if actor.role == "admin" or allowed is None:
        return []
    return [c.name for c in kind.columns if before.get(c.name) != after.get(c.name) and c.name not in allowed]


def run_guards(session, kind: "RecordKind", rows: list[dict]) -> list[tuple[int, str, str]]:
    return reduce(lambda out, guard: out + list(guard(session, kind, rows)), kind.rights.guards, [])

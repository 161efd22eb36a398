"""Create, update, delete, get and list records of every kind, as the given actor.

Every write is validated (the kind's row schema and its references), authorised (the actor's
scope), written to the audit log in the same transaction, and announced to plugins through
``xiaoqi_record_changed``. An error at any step raises and the caller's transaction rolls back.
The CLI and the TUI call these functions; they never build queries of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from . import audit
from .access import changed_columns_refused, rows_allowed, run_guards, stored_allowed
from .actors import ADMIN, Actor
from .audit import jsonable
from .errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from .i18n import catalogue, t
from .kinds import RecordKind, RowProblems, get_kind
from .plugins import get_plugin_manager
from .privacy import is_pseudonym, mask_key

catalogue(
    {
        "ref.missing": ("引用的{kind}不存在：{key}", "refers to a {kind} that does not exist: {key}"),
        "ref.disagrees": ("引用的{kind}「{key}」的{column}不是 {value}", "the {kind} '{key}' referred to does not have {column} {value}"),
        "access.service_only": ("{kind}不能直接新建、修改、删除或导入，只能通过 {service} 办理。", "{kind} cannot be created, changed, deleted or imported directly; use {service}."),
        "access.columns": ("{actor} 不能修改{kind}「{key}」的这些列：{columns}", "{actor} may not change these columns of {kind} '{key}': {columns}"),
        "scope.key_change": ("不能修改主键字段；如需更正请删除后重新创建", "a key column cannot be changed; delete the record and create it again"),
        "list.bad_column": ("没有名为「{name}」的列。可用：{names}", "No column named '{name}'. Available: {names}"),
        "list.bad_op": ("「{column}」不能用 {op} 比较（文本与选项列只能用 = 和 !=）", "'{column}' cannot be compared with {op} (text and choice columns take = and != only)"),
    }
)


def _kind(kind: str | RecordKind) -> RecordKind:
    return kind if isinstance(kind, RecordKind) else get_kind(kind)


def snapshot(kind: RecordKind, obj) -> dict:
    """The record as a JSON-ready dict of its file columns (for the audit log and events)."""
    return {name: jsonable(value) for name, value in kind.export_values(obj).items()}


def _problems(kind: RecordKind, exc: RowProblems) -> ValidationFailed:
    return ValidationFailed([(kind.by_name[n].header() if n in kind.by_name else n, v, r) for n, v, r in exc.problems], kind.name)


def _validate(session: Session, kind: RecordKind, raw: dict, actor: Actor) -> dict:
    try:
        values = kind.parse_row(raw)
    except RowProblems as exc:
        raise _problems(kind, exc) from None
    if kind.named_references:
        _resolve_names(session, kind, values)
    problems = check_references(session, kind, values, actor)
    if problems:
        raise ValidationFailed(problems, kind.name)
    return values


def _resolve_names(session: Session, kind: RecordKind, values: dict) -> None:
    """Mentors given by name or ID number, as an import resolves them (``references.Resolver``):
    a unique name fills the key in; a name that matches none or several stays as text."""
    from .references import Resolver

    cols = {name: [value] for name, value in values.items()}
    found = Resolver(kind).resolve(session, cols, [0])
    if found.problems:
        raise ValidationFailed([(kind.by_name[n].header(), v, r) for _i, n, v, r in found.problems], kind.name)
    values.update({name: column[0] for name, column in cols.items()})


def check_references(session: Session, kind: RecordKind, values: dict, actor: Actor = ADMIN) -> list[tuple[str, Any, str]]:
    """Problems for references of ``values`` that name no record the actor may read, or one
    that disagrees on the reference's ``agree`` columns (one query each). A record outside the
    actor's scope reads as missing: a refusal never tells where a record belongs."""
    problems = []
    for ref in kind.references:
        local = [values.get(c) for c in ref.columns]
        if any(v is None for v in local):
            continue  # an optional reference left empty (a missing required one is reported already)
        target = get_kind(ref.kind)
        where = [getattr(target.model, tc) == v for tc, v in zip(ref.target_columns, local)]
        scope = target.read_filter(actor)
        stmt = sa.select(*[getattr(target.model, c) for c in ref.agree] or [sa.literal(1)]).where(
            *where, *([] if scope is None else [scope])).limit(1)
        found = session.execute(stmt).first()
        key = "/".join(map(str, local))
        if found is None:
            problems.append((kind.by_name[ref.columns[-1]].header(), mask_key(target, key),
                             t("ref.missing", kind=target.label(), key=mask_key(target, key))))
            continue
        for column, value in zip(ref.agree, found):
            if value != values.get(column):
                problems.append((kind.by_name[column].header(), values.get(column),
                                 t("ref.disagrees", kind=target.label(), key=mask_key(target, key),
                                   column=kind.by_name[column].header(), value=values.get(column))))
    return problems


def _refuse(actor: Actor, kind: RecordKind, action: str, key: str) -> PermissionDenied:
    if not key:
        return PermissionDenied(t("err.permission_kind", actor=actor.label(), action=t(f"action.{action}"),
                                  kind=kind.label(), hint=t("err.permission.hint")))
    return PermissionDenied(t("err.permission", actor=actor.label(), action=t(f"action.{action}"), kind=kind.label(),
                              key=mask_key(kind, key), hint=t("err.permission.hint")))


def authorise(session: Session, actor: Actor, kind: RecordKind, action: str, key: str, *, obj=None,
               before: dict | None = None, after: dict | None = None, through_service: bool = False) -> None:
    """Refuse a write that the kind's access declaration does not allow ``actor``: a kind kept by
    its own service, an action the actor's type may not take, a stored record (``obj``) or a new
    state (``after``) outside its scope, a column it may not change, or a failed guard."""
    rights = kind.rights
    if rights.service and not through_service:
        raise PermissionDenied(t("access.service_only", kind=kind.label(), service=rights.service))
    if not rights.allows(action, actor.role):
        if actor.read_only:
            raise PermissionDenied(t("err.read_only", actor=actor.label()))
        raise _refuse(actor, kind, action, key)
    if obj is not None and obj.id not in stored_allowed(session, kind, actor, action, [obj.id]):
        raise _refuse(actor, kind, action, key)
    if after is not None and not rows_allowed(session, kind, actor, action, [after])[0]:
        raise _refuse(actor, kind, action, key)
    if before is not None and after is not None:
        refused = changed_columns_refused(kind, actor, before, after)
        if refused:
            raise PermissionDenied(t("access.columns", actor=actor.label(), kind=kind.label(), key=mask_key(kind, key),
                                     columns="、".join(kind.by_name[c].header() for c in refused)))
    if after is not None:
        problems = run_guards(session, kind, [after])
        if problems:
            raise ValidationFailed([(kind.by_name[c].header(), after.get(c), reason) for _i, c, reason in problems], kind.name)


def _announce(session: Session, actor: Actor, kind: RecordKind, action: str, key: str, before, after) -> None:
    get_plugin_manager().hook.xiaoqi_record_changed(
        session=session, actor=actor, kind=kind.name, action=action, key=key, before=before, after=after
    )


def _find(session: Session, kind: RecordKind, key_values: dict, actor: Actor = ADMIN):
    """The record with these key values that ``actor`` may read (None otherwise)."""
    scope = kind.read_filter(actor)
    stmt = sa.select(kind.model).where(kind.key_clause(key_values), *([] if scope is None else [scope]))
    return session.execute(stmt).scalar_one_or_none()


def _key_values(kind: RecordKind, key) -> dict:
    try:
        return kind.parse_key(key)
    except RowProblems as exc:
        raise _problems(kind, exc) from None


def _key_text(kind: RecordKind, key) -> str:
    return kind.key_of(key) if isinstance(key, dict) else str(key)


def create_record(session: Session, *, actor: Actor, kind: str | RecordKind, data: dict,
                  through_service: bool = False) -> Any:
    """Create one record from file-style values (column name -> cell value). ``through_service``
    is for the service that keeps a kind declared ``Access(service=...)``."""
    kind = _kind(kind)
    with audit.refusals(actor=actor, kind=kind.name, action="create", key=kind.key_of(data), values=data):
        return _create(session, actor, kind, data, through_service)


def _create(session: Session, actor: Actor, kind: RecordKind, data: dict, through_service: bool) -> Any:
    authorise(session, actor, kind, "create", "", through_service=through_service)
    values = _validate(session, kind, data, actor)
    key = kind.key_of(values)
    authorise(session, actor, kind, "create", key, after=values, through_service=through_service)
    if _find(session, kind, values) is not None:
        raise Conflict(t("err.exists", kind=kind.label(), key=mask_key(kind, key)))
    obj = kind.model(**kind.db_values(values))
    session.add(obj)
    session.flush()
    after = snapshot(kind, obj)
    audit.record(session, actor=actor, kind=kind.name, action="create", key=key, before=None, after=after)
    _announce(session, actor, kind, "create", key, None, after)
    return obj


def update_record(session: Session, *, actor: Actor, kind: str | RecordKind, key, changes: dict,
                  through_service: bool = False) -> Any:
    """Change some columns of one record; key columns cannot change."""
    kind = _kind(kind)
    with audit.refusals(actor=actor, kind=kind.name, action="update", key=_key_text(kind, key), values=changes):
        return _update(session, actor, kind, key, changes, through_service)


def _update(session: Session, actor: Actor, kind: RecordKind, key, changes: dict, through_service: bool) -> Any:
    key_values = _key_values(kind, key)
    obj = _find(session, kind, key_values, actor)
    key_text = kind.key_of(key_values)
    if obj is None:
        raise NotFound(t("err.not_found", kind=kind.label(), key=mask_key(kind, key_text)))
    before = snapshot(kind, obj)
    # the actor must hold the record as it is, and as it will be
    authorise(session, actor, kind, "update", key_text, obj=obj, through_service=through_service)
    current = kind.export_values(obj)
    # ID numbers a login reads as pseudonyms (core.logins) and does not change stay as stored
    held = {c: v for c, v in current.items() if c not in changes and is_pseudonym(v)}
    values = _validate(session, kind, {**current, **changes, **dict.fromkeys(held)}, actor)
    values.update(held)
    if kind.key_of(values) != key_text:
        raise ValidationFailed([("/".join(kind.key), key_text, t("scope.key_change"))], kind.name)
    authorise(session, actor, kind, "update", key_text, before=current, after=values, through_service=through_service)
    for name, value in kind.db_values(values).items():
        setattr(obj, name, value)
    session.flush()
    after = snapshot(kind, obj)
    if after != before:
        audit.record(session, actor=actor, kind=kind.name, action="update", key=key_text, before=before, after=after)
        _announce(session, actor, kind, "update", key_text, before, after)
    return obj


def delete_record(session: Session, *, actor: Actor, kind: str | RecordKind, key, through_service: bool = False) -> None:
    kind = _kind(kind)
    with audit.refusals(actor=actor, kind=kind.name, action="delete", key=_key_text(kind, key)):
        _delete(session, actor, kind, key, through_service)


def _delete(session: Session, actor: Actor, kind: RecordKind, key, through_service: bool) -> None:
    key_values = _key_values(kind, key)
    key_text = kind.key_of(key_values)
    obj = _find(session, kind, key_values, actor)
    if obj is None:
        raise NotFound(t("err.not_found", kind=kind.label(), key=mask_key(kind, key_text)))
    authorise(session, actor, kind, "delete", key_text, obj=obj, through_service=through_service)
    before = snapshot(kind, obj)
    try:
        with session.begin_nested():
            session.delete(obj)
            session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict(t("err.in_use", kind=kind.label(), key=key_text, detail=_referrers(kind))) from exc
    audit.record(session, actor=actor, kind=kind.name, action="delete", key=key_text, before=before, after=None)
    _announce(session, actor, kind, "delete", key_text, before, None)


def _referrers(kind: RecordKind) -> str:
    from .kinds import get_kinds

    names = [k.label() for k in get_kinds().values() if any(r.kind == kind.name for r in k.references)]
    return "、".join(names) or "-"


def get_record(session: Session, *, actor: Actor, kind: str | RecordKind, key) -> Any:
    """One record the actor may see, or NotFound (a record outside the scope is not revealed)."""
    kind = _kind(kind)
    key_values = _key_values(kind, key)
    stmt = sa.select(kind.model).where(kind.key_clause(key_values))
    scope = kind.read_filter(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    obj = session.execute(stmt).scalar_one_or_none()
    if obj is None:
        raise NotFound(t("err.not_found", kind=kind.label(), key=mask_key(kind, kind.key_of(key_values))))
    return obj


@dataclass
class Page:
    rows: list
    total: int | None
    #: with ``names=True``: for each row, its name columns (``student_name`` -> 张三, None when the
    #: named record is missing or outside the reader's scope)
    names: list[dict] | None = None


#: the comparisons ``where`` takes, as SQL operators
COMPARISONS = {"=": "__eq__", "!=": "__ne__", ">=": "__ge__", "<=": "__le__", ">": "__gt__", "<": "__lt__"}


def _all_names(kind: RecordKind) -> str:
    from .names import name_columns

    return ", ".join([*kind.by_name, *(nc.name for nc in name_columns(kind))])


def _bad_column(kind: RecordKind, name: str, value) -> ValidationFailed:
    return ValidationFailed([(name, value, t("list.bad_column", name=name, names=_all_names(kind)))], kind.name)


def _comparison(kind: RecordKind, actor: Actor, name: str, op: str, value):
    """One ``where`` term: a column compared with a value (read by the column's parser), or a
    name column equal (or not) to a name."""
    from .names import name_column

    if op not in COMPARISONS:
        raise ValidationFailed([(name, op, t("list.bad_op", column=name, op=op))], kind.name)
    column = kind.by_name.get(name)
    if column is None:
        named = name_column(kind, name)
        if named is None:
            raise _bad_column(kind, name, value)
        if op not in ("=", "!="):
            raise ValidationFailed([(named.header(), op, t("list.bad_op", column=named.header(), op=op))], kind.name)
        test = named.having(kind, actor, lambda col: col == value)
        return test if op == "=" else ~test
    if op not in ("=", "!=") and column.type not in ("date", "money", "int", "hours"):
        raise ValidationFailed([(column.header(), op, t("list.bad_op", column=column.header(), op=op))], kind.name)
    if isinstance(value, str):
        try:
            value = column.parse(value)
        except ValueError as exc:
            raise ValidationFailed([(column.header(), value, str(exc))], kind.name) from None
    col = getattr(kind.model, name)
    if value is None:
        return col.is_(None) if op == "=" else col.is_not(None)
    test = getattr(col, COMPARISONS[op])(value)
    return sa.or_(test, col.is_(None)) if op == "!=" else test


def _filters(kind: RecordKind, actor: Actor, filters: dict | None, search: str | None, where=None):
    from .names import name_column, name_columns

    clauses = []
    scope = kind.read_filter(actor)
    if scope is not None:
        clauses.append(scope)
    for name, op, value in where or ():
        clauses.append(_comparison(kind, actor, name, op, value))
    for name, value in (filters or {}).items():
        if name not in kind.by_name:
            named = name_column(kind, name)
            if named is None:
                raise _bad_column(kind, name, value)
            text = str(value)
            prefix = text.endswith("*")
            clauses.append(named.matches(kind, actor, text[:-1] if prefix else text, prefix=prefix))
            continue
        col = getattr(kind.model, name)
        # autoescape: a % or _ in the value matches itself, as the user wrote it
        if isinstance(value, str) and value.endswith("*"):
            clauses.append(col.startswith(value[:-1], autoescape=True))
        elif isinstance(value, str) and kind.by_name[name].type in ("text", "list"):
            clauses.append(col.contains(value, autoescape=True))
        else:
            clauses.append(col == value)
    if search:
        text_cols = [getattr(kind.model, c.name) for c in kind.columns if c.type in ("text", "code10", "uscc", "idcard", "choice", "list")]
        # a record is also found by the names it refers to (an internship by its student's name)
        named = [nc.matches(kind, actor, search) for nc in name_columns(kind)]
        clauses.append(sa.or_(*[c.contains(search, autoescape=True) for c in text_cols], *named))
    return clauses


def _name_sort(kind: RecordKind, order_by: str | None):
    """The name column ``order_by`` names (``student_name``), None for one of the kind's own columns."""
    if not order_by or order_by in kind.by_name:
        return None
    from .names import name_column

    return name_column(kind, order_by)


def order_key(kind: RecordKind, obj, order_by: str | None = None, names: dict | None = None) -> tuple:
    """Where ``obj`` stands in a listing ordered by ``order_by``: pass it as ``after``/``before``.
    For a name column (``student_name``) the row's names (``Page.names``) give its value."""
    if not order_by:
        return (obj.id,)
    named = _name_sort(kind, order_by)
    if named is not None:
        if names is None:
            raise ValueError(f"order_key: the names of the row are needed to sort by {order_by}")
        return (names.get(named.name), obj.id)
    return (getattr(obj, order_by), obj.id)


def _order_terms(kind: RecordKind, order_by: str | None, descending: bool, boundary: tuple | None = None,
                 actor: Actor | None = None) -> list:
    """The sort terms of a listing as ``(expression, descending)``: empty values last on every
    database and in either direction, then the column, then the id. A name column (``student_name``)
    sorts by the name the reader sees (its scoped subquery), not by the code it names.

    For a keyset boundary whose value is empty, the value term is left out of the comparison with
    the boundary (the empty-flag term already tells the rows apart, and ``NULL = NULL`` is never
    true); the listing is still ordered by all three terms."""
    if not order_by:
        return [(kind.model.id, descending)]
    named = _name_sort(kind, order_by)
    col = getattr(kind.model, order_by) if named is None else named.expression(kind, actor).element
    empty = (sa.case((col.is_(None), 1), else_=0), False)
    if boundary is not None and boundary[0] is None:
        return [empty, (kind.model.id, descending)]
    return [empty, (col, descending), (kind.model.id, descending)]


def _beyond(terms: list, values: tuple, after: bool):
    """Rows that come after (or before) ``values`` in the order of ``terms``."""
    ors = []
    for i, (term, desc) in enumerate(terms):
        equal = [terms[j][0] == values[j] for j in range(i)]
        ors.append(sa.and_(*equal, term > values[i] if after != desc else term < values[i]))
    return sa.or_(*ors)


def list_records(session: Session, *, actor: Actor, kind: str | RecordKind, filters: dict | None = None,
                 search: str | None = None, order_by: str | None = None, descending: bool = False,
                 limit: int = 100, offset: int = 0, count: bool = False, after: tuple | None = None,
                 before: tuple | None = None, from_end: bool = False, where=None, names: bool = False) -> Page:
    """A page of the records the actor may see, filtered (``{column: value}``; ``"41*"`` is a prefix,
    text columns match a part), searched across text columns, and ordered by a column (empty values
    last, ascending or descending) then the id.

    ``after`` / ``before`` page by keyset instead of ``offset``: the ``order_key`` of the row that
    ends the previous page or starts the next one. A keyset page costs the same at row 900,000 as
    at row 0, where an offset makes the database step over every earlier row. ``from_end`` counts
    ``offset`` from the end of the listing (the last page is ``offset=0``), for a page nearer the
    end than the start: the database steps over the rows after it instead of those before.

    ``where`` is a list of ``(column, op, value)`` comparisons (``("start_on", ">=", "2026-03-01")``;
    ``op`` one of ``COMPARISONS``, a text value read by the column's parser; a name column takes
    ``=`` and ``!=``), all of them true for a row. A filter may name a name column too
    (``{"student_name": "张"}``). With ``names`` the page also carries each row's name columns
    (``xiaoqi.core.names``), read in the same statement."""
    from .names import name_columns

    kind = _kind(kind)
    clauses = _filters(kind, actor, filters, search, where)
    if order_by and order_by not in kind.by_name:
        named_sort = _name_sort(kind, order_by)
        if named_sort is None:
            raise _bad_column(kind, order_by, order_by)
        order_by = named_sort.name
    boundary = after if after is not None else before
    where = list(clauses)
    if boundary is not None:
        if not order_by:
            values = tuple(boundary)
        elif boundary[0] is None:
            values = (1, boundary[1])
        else:
            values = (0, *boundary)
        where.append(_beyond(_order_terms(kind, order_by, descending, boundary, actor), values, after=after is not None))
    # a page before the boundary, or counted from the end, is read in reverse, then turned round
    backwards = before is not None or (from_end and boundary is None)
    # the full order, whatever the boundary: rows before an empty value are ordered by their values
    order = [term.desc() if desc != backwards else term for term, desc in _order_terms(kind, order_by, descending, actor=actor)]
    named = name_columns(kind) if names else []
    stmt = sa.select(kind.model, *[nc.expression(kind, actor) for nc in named]).where(*where).order_by(*order).limit(limit)
    if boundary is None:
        stmt = stmt.offset(offset)
    result = list(session.execute(stmt))
    if backwards:
        result.reverse()
    rows = [r[0] for r in result]
    page_names = [{nc.name: r[i + 1] for i, nc in enumerate(named)} for r in result] if names else None
    total = None
    if count:
        total = session.execute(sa.select(sa.func.count()).select_from(kind.model).where(*clauses)).scalar_one()
    return Page(rows=rows, total=total, names=page_names)


def count_records(session: Session, *, actor: Actor, kind: str | RecordKind, filters: dict | None = None,
                  search: str | None = None, where=None) -> int:
    kind = _kind(kind)
    clauses = _filters(kind, actor, filters, search, where)
    return session.execute(sa.select(sa.func.count()).select_from(kind.model).where(*clauses)).scalar_one()



#: the scale a numeric column is summed at (money in fen, hours in tenths): sums of integers are
#: exact on every database (SQLite keeps a Numeric as a float)
_SCALES = {"money": 100, "hours": 10}


def sum_records(session: Session, *, actor: Actor, kind: str | RecordKind, columns: list[str], filters: dict | None = None,
                search: str | None = None, where=None) -> dict:
    """The sums of numeric ``columns`` over every record a listing with these filters holds (one
    aggregate statement): column name -> total (Decimal for money and hours, int otherwise)."""
    from decimal import Decimal

    kind = _kind(kind)
    if not columns:
        return {}
    clauses = _filters(kind, actor, filters, search, where)
    sums = []
    for name in columns:
        col, scale = getattr(kind.model, name), _SCALES.get(kind.by_name[name].type)
        term = sa.cast(sa.func.round(col * scale), sa.BigInteger) if scale else col
        sums.append(sa.func.coalesce(sa.func.sum(term), 0))
    row = session.execute(sa.select(*sums).select_from(kind.model).where(*clauses)).one()
    out = {}
    for name, value in zip(columns, row):
        scale = _SCALES.get(kind.by_name[name].type)
        out[name] = (Decimal(int(value)) / scale).quantize(Decimal(1) / scale) if scale else int(value)
    return out


def position_of(session: Session, *, actor: Actor, kind: str | RecordKind, key, filters: dict | None = None,
                search: str | None = None, order_by: str | None = None, descending: bool = False, where=None) -> int | None:
    """Where the record ``key`` stands (0 first) in the listing ``list_records`` gives for these
    arguments; None when the listing does not hold it (one count of the rows before it)."""
    kind = _kind(kind)
    clauses = _filters(kind, actor, filters, search, where)
    named = _name_sort(kind, order_by)
    if named is not None:
        order_by = named.name
    extra = [named.expression(kind, actor)] if named is not None else []
    found = session.execute(sa.select(kind.model, *extra).where(kind.key_clause(_key_values(kind, key)), *clauses)).one_or_none()
    if found is None:
        return None
    obj = found[0]
    key_now = order_key(kind, obj, order_by, {named.name: found[1]} if named is not None else None)
    values = key_now
    if order_by:
        values = (1, obj.id) if values[0] is None else (0, *values)
    earlier = _beyond(_order_terms(kind, order_by, descending, key_now if order_by else None, actor), values, after=False)
    return session.execute(sa.select(sa.func.count()).select_from(kind.model).where(*clauses, earlier)).scalar_one()

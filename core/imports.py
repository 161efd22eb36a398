"""Import batches as a person reads them: the list, one batch in full, and ``undo_batch``, which
reverts a whole batch in one transaction — the records it created deleted, those it updated put
back — when nothing changed those records since (otherwise it names what did: which record, by
whom, when). The undo is audited like any write: one entry per record (``note.undo_of``) and one
for the batch, whose status becomes ``undone``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from . import audit
from .actors import Actor
from .errors import Conflict, NotFound, PermissionDenied
from .i18n import catalogue, t
from .kinds import get_kind, get_kinds
from .models import ImportBatch
from .privacy import mask_note, mask_problem

catalogue(
    {
        "imports.not_found": ("没有编号为 {id} 的导入批次。用 xiaoqi imports list 查看。", "No import batch {id}. See xiaoqi imports list."),
        "imports.not_committed": ("导入批次 {id} 的状态是「{status}」，没有可撤销的内容。", "Import batch {id} is '{status}': there is nothing to undo."),
        "imports.changed_since": ("导入批次 {id} 的记录此后已被修改，不能整批撤销：\n  {lines}\n请先处理这些修改（或逐条修改记录）。",
                                  "Records of import batch {id} changed since, so it cannot be undone as a whole:\n  {lines}\nDeal with those changes first (or change the records one by one)."),
        "imports.changed_line": ("{kind}「{key}」{name}：{action}，{actor}，{at}", "{kind} '{key}'{name}: {action} by {actor} at {at}"),
        "imports.more": ("……另有 {n} 处", "... and {n} more"),
        "imports.in_use": ("导入批次 {id} 新建的{kind}仍被其他记录引用（{detail}），不能撤销。请先删除引用它们的记录。",
                           "{kind} created by import batch {id} are still referenced ({detail}), so it cannot be undone. Delete the records that use them first."),
        "imports.undo_login": ("在共享数据库上，导入批次 {id} 须由管理员（数据库所有者）撤销：本登录读到的审计记录是脱敏的，"
                               "据此恢复会写入脱敏后的值。请联系管理员执行 xiaoqi imports undo {id}。",
                               "On a shared database import batch {id} is undone by the admin (the database's owner): this "
                               "login reads the audit log masked, and restoring from it would write the masked values. Ask "
                               "the admin to run xiaoqi imports undo {id}."),
        "imports.undo_denied": ("{actor} 不能撤销导入批次 {id}：只有管理员或当初导入的身份可以。", "{actor} may not undo import batch {id}: only an admin or whoever imported it may."),
        "status.committed": ("已导入", "committed"),
        "status.refused": ("被拒绝", "refused"),
        "status.undone": ("已撤销", "undone"),
        "audit.action.create": ("新建", "created"),
        "audit.action.update": ("修改", "updated"),
        "audit.action.delete": ("删除", "deleted"),
        "audit.action.refused": ("被拒绝的尝试", "refused attempt"),
        "audit.action.import": ("导入", "imported"),
        "audit.action.undo": ("撤销", "undone"),
    }
)

#: later changes named when an undo is refused
SHOWN_CONFLICTS = 10
#: records read or reverted per statement
CHUNK = 500

BATCH_COLUMNS = ("id", "kind", "file_name", "sha256", "file_size", "sheet", "encoding", "actor", "login", "started_at",
                 "finished_at", "rows", "created", "updated", "unchanged", "invalid", "status")


ACTIONS = ("create", "update", "delete", "refused", "import", "undo")


def action_label(action: str) -> str:
    """An audit action in the reader's language (a plugin's own verb as it wrote it)."""
    return t(f"audit.action.{action}") if action in ACTIONS else action


@dataclass
class Batch:
    id: int
    kind: str
    file_name: str
    sha256: str
    file_size: int | None
    sheet: str | None
    encoding: str | None
    actor: str
    login: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    rows: int
    created: int
    updated: int
    unchanged: int
    invalid: int
    status: str
    problems: list[dict] = field(default_factory=list)
    #: the batch's own audit entries (import, refused, undo): action, actor, login, at, note
    events: list[dict] = field(default_factory=list)
    file_kept: bool = False

    def kind_label(self) -> str:
        try:
            return get_kind(self.kind).label()
        except KeyError:
            return self.kind

    def as_dict(self) -> dict:
        out = {name: getattr(self, name) for name in BATCH_COLUMNS}
        for name in ("started_at", "finished_at"):
            out[name] = out[name].isoformat(sep=" ", timespec="seconds") if out[name] else None
        out.update(kind_label=self.kind_label(), status_label=t(f"status.{self.status}"), problems=self.problems,
                   file_kept=self.file_kept,
                   events=[{**e, "at": e["at"].isoformat(sep=" ", timespec="seconds")} for e in self.events])
        return out


def _datetime(value):
    return value if value is None or isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _batch(row) -> Batch:
    values = {name: row[name] for name in BATCH_COLUMNS}
    values["started_at"], values["finished_at"] = _datetime(values["started_at"]), _datetime(values["finished_at"])
    return Batch(**values)


def in_region(actor_column, code):
    """The condition that a batch (``actor_column``: its ``actor``, ``role:code``) was imported by
    a school or an enterprise of the province ``code`` (a SQL expression), judged by the region the
    kinds' scopes use for a province (``access.in_province``): such a batch holds only rows within
    its importer's scope, which lies within the province's (rows outside it were refused, and its
    problems name them masked, as to the importer)."""
    from .access import in_province

    return sa.or_(*[sa.and_(actor_column.startswith(f"{who}:"),
                            in_province(sa.func.substr(actor_column, len(who) + 2), who, code))
                    for who in ("school", "enterprise")])


def _visible(actor: Actor):
    """The batches ``actor`` reads: all for an admin and the auditor; a province its own and
    those of its schools and enterprises (``in_region``); anyone else its own. Not those of
    records it may read: a batch's counts cover, and its problems and stored file hold, rows of
    every scope the importer could write (a file cannot be read in part), so not the admin's, nor
    another province's; its records' entries are read through the audit log's scope
    (``history.entry_scope``), the creations rebuilt there. The masked views of ``import_batches``
    and ``import_files`` on PostgreSQL give a login the same (``logins._own_rows``)."""
    table = ImportBatch.__table__
    if actor.role in ("admin", "auditor"):
        return None
    own = table.c.actor == str(actor)
    if actor.role == "province":
        return sa.or_(own, in_region(table.c.actor, sa.literal(actor.code, sa.String)))
    return own


def list_batches(session, *, actor: Actor, limit: int = 50, before_id: int | None = None, kind: str | None = None) -> list[Batch]:
    """Import batches, newest first (admins and auditors see all; a province its own and its
    schools' and enterprises'; others their own)."""
    table = ImportBatch.__table__
    stmt = sa.select(*(table.c[n] for n in BATCH_COLUMNS)).order_by(table.c.id.desc()).limit(limit)
    scope = _visible(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    if before_id is not None:
        stmt = stmt.where(table.c.id < before_id)
    if kind:
        stmt = stmt.where(table.c.kind == get_kind(kind).name)
    return [_batch(row) for row in session.execute(stmt).mappings()]


def _masked_note(note, actor: Actor):
    return note if not note or actor.is_admin else mask_note(None, note)


def get_batch(session, *, actor: Actor, batch_id: int) -> Batch:
    """One batch with its problems, its own audit entries and whether its file is kept."""
    import json

    table = ImportBatch.__table__
    stmt = sa.select(*(table.c[n] for n in BATCH_COLUMNS), table.c.problems).where(table.c.id == batch_id)
    scope = _visible(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    row = session.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(t("imports.not_found", id=batch_id))
    batch = _batch(row)
    problems = row["problems"]
    # stored masked by the importer for everyone but the admin; the admin's batches (read by an
    # auditor) and batches kept before it masked them are masked here, as the importer masks
    kind = None if actor.is_admin else get_kinds().get(batch.kind)
    batch.problems = [mask_problem(kind, p) for p in (json.loads(problems) if isinstance(problems, str) else problems) or []]
    events = session.execute(sa.text(
        "SELECT action, actor, login, at, note FROM audit_log WHERE kind = 'import_batches' AND key = :k ORDER BY id"),
        {"k": str(batch_id)}).mappings()
    batch.events = [{"action": e["action"], "actor": e["actor"], "login": e["login"], "at": _datetime(e["at"]),
                     "note": _masked_note(json.loads(e["note"]) if isinstance(e["note"], str) else e["note"], actor)}
                    for e in events]
    batch.file_kept = session.execute(sa.text("SELECT 1 FROM import_files WHERE batch_id = :b LIMIT 1"),
                                      {"b": batch_id}).first() is not None
    return batch


# -- undo -------------------------------------------------------------------------------------

@dataclass
class UndoResult:
    batch_id: int
    kind: str
    deleted: int = 0
    restored: int = 0


def _conflicts(conn, batch_id: int) -> list:
    """Later entries (other than refused attempts) about the records this batch wrote."""
    return conn.execute(sa.text(
        "SELECT later.kind, later.key, later.action, later.actor, later.at, later.before, later.after FROM audit_log mine "
        "JOIN audit_log later ON later.kind = mine.kind AND later.key = mine.key AND later.id > mine.id "
        "WHERE mine.batch_id = :b AND mine.action IN ('create', 'update') AND later.action <> 'refused' "
        "ORDER BY later.id"), {"b": batch_id}).all()


def _conflict_text(batch_id: int, rows: list) -> str:
    from .history import NAME_FIELDS, from_json

    lines = []
    for kind_name, key, action, actor, at, before, after in rows[:SHOWN_CONFLICTS]:
        state = {**(from_json(before) or {}), **(from_json(after) or {})}
        name = next((str(state[f]) for f in NAME_FIELDS if state.get(f)), "")
        lines.append(t("imports.changed_line", kind=get_kind(kind_name).label(), key=key, name=f"（{name}）" if name else "",
                       action=action_label(action), actor=actor, at=str(_datetime(at))[:19]))
    if len(rows) > SHOWN_CONFLICTS:
        lines.append(t("imports.more", n=len(rows) - SHOWN_CONFLICTS))
    return t("imports.changed_since", id=batch_id, lines="\n  ".join(lines))


def undo_batch(session, *, actor: Actor, batch_id: int) -> UndoResult:
    """Revert import batch ``batch_id`` in the session's transaction (raises, changing nothing,
    when it cannot)."""
    with audit.refusals(actor=actor, kind="import_batches", action="undo", key=str(batch_id)):
        return _undo(session, actor, batch_id)


def _undo(session, actor: Actor, batch_id: int) -> UndoResult:
    from .history import from_json
    from .services import _announce, _referrers, snapshot

    batch = get_batch(session, actor=actor, batch_id=batch_id)
    if actor.read_only or not (actor.is_admin or str(actor) == batch.actor):
        raise PermissionDenied(t("imports.undo_denied", actor=actor.label(), id=batch_id))
    if batch.status != "committed":
        raise Conflict(t("imports.not_committed", id=batch_id, status=t(f"status.{batch.status}")))
    kind = get_kind(batch.kind)
    conn = session.connection()
    from .history import scoped_login

    if scoped_login(conn):
        # a login reads the audit log masked (ID numbers as pseudonyms, names and phones starred):
        # the states it would restore are not the records' own
        raise PermissionDenied(t("imports.undo_login", id=batch_id))
    if conn.dialect.name == "postgresql":  # no writer changes these records between the check and the revert
        conn.exec_driver_sql(f'LOCK TABLE "{kind.model.__table__.name}" IN SHARE ROW EXCLUSIVE MODE')
    later = _conflicts(conn, batch_id)
    if later:
        raise Conflict(_conflict_text(batch_id, later))
    written = conn.execute(sa.text(
        "SELECT action, key, before, after FROM audit_log WHERE batch_id = :b AND kind = :k AND action IN ('create', 'update') "
        "ORDER BY id"), {"b": batch_id, "k": kind.name}).all()
    result = UndoResult(batch_id=batch_id, kind=kind.name)
    note = {"undo_of": batch_id}
    for start in range(0, len(written), CHUNK):
        part = written[start:start + CHUNK]
        keys = {key: (action, from_json(before), from_json(after)) for action, key, before, after in part}
        clauses = [kind.key_clause(kind.parse_key(key)) for key in keys]
        for obj in session.execute(sa.select(kind.model).where(sa.or_(*clauses))).scalars():
            current = snapshot(kind, obj)
            key = kind.key_of(current)
            action, before, changed = keys[key]
            if action == "create":
                session.delete(obj)
                audit.record(session, actor=actor, kind=kind.name, action="delete", key=key, before=current, note=note)
                _announce(session, actor, kind, "delete", key, current, None)
                result.deleted += 1
            else:
                restored = {**current, **{name: before.get(name) for name in changed}}
                for name, value in kind.db_values(kind.parse_row(restored)).items():
                    setattr(obj, name, value)
                audit.record(session, actor=actor, kind=kind.name, action="update", key=key, before=current,
                             after=restored, note=note)
                _announce(session, actor, kind, "update", key, current, restored)
                result.restored += 1
        try:
            session.flush()
        except sa.exc.IntegrityError as exc:
            raise Conflict(t("imports.in_use", id=batch_id, kind=kind.label(), detail=_referrers(kind))) from exc
    table = ImportBatch.__table__
    session.execute(sa.update(table).where(table.c.id == batch_id).values(status="undone"))
    audit.record(session, actor=actor, kind="import_batches", action="undo", key=str(batch_id), batch_id=batch_id,
                 note={"deleted": result.deleted, "restored": result.restored})
    return result

"""``xiaoqi audit``: the audit log as a person reads it (``list``, ``show``) and its hash chain
checked (``verify``)."""

from __future__ import annotations

import sys

import click

from ..cli import argument, emit_json, format_option, group, option, pass_app
from ..i18n import catalogue, t
from ..history import entry_summary, kind_label
from .records import kind_named, kinds_help

catalogue(
    {
        "audit.col.id": ("编号", "id"),
        "audit.col.at": ("时间（UTC）", "time (UTC)"),
        "audit.col.action": ("操作", "action"),
        "audit.col.kind": ("类型", "kind"),
        "audit.col.key": ("主键", "key"),
        "audit.col.name": ("名称", "name"),
        "audit.col.actor": ("身份", "actor"),
        "audit.col.login": ("登录", "login"),
        "audit.col.what": ("内容", "what"),
        "audit.none": ("（没有审计记录）", "(no audit entries)"),
        "audit.more": ("更早的记录：加 --before {id}", "older entries: add --before {id}"),
        "audit.show.title": ("{kind}「{key}」{name}的历史（{n} 条）", "History of {kind} '{key}'{name} ({n} entries)"),
        "audit.verify.ok": ("审计链完整：{blocks} 个区块，{entries} 条记录，{batches} 个导入批次{files}。链头 {head}",
                            "The audit chain is intact: {blocks} blocks, {entries} entries, {batches} import batches{files}. Head {head}"),
        "audit.verify.files": ("（已核对 {n} 个保存的文件）", " ({n} stored files checked)"),
        "audit.verify.empty": ("审计日志为空。", "The audit log is empty."),
        "audit.verify.bad": ("审计链不完整：共 {n} 处不符。第一处：", "The audit chain does not verify: {n} mismatches. The first:"),
        "audit.verify.entry_line": ("  记录 #{id}（{at}，{actor}，{action} {kind}「{key}」）：{reason}", "  entry #{id} ({at}, {actor}, {action} {kind} '{key}'): {reason}"),
        "audit.verify.other_line": ("  {reason}", "  {reason}"),
        "audit.verify.rest": ("其余：", "The others:"),
    }
)

PAGE = 50


def _table(headers: list[str], rows: list[list]) -> None:
    """Columns padded to their display width (Chinese characters count twice)."""
    from ..i18n import display_width, pad

    widths = [max([display_width(h)] + [display_width(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    click.echo("  ".join(pad(h, w) for h, w in zip(headers, widths)).rstrip())
    for r in rows:
        click.echo("  ".join(pad(str(v), w) for v, w in zip(r, widths)).rstrip())


def actor_names(session, actors) -> dict[str, str]:
    """``school:4132012345`` -> the school's name (one query per kind of party)."""
    import sqlalchemy as sa

    from ..models import Enterprise, School

    codes: dict[str, set] = {"school": set(), "enterprise": set()}
    for actor in actors:
        role, _, code = str(actor).partition(":")
        if role in codes and code:
            codes[role].add(code)
    out = {}
    for role, model, column in (("school", School, School.school_code), ("enterprise", Enterprise, Enterprise.uscc)):
        if codes[role]:
            for code, name in session.execute(sa.select(column, model.name).where(column.in_(codes[role]))):
                out[f"{role}:{code}"] = name
    return out


def _who(actor: str, names: dict[str, str]) -> str:
    return f"{actor}（{names[actor]}）" if actor in names else actor


@group("audit")
def audit_group():
    pass


@audit_group.command("list", help=("列出审计记录，最新的在前", "audit entries, newest first"))
@option("--kind", default=None, metavar="KIND", help=("数据类型（或 import_batches）", "record kind (or import_batches)"))
@option("--key", default=None, metavar="KEY", help=("主键（多列用 / 连接）", "the record's key (parts joined with /)"))
@option("--actor", "actor_filter", default=None, metavar="ACTOR", help=("操作身份或登录名", "acting scope or login"))
@option("--since", default=None, metavar="TIME", help=("从此时间起（UTC，如 2026-03-01）", "from this time on (UTC, e.g. 2026-03-01)"))
@option("--before", "before_id", default=None, type=click.IntRange(1), metavar="ID",
              help=("翻页：只列出编号小于 ID 的记录", "page: entries older than ID"))
@option("--limit", default=PAGE, show_default=True, type=click.IntRange(1, 10000), help=("每页条数", "entries per page"))
@format_option
@pass_app
def list_command(app, kind, key, actor_filter, since, before_id, limit, fmt):
    from ..db import read_session
    from ..history import kind_name, list_entries, parse_since

    if kind:
        kind = kind_name(kind)
        if kind != "import_batches":
            kind_named(kind)
    with read_session(app.engine()) as session:
        page = list_entries(session, actor=app.actor, kind=kind, key=key, actor_filter=actor_filter,
                            since=parse_since(since), before_id=before_id, limit=limit)
        names = actor_names(session, {e.actor for e in page.entries})
    if fmt == "json":
        emit_json({"entries": [{**e.as_dict(), "actor_name": names.get(e.actor)} for e in page.entries],
                   "next_before": page.next_before})
        return
    if not page.entries:
        click.echo(t("audit.none"))
        return
    from ..imports import action_label

    rows = [[e.id, e.at.isoformat(sep=" ", timespec="seconds"), action_label(e.action), kind_label(e.kind), e.key,
             e.name or "", _who(e.actor, names), e.login or "", entry_summary(e)[:120]] for e in page.entries]
    _table([t(f"audit.col.{c}") for c in ("id", "at", "action", "kind", "key", "name", "actor", "login", "what")], rows)
    if page.next_before:
        click.echo(t("audit.more", id=page.next_before), err=True)

@audit_group.command("show", help=("一条记录的完整历史（含导入时的创建）", "a record's whole history, its imported creation included"))
@argument("kind", metavar="KIND", help=kinds_help)
@argument("key", help=("主键（多列用 / 连接）", "the record's key (parts joined with /)"))
@format_option
@pass_app
def show_command(app, kind, key, fmt):
    from ..db import read_session
    from ..history import record_history
    from ..imports import action_label

    record_kind = kind_named(kind)
    with read_session(app.engine()) as session:
        entries = record_history(session, actor=app.actor, kind=record_kind, key=key)
        names = actor_names(session, {e.actor for e in entries})
    if fmt == "json":
        emit_json([{**e.as_dict(), "actor_name": names.get(e.actor)} for e in entries])
        return
    name = next((e.name for e in reversed(entries) if e.name), None)
    click.echo(t("audit.show.title", kind=record_kind.label(), key=entries[-1].key, name=f"（{name}）" if name else "",
                 n=len(entries)))
    for e in entries:
        who = _who(e.actor, names) + (f" / {e.login}" if e.login else "")
        click.echo(f"#{e.id}  {e.at.isoformat(sep=' ', timespec='seconds')}  {action_label(e.action)}  {who}")
        what = entry_summary(e)
        if what:
            click.echo(f"    {what}")

@audit_group.command("verify", help=("校验审计日志的哈希链，指出第一条不符的记录", "check the hash chain; name the first entry that does not match"))
@option("--files", is_flag=True, help=("同时核对每个导入批次保存的文件", "also check every stored import file"))
@format_option
@pass_app
def verify_command(app, files, fmt):
    from .. import audit
    from ..db import is_sqlite

    engine = app.engine()
    with engine.connect() as conn:
        if not is_sqlite(engine):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            result = audit.verify(conn, files=files)
    if fmt == "json":
        emit_json({"ok": result.ok, "blocks": result.blocks, "entries": result.entries, "batches": result.batches,
                   "files": result.files, "head": result.head.hex() if result.head else None,
                   "problems": [{"entry_id": p.entry_id, "block": p.seq, "reason": p.reason, "entry": p.entry}
                                for p in result.problems]})
        if not result.ok:
            sys.exit(1)
        return
    if result.ok:
        if not result.entries:
            click.echo(t("audit.verify.empty"))
            return
        click.echo(t("audit.verify.ok", blocks=result.blocks, entries=result.entries, batches=result.batches,
                     files=t("audit.verify.files", n=result.files) if files else "", head=result.head.hex()))
        return
    click.echo(t("audit.verify.bad", n=len(result.problems)))
    for n, p in enumerate(result.problems[:20]):
        if n == 1:
            click.echo(t("audit.verify.rest"))
        click.echo(_mismatch_line(p))
    sys.exit(1)


def _mismatch_line(p) -> str:
    from ..imports import action_label

    if p.entry_id is None:
        return t("audit.verify.other_line", reason=p.reason)
    e = p.entry
    return t("audit.verify.entry_line", id=p.entry_id, at=e.get("at", ""), actor=e.get("actor", ""),
             action=action_label(e.get("action", "")), kind=kind_label(e.get("kind", "")), key=e.get("key", ""),
             reason=p.reason)

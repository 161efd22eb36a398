"""``xiaoqi imports``: the import batches — ``list``, ``show`` (file, SHA-256, counts, actor, time,
problems) and ``undo`` (a whole batch, in one transaction, when nothing changed its records since)."""

from __future__ import annotations

import click

from ..cli import argument, emit_json, format_option, group, option, pass_app
from ..i18n import catalogue, t
from .audit_cmd import PAGE, _table, _who, actor_names
from .records import kind_named

catalogue(
    {
        "imports.col.file": ("文件", "file"),
        "imports.col.rows": ("行数", "rows"),
        "imports.col.created": ("新建", "created"),
        "imports.col.updated": ("修改", "updated"),
        "imports.col.unchanged": ("未变", "unchanged"),
        "imports.col.invalid": ("有误", "invalid"),
        "imports.col.status": ("状态", "status"),
        "imports.none": ("（没有导入批次）", "(no import batches)"),
        "imports.field.sha256": ("SHA-256", "SHA-256"),
        "imports.field.size": ("文件大小", "file size"),
        "imports.field.kept": ("文件已保存", "file kept"),
        "imports.field.sheet": ("工作表", "sheet"),
        "imports.field.encoding": ("编码", "encoding"),
        "imports.field.started": ("开始", "started"),
        "imports.field.finished": ("结束", "finished"),
        "imports.problems": ("问题（前 {n} 个）：", "Problems (the first {n}):"),
        "imports.events": ("审计：", "Audit:"),
        "imports.confirm": ("撤销导入批次 {id}（{kind}，{file}：新建 {created}，修改 {updated}）？新建的记录将被删除，修改的记录将被恢复。",
                            "Undo import batch {id} ({kind}, {file}: {created} created, {updated} updated)? Records it created are deleted, those it updated are put back."),
        "imports.undone": ("已撤销导入批次 {id}：删除 {deleted} 条，恢复 {restored} 条。", "Import batch {id} undone: {deleted} deleted, {restored} restored."),
        "imports.cancelled": ("已取消，未做任何修改。", "Cancelled; nothing was changed."),
        "bool.yes": ("是", "yes"),
        "bool.no": ("否", "no"),
    }
)


@group("imports")
def imports_group():
    pass


@imports_group.command("list", help=("导入批次，最新的在前", "import batches, newest first"))
@option("--kind", default=None, metavar="KIND", help=("只列出此类型", "only this kind"))
@option("--before", "before_id", default=None, type=click.IntRange(1), metavar="ID", help=("翻页", "page: older than ID"))
@option("--limit", default=PAGE, show_default=True, type=click.IntRange(1, 10000), help=("每页条数", "batches per page"))
@format_option
@pass_app
def imports_list(app, kind, before_id, limit, fmt):
    from ..db import read_session
    from ..imports import list_batches

    if kind:
        kind_named(kind)
    with read_session(app.engine()) as session:
        batches = list_batches(session, actor=app.actor, limit=limit, before_id=before_id, kind=kind)
        names = actor_names(session, {b.actor for b in batches})
    if fmt == "json":
        emit_json([{**b.as_dict(), "actor_name": names.get(b.actor)} for b in batches])
        return
    if not batches:
        click.echo(t("imports.none"))
        return
    rows = [[b.id, b.started_at.isoformat(sep=" ", timespec="seconds"), b.kind_label(), b.file_name, b.rows, b.created,
             b.updated, b.unchanged, b.invalid, t(f"status.{b.status}"), _who(b.actor, names), b.sha256[:12]]
            for b in batches]
    _table([t("audit.col.id"), t("audit.col.at"), t("audit.col.kind"), t("imports.col.file"), t("imports.col.rows"),
            t("imports.col.created"), t("imports.col.updated"), t("imports.col.unchanged"), t("imports.col.invalid"),
            t("imports.col.status"), t("audit.col.actor"), "SHA-256"], rows)
    if len(batches) == limit:
        click.echo(t("audit.more", id=batches[-1].id), err=True)

@imports_group.command("show", help=("一个导入批次：文件、SHA-256、计数、身份、时间、问题", "one batch: file, SHA-256, counts, actor, time, problems"))
@argument("batch_id", metavar="N", type=int, help=("导入批次编号", "the import batch's number"))
@format_option
@pass_app
def imports_show(app, batch_id, fmt):
    from ..db import read_session
    from ..i18n import display_width, pad
    from ..imports import action_label, get_batch

    with read_session(app.engine()) as session:
        batch = get_batch(session, actor=app.actor, batch_id=batch_id)
        names = actor_names(session, {batch.actor} | {e["actor"] for e in batch.events})
    if fmt == "json":
        emit_json({**batch.as_dict(), "actor_name": names.get(batch.actor)})
        return
    fields = [
        (t("audit.col.id"), batch.id), (t("audit.col.kind"), batch.kind_label()), (t("imports.col.file"), batch.file_name),
        (t("imports.field.sha256"), batch.sha256),
        (t("imports.field.size"), "" if batch.file_size is None else f"{batch.file_size:,}"),
        (t("imports.field.kept"), t("bool.yes") if batch.file_kept else t("bool.no")),
        (t("imports.field.sheet"), batch.sheet or ""), (t("imports.field.encoding"), batch.encoding or ""),
        (t("audit.col.actor"), _who(batch.actor, names)), (t("audit.col.login"), batch.login or ""),
        (t("imports.field.started"), batch.started_at.isoformat(sep=" ", timespec="seconds")),
        (t("imports.field.finished"), batch.finished_at.isoformat(sep=" ", timespec="seconds") if batch.finished_at else ""),
        (t("imports.col.rows"), batch.rows), (t("imports.col.created"), batch.created),
        (t("imports.col.updated"), batch.updated), (t("imports.col.unchanged"), batch.unchanged),
        (t("imports.col.invalid"), batch.invalid), (t("imports.col.status"), t(f"status.{batch.status}")),
    ]
    width = max(display_width(label) for label, _ in fields)
    for label, value in fields:
        click.echo(f"{pad(label, width)}  {value}")
    if batch.problems:
        from .transfer import format_problem
        from ..io.rows import Problem

        click.echo(t("imports.problems", n=len(batch.problems)))
        for p in batch.problems:
            click.echo("  " + format_problem(Problem(p["row"], p["column"], p["value"], p["reason"]), "row"))
    if batch.events:
        click.echo(t("imports.events"))
        for e in batch.events:
            click.echo(f"  {e['at'].isoformat(sep=' ', timespec='seconds')}  {action_label(e['action'])}  "
                       f"{_who(e['actor'], names)}" + (f" / {e['login']}" if e["login"] else ""))

@imports_group.command("undo", help=("整批撤销一个导入（此后无人修改过这些记录时）", "revert a whole import batch, if nothing changed its records since"))
@argument("batch_id", metavar="N", type=int, help=("导入批次编号", "the import batch's number"))
@option("--yes", "-y", is_flag=True, help=("不再确认", "do not ask for confirmation"))
@pass_app
def imports_undo(app, batch_id, yes):
    from ..db import read_session, write_session
    from ..imports import get_batch, undo_batch

    engine = app.engine()
    with read_session(engine) as session:
        batch = get_batch(session, actor=app.actor, batch_id=batch_id)
    if not yes:
        question = t("imports.confirm", id=batch.id, kind=batch.kind_label(), file=batch.file_name,
                     created=batch.created, updated=batch.updated)
        if not click.confirm(question, default=False):
            click.echo(t("imports.cancelled"))
            return
    with write_session(engine) as session:
        result = undo_batch(session, actor=app.actor, batch_id=batch_id)
    click.echo(t("imports.undone", id=batch_id, deleted=result.deleted, restored=result.restored))

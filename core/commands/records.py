"""``xiaoqi records``: list, show, add, set and delete single records of any kind from the shell."""

from __future__ import annotations

import click

from ..cli import argument, emit_json, format_option, group, option, pass_app
from ..errors import UsageError
from ..i18n import catalogue, t

catalogue(
    {
        "records.created": ("已新建{kind}「{key}」", "Created {kind} '{key}'"),
        "records.updated": ("已修改{kind}「{key}」", "Updated {kind} '{key}'"),
        "records.deleted": ("已删除{kind}「{key}」", "Deleted {kind} '{key}'"),
        "records.bad_pair": ("参数「{pair}」应写成 列名=值（如 name=某某学校）", "Argument '{pair}' must be column=value (e.g. name=Some School)"),
        "records.unknown_column": ("{kind}没有列「{name}」。可用：{names}", "{kind} has no column '{name}'. Available: {names}"),
        "records.page": ("第 {start}–{end} 条，共 {total} 条", "rows {start}–{end} of {total}"),
        "records.none": ("（没有记录）", "(no records)"),
        "records.confirm_delete": ("确定删除{kind}「{key}」？删除前的完整内容会记入审计日志", "Delete {kind} '{key}'? Its full content is kept in the audit log"),
        "records.delete_needs_yes": ("删除{kind}「{key}」需要确认：在终端中运行以回答提示，或在脚本中加 --yes。",
                                     "Deleting {kind} '{key}' needs a confirmation: run it in a terminal to answer the prompt, or add --yes in a script."),
        "records.delete_kept": ("未删除。", "Nothing was deleted."),
    }
)


def kinds_help() -> tuple[str, str]:
    """The KIND argument's help: every record kind loaded now, by the names a user may type."""
    from ..kinds import get_kinds

    kinds = get_kinds().values()
    return ("数据类型（英文名或中文名均可）：" + "、".join(f"{k.name}（{k.zh}）" for k in kinds),
            "the record kind: " + ", ".join(k.name for k in kinds))


def kind_argument():
    return argument("kind", metavar="KIND", help=kinds_help)


def kind_named(name: str):
    """The record kind called ``name`` (its name, or its Chinese or English label)."""
    from ..kinds import get_kind

    try:
        return get_kind(name)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None


def _pairs(kind, pairs: tuple[str, ...]) -> dict:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(t("records.bad_pair", pair=pair))
        column = kind.column_for_header(name)
        if column is None:
            raise UsageError(t("records.unknown_column", kind=kind.label(), name=name, names=", ".join(kind.by_name)))
        out[column] = value
    return out


reveal_option = option("--reveal", is_flag=True,
                       help=("显示完整的个人信息（身份证号、电话、监护人）；仅限有权查看者，并记入审计日志",
                             "show personal data in full (ID numbers, phones, guardians): for actors allowed to see it; audited"))


def _session(app, reveal: bool):
    """A read session; a write session when personal data is revealed (each reveal is audited)."""
    from ..db import read_session, write_session

    return (write_session if reveal else read_session)(app.engine())


@group("records")
def records_group():
    pass


@records_group.command("list", help=("列出记录", "list records of KIND"))
@kind_argument()
@option("--filter", "filters", multiple=True, metavar="COL=VALUE", help=("按列过滤（值以 * 结尾表示前缀）", "filter by column (a value ending in * is a prefix)"))
@option("--search", default=None, help=("在文本列中搜索", "search text columns"))
@option("--sort", default=None, metavar="COL", help=("排序列", "order by column"))
@option("--desc", is_flag=True, help=("倒序", "descending"))
@option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000), help=("最多列出的条数", "at most this many rows"))
@option("--offset", default=0, type=click.IntRange(0), help=("跳过前若干条", "skip this many rows first"))
@reveal_option
@format_option
@pass_app
def list_command(app, kind, filters, search, sort, desc, limit, offset, reveal, fmt):
    from ..output import printable
    from ..privacy import present
    from ..services import jsonable, list_records

    kind = kind_named(kind)
    order_by = None
    if sort:
        order_by = kind.column_for_header(sort)
        if order_by is None:
            raise UsageError(t("records.unknown_column", kind=kind.label(), name=sort, names=", ".join(kind.by_name)))
    with _session(app, reveal) as session:
        page = list_records(session, actor=app.actor, kind=kind, filters=_pairs(kind, filters), search=search,
                            order_by=order_by, descending=desc, limit=limit, offset=offset, count=True)
        # personal columns masked unless revealed (and then audited)
        rows = [{n: jsonable(v) for n, v in r.items()} for r in present(session, app.actor, kind, page.rows, reveal=reveal)]
    if fmt == "json":
        emit_json(rows)
        return
    if not rows:
        click.echo(t("records.none"))
        return
    cols = [c for c in kind.columns if any(r.get(c.name) not in (None, "") for r in rows)]
    click.echo("\t".join(c.header() for c in cols))
    for r in rows:  # a stored value cannot move the cursor or break the columns
        click.echo("\t".join(printable(r.get(c.name)) for c in cols))
    click.echo(t("records.page", start=offset + 1, end=offset + len(rows), total=page.total), err=True)


@records_group.command("show", help=("显示一条记录（主键各部分用 / 连接，如 110101...X/9111.../2026-03-01）", "show one record (a key of several parts joined by /, e.g. 110101...X/9111.../2026-03-01)"))
@kind_argument()
@click.argument("key")
@reveal_option
@format_option
@pass_app
def show_command(app, kind, key, reveal, fmt):
    from ..privacy import present
    from ..services import get_record, jsonable

    kind = kind_named(kind)
    with _session(app, reveal) as session:
        (shown,) = present(session, app.actor, kind, [get_record(session, actor=app.actor, kind=kind, key=key)], reveal=reveal)
        row = {n: jsonable(v) for n, v in shown.items()}
    if fmt == "json":
        emit_json(row)
        return
    from ..i18n import display_width, pad
    from ..output import printable

    width = max(display_width(c.header()) for c in kind.columns)
    for c in kind.columns:
        click.echo(f"{pad(c.header(), width)}  {printable(row.get(c.name))}")


@records_group.command("add", help=("新建一条记录：xiaoqi records add schools 学校代码=4132012345 学校名称=...", "create a record: xiaoqi records add schools school_code=4132012345 name=..."))
@kind_argument()
@click.argument("pairs", nargs=-1, metavar="COL=VALUE...")
@pass_app
def add_command(app, kind, pairs):
    from ..db import write_session
    from ..privacy import mask_key
    from ..services import create_record

    kind = kind_named(kind)
    with write_session(app.engine()) as session:
        obj = create_record(session, actor=app.actor, kind=kind, data=_pairs(kind, pairs))
        key = kind.key_of(kind.export_values(obj))
    click.echo(t("records.created", kind=kind.label(), key=mask_key(kind, key)))


@records_group.command("set", help=("修改一条记录的部分列", "change columns of a record"))
@kind_argument()
@click.argument("key")
@click.argument("pairs", nargs=-1, required=True, metavar="COL=VALUE...")
@pass_app
def set_command(app, kind, key, pairs):
    from ..db import write_session
    from ..privacy import mask_key
    from ..services import update_record

    kind = kind_named(kind)
    with write_session(app.engine()) as session:
        obj = update_record(session, actor=app.actor, kind=kind, key=key, changes=_pairs(kind, pairs))
        key = kind.key_of(kind.export_values(obj))
    click.echo(t("records.updated", kind=kind.label(), key=mask_key(kind, key)))


@records_group.command("delete", help=("删除一条记录（在终端中先确认；脚本中需加 --yes）", "delete a record (confirmed on a terminal; --yes in scripts)"))
@kind_argument()
@click.argument("key")
@option("-y", "--yes", is_flag=True, help=("不再确认（脚本中必需）", "do not ask (required in scripts)"))
@pass_app
def delete_command(app, kind, key, yes):
    import sys

    from ..db import read_session, write_session
    from ..privacy import mask_key
    from ..services import delete_record, get_record

    kind = kind_named(kind)
    shown = mask_key(kind, key)
    if not yes:
        with read_session(app.engine()) as session:  # a record the actor cannot see is not asked about
            get_record(session, actor=app.actor, kind=kind, key=key)
        if not sys.stdin.isatty():
            raise UsageError(t("records.delete_needs_yes", kind=kind.label(), key=shown))
        if not click.confirm(t("records.confirm_delete", kind=kind.label(), key=shown), default=False):
            click.echo(t("records.delete_kept"))
            return
    with write_session(app.engine()) as session:
        delete_record(session, actor=app.actor, kind=kind, key=key)
    click.echo(t("records.deleted", kind=kind.label(), key=shown))

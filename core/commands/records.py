"""``xiaoqi records``: list, show, add, set and delete single records of any kind from the shell."""

from __future__ import annotations

import re

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
        "records.bad_where": ("条件「{text}」应写成 列名、比较符、值（如 start_on>=2026-03-01；比较符 = != >= <= > <）", "Condition '{text}' must be column, operator, value (e.g. start_on>=2026-03-01; operators = != >= <= > <)"),
        "records.totals": ("合计（共 {n} 条）：{sums}", "Totals ({n} records): {sums}"),
        "records.yes": ("是", "yes"),
        "records.related_head": ("{kind}（{n} 条）", "{kind} ({n})"),
        "records.related_more": ("，列出前 {shown} 条", ", the first {shown} shown"),
        "records.no": ("否", "no"),
        "records.confirm_delete": ("确定删除{kind}「{key}」？删除前的完整内容会记入审计日志", "Delete {kind} '{key}'? Its full content is kept in the audit log"),
        "records.delete_needs_yes": ("删除{kind}「{key}」需要确认：在终端中运行以回答提示，或在脚本中加 --yes。",
                                     "Deleting {kind} '{key}' needs a confirmation: run it in a terminal to answer the prompt, or add --yes in a script."),
        "records.delete_kept": ("未删除。", "Nothing was deleted."),
    }
)


def kinds_help() -> tuple[str, str]:
    """The KIND argument's help: every record kind loaded now, by the names a user may type."""
    from ..kinds import get_kinds

    from ..clikit import listed

    kinds = get_kinds().values()
    return (listed("数据类型（英文名或中文名均可）：", [f"{k.name}（{k.zh}）" for k in kinds], "、"),
            listed("the record kind, by its English or Chinese name:", [f"{k.name} ({k.zh})" for k in kinds], ", "))


def kind_argument():
    return argument("kind", metavar="KIND", help=kinds_help)


def kind_named(name: str):
    """The record kind called ``name`` (its name, or its Chinese or English label)."""
    from ..kinds import get_kind

    try:
        return get_kind(name)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None


def _pairs(kind, pairs: tuple[str, ...], *, names: bool = False) -> dict:
    """``COL=VALUE`` arguments by column name; with ``names`` a name column may be given too
    (``student_name=张``)."""
    from ..names import name_column

    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(t("records.bad_pair", pair=pair))
        column = kind.column_for_header(name)
        if column is None and names and name_column(kind, name) is not None:
            column = name_column(kind, name).name
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


@records_group.command("list", help=(
    "列出记录：每种数据的全部列（或 --columns 所选的列），按固定顺序；代码旁附学生、学校、企业等名称。"
    "例：xiaoqi records list internships --where start_on>=2026-03-01 --search 张三 --format csv",
    "list records of KIND: all its columns (or those of --columns) in a fixed order, the names of students, "
    "schools and enterprises beside their codes. E.g. xiaoqi records list internships --where start_on>=2026-03-01 --format csv"))
@kind_argument()
@option("--filter", "filters", multiple=True, metavar="COL=VALUE", help=("按列过滤（文本列包含该值；值以 * 结尾表示前缀）", "filter by column (a text column contains the value; a value ending in * is a prefix)"))
@option("--where", "conditions", multiple=True, metavar="COL<OP>VALUE",
        help=("按列比较，可多次：=、!=、>=、<=、>、<（如 start_on>=2026-03-01、monthly_pay<2000）", "compare a column, repeatable: =, !=, >=, <=, >, < (e.g. start_on>=2026-03-01, monthly_pay<2000)"))
@option("--search", default=None, help=("在文本列和所引用的名称中搜索（如学生姓名）", "search text columns and the names referred to (e.g. a student's name)"))
@option("--columns", "column_list", default=None, metavar="COL,COL...", help=("只列出这些列（逗号分隔，按所给顺序）", "only these columns (comma-separated, in the order given)"))
@option("--sort", default=None, metavar="COL", help=("排序列；名称列（如 student_name 学生姓名）按名称排序", "order by column; a name column (e.g. student_name) sorts by the name"))
@option("--desc", is_flag=True, help=("倒序", "descending"))
@option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000), help=("最多列出的条数", "at most this many rows"))
@option("--offset", default=0, type=click.IntRange(0), help=("跳过前若干条", "skip this many rows first"))
@option("--totals", is_flag=True, help=("列出数值列（金额、小时、整数）在全部符合条件记录上的合计", "totals of the numeric columns (money, hours, integers) over every matching record"))
@reveal_option
@option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True, help=("输出格式", "output format"))
@pass_app
def list_command(app, kind, filters, conditions, search, column_list, sort, desc, limit, offset, totals, reveal, fmt):
    from ..privacy import present

    kind = kind_named(kind)
    order_by = None
    if sort:
        from ..names import listing_columns, name_column

        order_by = kind.column_for_header(sort)
        if order_by is None:  # a name column (学生姓名, student_name): by the name, not by its code
            named = name_column(kind, sort)
            if named is None:
                raise UsageError(t("records.unknown_column", kind=kind.label(), name=sort,
                                   names=", ".join(c.name for c in listing_columns(kind))))
            order_by = named.name
    columns = _listing(kind, column_list)
    where = [_condition(kind, text) for text in conditions]
    pairs = _pairs(kind, filters, names=True)
    plain = not (search or sort or desc or totals or reveal)
    found = _page_sqlite(app, kind, limit, offset, where, pairs) if plain else None
    sums = None
    if found is not None:
        shown, names, total = found
    else:
        from ..services import list_records, sum_records

        wanted = dict(filters=pairs, search=search, where=where)
        with _session(app, reveal) as session:
            page = list_records(session, actor=app.actor, kind=kind, order_by=order_by, descending=desc, limit=limit,
                                offset=offset, count=True, names=True, **wanted)
            shown = present(session, app.actor, kind, page.rows, reveal=reveal)
            numeric = [c.name for c in columns if getattr(c, "type", None) in ("money", "hours", "int")]
            sums = sum_records(session, actor=app.actor, kind=kind, columns=numeric, **wanted) if totals else None
        names, total = page.names, page.total
        app.remember_scopes()
    rows = [{**values, **row_names} for values, row_names in zip(shown, names)]
    if fmt == "json":
        data = [{c.name: _json_value(row.get(c.name)) for c in columns} for row in rows]
        if totals:
            emit_json({"rows": data, "total": total, "totals": {k: _json_value(v) for k, v in sums.items()}})
        else:
            emit_json(data)
        return
    if fmt == "csv":
        _write_csv(columns, rows)
    elif rows:
        from ..cli import print_table
        from ..output import printable

        print_table([c.header() for c in columns], [[printable(_cell(row.get(c.name), c)) for c in columns] for row in rows],
                    right={i for i, c in enumerate(columns) if getattr(c, "type", None) in ("money", "hours", "int")})
    else:
        click.echo(t("records.none"))
    if sums is not None:
        parts = [f"{kind.by_name[name].header()} {_cell(value, kind.by_name[name])}" for name, value in sums.items()]
        click.echo(t("records.totals", n=f"{total:,}", sums="；".join(parts) if parts else "-"), err=fmt == "csv")
    if rows:
        click.echo(t("records.page", start=offset + 1, end=offset + len(rows), total=total), err=True)


def _page_sqlite(app, kind, limit: int, offset: int, where=(), filters=None):
    """A listing's page in id order read with sqlite3 (``lean.page``: no SQLAlchemy; ``--where``
    and ``--filter`` on the kind's own columns too), as (the rows as ``present`` shows them, their
    name columns, the total), or None when the full path must read it (``AppContext.lean_connection``;
    a scope written as SQLAlchemy code, a condition on a name column, a value to refuse)."""
    from ..lean import Unsupported, count, page
    from ..privacy import present

    with app.lean_connection() as conn:
        if conn is None:
            return None
        try:
            conn.execute("BEGIN")  # the page and the total from one snapshot
            rows = page(conn, app.actor, kind, limit=limit, offset=offset, where=where, filters=filters)
            total = count(conn, app.actor, kind, where=where, filters=filters)
        except Unsupported:
            return None
        finally:
            conn.rollback()
    shown = present(None, app.actor, kind, [{"id": record_id, **values} for record_id, values, _names in rows])
    return shown, [names for _id, _values, names in rows], total


def _listing(kind, column_list: str | None) -> list:
    """The columns a listing prints: all of them in order, or those ``--columns`` names."""
    from ..names import listing_columns, name_column

    everything = listing_columns(kind)
    if not column_list:
        return everything
    out = []
    for name in filter(None, (part.strip() for part in column_list.replace("，", ",").split(","))):
        column = kind.column_for_header(name)
        found = kind.by_name[column] if column else name_column(kind, name)
        if found is None:
            raise UsageError(t("records.unknown_column", kind=kind.label(), name=name,
                               names=", ".join(c.name for c in everything)))
        out.append(found)
    return out


_CONDITION = re.compile(r"^\s*([^<>=!]+?)\s*(>=|<=|!=|=|>|<)\s*(.*?)\s*$")


def _condition(kind, text: str) -> tuple[str, str, str]:
    """``start_on>=2026-03-01`` as (column, op, value) for ``list_records(where=...)``."""
    from ..names import name_column

    match = _CONDITION.match(text)
    if match is None:
        raise UsageError(t("records.bad_where", text=text))
    name, op, value = match.groups()
    column = kind.column_for_header(name)
    if column is None:
        named = name_column(kind, name)
        if named is None:
            raise UsageError(t("records.unknown_column", kind=kind.label(), name=name, names=", ".join(kind.by_name)))
        column = named.name
    return column, op, value


def _cell(value, column) -> str:
    """A value as text and CSV listings show it: 是/否 (yes/no), choices in the reader's language,
    money with two decimals, dates as 2026-03-01."""
    import datetime as dt
    from decimal import Decimal

    from ..i18n import get_lang

    if value is None:
        return ""
    if isinstance(value, bool):
        return t("records.yes" if value else "records.no")
    if isinstance(value, Decimal):
        return f"{value:.2f}" if getattr(column, "type", None) == "money" else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(column, "choice_text"):
        return column.choice_text(str(value), get_lang()) or ""
    return str(value)


def _json_value(value):
    from ..audit import jsonable

    return jsonable(value)


def _write_csv(columns, rows) -> None:
    import csv
    import io

    from ..output import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.header() for c in columns])
    for row in rows:
        writer.writerow([csv_cell(_cell(row.get(c.name), c)) for c in columns])
    click.echo(buffer.getvalue(), nl=False)


@records_group.command("show", help=("显示一条记录及引用它的记录（如学生的实习和保险）；主键各部分用 / 连接，如 110101...X/9111.../2026-03-01",
                                      "show one record and the records referring to it (a student's internships and insurance); a key of several parts joined by /, e.g. 110101...X/9111.../2026-03-01"))
@kind_argument()
@click.argument("key")
@reveal_option
@option("--related", is_flag=True, help=("JSON 输出也包含名称和引用它的记录：{record, names, referred_by}", "JSON output with the names and the records referring to it: {record, names, referred_by}"))
@format_option
@pass_app
def show_command(app, kind, key, reveal, related, fmt):
    from ..names import name_columns, names_of, title_of
    from ..privacy import present
    from ..related import related_records
    from ..services import get_record

    kind = kind_named(kind)
    with _session(app, reveal) as session:
        obj = get_record(session, actor=app.actor, kind=kind, key=key)
        # personal columns masked unless revealed (and then audited)
        row = present(session, app.actor, kind, [obj], reveal=reveal)[0]
        names = names_of(session, app.actor, kind, [obj.id])[obj.id]
        referring = related_records(session, app.actor, kind, kind.export_values(obj)) if related or fmt == "text" else []
    if fmt == "json":
        record = {c.name: _json_value(row.get(c.name)) for c in kind.columns}
        if not related:  # the record's columns, as the audit log keeps them
            emit_json(record)
            return
        emit_json({"record": record, "names": names,
                   "referred_by": {r.kind.name: {"total": r.total, "rows": [{c.name: _json_value(v.get(c.name)) for c in r.columns}
                                                                             for v in r.rows]} for r in referring}})
        return
    from ..cli import print_table
    from ..i18n import display_width, pad
    from ..output import printable

    beside = {}
    for nc in name_columns(kind):
        beside.setdefault(nc.beside, []).append(nc)
    lines = []
    for c in kind.columns:
        lines.append((c.header(), _cell(row.get(c.name), c)))
        lines.extend((nc.header(), names[nc.name]) for nc in beside.get(c.name, ()) if names.get(nc.name))
    click.echo(printable(f"{kind.label()} {title_of(kind, row, names)}"))
    width = max(display_width(h) for h, _v in lines)
    for header, value in lines:
        click.echo(f"{pad(header, width)}  {printable(value)}")
    for rel in referring:
        click.echo("")
        more = t("records.related_more", shown=len(rel.rows)) if rel.total > len(rel.rows) else ""
        click.echo(t("records.related_head", kind=rel.kind.label(), n=f"{rel.total:,}") + more)
        print_table([c.header() for c in rel.columns], [[printable(_cell(v.get(c.name), c)) for c in rel.columns] for v in rel.rows])


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

"""``xiaoqi backup FILE`` and ``xiaoqi restore FILE``: a checked copy of the whole database, and
putting one back (see xiaoqi.core.backup). Both are for an administrator."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import command, option, pass_app
from ..errors import PermissionDenied
from ..i18n import catalogue, t

catalogue(
    {
        "backup.done": ("已备份到 {path}（{size} 字节，已通过完整性检查）", "Backed up to {path} ({size} bytes, integrity checked)"),
        "backup.admin_only": ("只有管理员（数据库的所有者）可以备份或恢复整个数据库。", "Only the administrator (the database's owner) may back up or restore the whole database."),
        "restore.confirm": ("用 {file} 替换数据库 {db} 的全部内容？（当前内容会先另存）", "Replace everything in the database {db} with {file}? (The current content is kept aside first.)"),
        "restore.done": ("已从 {file} 恢复数据库 {db}。", "Restored the database {db} from {file}."),
        "restore.aside": ("恢复前的数据库已另存为 {path}", "The database as it was before is kept as {path}"),
        "restore.upgrade": ("该备份的结构版本较旧：请运行 xiaoqi --db {db} db upgrade（数据会保留）。", "The backup has an older schema: run xiaoqi --db {db} db upgrade (the data is kept)."),
    }
)


def _admin(app) -> None:
    if not app.actor.is_admin:
        raise PermissionDenied(t("backup.admin_only"))


@command("backup", help=("把在用的数据库一致地复制到 FILE，并检查源库和副本（SQLite：备份接口；PostgreSQL：pg_dump）",
                         "a consistent, checked copy of the live database in FILE (SQLite: its backup API; PostgreSQL: pg_dump)"))
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@pass_app
def backup_command(app, path):
    from ..backup import backup

    _admin(app)
    app.engine()  # the database exists and is at the current schema
    target = backup(app.url, path)
    click.echo(t("backup.done", path=target, size=f"{target.stat().st_size:,}"))


@command("restore", help=("用备份文件替换整个数据库：先检查备份，其他程序（如 xiaoqi tui）打开着数据库时拒绝，当前内容先另存",
                          "replace the database by a backup: the file is checked first, it is refused while another program "
                          "(xiaoqi tui, say) has the database open, and the current content is kept aside"))
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False))
@option("--yes", is_flag=True, help=("不再询问，直接恢复", "do not ask for confirmation"))
@pass_app
def restore_command(app, file, yes):
    from ..backup import restore_postgres, restore_sqlite, verify_backup
    from ..db import display_name, is_sqlite
    from ..migrate import judge

    _admin(app)
    url = app.url
    db = display_name(url)
    if is_sqlite(url):
        verify_backup(Path(file).absolute(), judge)  # before asking: a bad file is said at once
    if not yes:
        click.confirm(t("restore.confirm", file=file, db=db), abort=True, err=True)
    if is_sqlite(url):
        restored = restore_sqlite(url, file, judge)
    else:
        restored = restore_postgres(app.engine(check_current=False), url, file)
    click.echo(t("restore.done", file=file, db=db))
    if restored.aside is not None:
        click.echo(t("restore.aside", path=restored.aside), err=True)
    if restored.needs_upgrade:
        click.echo(t("restore.upgrade", db=db), err=True)

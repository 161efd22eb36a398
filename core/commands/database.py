"""``xiaoqi init`` and ``xiaoqi db upgrade|current``: the database itself (``backup``/``restore``: commands/backup.py)."""

from __future__ import annotations

import sys

import click

from ..cli import command, group, pass_app
from ..errors import DatabaseStateError
from ..i18n import catalogue, t

catalogue(
    {
        "init.done": ("数据库已就绪：{db}（结构版本 {heads}）", "Database ready: {db} (schema {heads})"),
        "upgrade.done": ("数据库已升级：{db}（{before} → {after}）", "Database upgraded: {db} ({before} -> {after})"),
        "current.none": ("（未初始化）", "(not initialised)"),
        "current.head": ("（最新）", "(head)"),
        "current.behind": ("（需要升级：xiaoqi db upgrade）", "(needs: xiaoqi db upgrade)"),
        "current.unloaded": ("（插件未加载，其数据表保留不动）", "(its plugin is not loaded; its tables are left alone)"),
    }
)


def _require_file(app) -> None:
    from ..db import display_name, is_sqlite, sqlite_file_exists

    if is_sqlite(app.url) and not sqlite_file_exists(app.url):
        raise DatabaseStateError(t("db.missing", db=display_name(app.url)))


@command("init")
@pass_app
def init_command(app):
    from ..db import display_name
    from ..migrate import describe, heads, upgrade

    engine = app.engine(check_current=False)
    upgrade(engine)
    click.echo(t("init.done", db=display_name(app.url), heads=describe(heads())))


@group("db")
def db_group():
    pass


@db_group.command("upgrade", help=("把数据库升级到最新结构（保留数据）", "migrate to the newest schema, keeping the data"))
@pass_app
def db_upgrade(app):
    from ..db import display_name
    from ..migrate import current, describe, upgrade

    _require_file(app)
    engine = app.engine(check_current=False)
    before = current(engine)
    upgrade(engine)
    click.echo(t("upgrade.done", db=display_name(app.url), before=describe(before), after=describe(current(engine))))


@db_group.command("current", help=("显示数据库的结构版本", "show the schema revision"))
@pass_app
def db_current(app):
    from ..migrate import current, heads, is_known, script_directory

    _require_file(app)
    have = current(app.engine(check_current=False))
    if not have:
        click.echo(t("current.none"))
        sys.exit(1)
    want = heads()
    script = script_directory()
    for rev in sorted(have):
        state = "head" if rev in want else "behind" if is_known(script, rev) else "unloaded"
        click.echo(f"{rev} {t('current.' + state)}")


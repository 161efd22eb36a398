"""The ``xiaoqi`` command line. Global options pick the database, the actor and the language; each
command is thin and calls services. Plugin commands are added through ``xiaoqi_register_commands``
at the end of this module.

Exit codes: 0 success; 1 the command ran and found problems (invalid rows, error findings, a
refusal); 2 usage error.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from xiaoqi import __version__

from .actors import ADMIN, Actor
from .errors import DatabaseStateError, UsageError, XiaoqiError
from .click_zh import install as _click_in_chinese
from .i18n import catalogue, get_lang, set_lang, t

_click_in_chinese()  # click's own messages (usage errors, help headings) in Chinese too

catalogue(
    {
        "cli.error": ("错误：", "Error: "),
        "cli.internal": (
            "内部错误：{error}。数据库未被修改。请设置 XIAOQI_DEBUG=1 重新运行以查看详细信息，并报告此问题。",
            "Internal error: {error}. The database was not changed. Run again with XIAOQI_DEBUG=1 for details, and please report it.",
        ),
        "cli.interrupted": ("已中断，未完成的修改已撤销。", "Interrupted; unfinished changes were rolled back."),
        "init.done": ("数据库已就绪：{db}（结构版本 {heads}）", "Database ready: {db} (schema {heads})"),
        "upgrade.done": ("数据库已升级：{db}（{before} → {after}）", "Database upgraded: {db} ({before} -> {after})"),
        "current.none": ("（未初始化）", "(not initialised)"),
        "current.head": ("（最新）", "(head)"),
        "current.behind": ("（需要升级：xiaoqi db upgrade）", "(needs: xiaoqi db upgrade)"),
        "current.unloaded": ("（插件未加载，其数据表保留不动）", "(its plugin is not loaded; its tables are left alone)"),
        "backup.done": ("已备份到 {path}（{size} 字节）", "Backed up to {path} ({size} bytes)"),
        "backup.sqlite_only": ("backup 只适用于 SQLite 数据库；PostgreSQL 请使用 pg_dump。", "backup works on SQLite databases; for PostgreSQL use pg_dump."),
        "backup.exists": ("文件已存在：{path}。请换一个文件名，或先删除它。", "File exists: {path}. Choose another name or remove it first."),
        "tui.no_section": ("没有名为「{name}」的界面。可用：{names}", "No screen called '{name}'. Choose one of: {names}"),
        "tui.no_terminal": ("当前没有终端，无法打开界面；以下是数据库概况（xiaoqi status）。", "No terminal here, so no UI; here is the database summary (xiaoqi status)."),
        "opt.db": ("数据库文件路径或 URL（默认取 XIAOQI_DB，或用户数据目录中的 xiaoqi.db）", "database file or URL (default: XIAOQI_DB, or xiaoqi.db in the user data directory)"),
        "opt.as": ("以谁的身份操作：admin、auditor、province:32、school:<学校代码>、enterprise:<统一社会信用代码>", "act as: admin, auditor, province:32, school:<code>, enterprise:<USCC>"),
        "opt.lang": ("界面语言：zh（默认）或 en", "language: zh (default) or en"),
        "opt.config": ("配置文件（默认为数据库旁的 xiaoqi.toml）", "configuration file (default: xiaoqi.toml beside the database)"),
    }
)


@dataclass
class AppContext:
    """What every command needs: where the database is, who acts, in which language."""

    db: str | None = None
    actor: Actor = ADMIN
    lang: str = "zh"
    config_path: str | None = None
    _engine: object = field(default=None, repr=False)

    @property
    def url(self) -> str:
        from .db import resolve_url

        return resolve_url(self.db)

    def engine(self, *, check_current: bool = True):
        """The engine, after checking the database exists and is at the newest schema."""
        if self._engine is None:
            from .db import check_connect, make_engine, sqlite_file_exists, is_sqlite, display_name

            url = self.url
            if check_current and is_sqlite(url) and not sqlite_file_exists(url):
                raise DatabaseStateError(t("db.missing", db=display_name(url)))
            engine = make_engine(url)
            check_connect(engine)
            self._engine = engine
        if check_current:
            from .migrate import ensure_current

            ensure_current(self._engine, self.url)
        return self._engine

    def config(self):
        from .config import load_config

        return load_config(self.config_path, self.url)


pass_app = click.make_pass_decorator(AppContext)


class XiaoqiClickError(click.ClickException):
    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(t("cli.error") + self.format_message(), file=file or sys.stderr)


class XiaoqiGroup(click.Group):
    """Turns the errors users can fix into messages with an exit code, and anything else into a
    short message without a traceback (unless XIAOQI_DEBUG is set)."""

    def make_context(self, info_name, args, parent=None, **extra):
        # the language first: click reports a mistyped option while parsing, before the eager
        # --lang callback has run
        if parent is None:
            _lang_from_args(args)
        return super().make_context(info_name, args, parent=parent, **extra)

    #: the plugin manager whose commands are added, and the core's own commands before that
    _plugins_added_for = None
    _core_commands: dict | None = None

    def _add_plugin_commands(self) -> None:
        from .plugins import get_plugin_manager

        pm = get_plugin_manager()
        if self._plugins_added_for is pm:
            return
        # a new plugin manager (tests, embedding applications): its plugins' commands replace the
        # previous ones, so a command never outlives the plugin that added it
        if self._core_commands is None:
            self._core_commands = dict(self.commands)
        self.commands = dict(self._core_commands)
        self._plugins_added_for = pm
        pm.hook.xiaoqi_register_commands(cli=self)

    def get_command(self, ctx, cmd_name):
        self._add_plugin_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        self._add_plugin_commands()
        return super().list_commands(ctx)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except XiaoqiError as exc:
            raise XiaoqiClickError(str(exc), exc.exit_code) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise XiaoqiClickError(t("cli.interrupted"), 130) from None
        except BrokenPipeError:
            # the reader went away (`xiaoqi ... | head`): stop quietly, as other Unix tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except Exception as exc:  # the last line of defence: no traceback reaches a user
            if os.environ.get("XIAOQI_DEBUG"):
                raise
            raise XiaoqiClickError(t("cli.internal", error=f"{type(exc).__name__}: {exc}")) from None


def _lang_from_args(args) -> None:
    """``--lang en`` / ``--lang=en`` among the top-level arguments (or XIAOQI_LANG), set now."""
    value = os.environ.get("XIAOQI_LANG")
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
    set_lang(value if value in ("zh", "en") else None)


def _set_lang(ctx, param, value):
    # always set (also to None): a previous command in this process must not leak its language
    set_lang(value)
    return value


def _parse_actor(ctx, param, value):
    try:
        return Actor.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group(cls=XiaoqiGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="xiaoqi")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, envvar="XIAOQI_LANG", callback=_set_lang,
              is_eager=True, expose_value=True, help="界面语言 language: zh (默认 default) | en")
@click.option("--db", "db", metavar="PATH|URL", default=None, help="数据库文件或 URL / database file or URL (XIAOQI_DB)")
@click.option("--as", "actor", metavar="ACTOR", default="admin", callback=_parse_actor,
              help="身份 actor: admin | auditor | province:NN | school:CODE | enterprise:USCC")
@click.option("--config", "config_path", metavar="FILE", default=None, type=click.Path(dir_okay=False),
              help="配置文件 configuration file (default: xiaoqi.toml beside the database)")
@click.pass_context
def cli(ctx, lang, db, actor, config_path):
    """xiaoqi 校企合作管理：学校、企业、实习、保险、学徒名额与合规检查。

    xiaoqi — school–enterprise cooperation registry and compliance checks.
    """
    ctx.obj = AppContext(db=db, actor=actor, lang=lang or get_lang(), config_path=config_path)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui_command)


def emit_json(data) -> None:
    """Machine-readable output: UTF-8 JSON on stdout and nothing else there."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                             help="输出格式 output format")


@cli.command("init")
@pass_app
def init_command(app: AppContext):
    """创建数据库并建立最新结构 / create the database at the newest schema."""
    from .db import display_name
    from .migrate import describe, heads, upgrade

    engine = app.engine(check_current=False)
    upgrade(engine)
    click.echo(t("init.done", db=display_name(app.url), heads=describe(heads())))


@cli.group("db")
def db_group():
    """数据库结构版本 / schema migrations."""


@db_group.command("upgrade")
@pass_app
def db_upgrade(app: AppContext):
    """把数据库升级到最新结构（保留数据）/ migrate to the newest schema, keeping the data."""
    from .db import display_name, is_sqlite, sqlite_file_exists
    from .migrate import current, describe, upgrade

    if is_sqlite(app.url) and not sqlite_file_exists(app.url):
        raise DatabaseStateError(t("db.missing", db=display_name(app.url)))
    engine = app.engine(check_current=False)
    before = current(engine)
    upgrade(engine)
    click.echo(t("upgrade.done", db=display_name(app.url), before=describe(before), after=describe(current(engine))))


@db_group.command("current")
@pass_app
def db_current(app: AppContext):
    """显示数据库的结构版本 / show the schema revision."""
    from .db import display_name, is_sqlite, sqlite_file_exists
    from .migrate import current, heads, is_known, script_directory

    if is_sqlite(app.url) and not sqlite_file_exists(app.url):
        raise DatabaseStateError(t("db.missing", db=display_name(app.url)))
    have = current(app.engine(check_current=False))
    if not have:
        click.echo(t("current.none"))
        sys.exit(1)
    want = heads()
    script = script_directory()
    for rev in sorted(have):
        state = "head" if rev in want else "behind" if is_known(script, rev) else "unloaded"
        click.echo(f"{rev} {t('current.' + state)}")


@cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@pass_app
def backup_command(app: AppContext, path):
    """把在用的 SQLite 数据库一致地复制到 FILE / a consistent copy of a live SQLite database."""
    import sqlite3

    from .db import is_sqlite

    if not is_sqlite(app.url):
        raise UsageError(t("backup.sqlite_only"))
    target = Path(path)
    if target.exists():
        raise UsageError(t("backup.exists", path=target))
    engine = app.engine()
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(target)
        with dest:
            raw.driver_connection.backup(dest)
        dest.close()
    finally:
        raw.close()
    click.echo(t("backup.done", path=target, size=target.stat().st_size))


@cli.command("tui")
@click.option("--open", "open_", default=None, metavar="NAME",
              help="打开的界面：数据类型（如 internships）、dashboard、compliance 或 import / the screen to open first: "
                   "a record kind (e.g. internships), dashboard, compliance or import")
@pass_app
def tui_command(app: AppContext, open_: str | None):
    """打开终端界面 / open the terminal UI."""
    start = "dashboard"
    if open_ is not None:
        from xiaoqi.tui.app import open_names, section_for

        start = section_for(open_)
        if start is None:
            raise UsageError(t("tui.no_section", name=open_, names=", ".join(open_names())))
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo(t("tui.no_terminal"), err=True)
        from .commands.status import print_status

        print_status(app)
        return
    from xiaoqi.tui.app import run_app

    run_app(app, start=start)


from .commands import check as _check  # noqa: E402
from .commands import demo as _demo  # noqa: E402
from .commands import plugins_cmd as _plugins  # noqa: E402
from .commands import plugin_new as _plugin_new  # noqa: E402
from .commands import quota as _quota  # noqa: E402
from .commands import records as _records  # noqa: E402
from .commands import report as _report  # noqa: E402
from .commands import status as _status  # noqa: E402
from .commands import transfer as _transfer  # noqa: E402

for _module in (_check, _demo, _plugins, _plugin_new, _quota, _records, _report, _status, _transfer):
    _module.register(cli)


def main(argv=None) -> None:
    cli.main(args=argv, prog_name="xiaoqi")


if __name__ == "__main__":
    # `python -m xiaoqi.core.cli`: run the package's copy of this module, the one that the command
    # modules and plugins import (this file as __main__ has its own AppContext class, which
    # `pass_app` in those modules would not recognise)
    from xiaoqi.core.cli import main as _main

    _main()

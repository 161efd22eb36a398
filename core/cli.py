"""The ``xiaoqi`` command line. Global options pick the database, the actor and the language; each
command is thin and calls services.

Every command is declared below as a ``CommandEntry`` (name, help in both languages, import path)
and plugins declare theirs through ``xiaoqi_register_commands``: ``xiaoqi --help`` lists them all
without importing any command module, and a command's module is imported only when it runs.
What a command module needs from here: ``pass_app`` (the ``AppContext``), ``format_option``,
``emit_json``, and the decorators ``command``, ``group``, ``option`` (help in Chinese and English).

Exit codes: 0 success; 1 the command ran and found problems (invalid rows, error findings, a
refusal); 2 usage error.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass, field

import click

from .clikit import (
    Argument, Command, Group, LazyGroup, Option, XiaoqiClickError, argument, command, group, option,
    translated_errors,
)
from .commands import CommandEntry
from .i18n import catalogue, get_lang, set_lang, t

__all__ = ["AppContext", "Argument", "CommandEntry", "Command", "Group", "Option", "argument", "cli", "command", "emit_json",
           "format_option", "group", "main", "option", "pass_app", "print_table"]

catalogue(
    {
        "cli.internal": (
            "内部错误：{error}。数据库未被修改。请设置 XIAOQI_DEBUG=1 重新运行以查看详细信息，并报告此问题。",
            "Internal error: {error}. The database was not changed. Run again with XIAOQI_DEBUG=1 for details, and please report it.",
        ),
        "cli.interrupted": ("已中断，未完成的修改已撤销。", "Interrupted; unfinished changes were rolled back."),
    }
)


@dataclass
class AppContext:
    """What every command needs: where the database is, who acts, in which language."""

    db: str | None = None
    #: ``--as`` as given (None: the login's own actor on PostgreSQL, admin on SQLite)
    actor_text: str | None = None
    lang: str = "zh"
    config_path: str | None = None
    #: seconds: SQLite's wait for another writer; PostgreSQL's wait for a lock and longest statement
    busy_timeout: float | None = None
    lock_timeout: float | None = None
    statement_timeout: float | None = None
    _engine: object = field(default=None, repr=False)
    _actor: object = field(default=None, repr=False)

    def timeouts(self) -> dict:
        """The timeouts given (the engine's defaults for the others), as ``make_engine`` takes them."""
        return {name: value for name, value in (("busy_timeout", self.busy_timeout), ("lock_timeout", self.lock_timeout),
                                                ("statement_timeout", self.statement_timeout)) if value is not None}

    @property
    def actor(self):
        """Who acts: on PostgreSQL the login's own actor (``xiaoqi users``), which ``--as`` may only
        narrow; elsewhere (and for the database's owner) ``--as``, admin by default."""
        if self._actor is None:
            from .actors import Actor

            wanted = Actor.parse(self.actor_text) if self.actor_text else None
            actor = None
            if not self.url.startswith("sqlite"):
                from .logins import login_actor, narrow

                with self.engine(check_current=False).connect() as conn:
                    login, own = login_actor(conn)
                if own is not None:
                    actor = narrow(login, own, wanted)
            self._actor = actor or wanted or Actor("admin")
        return self._actor

    @property
    def url(self) -> str:
        from .db import resolve_url

        return resolve_url(self.db)

    def engine(self, *, check_current: bool = True):
        """The engine, after checking the database exists and is at the newest schema."""
        if self._engine is None:
            from .db import check_connect, display_name, is_sqlite, make_engine, sqlite_file_exists

            url = self.url
            if check_current and is_sqlite(url) and not sqlite_file_exists(url):
                from .errors import DatabaseStateError

                raise DatabaseStateError(t("db.missing", db=display_name(url)))
            engine = make_engine(url, **self.timeouts())
            check_connect(engine)
            self._engine = engine
        if check_current:
            from .migrate import ensure_current

            ensure_current(self._engine, self.url)
            self._check_actor()
        return self._engine

    def _check_actor(self) -> None:
        """A school or enterprise actor must be in the register (``--as school:9999999999`` is not
        a school, and cannot make itself one)."""
        if getattr(self, "_actor_checked", False):
            return
        from .actors import check_registered

        check_registered(self._engine, self.actor)
        self._actor_checked = True

    @contextlib.contextmanager
    def lean_connection(self):
        """A read-only sqlite3 connection for the lean read paths of short commands
        (``xiaoqi.core.lean``: no SQLAlchemy), or None when the full path must answer: not a
        SQLite file, a missing file, a schema not at head, an actor not in the register (the full
        path says why), or ``XIAOQI_LEAN=0``."""
        path = None
        if os.environ.get("XIAOQI_LEAN") != "0":
            from . import lean

            path = lean.sqlite_path(self.url)
        if path is None:
            yield None
            return
        conn = lean.connect(path)
        try:
            yield conn if lean.schema_current(conn) and lean.actor_registered(conn, self.actor) else None
        finally:
            conn.close()

    def remember_scopes(self) -> None:
        """After the full path read a SQLite file as a school, an enterprise, a province or the
        auditor: keep the actor's where(fn) scopes as SQL (``lean.remember_where``), so that its
        next short command reads with sqlite3 (``lean_connection``)."""
        if self.actor.role != "admin" and os.environ.get("XIAOQI_LEAN") != "0":
            from . import lean

            if lean.sqlite_path(self.url):
                lean.remember_where(self.actor.role)

    def config(self):
        from .config import load_config

        return load_config(self.config_path, self.url)


pass_app = click.make_pass_decorator(AppContext)


def emit_json(data) -> None:
    """Machine-readable output: UTF-8 JSON on stdout and nothing else there."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_table(headers: list[str], rows: list[list], right: set[int] = frozenset()) -> None:
    """Text output as an aligned table: a header line, a rule, the rows; each column as wide as its
    widest cell (a Chinese character counts twice), the columns in ``right`` right-aligned."""
    from .i18n import display_width, pad

    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values):
        return "  ".join(pad(v, w, ">" if i in right else "<") for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    click.echo(line(headers))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo(line(row))


format_option = option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                       help=("输出格式", "output format"))


def _entry(name: str, zh: str, en: str, module: str, attribute: str) -> CommandEntry:
    return CommandEntry(name, (zh, en), f"xiaoqi.core.commands.{module}:{attribute}")


#: the core's commands (plugins add theirs through ``xiaoqi_register_commands``)
CORE_COMMANDS = (
    _entry("init", "创建数据库并建立最新结构", "create the database at the newest schema", "database", "init_command"),
    _entry("db", "数据库结构版本：升级、查看", "schema migrations: upgrade, current", "database", "db_group"),
    _entry("backup", "把在用的数据库一致地复制到文件（检查源库和副本）", "a consistent, checked copy of the live database", "backup",
           "backup_command"),
    _entry("restore", "用备份文件替换整个数据库（需独占）", "replace the database by a backup (exclusive)", "backup", "restore_command"),
    _entry("demo", "生成演示数据", "fill the database with realistic demo data", "demo", "demo_command"),
    _entry("status", "数据库概况", "the dashboard's figures", "status", "status_command"),
    _entry("tui", "打开终端界面", "open the terminal UI", "tui", "tui_command"),
    _entry("check", "合规检查（有错误或检查不完整时退出码为 1）", "run the compliance rules (exit 1 on errors or an incomplete check)", "check", "check_command"),
    _entry("import", "导入 Excel/CSV/JSON 文件", "import a file of records", "transfer", "import_command"),
    _entry("export", "导出记录（可再导入）", "export records (re-importable)", "transfer", "export_command"),
    _entry("template", "生成空白导入模板", "an empty import workbook", "transfer", "template_command"),
    _entry("records", "逐条查看和修改记录", "view and change single records", "records", "records_group"),
    _entry("quota", "学徒名额：查看、预留、确认、释放、过期", "apprenticeship quota: show, reserve, confirm, release, expire",
           "quota", "quota_group"),
    _entry("report", "年度报告", "reports", "report", "report_group"),
    _entry("plugins", "列出已加载的插件", "list the loaded plugins", "plugins_cmd", "plugins_command"),
    _entry("plugin", "插件开发工具", "tools for plugin authors", "plugin_new", "plugin_group"),
    _entry("audit", "审计日志：查看、记录历史、校验哈希链", "the audit log: list, a record's history, verify the chain", "audit_cmd",
           "audit_group"),
    _entry("imports", "导入批次：列表、详情、整批撤销", "import batches: list, show, undo", "imports_cmd", "imports_group"),
    _entry("users", "PostgreSQL 登录账号：新建、列表、改身份、撤销", "PostgreSQL logins: add, list, set, remove", "users", "users_group"),
)


class RootGroup(LazyGroup):
    """The ``xiaoqi`` group: reads ``--lang`` before parsing, shows every error the user can fix as a
    message in their language with its exit code, and anything else as a short message without a
    traceback (unless XIAOQI_DEBUG is set)."""

    def make_context(self, info_name, args, parent=None, **extra):
        # the language first: click reports a mistyped option while parsing, before the eager
        # --lang callback has run
        if parent is None:
            _lang_from_args(args)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except Exception as exc:
            replacement = translated_errors(exc)
            if replacement is None:
                raise
            raise replacement from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, SystemExit):
            raise
        except KeyboardInterrupt:
            raise XiaoqiClickError(t("cli.interrupted"), 130) from None
        except BrokenPipeError:
            # the reader went away (`xiaoqi ... | head`): stop quietly, as other Unix tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except Exception as exc:
            replacement = translated_errors(exc)
            if replacement is not None:
                raise replacement from None
            if isinstance(exc, click.ClickException):
                raise
            if os.environ.get("XIAOQI_DEBUG"):  # the last line of defence: no traceback reaches a user
                raise
            from .db_errors import first_line

            known = _explain(ctx, exc)
            if known is not None:
                raise XiaoqiClickError(str(known), known.exit_code) from None
            raise XiaoqiClickError(t("cli.internal", error=first_line(exc))) from None


def _explain(ctx, exc):
    """The routine database condition behind ``exc`` (db_errors), named for this command's database."""
    from . import db
    from .db_errors import explain

    app = ctx.find_object(AppContext)
    try:
        name = db.display_name(app.url) if app is not None else "-"
    except Exception:  # the address itself was the problem
        name = "-"
    timeouts = app.timeouts() if app is not None else {}
    return explain(exc, db=name, busy_seconds=timeouts.get("busy_timeout", db.BUSY_TIMEOUT),
                   lock_seconds=timeouts.get("lock_timeout", db.LOCK_TIMEOUT),
                   statement_seconds=timeouts.get("statement_timeout", db.STATEMENT_TIMEOUT))


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
    from .actors import Actor

    if value is None:
        return None
    try:
        Actor.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _version(ctx, param, value):
    if value and not ctx.resilient_parsing:
        from xiaoqi import __version__

        click.echo(f"xiaoqi, version {__version__}")  # as click's version_option writes it: scripts read it
        ctx.exit()


@click.group("xiaoqi", cls=RootGroup, entries=CORE_COMMANDS, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]},
             help=("xiaoqi 校企合作管理：学校、企业、实习、保险、学徒名额与合规检查。",
                   "xiaoqi: school–enterprise cooperation registry and compliance checks."))
@option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
        help=("显示版本并退出。", "Show the version and exit."))
@option("--lang", type=click.Choice(["zh", "en"]), default=None, envvar="XIAOQI_LANG", callback=_set_lang,
        is_eager=True, help=("界面语言：zh（默认）或 en", "language: zh (default) or en"))
@option("--db", "db", metavar="PATH|URL", default=None,
        help=("数据库文件或 URL（默认取 XIAOQI_DB，或用户数据目录中的 xiaoqi.db）",
              "database file or URL (default: XIAOQI_DB, or xiaoqi.db in the user data directory)"))
@option("--as", "actor", metavar="ACTOR", default=None, callback=_parse_actor,
        help=("以谁的身份操作：admin、auditor、province:NN、school:<学校代码>、enterprise:<统一社会信用代码>",
              "act as: admin, auditor, province:NN, school:<code>, enterprise:<USCC>"))
@option("--config", "config_path", metavar="FILE", default=None, type=click.Path(dir_okay=False),
        help=("配置文件（默认为数据库旁的 xiaoqi.toml）", "configuration file (default: xiaoqi.toml beside the database)"))
@option("--busy-timeout", type=click.FloatRange(0), default=None, metavar="SECONDS", envvar="XIAOQI_BUSY_TIMEOUT",
        help=("SQLite：等待其他程序写完的秒数（默认 30）", "SQLite: seconds to wait for another writer (default 30)"))
@option("--lock-timeout", type=click.FloatRange(0), default=None, metavar="SECONDS", envvar="XIAOQI_LOCK_TIMEOUT",
        help=("PostgreSQL：等待锁的秒数（默认 30，0 为不限）", "PostgreSQL: seconds to wait for a lock (default 30, 0: no limit)"))
@option("--statement-timeout", type=click.FloatRange(0), default=None, metavar="SECONDS", envvar="XIAOQI_STATEMENT_TIMEOUT",
        help=("PostgreSQL：一条语句最长的秒数（默认 3600，0 为不限）", "PostgreSQL: longest statement in seconds (default 3600, 0: no limit)"))
@click.pass_context
def cli(ctx, lang, db, actor, config_path, busy_timeout, lock_timeout, statement_timeout):
    ctx.obj = AppContext(db=db, actor_text=actor, lang=lang or get_lang(), config_path=config_path,
                         busy_timeout=busy_timeout, lock_timeout=lock_timeout, statement_timeout=statement_timeout)
    if ctx.invoked_subcommand is None:
        ctx.invoke(cli.get_command(ctx, "tui"))


def main(argv=None) -> None:
    cli.main(args=argv, prog_name="xiaoqi")


if __name__ == "__main__":
    # `python -m xiaoqi.core.cli`: run the package's copy of this module, the one that the command
    # modules and plugins import (this file as __main__ has its own AppContext class, which
    # `pass_app` in those modules would not recognise)
    from xiaoqi.core.cli import main as _main

    _main()

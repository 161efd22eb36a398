"""xiaoqi's click classes: help and click's own messages in the user's language, and a group whose
commands are loaded when used.

- ``command``, ``group`` and ``option`` are click's decorators with xiaoqi's classes: a ``help`` may
  be a ``(Chinese, English)`` pair, shown in the language of ``--lang`` when the help is written
  (a command module is imported once per process, its help is read at each ``--help``); help
  headings, option notes (``[required]``, ``[default: …]``) and click's usage errors are
  translated by ``xiaoqi.core.click_zh``. Only these classes translate: click itself is not touched.
- ``LazyGroup`` knows its commands as ``CommandEntry`` declarations (the core's, and the plugins'
  from ``xiaoqi_register_commands``), lists them with their declared help and imports a command's
  module only when that command is used.
"""

from __future__ import annotations

import sys

import click

from .click_zh import localize
from .commands import CommandEntry
from .errors import XiaoqiError
from .i18n import both, catalogue, get_lang, t

catalogue(
    {
        "cli.error": ("错误：", "Error: "),
        "cli.command_taken": ("插件 {plugin} 注册的命令 {name} 与 {other} 的命令重名。请停用其中一个插件（XIAOQI_DISABLE_PLUGINS={plugin}），或请插件作者改名。",
                              "Plugin {plugin} registers the command {name}, which {other} already has. Disable one of them (XIAOQI_DISABLE_PLUGINS={plugin}) or ask the author to rename it."),
        "cli.core": ("xiaoqi 自身", "xiaoqi itself"),
        "cli.plugin": ("插件 {plugin}", "plugin {plugin}"),
        "cli.bad_entry": ("插件 {plugin} 的 xiaoqi_register_commands 返回了 {value!r}：应为 CommandEntry 的列表。",
                          "xiaoqi_register_commands of plugin {plugin} returned {value!r}: expected a list of CommandEntry."),
        "cli.load_failed": ("无法加载命令 {name}（{origin}，{path}）：{error}", "Cannot load the command {name} ({origin}, {path}): {error}"),
    }
)


def text(value):
    """A help text: a ``(Chinese, English)`` pair in the current language, a function that makes
    one when the help is shown (``lambda: ...``, for texts drawn from the plugins), or a plain text."""
    if callable(value):
        value = value()
    return both(*value) if isinstance(value, tuple) else value


class HelpFormatter(click.HelpFormatter):
    """Help pages with click's headings in the user's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, f"{localize('Usage:')} " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        colon = "：" if get_lang() == "zh" else ":"
        self.write(f"{'':>{self.current_indent}}{localize(heading)}{colon}\n")


class Context(click.Context):
    formatter_class = HelpFormatter


class _Help:
    """``help`` may be a ``(Chinese, English)`` pair (or a function), read in the current language."""

    @property
    def help(self):
        return text(self._help)

    @help.setter
    def help(self, value):
        self._help = value


class _ParameterHelp(_Help):
    def __init__(self, *args, help=None, **kwargs):
        super().__init__(*args, **kwargs)  # click dedents a help text here: the pair is kept as it is
        self._help = help


class _CommandHelp(_Help):
    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = localize("Show this message and exit.")
        return option

    @property
    def short_help(self):
        return text(self._short_help)

    @short_help.setter
    def short_help(self, value):
        self._short_help = value


class Option(_ParameterHelp, click.Option):
    """An option whose help may be a pair and whose notes (``[required]``, ``[default: …]``) are translated."""

    def get_help_record(self, ctx):
        if self.hidden:
            return None
        extra = self.get_help_extra(ctx)
        notes = []
        if "envvars" in extra:
            notes.append(localize("env var: {var}").format(var=", ".join(extra["envvars"])))
        if "default" in extra:
            default = extra["default"]
            notes.append(localize("default: {default}").format(default=localize(default) if default == "(dynamic)" else default))
        if "range" in extra:
            notes.append(extra["range"])
        if "required" in extra:
            notes.append(localize(extra["required"]))
        help = self.help or ""
        if notes:
            joined = "; ".join(notes)
            help = f"{help}  [{joined}]" if help else f"[{joined}]"
        return self.get_help_spec(ctx), help


def cells(text: str) -> int:
    """The terminal columns ``text`` takes (a Chinese character two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def listed(head: str, items: list[str], sep: str, width: int = 68) -> str:
    """A help text: ``head`` then ``items`` joined by ``sep``, broken into lines between items (never
    inside one, as click's wrapping breaks a run of Chinese text without spaces), kept as they are
    by click (a ``\\b`` paragraph)."""
    lines, line = [], ""
    for i, item in enumerate(items):
        piece = item + (sep if i < len(items) - 1 else "")
        if line and cells(line + piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = ""
        line += piece
    if line:
        lines.append(line.rstrip())
    return head + "\n\n\b\n" + "\n".join(lines)


class Argument(_ParameterHelp, click.Argument):
    """An argument with a help text, listed under "Positional arguments"."""


class Command(_CommandHelp, click.Command):
    context_class = Context


class Group(_CommandHelp, click.Group):
    context_class = Context
    command_class = Command
    group_class = type  # a sub-group is of this class too


def command(name=None, **attrs):
    """``click.command`` with xiaoqi's classes (help in both languages, click's words translated)."""
    return click.command(name, cls=Command, **attrs)


def group(name=None, **attrs):
    """``click.group`` with xiaoqi's classes."""
    return click.group(name, cls=Group, **attrs)


def option(*param_decls, **attrs):
    """``click.option`` whose ``help`` may be a ``(Chinese, English)`` pair."""
    return click.option(*param_decls, cls=Option, **attrs)


def argument(*param_decls, **attrs):
    """``click.argument`` with a ``help`` (a pair, or a function that returns one)."""
    return click.argument(*param_decls, cls=Argument, **attrs)


class XiaoqiClickError(click.ClickException):
    """A message of xiaoqi's own (already in the user's language) with its exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        from .output import printable

        # a message may quote a file's cell or a stored value: no control character reaches the terminal
        click.echo(t("cli.error") + printable(self.format_message(), lines=True), file=file or sys.stderr)


class TranslatedClickError(click.ClickException):
    """One of click's errors, shown as click shows it but in the user's language."""

    def __init__(self, error: click.ClickException):
        super().__init__(error.format_message())
        self.error = error
        self.exit_code = error.exit_code

    def show(self, file=None) -> None:
        file = file or sys.stderr
        ctx = getattr(self.error, "ctx", None)
        if isinstance(self.error, click.UsageError) and ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                names = ctx.command.get_help_option_names(ctx)
                hint = localize(f"Try '{ctx.command_path} {max(names, key=len)}' for help.") + "\n"
            click.echo(f"{ctx.get_usage()}\n{hint}", file=file, color=ctx.color)
        click.echo(t("cli.error") + localize(self.error.format_message()), file=file)


def translated_errors(error: BaseException) -> BaseException | None:
    """The exception to raise instead of ``error`` so that the user reads it in their language
    (None: raise ``error`` as it is)."""
    if isinstance(error, (XiaoqiClickError, TranslatedClickError, click.exceptions.NoArgsIsHelpError)):
        return None
    if isinstance(error, XiaoqiError):
        return XiaoqiClickError(str(error), error.exit_code)
    if isinstance(error, click.ClickException):
        return TranslatedClickError(error)
    if isinstance(error, click.Abort):
        return XiaoqiClickError(localize("Aborted!"), 1)
    return None


class LazyGroup(Group):
    """A group of ``CommandEntry`` declarations — its own ``entries`` and the plugins'
    (``xiaoqi_register_commands``) — each imported when it is used. ``--help`` lists them with
    their declared help and imports none. A plugin may still add click commands to the ``cli``
    it is given (the older way); those are imported whenever the plugin's commands are listed.
    A command name taken twice is an error that names both owners."""

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries: dict[str, CommandEntry] = {e.name: e for e in entries}
        self._plugins_key = None
        self._from_plugins: dict[str, tuple[str, CommandEntry | click.Command]] = {}

    def plugin_commands(self) -> dict[str, tuple[str, CommandEntry | click.Command]]:
        """Command name -> (plugin name, its entry or command), for the current plugin manager."""
        from .plugins import get_plugin_manager

        pm = get_plugin_manager()
        key = (pm, frozenset(pm.get_plugins()))
        if self._plugins_key != key:
            self._from_plugins = self._collect(pm)
            self._plugins_key = key
        return self._from_plugins

    def _collect(self, pm) -> dict:
        found: dict[str, tuple[str, CommandEntry | click.Command]] = {}
        plugins = pm.get_plugins()
        for impl in pm.hook.xiaoqi_register_commands.get_hookimpls():
            # one plugin at a time (through pluggy, so tracing shows it) to know whose command is whose
            caller = pm.subset_hook_caller("xiaoqi_register_commands", [p for p in plugins if p is not impl.plugin])
            legacy = Group(self.name)
            contributed: list = []
            for result in caller(cli=legacy):
                if not isinstance(result, (list, tuple)) or not all(isinstance(e, CommandEntry) for e in result):
                    raise XiaoqiError(t("cli.bad_entry", plugin=impl.plugin_name, value=result))
                contributed.extend(result)
            contributed.extend(legacy.commands.values())
            for item in contributed:
                name = item.name
                if name in self.entries or name in self.commands:
                    other = t("cli.core")
                elif name in found:
                    other = t("cli.plugin", plugin=found[name][0])
                else:
                    found[name] = (impl.plugin_name, item)
                    continue
                raise XiaoqiError(t("cli.command_taken", plugin=impl.plugin_name, name=name, other=other))
        return found

    def list_commands(self, ctx):
        return sorted({*self.commands, *self.entries, *self.plugin_commands()})

    def get_command(self, ctx, cmd_name):
        from_plugins = self.plugin_commands()  # also for a core name: a plugin that takes it is an error
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in self.entries:
            return self._load(self.entries[cmd_name], t("cli.core"))
        plugin, item = from_plugins.get(cmd_name, (None, None))
        if isinstance(item, CommandEntry):
            return self._load(item, t("cli.plugin", plugin=plugin))
        return item

    @staticmethod
    def _load(entry: CommandEntry, origin: str) -> click.Command:
        try:
            command = entry.load()
        except (ImportError, AttributeError, TypeError) as exc:
            raise XiaoqiError(t("cli.load_failed", name=entry.name, origin=origin, path=entry.import_path,
                                error=f"{type(exc).__name__}: {exc}")) from None
        if command.help is None:  # declared once: the entry's help is the command's unless it says more
            command.help = entry.help
        return command

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:  # suggest the lazy commands too
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx),
                                                 ctx=ctx) from None

    def format_commands(self, ctx, formatter) -> None:
        """The command list from the declarations: no command module is imported for it."""
        plugin = self.plugin_commands()
        rows = []
        for name in self.list_commands(ctx):
            entry = self.entries.get(name) or plugin.get(name, (None, None))[1]
            if isinstance(entry, CommandEntry):
                rows.append((name, both(*entry.help)))
            else:
                command = self.commands.get(name) or entry
                if not command.hidden:
                    rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

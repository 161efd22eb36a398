"""``xiaoqi tui [--open NAME]``: the terminal UI, or the database summary when there is no terminal.

The core never imports the TUI by name: it finds it through the ``xiaoqi.tui`` entry-point group
(xiaoqi's own pyproject declares ``xiaoqi = "xiaoqi.tui.app"``). What the entry point names offers
``run_app(app_context, start=SECTION, remind_days=N)``, ``section_for(NAME) -> SECTION | None`` and
``open_names() -> list[str]``.
"""

from __future__ import annotations

import sys

import click

from ..cli import command, option, pass_app
from ..errors import UsageError, XiaoqiError
from ..i18n import catalogue, t

catalogue(
    {
        "tui.no_section": ("没有名为「{name}」的界面。可用：{names}", "No screen called '{name}'. Choose one of: {names}"),
        "tui.no_terminal": ("当前没有终端，无法打开界面；以下是数据库概况（xiaoqi status）。", "No terminal here, so no UI; here is the database summary (xiaoqi status)."),
        "tui.missing": ("没有找到终端界面（入口点组 xiaoqi.tui 为空）。请重新安装 xiaoqi：pip install --force-reinstall xiaoqi",
                        "No terminal UI found (the entry-point group xiaoqi.tui is empty). Reinstall xiaoqi: pip install --force-reinstall xiaoqi"),
    }
)

ENTRY_POINT_GROUP = "xiaoqi.tui"


def terminal_ui():
    """What the ``xiaoqi.tui`` entry point names (the first one found: xiaoqi's own unless replaced),
    found through the plugins' cache of the installed entry points (no importlib.metadata)."""
    from ..plugins import installed_entry_points, load_entry_point

    found = sorted(installed_entry_points(ENTRY_POINT_GROUP), key=lambda ep: ep[0] != "xiaoqi")
    if not found:
        raise XiaoqiError(t("tui.missing"))
    return load_entry_point(found[0][1])


def start_section(ui, name: str) -> str:
    """The section ``--open NAME`` opens: a section's name or id, or a record kind by any name that
    ``xiaoqi import`` accepts (``实习``, ``internships``)."""
    section = ui.section_for(name)
    if section is None:
        from ..kinds import get_kind

        try:
            section = ui.section_for(get_kind(name).name)
        except KeyError:
            section = None
    if section is None:
        raise UsageError(t("tui.no_section", name=name, names=", ".join(ui.open_names())))
    return section


@command("tui")
@option("--open", "open_", default=None, metavar="NAME",
        help=("先打开的界面：数据类型（如 internships 或 实习）、dashboard、compliance 或 import",
              "the screen to open first: a record kind (e.g. internships), dashboard, compliance or import"))
@option("--remind-days", type=click.IntRange(1, 366), default=None, metavar="N",
        help=("概览提醒 N 天内到期的保单与名额预留（默认取 xiaoqi.toml 中 [dashboard] remind_days，否则 30）",
              "the dashboard reminds of policies and reservations due within N days (default: [dashboard] remind_days "
              "of xiaoqi.toml, else 30)"))
@pass_app
def tui_command(app, open_: str | None, remind_days: int | None):
    from ..config import remind_days as configured

    ui = terminal_ui()
    start = "dashboard" if open_ is None else start_section(ui, open_)
    window = remind_days or configured(app.config())  # a bad setting is named before the UI starts
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo(t("tui.no_terminal"), err=True)
        from .status import print_status

        print_status(app, remind_days=window)
        return
    ui.run_app(app, start=start, remind_days=window)

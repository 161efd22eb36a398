"""Helpers for the TUI's pilot tests: build the app on a test database, wait for its workers, read
what the screen shows."""

from __future__ import annotations

import datetime as dt
import html
import re

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine
from xiaoqi.tui.app import XiaoqiApp

TODAY = dt.date(2026, 11, 23)
SIZE = (160, 50)


def make_app(url: str, actor=ADMIN, *, lang: str = "zh", **kw) -> XiaoqiApp:
    return XiaoqiApp(make_engine(url), actor, lang=lang, db_label="demo.db", today=TODAY, **kw)


async def settle(pilot, rounds: int = 3) -> None:
    """Let every worker finish and the screen catch up (workers may start more workers)."""
    from textual.widgets import DirectoryTree

    from textual.worker import WorkerCancelled

    for _ in range(rounds):
        # a DirectoryTree keeps one loader worker alive for as long as it is shown
        for worker in [w for w in pilot.app.workers if not isinstance(w.node, DirectoryTree)]:
            try:
                await worker.wait()
            except WorkerCancelled:  # an exclusive worker's newer call took over (a timer's look for changes)
                pass
        await pilot.pause()


def screen_text(app) -> str:
    """What the terminal shows right now, as plain text, line by line: the text of what a
    screenshot draws (``screen_text_svg``) read from the strips the screenshot is made of — every
    segment that is not blank, lines with none left out — without drawing the SVG (a tenth of the
    time; tests/tui/test_tui_helpers.py holds them equal)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    lines = []
    for line in update.strips:
        parts = [s.text for strip in line for s in strip if not s.control and s.text != " " * len(s.text)]
        if parts:
            lines.append("".join(parts).replace("\xa0", " "))
    return "\n".join(lines)


def screen_text_svg(app) -> str:
    """What the terminal shows right now, as plain text, line by line (from the screenshot)."""
    svg = app.export_screenshot()
    lines: dict[str, list[str]] = {}
    for clip, text in re.findall(r'<text [^>]*clip-path="url\(#[^)]*-line-(\d+)\)"[^>]*>(.*?)</text>', svg):
        lines.setdefault(clip, []).append(html.unescape(text).replace("\xa0", " "))
    return "\n".join("".join(parts) for _n, parts in sorted(lines.items(), key=lambda kv: int(kv[0])))


async def open_plugin_screen(pilot, entry_id: str):
    """Choose a plugin's screen (its ``ScreenEntry.id``) in the navigation, as a user does; the screen."""
    from xiaoqi.tui.widgets.sidebar import Sidebar

    await settle(pilot)
    sidebar = pilot.app.screen.query_one(Sidebar)
    sidebar.highlighted = sidebar.get_option_index(f"plugin-{entry_id}")
    sidebar.action_select()
    await settle(pilot)
    return pilot.app.screen


async def wait_for(pilot, ready, *, what: str = "the screen", rounds: int = 2000) -> None:
    """Let the app run until ``ready()`` is true (a state, not a time: under load a worker or a
    mount may take many event-loop turns); fails naming ``what`` after ``rounds`` turns."""
    for _ in range(rounds):
        if ready():
            return
        await settle(pilot, 1)
        await pilot.pause(0.01)
    raise AssertionError(f"{what} never became ready")

"""The pilot tests' reading of the screen: ``screen_text`` (from the compositor's strips) gives
what the SVG screenshot shows, on screens of wide characters, a table, a dialog over its screen
and the command palette."""

from __future__ import annotations

import asyncio

from textual.command import CommandPalette

from xiaoqi.tui.dialogs.record_form import RecordForm

from .tui_helpers import SIZE, make_app, screen_text, screen_text_svg, settle, wait_for


def test_screen_text_is_the_text_of_the_screenshot(demo_db):
    url, _manifest = demo_db

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.screen.summary is not None, what="the dashboard's figures")
            await settle(pilot)
            views = [("dashboard", screen_text(app), screen_text_svg(app))]
            app.open_section("records-internships")
            await wait_for(pilot, lambda: app.screen.query("#records") and app.screen.table.total is not None,
                           what="the internships")
            await settle(pilot)
            views.append(("internships", screen_text(app), screen_text_svg(app)))
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, RecordForm), what="the form")
            await pilot.press("ctrl+s")  # its errors
            await settle(pilot)
            views.append(("form", screen_text(app), screen_text_svg(app)))
            await pilot.press("escape", "ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
            await settle(pilot)
            views.append(("palette", screen_text(app), screen_text_svg(app)))
        for name, fast, svg in views:
            assert fast == svg, f"{name}:\n{fast}\n---\n{svg}"
        assert "今日在岗实习" in views[0][1] and "共 " in views[1][1] and "必填" in views[2][1]
        assert views[2][1] != views[1][1] and views[3][1] != views[1][1]

    asyncio.run(run())

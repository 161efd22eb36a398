"""Snapshots of the TUI (pytest-textual-snapshot) on the demo database, its date frozen at
2026-11-23 and the database shown under a fixed name. Update with --snapshot-update after a
deliberate change of the look, and review the SVG diff."""

from __future__ import annotations

from textual.widgets import Input

from .tui_helpers import SIZE, make_app, settle


def test_dashboard_snapshot(demo_db, snap_compare):
    url, _manifest = demo_db

    async def ready(pilot):
        await settle(pilot, 5)
        # plotext places its axis ticks differently from run to run; the chart has its pilot test
        pilot.app.screen.query_one("#dash-chart").visible = False
        await pilot.pause()

    assert snap_compare(make_app(url), terminal_size=SIZE, run_before=ready)


def test_english_form_with_errors_snapshot(demo_db, snap_compare):
    url, _manifest = demo_db

    async def ready(pilot):
        pilot.app.open_section("records-schools")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = pilot.app.screen
        form.query_one("#f-school_code", Input).value = "41012"
        form.query_one("#f-name", Input).value = "Test College"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(make_app(url, lang="en", auto_check=False), terminal_size=SIZE, run_before=ready)

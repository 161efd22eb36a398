"""Snapshots of the TUI (pytest-textual-snapshot) on the demo database, its date frozen at
2026-11-23 and the database shown under a fixed name. Update with --snapshot-update after a
deliberate change of the look, and review the SVG diff."""

from __future__ import annotations

from textual.widgets import Input

from .tui_helpers import SIZE, make_app, settle, wait_for


def test_dashboard_snapshot(demo_db, snap_compare):
    url, _manifest = demo_db

    async def ready(pilot):
        app = pilot.app
        await wait_for(pilot, lambda: app.check_result is not None and not app.check_running, what="the check")
        await settle(pilot, 5)
        # plotext places its axis ticks differently from run to run; the chart has its pilot test
        app.screen.query_one("#dash-chart").visible = False
        # the check's time is the clock's (its pilot test reads it)
        app.check_at = None
        app.check_result = app.check_result
        await pilot.pause()

    assert snap_compare(make_app(url), terminal_size=SIZE, run_before=ready)


def test_english_form_with_errors_snapshot(demo_db, snap_compare):
    url, _manifest = demo_db

    async def ready(pilot):
        from xiaoqi.tui.dialogs.record_form import RecordForm
        from xiaoqi.tui.widgets.paged_table import PagedTable

        app = pilot.app
        app.open_section("records-schools")
        await wait_for(pilot, lambda: app.screen.query(PagedTable) and app.screen.query_one(PagedTable).total is not None,
                       what="the schools table")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm) and app.screen.query("#f-name"), what="the form")
        form = app.screen
        form.query_one("#f-school_code", Input).value = "41012"
        form.query_one("#f-name", Input).value = "Test College"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "10" in str(form.query_one("#err-school_code").render()), what="the form's errors")
        # the focused field's cursor steady (it blinks every 0.5 s: under load the picture caught either phase)
        for field in form.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    assert snap_compare(make_app(url, lang="en", auto_check=False), terminal_size=SIZE, run_before=ready)

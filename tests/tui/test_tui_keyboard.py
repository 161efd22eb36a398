"""Keyboard paths of daily use: a new record's form starts with the school the list is filtered to,
the cursor lands on the row just created, a save that changes nothing says so and writes nothing,
and Esc from a record opened on the compliance screen goes back to the compliance screen."""

from __future__ import annotations

import asyncio
import sqlite3

from textual.widgets import Input, Select

from xiaoqi.tui.dialogs.record_form import RecordForm
from xiaoqi.tui.screens.compliance import ComplianceScreen
from xiaoqi.tui.screens.detail import RecordDetailScreen
from xiaoqi.tui.screens.records import RecordsScreen
from xiaoqi.tui.widgets.paged_table import PagedTable

from .tui_helpers import SIZE, make_app, screen_text, settle, wait_for


def _db(url: str) -> sqlite3.Connection:
    return sqlite3.connect(url.removeprefix("sqlite:///"))


async def _records(pilot, kind: str):
    app = pilot.app
    app.open_section(f"records-{kind}")
    await wait_for(pilot, lambda: isinstance(app.screen, RecordsScreen) and app.screen.query("#records")
                   and app.screen.table.total is not None,
                   what=f"the {kind} table")
    return app.screen, app.screen.query_one(PagedTable)


def test_new_form_prefills_the_filtered_school_and_the_cursor_lands_on_the_new_row(demo_db):
    url, _manifest = demo_db
    school = _db(url).execute("SELECT school_code FROM schools ORDER BY id LIMIT 1").fetchone()[0]

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            screen, table = await _records(pilot, "majors")
            screen.filters = {"school_code": school}
            screen.reload()
            await settle(pilot)
            table.focus()
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, RecordForm), what="the form")
            form = app.screen
            assert form.query_one("#f-school_code", Input).value == school
            await settle(pilot)
            assert "^s 保存" in screen_text(app) and "esc 取消" in screen_text(app)  # the form's keys in its footer
            form.query_one("#f-major_code", Input).value = "460399"
            form.query_one("#f-name", Input).value = "测试新专业"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.screen is screen and table.cursor_key == f"{school}/460399",
                           what="the new row under the cursor")
            assert table.row_at(table.cursor_row).cells[3] == "测试新专业" and app.focused is table

    asyncio.run(run())


def test_a_save_without_changes_says_so_and_writes_nothing(demo_db):
    url, _manifest = demo_db
    db = _db(url)
    before = db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]

    async def run():
        app = make_app(url, auto_check=False)
        told = []
        notify = app.notify
        app.notify = lambda message, **kw: (told.append(str(message)), notify(message, **kw))[1]
        async with app.run_test(size=SIZE) as pilot:
            screen, table = await _records(pilot, "schools")
            table.focus()
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, RecordForm)
                           and app.screen.query_one("#f-name", Input).value != "", what="the filled form")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.screen is screen, what="the form closing")
            await settle(pilot)
            assert any("没有修改，未写入" in m for m in told) and not any("已保存" in m for m in told)

    asyncio.run(run())
    assert _db(url).execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before


def test_esc_from_a_record_opened_on_the_compliance_screen_goes_back_there(demo_db):
    url, _manifest = demo_db

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            app.open_section("compliance")
            await wait_for(pilot, lambda: app.check_result is not None and not app.check_running, what="the check")
            screen = app.screen
            assert isinstance(screen, ComplianceScreen)
            findings = screen.query_one("#findings")
            findings.focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RecordDetailScreen), what="the record")
            await settle(pilot)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen, what="the compliance screen")
            assert app.current_mode == "compliance"
            # a record opened from its table goes back to the table
            table_screen, table = await _records(pilot, "schools")
            table.focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RecordDetailScreen), what="the school")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is table_screen, what="the schools table")

    asyncio.run(run())


def test_form_select_prefill_keeps_a_choice(demo_db):
    """A filter on a choice (the level) pre-fills its select."""
    url, _manifest = demo_db

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            screen, table = await _records(pilot, "schools")
            screen.filters = {"level": "高职"}
            screen.reload()
            await settle(pilot)
            table.focus()
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, RecordForm), what="the form")
            assert app.screen.query_one("#f-level", Select).value == "高职"

    asyncio.run(run())

"""1+X in the running TUI, with Textual's pilot: the student's credit-bank account in the student's
detail view, the dashboard panel (upcoming sessions, last year's pass rates) and the conversion
screen (a preview that writes nothing, then the run); the records have the TUI's record screens."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa
from textual.widgets import DataTable, Input

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.tui.app import XiaoqiApp

from tests.plugins.onex_data import build

from .tui_helpers import SIZE, screen_text, settle

WIDE = (240, 80)


def app_on(engine, actor=ADMIN, today=dt.date(2026, 1, 15)) -> XiaoqiApp:
    return XiaoqiApp(engine, actor, auto_check=False, today=today)


def conversions(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT COUNT(*) FROM onex_conversions")).scalar_one()


def test_the_students_detail_view_shows_the_credit_bank_account(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)

    async def run():
        app = app_on(xiaoqi_engine)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            app.open_record("students", reg.s1.id_number)
            await settle(pilot)
            text = screen_text(app)
            assert "学分银行账户（1+X）" in text and "Web前端开发（X-WEB-0001" in text and "72.5" not in text
            assert "C101 Web前端基础" in text and "免修" in text and "85.0" in text and "通过" in text
            assert "持有有效证书 1 本；已转换 4.0 学分" in text.replace("\n", "").replace("│", "")
            # another school's actor does not see the student, nor the account
        other = app_on(xiaoqi_engine, Actor("school", reg.b.school_code))
        async with other.run_test(size=WIDE) as pilot:
            await settle(pilot)
            other.open_record("students", reg.s4.id_number)
            await settle(pilot)
            text = screen_text(other)
            assert "Web前端开发（X-WEB-0003" in text and "C101" not in text

    asyncio.run(run())


def test_the_dashboard_panel_shows_upcoming_sessions_and_pass_rates(xiaoqi_engine, xiaoqi_factory):
    build(xiaoqi_factory)

    async def run():
        app = app_on(xiaoqi_engine, today=dt.date(2025, 5, 20))
        async with app.run_test(size=(180, 60)) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert "1+X 证书" in text and "2025-06-01" in text and "杭州示例学院Web考核站" in text
        later = app_on(xiaoqi_engine, today=dt.date(2026, 1, 15))
        async with later.run_test(size=(180, 60)) as pilot:
            await settle(pilot)
            text = screen_text(later)
            assert "2025 年通过率" in text and "75.0%" in text and "30 天内没有考核" in text

    asyncio.run(run())


def test_the_conversion_screen_previews_then_converts(xiaoqi_engine, xiaoqi_factory):
    build(xiaoqi_factory)

    async def run():
        app = app_on(xiaoqi_engine, today=dt.date(2026, 3, 1))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_section("plugin-onex-convert")
            await settle(pilot)
            screen = app.screen
            assert screen.query_one("#onex-term", Input).value == "2025-2026-2"
            screen.query_one("#onex-table", DataTable).focus()
            await pilot.press("c")  # no preview yet: nothing happens but a warning
            await settle(pilot)
            assert conversions(xiaoqi_engine) == 1
            await pilot.press("p")
            await settle(pilot)
            table = screen.query_one("#onex-table", DataTable)
            assert table.row_count == 3 and conversions(xiaoqi_engine) == 1
            assert "预览：2025-2026-2 学期将新转换 3 门次、12.0 学分" in screen_text(app)
            await pilot.press("c")
            await settle(pilot)
            assert conversions(xiaoqi_engine) == 4 and "已转换：2025-2026-2 学期新转换 3 门次" in screen_text(app)
            await pilot.press("p")  # a second run finds nothing left
            await settle(pilot)
            assert screen.query_one("#onex-table", DataTable).row_count == 0 and "此前已转换 4 门次" in screen_text(app)

    asyncio.run(run())

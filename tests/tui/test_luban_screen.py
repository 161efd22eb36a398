"""The Luban Workshops screen in the running TUI (``XiaoqiApp``), driven with Textual's pilot: it is
in the navigation, shows the list, a workshop's details and chart, opens the TUI's record form
(validation errors shown, saving through the services), and records a year."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import sqlalchemy as sa
from textual.widgets import DataTable, Input, Select, Static
from textual_plotext import PlotextPlot

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.plugins import hook_results
from xiaoqi.plugins.luban.screens import LubanScreen
from xiaoqi.tui.app import XiaoqiApp
from xiaoqi.tui.dialogs.record_form import RecordForm

from tests.plugins.luban_data import build

from .tui_helpers import open_plugin_screen


def tui(engine, actor) -> XiaoqiApp:
    return XiaoqiApp(engine, actor, auto_check=False)


async def open_luban(pilot) -> LubanScreen:
    screen = await open_plugin_screen(pilot, "luban")
    assert isinstance(screen, LubanScreen)
    return screen


def test_hook_xiaoqi_register_screens_offers_the_luban_screen_without_importing_it():
    (entry,) = [e for e in hook_results("xiaoqi_register_screens") if e.id == "luban"]
    assert entry.title == ("鲁班工坊概览", "Luban overview") and callable(entry.screen)
    # registering the screen loads neither Textual nor the screen module (the core stays Textual-free)
    probe = ("import sys; from xiaoqi.core.plugins import hook_results; hook_results('xiaoqi_register_screens'); "
             "print(sorted(m for m in sys.modules if m == 'textual' or m.endswith('luban.screens')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def save(pilot) -> None:
    """Save the form with its key (Ctrl+S)."""
    await pilot.press("ctrl+s")
    await settle(pilot)


def chart_text(screen) -> str:
    return screen.query_one("#luban-chart", PlotextPlot).render().plain


def detail_text(screen) -> str:
    return str(screen.query_one("#luban-detail", Static).render())


def test_list_detail_and_chart(xiaoqi_engine, xiaoqi_factory):
    asyncio.run(check_list_detail_and_chart(xiaoqi_engine, xiaoqi_factory))


async def check_list_detail_and_chart(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    app = tui(xiaoqi_engine, ADMIN)
    async with app.run_test(size=(180, 50)) as pilot:
        screen = await open_luban(pilot)
        table = screen.query_one("#luban-list", DataTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["泰国鲁班工坊", "埃及鲁班工坊", "肯尼亚鲁班工坊"]
        assert table.get_row_at(0)[5:] == ["2,700", "1,240,000.50"]
        assert "共 3 个鲁班工坊" in str(screen.query_one("#luban-status", Static).render())
        assert screen.selected == "泰国鲁班工坊" and "设备价值：1,240,000.50" in detail_text(screen)
        assert "泰国鲁班工坊 年度数据" in chart_text(screen) and "2025" in chart_text(screen)
        assert "所在国家：TH 泰国" in detail_text(screen) and f"{reg.lead.name} {reg.lead.school_code}" in detail_text(screen)
        assert screen.detail.activity[-1]["year"] == 2025
        await pilot.press("down")
        await settle(pilot)
        assert screen.selected == "埃及鲁班工坊" and "所在国家：EG 埃及" in detail_text(screen)
        assert [a["year"] for a in screen.detail.activity] == [2024]
        assert "埃及鲁班工坊 年度数据" in chart_text(screen) and "2025" not in chart_text(screen)


def test_edit_form_validates_then_saves_through_the_services(xiaoqi_engine, xiaoqi_factory):
    asyncio.run(check_edit_form_validates_then_saves_through_the_services(xiaoqi_engine, xiaoqi_factory))


async def check_edit_form_validates_then_saves_through_the_services(xiaoqi_engine, xiaoqi_factory):
    build(xiaoqi_factory)
    app = tui(xiaoqi_engine, ADMIN)
    async with app.run_test(size=(180, 50)) as pilot:
        await open_luban(pilot)
        await pilot.press("e")
        await settle(pilot)  # the form reads the record in a worker
        form = app.screen
        assert isinstance(form, RecordForm) and form.query_one("#f-name", Input).disabled
        form.query_one("#f-country", Input).value = "Atlantis"
        await save(pilot)
        assert "不是有效的国家" in str(form.query_one("#err-country", Static).render())
        form.query_one("#f-country", Input).value = "Thailand"
        form.query_one("#f-city", Input).value = "阿瑜陀耶"
        form.query_one("#f-status", Select).value = "暂停"
        await save(pilot)
        assert isinstance(app.screen, LubanScreen)
        assert "城市：阿瑜陀耶" in detail_text(app.screen) and "状态：暂停" in detail_text(app.screen)
    with xiaoqi_engine.connect() as conn:
        row = conn.execute(sa.text("SELECT country, city, status FROM luban_workshops WHERE name = '泰国鲁班工坊'")).one()
        audited = conn.execute(sa.text("SELECT COUNT(*) FROM audit_log WHERE kind = 'luban_workshops' AND action = 'update'")).scalar()
    assert tuple(row) == ("TH", "阿瑜陀耶", "暂停") and audited == 1


def test_recording_a_year_and_refusal_for_a_school_that_does_not_lead(xiaoqi_engine, xiaoqi_factory):
    asyncio.run(check_recording_a_year_and_refusal_for_a_school_that_does_not_lead(xiaoqi_engine, xiaoqi_factory))


async def check_recording_a_year_and_refusal_for_a_school_that_does_not_lead(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    app = tui(xiaoqi_engine, Actor("school", reg.other.school_code))  # it takes part in 泰国, leads 肯尼亚
    async with app.run_test(size=(180, 50)) as pilot:
        await open_luban(pilot)
        assert app.screen.selected == "泰国鲁班工坊"
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#f-workshop_name", Input).value == "泰国鲁班工坊"
        assert form.query_one("#f-year", Input).value == "2026"
        for name, value in (("enrolled", "330"), ("trainees", "900"), ("local_teachers_trained", "30"),
                            ("chinese_teachers_sent", "5")):
            form.query_one(f"#f-{name}", Input).value = value
        await save(pilot)
        assert isinstance(app.screen, RecordForm)  # refused: the lead college writes the figures
        assert "权限不足" in str(app.screen.query_one("#form-error", Static).render())
        await pilot.press("escape")
        await pilot.press("down")
        await settle(pilot)
        assert app.screen.selected == "肯尼亚鲁班工坊"
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#f-year", Input).value == ""
        for name, value in (("year", "2026"), ("enrolled", "40"), ("trainees", "120"), ("local_teachers_trained", "8"),
                            ("chinese_teachers_sent", "2")):
            form.query_one(f"#f-{name}", Input).value = value
        await save(pilot)
        assert isinstance(app.screen, LubanScreen)
        assert [a["year"] for a in app.screen.detail.activity] == [2026]

"""The incentives screen and dashboard panel in the running TUI, driven with Textual's pilot: the
balances, the chart of credit earned against used, the ledger read a page at a time, and the
panel's credit carried forward and subsidies awaiting payment — each in the actor's scope."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from xiaoqi.core.actors import Actor
from xiaoqi.plugins.incentives.screens import IncentivesPanel, IncentivesScreen

from tests.plugins.inc_data import build

from .tui_helpers import make_app, open_plugin_screen, screen_text, settle, wait_for


def _history(factory, cli, years=(2022, 2023, 2024)):
    reg = build(factory)
    for year in years:
        assert cli("incentives", "accrue", "--year", str(year)).exit_code == 0
    case = f"apprentice/{reg.firm.uscc}/{reg.apprentice.id_number}/2022"
    return reg, case


def test_the_screen_is_registered_without_importing_textual():
    probe = ("import sys; from xiaoqi.core.plugins import hook_results; hook_results('xiaoqi_register_screens'); "
             "hook_results('xiaoqi_dashboard_panels'); "
             "print(sorted(m for m in sys.modules if m == 'textual' or m.endswith('incentives.screens')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_screen_shows_balances_chart_and_the_ledger_page_by_page(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url):
    asyncio.run(_screen(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url))


async def _screen(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url):
    reg, _case = _history(xiaoqi_factory, xiaoqi_cli)
    for n in range(60):  # more lines than a page
        xiaoqi_factory.record("inc_investments", uscc=reg.firm.uscc, year=2024, category="现金", amount=f"{100 + n}.00",
                              evidence=f"P-{n:03d}")
    assert xiaoqi_cli("incentives", "accrue", "--year", "2024").exit_code == 0
    app = make_app(xiaoqi_db_url)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_plugin_screen(pilot, "incentives")
        assert isinstance(screen, IncentivesScreen)
        await settle(pilot)
        balances = screen.query_one("#inc-balances", DataTable)
        cells = [balances.get_row_at(i) for i in range(balances.row_count)]
        assert [reg.firm.name, "抵免额", "2024"] == cells[0][:3]
        chart = screen.query_one("#inc-chart", PlotextPlot).render().plain
        assert "形成" in chart and "使用" in chart and "2022" in chart
        lines = screen.query_one("#inc-lines", DataTable)
        total = screen.total
        assert lines.row_count == 50 and total > 60 and screen.rows[0]["id"] == total
        await pilot.press("]")
        await settle(pilot)
        assert screen.first == 51 and lines.row_count == total - 50 and screen.rows[0]["id"] == total - 50
        assert "第 51–" in str(screen.query_one("#inc-status", Static).render())
        await pilot.press("[")
        await settle(pilot)
        assert screen.first == 1 and screen.rows[0]["id"] == total


def test_the_panel_and_an_enterprises_view(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url):
    asyncio.run(_panel(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url))


async def _panel(xiaoqi_factory, xiaoqi_cli, xiaoqi_db_url):
    from tests.plugins.inc_data import AdvanceShare
    from xiaoqi.core.plugins import get_plugin_manager

    reg, case = _history(xiaoqi_factory, xiaoqi_cli, years=(2022,))
    get_plugin_manager().register(AdvanceShare(region=reg.firm.region[:2], wage="2490"), name="advance-share")
    assert xiaoqi_cli("incentives", "approve", case).exit_code == 0
    assert xiaoqi_cli("incentives", "pay", case, "--advance").exit_code == 0
    app = make_app(xiaoqi_db_url)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert app.screen.query(IncentivesPanel)
        # the panel reads in a worker: wait for its figures, not for a time (under load they come late)
        await wait_for(pilot, lambda: "待核准补贴申请" in screen_text(app), what="the incentives panel's figures")
        text = screen_text(app)
        assert "结转抵免额：26,000.15 元（1 家企业）" in text
        assert "待拨付补贴：1 件，2,500.00 元" in text and "待核准补贴申请：1 件" in text
    other = make_app(xiaoqi_db_url, Actor("enterprise", reg.other.uscc))
    async with other.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert "结转抵免额：0.00 元（0 家企业）" in screen_text(other)
        screen = await open_plugin_screen(pilot, "incentives")
        await settle(pilot)
        assert screen.query_one("#inc-lines", DataTable).row_count == 0 and "台账为空" in str(screen.query_one("#inc-status", Static).render())

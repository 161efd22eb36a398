"""The industrial-college screen and dashboard panel in the running TUI, driven with Textual's pilot
on the demo database: in the navigation, the list of colleges, a college's partners, bodies and
meetings, the investment chart, the seven-task checklist by year, the record forms (a meeting added
to the selected college, a college edited, a bad college refused with nothing written), and each
actor's scope."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import sqlalchemy as sa
from textual.widgets import DataTable, Input, OptionList, Static, TabbedContent
from textual_plotext import PlotextPlot

from xiaoqi.core.actors import Actor
from xiaoqi.core.db import make_engine
from xiaoqi.core.plugins import hook_results
from xiaoqi.plugins.industrial_college.screens import CollegePanel, CollegeScreen, KindPicker
from xiaoqi.tui.dialogs.record_form import RecordForm

from .tui_helpers import SIZE, TODAY, make_app, open_plugin_screen, settle

WIDE = (200, 55)


async def open_colleges(pilot) -> CollegeScreen:
    screen = await open_plugin_screen(pilot, "industrial_college")
    assert isinstance(screen, CollegeScreen)
    return screen


def rows(screen, table_id: str) -> list[list]:
    table = screen.query_one(table_id, DataTable)
    return [list(table.get_row_at(i)) for i in range(table.row_count)]


def text_of(screen, selector: str) -> str:
    """What a widget shows, as plain text (rich renderables drawn 200 columns wide)."""
    from rich.console import Console

    widget = screen.query_one(selector)
    if isinstance(widget, PlotextPlot):
        return widget.render().plain
    content = widget.content
    if isinstance(content, str):
        return content
    console = Console(width=200, record=True, file=open("/dev/null", "w"))
    console.print(content)
    return console.export_text()


def scalar(url: str, sql: str, **params):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()


def test_hooks_offer_the_screen_and_panel_without_importing_textual():
    (screen,) = [e for e in hook_results("xiaoqi_register_screens") if e.id == "industrial_college"]
    (panel,) = [e for e in hook_results("xiaoqi_dashboard_panels") if e.id == "industrial_college"]
    assert screen.title == ("产业学院概览", "Industrial colleges overview") and callable(screen.screen) and callable(panel.widget)
    probe = ("import sys; from xiaoqi.core.plugins import hook_results; hook_results('xiaoqi_register_screens'); "
             "hook_results('xiaoqi_dashboard_panels'); "
             "print(sorted(m for m in sys.modules if m == 'textual' or m.endswith('industrial_college.screens')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_list_detail_chart_and_checklist(demo_db):
    asyncio.run(check_list_detail_chart_and_checklist(demo_db[0]))


async def check_list_detail_chart_and_checklist(url):
    app = make_app(url)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_colleges(pilot)
        listed = rows(screen, "#ic-list")
        assert [r[0] for r in listed] == ["CY-JS-01", "CY-HN-01", "CY-GD-01"]  # by founding date
        assert listed[0][1] == "南京工业职业技术大学智能制造产业学院" and listed[0][4] == "运行"
        investment = scalar(url, "SELECT SUM(amount) FROM ic_investments WHERE college_code = 'CY-JS-01'")
        assert listed[0][7] == f"{investment:,.2f}"
        assert "共 3 个产业学院" in text_of(screen, "#ic-status")
        detail = text_of(screen, "#ic-detail")
        assert screen.selected == "CY-JS-01"
        for expected in ("南京市工业和信息化局", "江苏省智能制造产业协会", "理事会", "学术委员会", "建设管理委员会", "近期会议",
                         "省级", "牵头学校：南京工业职业技术大学"):
            assert expected in detail, expected
        partner = scalar(url, "SELECT e.name FROM ic_partners p JOIN enterprises e ON e.uscc = p.uscc "
                              "WHERE p.college_code = 'CY-JS-01' AND p.role = '牵头'")
        assert partner in detail
        # the chart: investment by year and type
        chart = screen.detail.investment_by_year
        assert [y["year"] for y in chart] == list(range(2021, 2026))
        assert sum(y["total"] for y in chart) == investment
        screen.query_one(TabbedContent).active = "ic-tab-chart"
        await settle(pilot)
        plot = text_of(screen, "#ic-chart")
        assert "企业投入（万元）" in plot and "2021" in plot and "现金" in plot
        assert f"2025: {chart[-1]['total']:,.2f}" in text_of(screen, "#ic-chart-note")
        # the checklist of last year, the year the rules assess
        screen.query_one(TabbedContent).active = "ic-tab-tasks"
        await settle(pilot)
        tasks = rows(screen, "#ic-tasks")
        assert len(tasks) == 7 and all(r[4] == "✓" for r in tasks)
        assert "2025 年建设任务自评：7/7 项有佐证" in text_of(screen, "#ic-tasks-title")
        assert "治理机构会议" in tasks[6][1] and tasks[6][2] == "已完成" and "会议纪要" in tasks[6][3]
        # 湖南: nothing for task ⑥ last year (a deliberate violation of the demo)
        await pilot.press("down")
        await settle(pilot)
        assert screen.selected == "CY-HN-01"
        tasks = rows(screen, "#ic-tasks")
        assert tasks[5][0].startswith("⑥") and tasks[5][1:] == ["—", "进行中", "—", "✗"]
        assert "6/7" in text_of(screen, "#ic-tasks-title")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.card.year == 2024 and rows(screen, "#ic-tasks")[5][4] == "✓"
        assert rows(screen, "#ic-tasks")[0][2] == "—"  # no self-assessment recorded for 2024


def test_add_a_meeting_to_the_selected_college(demo_db):
    asyncio.run(check_add_a_meeting(demo_db[0]))


async def check_add_a_meeting(url):
    app = make_app(url)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_colleges(pilot)
        before = scalar(url, "SELECT COUNT(*) FROM ic_meetings WHERE college_code = 'CY-JS-01'")
        await pilot.press("a")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, KindPicker)
        options = picker.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(labels) == 13 and "产业学院会议" in labels and "产业学院企业投入" in labels
        options.highlighted = labels.index("产业学院会议")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm) and form.kind.name == "ic_meetings"
        assert form.query_one("#f-college_code", Input).value == "CY-JS-01"
        assert form.query_one("#f-body_name", Input).value == screen.detail.sections["bodies"][0]["name"]
        form.query_one("#f-body_name", Input).value = "没有这个机构"
        form.query_one("#f-held_on", Input).value = "2026-11-20"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)  # refused: the body is not the college's
        assert scalar(url, "SELECT COUNT(*) FROM ic_meetings WHERE college_code = 'CY-JS-01'") == before
        form.query_one("#f-body_name", Input).value = "理事会"
        form.query_one("#f-title", Input).value = "2026年第3次理事会会议（临时）"
        form.query_one("#f-decisions", Input).value = "审议年度经费预算、聘任企业兼职教师"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CollegeScreen)
        assert "2026年第3次理事会会议（临时）" in text_of(app.screen, "#ic-detail")
    assert scalar(url, "SELECT COUNT(*) FROM ic_meetings WHERE college_code = 'CY-JS-01'") == before + 1
    assert scalar(url, "SELECT decisions FROM ic_meetings WHERE college_code = 'CY-JS-01' AND body_name = '理事会' "
                       "AND held_on = '2026-11-20'") == "审议年度经费预算、聘任企业兼职教师"


def test_edit_and_new_college_forms(demo_db):
    asyncio.run(check_edit_and_new_college_forms(demo_db[0]))


async def check_edit_and_new_college_forms(url):
    app = make_app(url)
    async with app.run_test(size=WIDE) as pilot:
        await open_colleges(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm) and form.query_one("#f-code", Input).disabled
        form.query_one("#f-industry_chain", Input).value = "高端装备制造产业链"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CollegeScreen) and "高端装备制造产业链" in text_of(app.screen, "#ic-detail")
        colleges = scalar(url, "SELECT COUNT(*) FROM ic_colleges")
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-code", Input).value = "CY-NEW"
        form.query_one("#f-name", Input).value = "数字商贸产业学院"
        form.query_one("#f-lead_school_code", Input).value = "4100000000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)  # refused: the required columns and an unknown school
        assert scalar(url, "SELECT COUNT(*) FROM ic_colleges") == colleges
        assert str(form.query_one("#err-type", Static).render()) != ""
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CollegeScreen) and len(rows(app.screen, "#ic-list")) == 3
    assert scalar(url, "SELECT industry_chain FROM ic_colleges WHERE code = 'CY-JS-01'") == "高端装备制造产业链"


def test_each_actor_sees_its_own_colleges(demo_db):
    asyncio.run(check_scope(demo_db[0]))


async def check_scope(url):
    lead = scalar(url, "SELECT lead_school_code FROM ic_colleges WHERE code = 'CY-GD-01'")
    firm = scalar(url, "SELECT uscc FROM ic_partners WHERE college_code = 'CY-HN-01' AND role = '牵头'")
    app = make_app(url, Actor("school", lead))
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_colleges(pilot)
        assert [r[0] for r in rows(screen, "#ic-list")] == ["CY-GD-01"]
    app = make_app(url, Actor("enterprise", firm))
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_colleges(pilot)
        assert [r[0] for r in rows(screen, "#ic-list")] == ["CY-HN-01"]
        own = scalar(url, "SELECT SUM(amount) FROM ic_investments WHERE college_code = 'CY-HN-01' AND uscc = :u", u=firm)
        assert sum(y["total"] for y in screen.detail.investment_by_year) == own  # only its own investment
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)  # an enterprise may open the form; the services refuse its write
    app = make_app(url, Actor("province", "45"))  # 广西 leads none of the colleges
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_colleges(pilot)
        assert rows(screen, "#ic-list") == [] and "没有可查看的产业学院" in text_of(screen, "#ic-status")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, CollegeScreen)  # nothing picked: a warning, no form


def test_dashboard_panel_shows_last_years_figures(demo_db):
    asyncio.run(check_dashboard_panel(demo_db[0]))


async def check_dashboard_panel(url):
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#industrial_college", CollegePanel)
        assert panel.border_title == f"产业学院（{TODAY.year - 1} 年）"
        shown = text_of(app.screen, "#industrial_college")
        total = scalar(url, f"SELECT SUM(amount) FROM ic_investments WHERE year = {TODAY.year - 1}")
        assert f"{total:,.2f}" in shown and "合计 3 个学院" in shown and "6/7" in shown and "7/7" in shown

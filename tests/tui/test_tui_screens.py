"""The dashboard, compliance, import and plugin screens and the command palette, with the pilot on
the demo database."""

from __future__ import annotations

import asyncio
import sqlite3

import openpyxl
import pytest
from textual.command import CommandList, CommandPalette, Hit, Provider
from textual.widgets import DataTable, Input, Select, Static

from xiaoqi.core import hookimpl
from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine
from xiaoqi.core.plugins import get_plugin_manager
from xiaoqi.tui import PanelEntry, PluginScreen, ScreenEntry
from xiaoqi.tui.commands import registry_hits
from xiaoqi.tui.screens.compliance import ComplianceScreen
from xiaoqi.tui.screens.dashboard import DashboardScreen
from xiaoqi.tui.screens.detail import RecordDetailScreen
from xiaoqi.tui.screens.importer import ImportScreen

from .tui_helpers import SIZE, make_app, screen_text, settle, wait_for


def _db(url: str) -> sqlite3.Connection:
    return sqlite3.connect(url.removeprefix("sqlite:///"))


def test_dashboard_shows_the_figures_and_the_error_findings(demo_db):
    url, manifest = demo_db
    asyncio.run(check_dashboard(url, manifest))


async def check_dashboard(url, manifest):
    db = _db(url)
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 5)
        assert isinstance(app.screen, DashboardScreen)
        text = screen_text(app)
        active = db.execute("SELECT COUNT(*) FROM internships WHERE start_on <= '2026-11-23' AND end_on >= '2026-11-23'").fetchone()[0]
        assert f"{active:,}今日在岗实习" in text.replace(" ", "")
        assert f"实习{db.execute('SELECT COUNT(*) FROM internships').fetchone()[0]:,}" in text.replace(" ", "")
        errors = {f.rule for f in app.check_result.findings if f.severity == "error"}
        assert errors and errors <= set(manifest.violations) | {f.rule for f in app.check_result.findings}
        for rule in sorted(errors)[:3]:
            assert rule in text
        summary = app.screen.summary
        assert [m for m, _ in summary.monthly_active][-1] == "2026-11"
        assert "近 12 个月在岗实习人数" in text and "26-11" in text
        assert "学徒名额使用（按企业）" in text and "30 天内到期：保单与名额预留" in text
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ComplianceScreen)


def test_dashboard_shows_its_figures_before_the_check_starts(demo_db):
    url, _manifest = demo_db
    asyncio.run(check_figures_first(url))


async def check_figures_first(url):
    app = make_app(url)
    seen = []
    want_check = app.want_check

    def recording_want():  # what the dashboard had shown when it asked for a check result
        screen = app.screen
        seen.append((screen.summary is not None, bool(screen.summary and screen.summary.monthly_active)))
        want_check()

    app.want_check = recording_want
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 5)
        assert seen == [(True, True)]  # the counts, then the chart, then the check: once
        assert app.check_result is not None and "今日在岗实习" in screen_text(app).replace(" ", "")


def test_compliance_groups_by_rule_reruns_and_opens_the_record(demo_db):
    url, manifest = demo_db
    asyncio.run(check_compliance(url, manifest))


async def check_compliance(url, manifest):
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        app.open_section("compliance")
        await settle(pilot, 5)
        screen = app.screen
        assert isinstance(screen, ComplianceScreen)
        result = app.check_result
        rules = screen.query_one("#rules", DataTable)
        assert rules.row_count == len(result.counts())
        for rule_id in manifest.violations:
            if rule_id in result.counts():
                row = rules.get_row(rule_id)
                assert row[1] == rule_id and row[3] == f"{result.counts()[rule_id]:,}"
        findings = screen.query_one("#findings", DataTable)
        first_rule = rules.get_row_at(0)[1]
        assert findings.row_count == result.counts()[first_rule]
        assert "运行" in screen_text(app) and "条规则" in screen_text(app)
        # re-run in the worker (the small demo checks in well under a second)
        await pilot.press("r")
        await settle(pilot, 5)
        assert not app.check_running and app.check_result is not result
        # Enter on a finding opens its record
        internship_rule = next(r for r in result.counts() if any(
            f.rule == r and f.subject_kind == "internships" for f in result.findings))
        rules.move_cursor(row=rules.get_row_index(internship_rule))
        await pilot.pause()
        findings.focus()
        findings.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, RecordDetailScreen) and detail.kind.name == "internships"
        assert internship_rule in screen_text(app)  # the finding shows on the record's detail view
        assert any(f.rule == internship_rule for f in detail.findings)


def test_a_running_check_reports_its_progress_at_most_every_progress_seconds(demo_db):
    """The check's threads post their progress (they do not wait for the screen to draw it), and
    between the first report and the end no more than one per ``PROGRESS_SECONDS`` reaches the
    screen: each is a layout of the whole screen, a hundred of them for a check of a second."""
    url, _manifest = demo_db
    asyncio.run(check_progress_reports(url))


async def check_progress_reports(url):
    from xiaoqi.core.rules import get_rules

    app = make_app(url, auto_check=False)
    app.PROGRESS_SECONDS = 3600.0  # only the first reports (before any rule finished) pass
    shown = []
    async with app.run_test(size=SIZE) as pilot:
        app.open_section("compliance")
        screen = app.screen
        screen.watch(app, "check_progress", lambda progress: shown.append((progress, app.check_running)), init=False)
        await wait_for(pilot, lambda: app.check_result is not None and not app.check_running, what="the check")
        assert len(app.check_result.rules_run) > 50
    rules = set(get_rules())
    reports = [p for p, running in shown if running and p != (0, 0, "")]  # (0, 0, ""): the start, set by the app
    first = [(done, rule) for done, total, rule in reports if (done, rule) != (total, "")]  # but the end's
    assert first and all(done == 0 and rule in rules for done, rule in first), reports
    assert len(first) <= 4  # one per reading thread at most


def test_stopping_the_check_keeps_the_ui_alive(demo_db):
    url, _manifest = demo_db
    asyncio.run(check_stop(url))


async def check_stop(url):
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        app.open_section("compliance")
        app.stop_check()
        await settle(pilot, 5)
        assert not app.check_running
        text = screen_text(app)
        assert ("检查已取消" in text) or app.check_result is not None


def test_import_checks_then_writes(demo_db, tmp_path):
    url, _manifest = demo_db
    db = _db(url)
    region = db.execute("SELECT region FROM schools LIMIT 1").fetchone()[0]
    bad = tmp_path / "schools-bad.csv"
    bad.write_text(f"学校代码,学校名称,办学层次,所在地区代码\n4100000001,新学校一,高职,{region}\n123,坏代码学校,高职,{region}\n", encoding="utf-8")
    good = tmp_path / "schools.csv"
    good.write_text(f"学校代码,学校名称,办学层次,所在地区代码\n4100000001,新学校一,高职,{region}\n", encoding="utf-8")
    # a workbook whose first sheet is a cover page and whose records are on the second
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active.append(["2026年新增合作院校"])
    data = book.create_sheet("学校")
    data.append(["学校代码", "学校名称", "办学层次", "所在地区代码"])
    data.append(["4100000002", "新学校二", "高职", region])
    workbook = tmp_path / "schools-book.xlsx"
    book.save(workbook)
    asyncio.run(check_import(url, tmp_path, bad, good, workbook))
    assert db.execute("SELECT name FROM schools WHERE school_code = '4100000001'").fetchone() == ("新学校一",)
    assert db.execute("SELECT name FROM schools WHERE school_code = '4100000002'").fetchone() == ("新学校二",)
    assert db.execute("SELECT COUNT(*) FROM import_batches").fetchone()[0] >= 2


async def check_import(url, folder, bad, good, workbook):
    app = make_app(url, auto_check=False, import_dir=folder)
    async with app.run_test(size=SIZE) as pilot:
        app.open_section("import")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        assert "schools.csv" in screen_text(app)  # the folder tree offers the file
        screen.query_one("#imp-kind", Select).value = "schools"
        screen.query_one("#imp-path", Input).value = str(bad)
        await pilot.click("#imp-check")
        await settle(pilot)
        problems = screen.query_one("#imp-problems", DataTable)
        assert problems.row_count == 1 and problems.get_row_at(0)[0] == "3" and problems.get_row_at(0)[1] == "学校代码"
        assert "数据库未修改" in screen_text(app)
        assert not screen.query_one("#imp-write").display and screen.query_one("#imp-write-valid").display
        screen.query_one("#imp-path", Input).value = str(good)
        await pilot.click("#imp-check")
        await settle(pilot)
        assert "校验通过" in screen_text(app) and screen.query_one("#imp-write").display
        await pilot.click("#imp-write")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert "已导入学校：新建 1" in screen_text(app)
        # a CSV has no sheets to choose; a workbook of two sheets offers them, the first chosen
        sheets = screen.query_one("#imp-sheet", Select)
        assert not sheets.display
        screen.query_one("#imp-path", Input).value = str(workbook)
        await settle(pilot)
        assert sheets.display and sheets.value == "封面"
        await pilot.click("#imp-check")
        await settle(pilot)
        assert "缺少必填列「学校代码」" in screen_text(app)  # the cover sheet is not a table of schools
        sheets.value = "学校"
        await pilot.pause()
        await pilot.click("#imp-check")
        await settle(pilot)
        assert "校验通过" in screen_text(app)
        await pilot.click("#imp-write")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert "已导入学校：新建 1" in screen_text(app)


def test_palette_finds_records_by_name_and_key(demo_db):
    url, _manifest = demo_db
    db = _db(url)
    name, code = db.execute("SELECT name, school_code FROM schools LIMIT 1").fetchone()
    student, id_number = db.execute("SELECT s.name, s.id_number FROM students s JOIN internships i USING (id_number) LIMIT 1").fetchone()
    engine = make_engine(url)
    hits = registry_hits(engine, ADMIN, name[:4])
    assert ("schools", code, f"{name}  {code}") in hits
    by_key = registry_hits(engine, ADMIN, id_number[:12])
    assert any(k == "students" and key == id_number for k, key, _ in by_key)
    assert any(k == "internships" and key.startswith(id_number) for k, key, _ in by_key)
    by_name = registry_hits(engine, ADMIN, student)
    assert any(k == "internships" and label.startswith(student) for k, _key, label in by_name)
    asyncio.run(check_palette(url, name, code))


async def check_palette(url, name, code):
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*code)
        # the palette searches in a worker: wait for its match in the palette's list, not a fixed second
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and any(
            name in str(option.prompt) for option in app.screen.query_one(CommandList).options),
            what="the palette's match")
        await settle(pilot)
        assert name in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordDetailScreen) and app.screen.record_key == code
        assert name in screen_text(app)


class _Greeting(Static):
    #: for each panel mounted: whether the dashboard had shown the core's figures by then
    after_figures: list[bool] = []

    def __init__(self, context):
        super().__init__(f"你好，{context.actor.label()}（{context.today.isoformat()}，{context.lang}）")

    def on_mount(self) -> None:
        self.after_figures.append(getattr(self.screen, "summary", None) is not None)


class _PluginScreen(PluginScreen):
    def compose_body(self):
        yield Static(f"问候页：{self.context.actor.label()}", id="greeting-body")


class _GreetingCommands(Provider):
    """A plugin's command-palette provider: one command that says hello."""

    async def search(self, query: str):
        matcher = self.matcher(query)
        score = matcher.match("插件问候命令")
        if score > 0:
            yield Hit(score, matcher.highlight("插件问候命令"), lambda: self.app.notify("插件命令已执行"))


class _Plugin:
    @hookimpl
    def xiaoqi_palette_providers(self):
        return [_GreetingCommands]

    @hookimpl
    def xiaoqi_register_screens(self):
        return [ScreenEntry(id="greeting", title=("问候页", "Greeting"), screen=_PluginScreen),
                ScreenEntry(id="broken", title=("坏页面", "Broken"), screen=lambda context: 1 / 0)]

    @hookimpl
    def xiaoqi_dashboard_panels(self):
        return [PanelEntry(id="greeting-panel", title=("问候", "Greeting"), widget=_Greeting)]


@pytest.fixture
def greeting_plugin():
    pm = get_plugin_manager()
    plugin = _Plugin()
    pm.register(plugin, name="greeting")
    yield plugin
    pm.unregister(plugin)


def test_plugin_screens_and_panels_come_through_xiaoqi_register_screens_and_xiaoqi_dashboard_panels(demo_db, greeting_plugin):
    url, _manifest = demo_db
    asyncio.run(check_plugins(url))


def test_hook_xiaoqi_palette_providers_adds_a_provider_to_the_palette(demo_db, greeting_plugin):
    url, _manifest = demo_db
    asyncio.run(check_plugin_palette(url))


async def check_plugin_palette(url):
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert _GreetingCommands in app.COMMANDS
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"问候命令")
        await pilot.pause(1.0)
        await settle(pilot)
        assert "插件问候命令" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert any("插件命令已执行" in str(n.message) for n in app._notifications)


async def check_plugins(url):
    app = make_app(url, auto_check=False)
    _Greeting.after_figures.clear()
    # tall enough for the navigation's every entry and the dashboard's every panel (the built-in plugins' included)
    async with app.run_test(size=(200, 120)) as pilot:
        await settle(pilot)
        assert _Greeting.after_figures == [True]  # a plugin's panel (and its reads) come after the core's figures
        app.screen.query_one("#greeting-panel").scroll_visible(animate=False)  # below the built-in plugins' panels
        await settle(pilot)
        text = screen_text(app)
        # in the navigation, and its panel, built with the app's context (its date and language)
        from xiaoqi.tui.widgets.sidebar import Sidebar

        sidebar = app.screen.query_one(Sidebar)
        assert "问候页" in str(sidebar.get_option_at_index(sidebar.get_option_index("plugin-greeting")).prompt)
        assert f"你好，管理员（{app.today.isoformat()}，zh）" in text
        app.open_section("plugin-greeting")
        await settle(pilot)
        assert isinstance(app.screen, _PluginScreen) and app.screen.context is app.context
        assert app.screen.section == "plugin-greeting" and "问候页：管理员" in screen_text(app)
        app.open_section("plugin-broken")
        await settle(pilot)
        assert "插件页面「坏页面」无法打开" in screen_text(app) and app.is_running


class _StudentSections:
    """A plugin's sections of a student's detail view: the student's internships (read with the
    services, so the actor's scope holds), and one that fails."""

    def __init__(self):
        self.asked = []

    @hookimpl
    def xiaoqi_detail_sections(self, kind):
        from xiaoqi.tui import DetailSection

        self.asked.append(kind)
        if kind != "students":
            return []
        return [DetailSection(id="kit-internships", title=("实习经历", "Internships"), load=self._internships),
                DetailSection(id="kit-broken", title=("坏区块", "Broken"), load=lambda session, record, context: 1 / 0)]

    @staticmethod
    def _internships(session, record, context):
        from xiaoqi.core.services import list_records
        from xiaoqi.tui import DetailTable

        # the stored values to look rows up with; the key and values as the view shows them
        rows = list_records(session, actor=context.actor, kind="internships",
                            filters={"id_number": record.stored["id_number"]}).rows
        return DetailTable(columns=[("企业", "enterprise"), ("开始日期", "start"), ("月报酬", "monthly pay")],
                           rows=[[r.uscc, r.start_on, r.monthly_pay] for r in rows],
                           notes=[f"{record.kind.label()} {record.key} · {context.today.isoformat()}",
                                  f"{record.values['id_number']} {record.values['guardian_phone']}"])


def test_hook_xiaoqi_detail_sections_adds_sections_to_a_records_detail_view(demo_db):
    url, _manifest = demo_db
    plugin = _StudentSections()
    get_plugin_manager().register(plugin, name="kit-sections")
    db = _db(url)
    student, uscc, start, pay = db.execute(
        "SELECT i.id_number, i.uscc, i.start_on, i.monthly_pay FROM internships i JOIN students s ON s.id_number = i.id_number "
        "WHERE i.kind = '岗位实习' AND s.guardian_phone <> '' ORDER BY i.id LIMIT 1").fetchone()
    asyncio.run(check_detail_sections(url, student, uscc, start, pay))
    assert plugin.asked == ["students", "schools"]


async def check_detail_sections(url, student, uscc, start, pay):
    from xiaoqi.core.privacy import mask_phone

    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_record("students", student)
        await settle(pilot)
        text = screen_text(app)
        assert "实习经历" in text and uscc in text and start in text and f"{pay:,.2f}" in text
        # a section is given the record masked, as the view shows it (the admin too, until v)
        phone = app.screen.values["guardian_phone"]
        masked = f"{student[:6]}********{student[14:]}"
        assert f"学生 {masked} · 2026-11-23" in text and f"{masked} {mask_phone(phone)}" in text
        assert student not in text and phone not in text
        assert "插件区块「坏区块」无法显示" in text and app.is_running
        await pilot.press("v")  # revealed (and audited): the sections get the full values
        await settle(pilot)
        text = screen_text(app)
        assert f"学生 {student} · 2026-11-23" in text and f"{student} {phone}" in text
        # another kind asks the hook again and gets no section of the student's
        app.open_record("schools", app.screen.values["school_code"])
        await settle(pilot)
        assert "实习经历" not in screen_text(app)

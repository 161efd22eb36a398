"""The record screens driven with the pilot on the demo database: paging, filters, search, sort,
the detail view with its findings, forms that validate like import and write through the services,
the actor's scope, and a query error shown as a notification."""

from __future__ import annotations

import asyncio
import sqlite3

from textual.widgets import Input, Select

from xiaoqi.core.actors import Actor
from xiaoqi.tui.dialogs.filters import FilterDialog
from xiaoqi.tui.dialogs.record_form import RecordForm
from xiaoqi.tui.screens.detail import RecordDetailScreen
from xiaoqi.tui.screens.records import RecordsScreen
from xiaoqi.tui.widgets.paged_table import PAGE_ROWS, PagedTable

from .tui_helpers import SIZE, make_app, screen_text, settle


def _db(url: str) -> sqlite3.Connection:
    return sqlite3.connect(url.removeprefix("sqlite:///"))


def run(coro):
    return asyncio.run(coro)


async def _open(pilot, section: str):
    pilot.app.open_section(section)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RecordsScreen)
    return screen, screen.query_one(PagedTable)


def test_table_pages_filters_searches_and_sorts(demo_db):
    url, _manifest = demo_db
    run(check_table(url))


async def check_table(url):
    db = _db(url)
    total = db.execute("SELECT COUNT(*) FROM internships").fetchone()[0]
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "records-internships")
        assert table.total == total > PAGE_ROWS
        assert table.loaded_rows == PAGE_ROWS  # one page read, not the table
        assert f"共 {total:,} 条" in screen_text(app)
        first_ids = [r[0] for r in db.execute("SELECT id_number FROM internships ORDER BY id LIMIT 3")]
        # the rows' keys are the records'; the cells show the ID numbers masked
        assert [table.row_at(i).key.split("/")[0] for i in range(3)] == first_ids
        assert [table.row_at(i).cells[2] for i in range(3)] == [n[:6] + "********" + n[14:] for n in first_ids]
        # End jumps to the last row (an offset read), then paging up reads the page above by keyset
        table.focus()
        await pilot.press("end")
        await settle(pilot)
        last = db.execute("SELECT id_number, start_on FROM internships ORDER BY id DESC LIMIT 1").fetchone()
        assert table.cursor_row == total - 1 and table.row_at(total - 1).key.split("/")[0] == last[0]
        for _ in range(4):
            await pilot.press("pageup")
        await settle(pilot)
        ids = [r[0] for r in db.execute("SELECT id_number FROM internships ORDER BY id")]
        assert [table.row_at(i).key.split("/")[0] for i in range(table.cursor_row, total)] == ids[table.cursor_row:]
        assert f"第 {table.cursor_row + 1:,} 行" in screen_text(app)

        # a filter per column through the dialog: school code exactly, kind as a choice
        school, n_school = db.execute("SELECT school_code, COUNT(*) FROM internships GROUP BY 1 ORDER BY 2 DESC").fetchone()
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        dialog.query_one("#f-school_code", Input).value = school
        dialog.query_one("#f-kind", Select).value = "岗位实习"
        dialog.query_one("#f-start_on", Input).value = "not a date"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and "日期" in str(dialog.query_one("#err-start_on").render())
        dialog.query_one("#f-start_on", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        expected = db.execute("SELECT COUNT(*) FROM internships WHERE school_code = ? AND kind = '岗位实习'", (school,)).fetchone()[0]
        assert app.screen is screen and table.total == expected < n_school
        assert all(table.row_at(i).cells[0] == school for i in range(min(expected, PAGE_ROWS)))
        assert "筛选：学校代码 = " + school in screen_text(app)

        # search across text columns, then clear everything
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        mentor = db.execute("SELECT school_mentor FROM internships WHERE school_code = ? AND kind = '岗位实习' LIMIT 1", (school,)).fetchone()[0]
        await pilot.press(*mentor, "enter")
        await settle(pilot)
        found = db.execute("SELECT COUNT(*) FROM internships WHERE school_code = ? AND kind = '岗位实习' AND school_mentor LIKE ?",
                           (school, f"%{mentor}%")).fetchone()[0]
        assert table.total == found >= 1 and app.focused is table
        await pilot.press("x")
        await settle(pilot)
        assert table.total == total and not screen.filters and screen.search is None

        # "=" keeps the rows equal to the cell under the cursor (the kind column, in its display form)
        await pilot.press("home", *["right"] * 8, "equals_sign")
        await settle(pilot)
        kind = db.execute("SELECT kind FROM internships ORDER BY id LIMIT 1").fetchone()[0]
        assert screen.filters == {"kind": kind}
        assert table.total == db.execute("SELECT COUNT(*) FROM internships WHERE kind = ?", (kind,)).fetchone()[0]
        await pilot.press("x")
        await settle(pilot)

        # sort by the column under the cursor (monthly pay, empty values last), then descending
        await pilot.press("home", *["right"] * 4)
        assert table.cursor_column == 12
        await pilot.press("s")
        await settle(pilot)
        pays = [r[0] for r in db.execute("SELECT monthly_pay FROM internships ORDER BY monthly_pay IS NULL, monthly_pay, id LIMIT 5")]
        assert [table.row_at(i).cells[12] for i in range(5)] == [f"{p:,.2f}" for p in pays]
        assert "排序：月实习报酬（升序）" in screen_text(app)
        await pilot.press("s")
        await settle(pilot)
        top = db.execute("SELECT MAX(monthly_pay) FROM internships").fetchone()[0]
        assert table.row_at(0).cells[12] == f"{top:,.2f}" and table.sort_descending
        await pilot.press("end")
        await settle(pilot)
        assert table.row_at(total - 1).cells[12] == ""  # empty pay sorts last either way round
        await pilot.press("s")
        await settle(pilot)
        assert screen.order_by is None


def test_open_edit_validate_and_save(demo_db):
    url, _manifest = demo_db
    run(check_edit(url))


async def check_edit(url):
    db = _db(url)
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "records-internships")
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, RecordDetailScreen)
        id_number, uscc, start_on, mentor = db.execute(
            "SELECT id_number, uscc, start_on, school_mentor FROM internships ORDER BY id LIMIT 1").fetchone()
        assert detail.record_key == f"{id_number}/{uscc}/{start_on}"
        shown = screen_text(app)
        assert "学校指导教师" in shown and mentor in shown and "合规问题" in shown
        assert detail.findings is not None  # the rules ran for this record's school and enterprise

        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm)
        assert form.query_one("#f-id_number", Input).disabled  # key fields stay as they are
        assert form.query_one("#f-school_mentor", Input).value == mentor
        form.query_one("#f-end_on", Input).value = "2001-01-01"  # before the start
        form.query_one("#f-monthly_pay", Input).value = "很多"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "金额" in str(form.query_one("#err-monthly_pay").render()) or str(form.query_one("#err-monthly_pay").render())
        assert form.query_one("#err-monthly_pay").display and form.query_one("#field-monthly_pay").has_class("-invalid")
        form.query_one("#f-monthly_pay", Input).value = "3200"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "结束日期不能早于开始日期" in str(form.query_one("#err-end_on").render())
        end_on = db.execute("SELECT end_on FROM internships ORDER BY id LIMIT 1").fetchone()[0]
        form.query_one("#f-end_on", Input).value = end_on
        form.query_one("#f-school_mentor", Input).value = "测试导师"
        form.query_one("#f-school_mentor_id", Input).value = ""  # another mentor: not the registry's teacher any more
        await settle(pilot)  # the Changed messages (and any worker they start) handled, not a fixed 0.2 s
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        assert "测试导师" in screen_text(app)
    row = db.execute("SELECT school_mentor, monthly_pay FROM internships ORDER BY id LIMIT 1").fetchone()
    assert row[0] == "测试导师" and float(row[1]) == 3200
    audited = db.execute("SELECT COUNT(*) FROM audit_log WHERE kind = 'internships' AND action = 'update' AND key = ?",
                         (f"{id_number}/{uscc}/{start_on}",)).fetchone()[0]
    assert audited == 1


def test_create_with_reference_error_then_success(demo_db):
    url, _manifest = demo_db
    run(check_create(url))


async def check_create(url):
    db = _db(url)
    school = db.execute("SELECT school_code FROM schools LIMIT 1").fetchone()[0]
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "records-majors")
        before = table.total
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#f-school_code", Input).value = "4100000000"  # a valid code of no school
        form.query_one("#f-major_code", Input).value = "4601"
        form.query_one("#f-name", Input).value = "智能制造技术"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "6" in str(form.query_one("#err-major_code").render())  # six digits, as import says
        form.query_one("#f-major_code", Input).value = "469901"
        await settle(pilot)  # the Changed messages (and any worker they start) handled, not a fixed 0.2 s
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "引用的学校不存在" in str(form.query_one("#err-school_code").render())  # from the service
        form.query_one("#f-school_code", Input).value = school
        await settle(pilot)  # the Changed messages (and any worker they start) handled, not a fixed 0.2 s
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen, str(form.query_one("#form-error").render()) + str([str(w.render()) for w in form.query(".field-error")])
        assert table.total == before + 1
    assert db.execute("SELECT name FROM majors WHERE school_code = ? AND major_code = '469901'", (school,)).fetchone() == ("智能制造技术",)


def test_scope_and_read_only_actors(demo_db):
    url, _manifest = demo_db
    run(check_scope(url))


async def check_scope(url):
    db = _db(url)
    school = db.execute("SELECT school_code FROM schools ORDER BY school_code LIMIT 1").fetchone()[0]
    mine = db.execute("SELECT COUNT(*) FROM students WHERE school_code = ?", (school,)).fetchone()[0]
    app = make_app(url, Actor("school", school), auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "records-students")
        assert table.total == mine
        assert all(table.row_at(i).cells[0] == school for i in range(min(mine, PAGE_ROWS)))
        assert f"可见范围：学校 {school}" in screen_text(app)
    app = make_app(url, Actor("auditor"), auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "records-schools")
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen  # no form for a read-only actor
        assert any("只读" in str(n.message) for n in app._notifications)


def test_query_error_is_a_notification_not_a_crash(demo_db):
    url, _manifest = demo_db
    db = _db(url)
    db.execute("ALTER TABLE enterprises RENAME TO enterprises_gone")
    db.commit()
    run(check_broken(url))


async def check_broken(url):
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await _open(pilot, "records-enterprises")
        messages = [str(n.message) for n in app._notifications]
        assert any("数据库查询失败" in m and "enterprises" in m for m in messages)
        assert app.is_running and table.total is None
        app.open_section("records-schools")
        await settle(pilot)
        assert app.screen.query_one(PagedTable).total == 8  # the other screens work on

"""People and organisations by name in the TUI: name columns beside codes in the tables, finding an
internship by its student's name, a student's page titled by name with their internships,
insurance cover and findings (grouped by rule)."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import asynccontextmanager

from textual.widgets import Input

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.dashboard import check_as
from xiaoqi.core.db import make_engine, read_session
from xiaoqi.tui.screens.detail import RecordDetailScreen
from xiaoqi.tui.screens.records import RecordsScreen
from xiaoqi.tui.widgets.paged_table import PagedTable

from .tui_helpers import SIZE, TODAY, make_app, screen_text, settle, wait_for


def _db(url: str) -> sqlite3.Connection:
    return sqlite3.connect(url.removeprefix("sqlite:///"))


@asynccontextmanager
async def _internships(url: str):
    """The app on its internships table: (app, pilot, screen, table)."""
    app = make_app(url, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        app.open_section("records-internships")
        await settle(pilot)
        yield app, pilot, app.screen, app.screen.query_one(PagedTable)


def test_tables_show_names_and_search_finds_a_student_by_name(demo_db):
    url, _manifest = demo_db
    db = _db(url)
    name, id_number = db.execute(
        "SELECT s.name, s.id_number FROM students s JOIN internships i ON i.id_number = s.id_number "
        "GROUP BY s.id_number HAVING COUNT(*) = 1 ORDER BY s.id LIMIT 1").fetchone()
    expected = db.execute("SELECT COUNT(*) FROM internships i JOIN students s ON s.id_number = i.id_number "
                          "WHERE s.name LIKE ?", (f"%{name}%",)).fetchone()[0]

    async def run():
        async with _internships(url) as (app, pilot, screen, table):
            assert isinstance(screen, RecordsScreen)
            headers = [c.header for c in table.columns]
            assert headers[:6] == ["学校代码", "学校名称", "身份证号*", "学生姓名", "统一社会信用代码*", "企业名称"]
            await pilot.press("slash")
            assert isinstance(app.focused, Input)
            await pilot.press(*name, "enter")
            await settle(pilot)
            assert table.total == expected >= 1
            assert any(table.row_at(i).cells[3] == name for i in range(table.total))
            shown = screen_text(app)
            assert name in shown and "学生姓名" in shown

    asyncio.run(run())


def test_s_on_the_student_name_column_sorts_by_the_name_not_by_the_id_number(demo_db):
    url, _manifest = demo_db
    db = _db(url)
    # the database's own order of names (a join), the first page of it
    first = [r[0] for r in db.execute(
        "SELECT s.name FROM internships i JOIN students s ON s.id_number = i.id_number ORDER BY s.name, i.id LIMIT 20")]
    last = db.execute("SELECT s.name FROM internships i JOIN students s ON s.id_number = i.id_number "
                      "ORDER BY s.name DESC, i.id DESC LIMIT 1").fetchone()[0]

    async def run():
        async with _internships(url) as (app, pilot, screen, table):
            await wait_for(pilot, lambda: table.total is not None, what="the count")
            table.cursor_column = [c.name for c in table.columns].index("student_name")
            await pilot.press("s")
            await wait_for(pilot, lambda: table.row_at(0) is not None and table.row_at(0).cells[3] == first[0],
                           what="the table sorted by name")
            assert [table.row_at(i).cells[3] for i in range(len(first))] == first
            assert "排序：学生姓名" in screen_text(app)
            await pilot.press("s")  # descending
            await wait_for(pilot, lambda: table.row_at(0) is not None and table.row_at(0).cells[3] == last,
                           what="the table sorted by name, descending")

    asyncio.run(run())


def test_a_students_page_is_titled_by_name_with_internships_cover_and_findings(demo_db):
    url, _manifest = demo_db
    engine = make_engine(url)
    with read_session(engine) as session:
        result = check_as(session, actor=ADMIN, on=TODAY)
    # a student with an internship that has a finding, and insurance cover
    db = _db(url)
    insured = {r[0] for r in db.execute("SELECT id_number FROM insured")}
    about = [f for f in result.findings if f.subject_kind == "internships" and f.subject_key[:18] in insured]
    assert about, "the demo has findings about insured students' internships"
    id_number = about[0].subject_key[:18]
    name, school = db.execute("SELECT name, school_code FROM students WHERE id_number = ?", (id_number,)).fetchone()
    n_internships = db.execute("SELECT COUNT(*) FROM internships WHERE id_number = ?", (id_number,)).fetchone()[0]

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            app.open_record("students", id_number)
            await settle(pilot)
            detail = app.screen
            assert isinstance(detail, RecordDetailScreen)
            shown = screen_text(app)
            assert f"学生 {name}（{id_number[:6]}********{id_number[14:]}）" in shown
            assert id_number not in shown  # masked everywhere on the page
            assert f"实习（{n_internships} 条）" in shown and "被保险人清单（" in shown
            rules = {f.rule for f in detail.findings}
            assert about[0].rule in rules
            masked = id_number[:6] + "********" + id_number[14:]
            assert all(masked in f.subject_key for f in detail.findings)
            assert about[0].rule in shown
            # each rule once per subject, with how many times it was found
            entries = [line for line in shown.splitlines() if about[0].rule in line and "●" in line]
            from xiaoqi.core.privacy import mask_finding

            subject = mask_finding(about[0]).subject_key
            same = sum(1 for f in detail.findings if f.rule == about[0].rule and f.subject_key == subject)
            assert len(entries) >= 1 and (same == 1 or any(f"×{same}" in line for line in entries))

    asyncio.run(run())

"""Personal data in the TUI: tables, detail views and findings show ID numbers, phones and
guardians masked; the reveal key (v) shows them to an allowed actor and writes an audit entry, and
is refused to the others."""

from __future__ import annotations

import asyncio
import sqlite3

from xiaoqi.core.actors import Actor
from xiaoqi.tui.screens.detail import RecordDetailScreen
from xiaoqi.tui.screens.records import RecordsScreen
from xiaoqi.tui.widgets.paged_table import PagedTable

from ..cli.test_personal_data_surfaces import full_ids
from .tui_helpers import SIZE, make_app, screen_text, settle


def _db(url: str) -> sqlite3.Connection:
    return sqlite3.connect(url.removeprefix("sqlite:///"))


async def _open_first(pilot, section: str):
    pilot.app.open_section(section)
    await settle(pilot)
    assert isinstance(pilot.app.screen, RecordsScreen)
    table = pilot.app.screen.query_one(PagedTable)
    table.focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RecordDetailScreen)
    return pilot.app.screen


def test_tables_and_details_are_masked_for_an_enterprise_which_may_not_reveal(demo_db):
    url, _manifest = demo_db
    uscc = _db(url).execute("SELECT uscc FROM internships GROUP BY uscc ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    asyncio.run(_enterprise(url, Actor("enterprise", uscc)))


async def _enterprise(url, actor):
    app = make_app(url, actor, auto_check=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not full_ids(screen_text(app))  # the dashboard
        for section in ("records-internships", "records-students", "records-teachers"):
            app.open_section(section)
            await settle(pilot)
            assert not full_ids(screen_text(app)), section
        detail = await _open_first(pilot, "records-internships")
        shown = screen_text(app)
        assert "********" in shown and not full_ids(shown)
        await pilot.press("v")  # an enterprise may not reveal a school's internships
        await settle(pilot)
        assert not detail.revealed and not full_ids(screen_text(app))
        app.open_section("compliance")
        await settle(pilot)
        assert not full_ids(screen_text(app))
        # a teacher's detail view with the plugins' sections (practice, recognitions, mentored interns)
        await _open_first(pilot, "records-teachers")
        assert not full_ids(screen_text(app))


def test_the_reveal_key_shows_a_schools_own_student_and_is_audited(demo_db):
    url, _manifest = demo_db
    school = _db(url).execute("SELECT school_code FROM students GROUP BY school_code ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    asyncio.run(_school(url, Actor("school", school)))


async def _school(url, actor):
    db = _db(url)
    app = make_app(url, actor, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        detail = await _open_first(pilot, "records-students")
        number = detail.record_key
        assert number not in screen_text(app) and number[:6] + "********" + number[14:] in screen_text(app)
        await pilot.press("v")
        await settle(pilot)
        assert detail.revealed and number in screen_text(app)
    entries = db.execute("SELECT actor, kind, key FROM audit_log WHERE action = 'reveal'").fetchall()
    assert (str(actor), "students", number) in entries

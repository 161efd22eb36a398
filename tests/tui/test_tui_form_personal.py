"""Personal data in the TUI's edit form: an actor who may reveal the record sees it in full, and the
form's opening is audited as a reveal; a save changes what the user changed and never writes a
mask over the stored value. (The form masks what the actor may not see — on PostgreSQL a login's
pseudonyms: tests/pg/test_personal_data_pg.py.)"""

from __future__ import annotations

import asyncio
import sqlite3

from textual.widgets import Input

from xiaoqi.core.actors import Actor
from xiaoqi.tui.dialogs.record_form import RecordForm
from xiaoqi.tui.screens.detail import RecordDetailScreen

from .tui_helpers import SIZE, make_app, settle, wait_for


def _db(url: str) -> sqlite3.Connection:
    return sqlite3.connect(url.removeprefix("sqlite:///"))


def test_the_edit_form_shows_personal_data_to_an_actor_who_may_reveal_it_and_audits_it(demo_db):
    url, _manifest = demo_db
    db = _db(url)
    school, student, phone, guardian = db.execute(
        "SELECT school_code, id_number, guardian_phone, guardian FROM students WHERE guardian_phone <> '' "
        "ORDER BY id LIMIT 1").fetchone()
    reveals = db.execute("SELECT count(*) FROM audit_log WHERE action = 'reveal' AND key = ?", (student,)).fetchone()[0]
    asyncio.run(_edit(url, Actor("school", school), student, phone, guardian))
    db = _db(url)
    # one reveal entry for the opened form (the detail view behind it was masked)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'reveal' AND kind = 'students' AND key = ? "
                      "AND actor = ?", (student, f"school:{school}")).fetchone()[0] == reveals + 1
    assert db.execute("SELECT class_name, guardian_phone, guardian FROM students WHERE id_number = ?",
                      (student,)).fetchone() == ("表单测试班", phone, guardian)


async def open_edit_form(pilot, kind: str, key: str) -> RecordForm:
    """The record's detail view, then its edit form (``e``), once filled."""
    app = pilot.app
    app.open_record(kind, key)
    await wait_for(pilot, lambda: isinstance(app.screen, RecordDetailScreen) and app.screen.values is not None,
                   what="the record's detail view")
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, RecordForm) and app.screen._filled, what="the filled form")
    return app.screen


async def save_form(pilot) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, RecordForm), what="the saved form")


async def _edit(url, actor, student, phone, guardian):
    app = make_app(url, actor, auto_check=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_edit_form(pilot, "students", student)
        assert form.query_one("#f-id_number", Input).value == student
        assert form.query_one("#f-guardian_phone", Input).value == phone
        assert form.query_one("#f-guardian", Input).value == guardian
        form.query_one("#f-class_name", Input).value = "表单测试班"
        await save_form(pilot)

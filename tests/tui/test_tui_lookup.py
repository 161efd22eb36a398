"""Reference fields offer a lookup by name: in a record form, ^l on the field of a student, an
enterprise, a teacher or a position opens a search of the records the actor may read; typing part
of a name narrows it, Enter picks one and the form fills in its code (masked where the actor may
not see it in full, still saved in full)."""

from __future__ import annotations

import asyncio
import sqlite3

from textual.widgets import Input, OptionList

from xiaoqi.core.actors import Actor
from xiaoqi.core.db import make_engine, read_session
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.names import lookup
from xiaoqi.tui.dialogs.lookup import LookupDialog
from xiaoqi.tui.dialogs.record_form import RecordForm, lookup_references

from .tui_helpers import SIZE, make_app, screen_text, settle, wait_for


def _db(url: str) -> sqlite3.Connection:
    return sqlite3.connect(url.removeprefix("sqlite:///"))


async def _form(pilot, form: RecordForm) -> RecordForm:
    app = pilot.app
    app.push_screen(form)
    await wait_for(pilot, lambda: app.screen is form and form.is_mounted, what="the form")
    if form.key:
        await wait_for(pilot, lambda: form.values and form.query_one("#f-start_on", Input).value, what="the filled form")
    await settle(pilot)
    return form


async def _look_up(pilot, form: RecordForm, field: str, typed: str) -> LookupDialog:
    """^l on ``field``, ``typed`` into the search; the dialog once its matches are shown."""
    app = pilot.app
    form.query_one(f"#f-{field}").focus()
    await settle(pilot)
    assert "^l 按名称查找" in screen_text(app).splitlines()[-1]  # offered in the footer on this field
    await pilot.press("ctrl+l")
    await wait_for(pilot, lambda: isinstance(app.screen, LookupDialog), what="the lookup")
    dialog = app.screen
    dialog.query_one("#lookup-text", Input).value = typed
    await wait_for(pilot, lambda: dialog.shown_for == typed, what="the matches")
    await settle(pilot)
    return dialog


def test_a_teacher_is_picked_by_name_and_the_form_saves_the_id_number(demo_db):
    url, _manifest = demo_db
    db = _db(url)
    # an internship, and a teacher of its school who is not its school mentor yet
    id_number, uscc, start, school = db.execute(
        "SELECT id_number, uscc, start_on, school_code FROM internships ORDER BY id LIMIT 1").fetchone()
    teacher_id, teacher = db.execute(
        "SELECT id_number, name FROM teachers WHERE school_code = ? AND id_number NOT IN "
        "(SELECT COALESCE(school_mentor_id, '') FROM internships WHERE id_number = ?) ORDER BY id LIMIT 1",
        (school, id_number)).fetchone()

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            form = await _form(pilot, RecordForm(app.engine, app.actor, get_kind("internships"), key=f"{id_number}/{uscc}/{start}"))
            form.query_one("#f-work_region").focus()
            await settle(pilot)
            assert "^l 按名称查找" not in screen_text(app).splitlines()[-1]  # not on a field that names nothing
            dialog = await _look_up(pilot, form, "school_mentor_id", teacher)
            assert dialog.matches and dialog.matches[0].name == teacher
            # a school mentor is one of the internship's school's teachers
            assert all(m.context[0] == db.execute("SELECT name FROM schools WHERE school_code = ?", (school,)).fetchone()[0]
                       for m in dialog.matches)
            assert teacher in screen_text(app) and teacher_id not in screen_text(app)  # the ID masked in the list
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is form, what="the form again")
            assert form.query_one("#f-school_mentor_id", Input).value == teacher_id
            assert form.query_one("#f-school_mentor", Input).value == teacher  # the name kept beside it
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.screen is not form, what="the save")
            await settle(pilot)

    asyncio.run(run())
    assert _db(url).execute("SELECT school_mentor_id, school_mentor FROM internships WHERE id_number = ? AND uscc = ? "
                            "AND start_on = ?", (id_number, uscc, start)).fetchone() == (teacher_id, teacher)


def test_an_enterprise_sees_only_its_own_interns_in_the_lookup(demo_db):
    """The lookup offers the records the actor may read: an enterprise, the students who intern
    with it, not another enterprise's; the ID number it fills in is shown masked."""
    url, _manifest = demo_db
    db = _db(url)
    firm = db.execute("SELECT uscc FROM internships GROUP BY uscc ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    mine = {r[0] for r in db.execute("SELECT DISTINCT id_number FROM internships WHERE uscc = ?", (firm,))}
    # a surname shared by one of its interns and by a student who never interned with it
    surname, other = db.execute(
        "SELECT substr(s.name, 1, 1), o.id_number FROM students s JOIN students o ON substr(o.name, 1, 1) = substr(s.name, 1, 1) "
        "WHERE s.id_number IN (SELECT id_number FROM internships WHERE uscc = ?) "
        "AND o.id_number NOT IN (SELECT id_number FROM internships WHERE uscc = ?) ORDER BY s.id, o.id LIMIT 1",
        (firm, firm)).fetchone()
    actor = Actor("enterprise", firm)

    # the service: the same scope, one statement
    with read_session(make_engine(url)) as session:
        found = lookup(session, actor, get_kind("students"), surname, limit=500)
    assert found and {m.values["id_number"] for m in found} <= mine and other not in {m.values["id_number"] for m in found}

    async def run():
        app = make_app(url, actor, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            form = await _form(pilot, RecordForm(app.engine, actor, get_kind("insured")))
            dialog = await _look_up(pilot, form, "id_number", surname)
            picked = {m.values["id_number"] for m in dialog.matches}
            assert picked and picked <= mine and other not in picked
            first = dialog.matches[0]
            dialog.query_one(OptionList).focus()
            await settle(pilot)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is form, what="the form again")
            shown = form.query_one("#f-id_number", Input).value
            full = first.values["id_number"]
            assert shown != full and "*" in shown  # an enterprise may not see ID numbers in full
            assert form.raw_values()["id_number"] == full  # the code the form saves

    asyncio.run(run())


def test_plugin_kinds_references_offer_the_lookup_too(demo_db):
    url, _manifest = demo_db
    db = _db(url)
    uscc, name = db.execute("SELECT uscc, name FROM enterprises ORDER BY id LIMIT 1").fetchone()
    assert {"teacher_id", "uscc"} <= set(lookup_references(get_kind("tch_practice")))
    assert "college_code" in lookup_references(get_kind("ic_partners"))

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            form = await _form(pilot, RecordForm(app.engine, app.actor, get_kind("tch_practice")))
            dialog = await _look_up(pilot, form, "uscc", name[2:6])  # a part of the name
            assert uscc in {m.values["uscc"] for m in dialog.matches}
            index = next(i for i, m in enumerate(dialog.matches) if m.values["uscc"] == uscc)
            dialog.query_one(OptionList).highlighted = index
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is form, what="the form again")
            assert form.query_one("#f-uscc", Input).value == uscc

    asyncio.run(run())

"""Switching sections does not restyle a screen that the current stylesheet styled already
(Textual restyles every widget of a screen each time it is shown again: 0.05-0.2 s a switch), and a
screen left while the theme changed is restyled when shown again."""

from __future__ import annotations

import asyncio
import inspect

from textual.screen import Screen

from .tui_helpers import SIZE, make_app, settle


def test_textual_restyles_a_resumed_screen_only_when_the_event_asks():
    # what MainScreen._on_screen_resume turns off: the private handler it runs before
    assert "if event.refresh_styles:" in inspect.getsource(Screen._on_screen_resume)


def test_a_screen_shown_again_is_not_restyled_unless_the_theme_changed(demo_db):
    url, _manifest = demo_db
    asyncio.run(check_switch(url))


async def check_switch(url):
    app = make_app(url, auto_check=False, start="records-internships")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_section("records-students")
        await settle(pilot)
        students = app.screen
        app.open_section("records-internships")
        await settle(pilot)
        internships = app.screen
        restyled = []
        for screen in (students, internships):
            original = screen.update_node_styles
            screen.update_node_styles = lambda *a, _o=original, _s=screen, **kw: (restyled.append(_s), _o(*a, **kw))[1]
        app.open_section("records-students")
        await settle(pilot)
        app.open_section("records-internships")
        await settle(pilot)
        assert restyled == []
        assert students.query_one("#sidebar").styles.width.value == 24
        # a change of theme while the students' screen is not shown: it is restyled when shown
        before = internships.query_one("#sidebar").styles.background
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(pilot)
        after = internships.query_one("#sidebar").styles.background
        assert after != before
        app.open_section("records-students")
        await settle(pilot)
        assert app.screen is students and students._css_update_count == app._css_update_count
        assert students.query_one("#sidebar").styles.background == after

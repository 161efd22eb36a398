"""The teachers plugin in the TUI, with the pilot on the demo: a teacher's detail view shows the
practice timeline with the window the rule judges, the recognitions and the internships mentored;
the dashboard shows the panel of practice due; a school sees only its own teachers' figures."""

from __future__ import annotations

import asyncio
import sqlite3

from xiaoqi.core.actors import Actor

from .tui_helpers import SIZE, make_app, screen_text, settle, wait_for


async def section(pilot, section_id: str) -> str:
    """The text of a detail section, scrolled into view, its lines joined (a long line wraps)."""
    pilot.app.screen.query_one(f"#section-{section_id}").scroll_visible(animate=False)
    await settle(pilot)
    static = pilot.app.screen.query_one(f"#section-{section_id}-text")
    return "".join(line.text for line in static.render_lines(static.region.reset_offset)).replace(" ", "")


def _short_teacher(url: str, manifest):
    [teacher] = manifest.violations["TCH-PRACTICE-5Y6M"]
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        name, school = db.execute("SELECT name, school_code FROM teachers WHERE id_number = ?", (teacher,)).fetchone()
        mentored = db.execute("SELECT COUNT(*) FROM internships WHERE school_mentor_id = ?", (teacher,)).fetchone()[0]
    finally:
        db.close()
    return teacher, name, school, mentored


def test_a_teachers_detail_view_shows_practice_recognitions_and_internships(demo_db):
    url, manifest = demo_db
    teacher, name, school, mentored = _short_teacher(url, manifest)

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_record("teachers", teacher)
            await settle(pilot)
            assert name in screen_text(app)
            practice = await section(pilot, "teachers-practice")
            assert "统计期2021-11-24至2026-11-23：企业实践134天，应有180天（不足）" in practice
            assert "2026-10-10～考察观摩10" in practice and "2025-07-01～兼职任职62" in practice  # the period wraps
            assert "中级" in await section(pilot, "teachers-recognitions")
            internships = await section(pilot, "teachers-mentored")
            assert mentored > 0 and "蒋秀校内认识实习2026-11-27浙江天中…～12-26" in internships
            assert "插件区块" not in screen_text(app)  # no section failed

    asyncio.run(run())


def test_the_dashboard_panel_lists_practice_due_for_the_actor(demo_db):
    url, manifest = demo_db
    _teacher, name, school, _ = _short_teacher(url, manifest)

    async def run(actor, expect):
        app = make_app(url, actor=actor, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            # the panel reads its figures in a worker: wait for them (either answer names the day)
            await wait_for(pilot, lambda: "2027-02-21 前" in screen_text(app), what="the practice-due panel's figures")
            text = screen_text(app)
            assert "企业实践到期" in text
            expect(text)

    def own(text):
        assert "2027-02-21 前企业实践不足：1 人（已不足 1 人）" in text and f"{name}（" in text and "差 46 天，已不足" in text

    def other(text):
        assert "2027-02-21 前没有企业实践不足的专业课教师" in text and name not in text

    asyncio.run(run(Actor("school", school), own))
    other_school = next(code for code in ("4133974459",) if code != school)
    asyncio.run(run(Actor("school", other_school), other))

"""The compliance screen and the dashboard are never stale: the last kept check shows at once with
its time, a data change marks it stale, and the compliance screen checks again in a worker; the
highlighted finding is shown in full at 160 columns."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from xiaoqi.core import models as m
from xiaoqi.core.actors import ADMIN
from xiaoqi.core.check_store import check_and_store
from xiaoqi.core.db import make_engine, read_session, write_session
from xiaoqi.core.services import update_record
from xiaoqi.tui.screens.compliance import ComplianceScreen
from xiaoqi.tui.widgets.panels import FindingsPanel

from .tui_helpers import SIZE, make_app, screen_text, settle


def _runs(engine) -> int:
    with read_session(engine) as session:
        return session.execute(sa.select(sa.func.count()).select_from(m.CheckRun)).scalar_one()


def _break_one(engine) -> str:
    """An internship paid nothing (a finding for the pay rule); its key."""
    with read_session(engine) as session:
        i = session.execute(sa.select(m.Internship).where(m.Internship.kind == "岗位实习").limit(1)).scalar_one()
        key = f"{i.id_number}/{i.uscc}/{i.start_on}"
    with write_session(engine) as session:
        update_record(session, actor=ADMIN, kind="internships", key=key, changes={"monthly_pay": "0"})
    return key


def test_the_kept_check_shows_at_once_and_is_checked_again_after_a_change(demo_db):
    url, _manifest = demo_db
    engine = make_engine(url)
    kept = check_and_store(engine, actor=ADMIN)

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            app.open_section("compliance")
            await settle(pilot)
            assert isinstance(app.screen, ComplianceScreen)
            assert app.check_at == kept.finished_at and not app.check_stale
            assert len(app.check_result.findings) == len(kept.result.findings)
            assert _runs(engine) == 1  # shown from the database: nothing was run
            shown = screen_text(app)
            assert "检查时间：" in shown
            # the highlighted finding in full (the table's message column is cut at this width)
            first, _n = app.screen._shown[0]
            assert first.message[:12] in shown.replace("\n", "")

            key = _break_one(engine)
            app.data_changed()  # what a form's save calls; a timer looks every few seconds too
            await settle(pilot, rounds=6)
            assert _runs(engine) == 2 and not app.check_stale
            assert any(f.subject_key == key for f in app.check_result.findings)

    asyncio.run(run())


def test_the_dashboard_marks_a_kept_check_stale(demo_db):
    url, _manifest = demo_db
    engine = make_engine(url)
    check_and_store(engine, actor=ADMIN)

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.check_result is not None and not app.check_stale
            _break_one(engine)
            app.data_changed()
            await settle(pilot)
            assert app.check_stale and _runs(engine) == 1  # no automatic run: marked instead
            panel = app.screen.query_one(FindingsPanel)
            assert "结果可能已过期" in screen_text(app), panel

    asyncio.run(run())


def test_a_kept_check_made_under_another_rule_set_is_checked_again(demo_db, monkeypatch):
    """The compliance screen of a TUI started after a plugin was switched off does not show the run
    kept with that plugin's rules: it checks again (and keeps the new run)."""
    from tests.plugins.switch import plugin_loaded
    from tests.tui.tui_helpers import wait_for

    url, _manifest = demo_db
    engine = make_engine(url)
    kept = check_and_store(engine, actor=ADMIN)
    assert any(r.startswith("HN-") for r in kept.result.rules_run)
    plugin_loaded(monkeypatch, "xiaoqi.plugins.regions.hunan", False)

    async def run():
        app = make_app(url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            app.open_section("compliance")
            await wait_for(pilot, lambda: _runs(engine) == 2 and not app.check_running and app.check_result is not None,
                           what="the check run again")
            assert not app.check_stale
            assert not any(r.startswith("HN-") for r in app.check_result.rules_run)

    asyncio.run(run())

"""The TUI's audit views through Textual's pilot: a record's history tab (its imported creation
rebuilt from the stored file, the later update), and the import-batches screen (list, detail,
undo after confirmation; a refused undo says why)."""

from __future__ import annotations

import asyncio

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import make_engine, write_session
from xiaoqi.core.io import import_file
from xiaoqi.core.services import update_record
from xiaoqi.tui.dialogs.confirm import Confirm
from xiaoqi.tui.screens.batches import BatchesScreen
from xiaoqi.tui.screens.detail import RecordDetailScreen

from .tui_helpers import SIZE, make_app, screen_text, settle

SCHOOLS = "学校代码,学校名称,办学层次,所在地区代码\n4132012345,一职,高职,410100\n4132012346,二职,中职,410100\n"


def _imported(xiaoqi_db_url, tmp_path, text: str = SCHOOLS, name: str = "schools.csv") -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    engine = make_engine(xiaoqi_db_url)
    assert import_file(engine, actor=ADMIN, kind="schools", path=path).written
    engine.dispose()


def test_the_detail_view_shows_a_records_history(xiaoqi_db_url, tmp_path):
    _imported(xiaoqi_db_url, tmp_path)
    engine = make_engine(xiaoqi_db_url)
    with write_session(engine) as session:
        update_record(session, actor=ADMIN, kind="schools", key="4132012345", changes={"contact": "张老师"})
    engine.dispose()

    async def check():
        app = make_app(xiaoqi_db_url, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_record("schools", "4132012345")
            await settle(pilot)
            assert isinstance(app.screen, RecordDetailScreen)
            await pilot.press("h")
            await settle(pilot)
            shown = screen_text(app)
            assert "审计历史 · 2 条" in shown
            assert "来自导入批次 1 第 2 行" in shown and "联系人:  → 张老师" in shown
            await pilot.press("f")
            await pilot.pause()
            assert "学校名称" in screen_text(app)

    asyncio.run(check())


def test_the_batches_screen_lists_shows_and_undoes_after_confirmation(xiaoqi_db_url, tmp_path):
    _imported(xiaoqi_db_url, tmp_path)
    _imported(xiaoqi_db_url, tmp_path, "学校代码,学校名称,办学层次,所在地区代码\n4132012347,三职,中职,410100\n", "more.csv")

    async def check():
        app = make_app(xiaoqi_db_url, auto_check=False, start="batches")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, BatchesScreen)
            shown = screen_text(app)
            assert "more.csv" in shown and "schools.csv" in shown and "已导入" in shown
            assert app.screen.shown.id == 2 and app.screen.shown.sha256 in shown
            await pilot.press("u")
            await pilot.pause()
            assert isinstance(app.screen, Confirm)
            await pilot.press("escape")  # no: nothing changes
            await settle(pilot)
            assert "已撤销" not in screen_text(app)
            await pilot.press("u")
            await pilot.pause()
            await pilot.click("#yes")
            await settle(pilot)
            assert "已撤销" in screen_text(app)
            # batch 1's records were not changed since: it can be undone too; batch 2 cannot again
            await pilot.press("down")
            await settle(pilot)
            assert app.screen.shown.id == 1
            await pilot.press("up")
            await settle(pilot)
            await pilot.press("u")
            await pilot.pause()
            await pilot.click("#yes")
            await settle(pilot)
            assert "没有可撤销的内容" in screen_text(app)

    asyncio.run(check())

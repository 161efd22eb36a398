"""The sqlite3 read of a listing's first pages (xiaoqi.core.lean, the TUI's first screen) gives what
the services give: for every record kind and every type of actor on the demo, the same records in
the same order, with the same values and names, and the same count."""

from __future__ import annotations

import sqlite3

import pytest

from xiaoqi.core import lean
from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import make_engine, read_session
from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.services import count_records, list_records


def _actors(path: str) -> list[Actor]:
    """One actor of each type, with a code that owns rows on the demo."""
    db = sqlite3.connect(path)
    school = db.execute("SELECT school_code FROM internships GROUP BY school_code ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    uscc = db.execute("SELECT uscc FROM internships GROUP BY uscc ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    region = db.execute("SELECT region FROM schools WHERE school_code = ?", (school,)).fetchone()[0]
    db.close()
    return [ADMIN, Actor("auditor"), Actor("province", region[:2]), Actor("school", school), Actor("enterprise", uscc)]


def test_lean_pages_equal_the_services_for_every_kind_and_actor(demo_db):
    url, _manifest = demo_db
    path = url.removeprefix("sqlite:///")
    engine = make_engine(url)
    conn = lean.connect(path)
    read = unsupported = rows = 0
    for actor in _actors(path):
        for kind in get_kinds().values():
            try:
                lean.check_kind(kind, actor)
            except lean.Unsupported:
                # only a scope written as SQLAlchemy code (where(fn)) is left to the services
                unsupported += 1
                continue
            with read_session(engine) as session:
                full = list_records(session, actor=actor, kind=kind, limit=10_000, names=True)
                total = count_records(session, actor=actor, kind=kind)
            want = [(obj.id, kind.export_values(obj), names) for obj, names in zip(full.rows, full.names)]
            assert lean.page(conn, actor, kind, limit=10_000) == want, (kind.name, actor)
            assert lean.count(conn, actor, kind) == total, (kind.name, actor)
            # the second page, by offset and after the first page's last id, as the table reads it
            if len(want) > 3:
                assert lean.page(conn, actor, kind, limit=2, offset=2) == want[2:4]
                assert lean.page(conn, actor, kind, limit=2, after_id=want[1][0]) == want[2:4]
            read += 1
            rows += len(want)
    assert read > 4 * len(get_kinds()) and rows > 1000, (read, unsupported, rows)
    # every type of actor is read by the lean path on the internships (what `tui --open internships` shows)
    for actor in _actors(path):
        lean.check_kind(get_kinds()["internships"], actor)
    conn.close()
    engine.dispose()


def test_lean_schema_and_actor_checks(demo_db, tmp_path):
    url, _manifest = demo_db
    path = url.removeprefix("sqlite:///")
    conn = lean.connect(path)
    assert lean.schema_current(conn)
    school = conn.execute("SELECT school_code FROM schools LIMIT 1").fetchone()[0]
    assert lean.actor_registered(conn, Actor("school", school))
    assert not lean.actor_registered(conn, Actor("school", "9999999999"))
    conn.execute("PRAGMA query_only = 1")  # a read-only connection: nothing here may write
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM schools")
    conn.close()
    old = tmp_path / "old.db"
    db = sqlite3.connect(old)
    db.execute("CREATE TABLE alembic_version (version_num TEXT)")
    db.execute("INSERT INTO alembic_version VALUES ('0010')")
    db.commit()
    db.close()
    assert not lean.schema_current(lean.connect(str(old)))
    assert lean.sqlite_path(f"sqlite:///{tmp_path / 'missing.db'}") is None
    assert lean.sqlite_path(url) == path


def test_records_screen_rows_from_sqlite3_equal_the_services_rows(demo_db):
    """The table's first page and the next one (by keyset), as cells, and its count: read with
    sqlite3 and through the services, for each type of actor, in Chinese and English."""
    from xiaoqi.core.i18n import set_lang
    from xiaoqi.tui.screens.records import RecordSource

    url, _manifest = demo_db
    path = url.removeprefix("sqlite:///")
    engine = make_engine(url)
    kind = get_kinds()["internships"]
    for lang in ("zh", "en"):
        set_lang(lang)
        for actor in _actors(path):
            def source(lean_path):
                return RecordSource(lambda: engine, actor, kind, filters={}, search=None, order_by=None, descending=False,
                                    lean_path=lean_path)
            lean_source, full = source(path), source(None)
            first = full.fetch(50)
            assert first and lean_source.fetch(50) == first, (lang, actor)
            now = lean_source.fetch_now(50)  # None when it took longer than its 50 ms (a loaded machine)
            assert now is None or now == first
            assert lean_source.fetch(50, after=first[-1].order) == full.fetch(50, after=first[-1].order)
            assert lean_source.count() == full.count()
    set_lang(None)
    engine.dispose()


FIRST_FRAME = r'''
import asyncio, sys
from xiaoqi.core.actors import ADMIN
from xiaoqi.tui.app import XiaoqiApp, checked_sqlite_file
from xiaoqi.tui.widgets.paged_table import PagedTable

path, url = sys.argv[1], "sqlite:///" + sys.argv[1]
seen = {}
shown = PagedTable._first_page_shown

def first_page_shown(table):
    seen["heavy"] = sorted(m for m in ("sqlalchemy", "sqlmodel", "pydantic", "xiaoqi.core.models", "xiaoqi.core.services")
                           if m in sys.modules)
    seen["rows"] = table.loaded_rows
    shown(table)

PagedTable._first_page_shown = first_page_shown

def open_engine():
    from xiaoqi.core.db import make_engine
    return make_engine(url)

async def main():
    lean_path = checked_sqlite_file(url, ADMIN)
    app = XiaoqiApp(None, ADMIN, open_engine=open_engine, lean_path=lean_path, start="records-internships", auto_check=False)
    async with app.run_test(size=(160, 50)) as pilot:
        while "rows" not in seen or app._engine is None:
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
    print(lean_path == path, seen["rows"], ",".join(seen["heavy"]) or "-", "sqlalchemy" in sys.modules)

asyncio.run(main())
'''


def test_first_page_is_shown_before_sqlalchemy_is_imported(demo_db):
    """``xiaoqi tui --open internships`` on SQLite: the first page is on the screen before
    SQLAlchemy, SQLModel or the models are imported; the engine is built after it (a new process,
    as the command runs)."""
    import subprocess
    import sys

    url, _manifest = demo_db
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME, url.removeprefix("sqlite:///")], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    same_path, rows, heavy, engine_after = done.stdout.split()
    assert same_path == "True" and int(rows) > 0
    assert heavy == "-", heavy
    assert engine_after == "True"

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


"""The dashboard's figures (``core.dashboard.summary``) equal plain SQL counts written here from their
definitions, on the demo registry in SQLite and in PostgreSQL (a ``speeddash_`` database, dropped after).

The definitions: an internship is active on day d when ``start_on <= d AND end_on >= d`` (the end day
counts; an internship ended early carries its real ``end_on``, the schema has no separate terminated
flag); active in a month when it is active on any day of it; quota use per enterprise sums the
apprentice quota of its positions whose quota period covers d, counts the 学徒 internships active on d
on those positions, and sums the places of reservations still 预留中 and not expired on d."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.dashboard import summary
from xiaoqi.core.db import make_engine, read_session, write_session
from xiaoqi.core.kinds import get_kinds
from xiaoqi.testing import PgDatabases, require_pg

from ..conftest import DEMO_TODAY


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def demo_engine(request, tmp_path, demo_template):
    if request.param == "sqlite":
        path, _manifest = demo_template
        shutil.copyfile(path, tmp_path / "demo.db")
        engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
        yield engine
        engine.dispose()
        return
    from xiaoqi.core.demo import generate

    dbs = PgDatabases(require_pg(request.config), "speeddash")
    url = dbs.create()
    engine = make_engine(url)
    try:
        with write_session(engine) as session:
            generate(session, size="small", seed=2026, today=DEMO_TODAY)
        yield engine
    finally:
        engine.dispose()
        dbs.drop(url)
        dbs.close()


def _months(d: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The twelve months up to d's: label, first and last day."""
    out = []
    for back in range(11, -1, -1):
        y, m = divmod(d.year * 12 + d.month - 1 - back, 12)
        first = dt.date(y, m + 1, 1)
        ny, nm = divmod(y * 12 + m + 1, 12)
        out.append((first.strftime("%Y-%m"), first, dt.date(ny, nm + 1, 1) - dt.timedelta(days=1)))
    return out


def _scalar(conn, sql: str, **params) -> int:
    return int(conn.execute(sa.text(sql), params).scalar_one() or 0)


def _quota_use(conn, d: dt.date) -> dict[str, tuple[str, int, int, int]]:
    covering = ("p.apprentice_quota > 0 AND (p.quota_from IS NULL OR p.quota_from <= :d) "
                "AND (p.quota_to IS NULL OR p.quota_to >= :d)")
    rows = conn.execute(sa.text(f"""
        SELECT e.uscc, e.name,
               (SELECT sum(p.apprentice_quota) FROM positions p WHERE p.uscc = e.uscc AND {covering}),
               (SELECT count(*) FROM internships i WHERE i.uscc = e.uscc AND i.kind = '学徒'
                  AND i.start_on <= :d AND i.end_on >= :d
                  AND EXISTS (SELECT 1 FROM positions p WHERE p.uscc = i.uscc AND p.position_code = i.position_code
                              AND {covering})),
               (SELECT sum(r.places - coalesce(r.released_places, 0)) FROM quota_reservations r
                  WHERE r.uscc = e.uscc AND r.status = '预留中' AND r.expires_on >= :d)
        FROM enterprises e
        WHERE EXISTS (SELECT 1 FROM positions p WHERE p.uscc = e.uscc AND {covering})"""), {"d": d})
    return {u: (n, int(q or 0), int(placed or 0), int(held or 0)) for u, n, q, placed, held in rows}


def test_dashboard_figures_equal_plain_sql_counts(demo_engine):
    with demo_engine.connect() as conn:
        # the day in the last year most internships end on: the end day itself must count
        busiest_end = conn.execute(sa.text(
            "SELECT end_on FROM internships WHERE end_on > :since AND end_on <= :d "
            "GROUP BY end_on ORDER BY count(*) DESC, end_on LIMIT 1"),
            {"since": DEMO_TODAY - dt.timedelta(days=365), "d": DEMO_TODAY}).scalar_one()
    busiest_end = busiest_end if isinstance(busiest_end, dt.date) else dt.date.fromisoformat(busiest_end)
    for d in (DEMO_TODAY, busiest_end):
        with read_session(demo_engine) as session:
            figures = summary(session, actor=ADMIN, today=d)
        with demo_engine.connect() as conn:
            counts = {name: _scalar(conn, f"SELECT count(*) FROM {kind.table}") for name, kind in get_kinds().items()}
            active = _scalar(conn, "SELECT count(*) FROM internships WHERE start_on <= :d AND end_on >= :d", d=d)
            ending = _scalar(conn, "SELECT count(*) FROM internships WHERE end_on = :d", d=d)
            monthly = [(label, _scalar(conn, "SELECT count(*) FROM internships WHERE start_on <= :last AND end_on >= :first",
                                       first=first, last=last)) for label, first, last in _months(d)]
            quota = _quota_use(conn, d)
        assert figures.counts == counts
        assert counts["internships"] > 0 and counts["enterprises"] > 0
        assert figures.active_internships == active > 0, d
        assert figures.monthly_active == monthly, d
        assert monthly[-1][1] >= active and sum(n for _, n in monthly) > 0
        got = {q["uscc"]: (q["name"], q["quota"], q["placed"], q["reserved"]) for q in figures.quota_use}
        assert got == quota, d
        assert quota and sum(q for _, q, _, _ in quota.values()) > 0
        if d == busiest_end:
            assert ending > 0  # the day is a real boundary: internships ending on it are in `active`
        else:
            assert sum(placed for _, _, placed, _ in quota.values()) > 0

"""The kept checks (``check_runs``, ``check_findings``) are read by a login only within its scope:
the tables themselves give a login no more than their keys, and the masked views give a school the
runs of its own checks and the findings of its schools' records (in an enterprise's run too), an
enterprise its own, a province those of its schools and enterprises, the auditor all. Checked with
psycopg as each login, bypassing xiaoqi, against the owner's rows filtered in Python."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
import sqlalchemy as sa

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import make_engine

from ..conftest import DEMO_TODAY
from .conftest import busiest_pair, new_login, pg_copy
from .test_logins_pg import _raw, drop_with_logins

pytestmark = pytest.mark.pg


@pytest.fixture(scope="module")
def kept(xiaoqi_pg, pg_logins_template):
    """A copy of the demo set up for logins, with kept checks of everything, of a school, of an
    enterprise where that school's students are, and of another school; a login for each actor
    type but admin."""
    from xiaoqi.core.check_store import check_and_store

    url = pg_copy(xiaoqi_pg, pg_logins_template[0])
    engine = make_engine(url)
    with engine.connect() as conn:
        firm, school = busiest_pair(conn)  # the school with most interns at the busiest enterprise
        other = conn.execute(sa.text("SELECT school_code FROM schools WHERE school_code <> :s ORDER BY school_code LIMIT 1"),
                             {"s": school}).scalar_one()
        province = conn.execute(sa.text("SELECT left(region, 2) FROM schools WHERE school_code = :s"), {"s": school}).scalar_one()
    for actor in (ADMIN, Actor("school", school), Actor("enterprise", firm), Actor("school", other)):
        check_and_store(engine, actor=actor, today=DEMO_TODAY)
    made: list[str] = []
    urls: dict[str, str] = {}
    for actor in (f"school:{school}", f"enterprise:{firm}", f"province:{province}", "auditor"):
        name, urls[actor] = new_login(engine, url, actor)
        made.append(name)
    yield {"url": url, "engine": engine, "urls": urls, "school": school, "firm": firm, "province": province}
    engine.dispose()
    drop_with_logins(xiaoqi_pg, url, made)


def _owners_rows(engine, province: str):
    with engine.connect() as conn:
        runs = conn.execute(sa.text("SELECT id, school_code, uscc FROM check_runs")).all()
        findings = conn.execute(sa.text("SELECT f.id, f.school_code, f.uscc, r.school_code, r.uscc FROM check_findings f "
                                        "JOIN check_runs r ON r.id = f.run_id")).all()
        schools = set(conn.execute(sa.text("SELECT school_code FROM schools WHERE region LIKE :p"), {"p": province + "%"}).scalars())
        firms = set(conn.execute(sa.text("SELECT uscc FROM enterprises WHERE region LIKE :p"), {"p": province + "%"}).scalars())
    return runs, findings, schools, firms


def _seen(login_url: str):
    with _raw(login_url) as raw:
        cur = raw.cursor()
        for table in ("check_runs", "check_findings"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cur.execute(f"SELECT * FROM public.{table}")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cur.execute(f"SELECT message FROM public.{table}" if table == "check_findings" else
                            f"SELECT school_code FROM public.{table}")
        runs = {r[0] for r in cur.execute("SELECT id FROM xiaoqi_masked.check_runs").fetchall()}
        findings = {r[0] for r in cur.execute("SELECT id FROM xiaoqi_masked.check_findings").fetchall()}
        # the names a login's xiaoqi reads (search_path) are the views
        assert cur.execute("SELECT count(*) FROM check_runs").fetchone()[0] == len(runs)
        assert cur.execute("SELECT count(*) FROM check_findings").fetchone()[0] == len(findings)
    return runs, findings


def test_each_login_reads_only_the_kept_checks_of_its_scope(kept):
    runs, findings, schools, firms = _owners_rows(kept["engine"], kept["province"])
    school, firm = kept["school"], kept["firm"]
    all_runs, all_findings = {r[0] for r in runs}, {f[0] for f in findings}
    want = {
        f"school:{school}": ({r[0] for r in runs if r[1] == school},
                             {f[0] for f in findings if f[3] == school or f[1] == school}),
        f"enterprise:{firm}": ({r[0] for r in runs if r[2] == firm},
                               {f[0] for f in findings if f[4] == firm or f[2] == firm}),
        f"province:{kept['province']}": ({r[0] for r in runs if r[1] in schools or r[2] in firms},
                                         {f[0] for f in findings if f[1] in schools or f[2] in firms}),
        "auditor": (all_runs, all_findings),
    }
    # the data gives each scope some runs and findings, and not all of them
    for actor, (want_runs, want_findings) in want.items():
        if actor != "auditor":
            assert want_runs and want_findings and want_runs < all_runs and want_findings < all_findings, actor
    # a school reads its students' findings in the enterprise's run too
    firm_run = {r[0] for r in runs if r[2] == firm and r[1] is None}
    assert {f[0] for f in findings if f[3] is None and f[4] == firm and f[1] == school} & want[f"school:{school}"][1]
    assert firm_run and not firm_run & want[f"school:{school}"][0]
    for actor, expected in want.items():
        assert _seen(kept["urls"][actor]) == expected, actor


def test_a_login_cannot_forge_change_or_delete_anothers_kept_check(kept):
    """A school's login bypassing xiaoqi may not keep a run of everything (one of no findings
    would make the admin's dashboard say the register is compliant) or of another school, add
    findings to another's run, change any kept run, or delete another's."""
    engine, school = kept["engine"], kept["school"]
    state = "SELECT (SELECT count(*) FROM check_runs), (SELECT sum(findings) FROM check_runs), (SELECT count(*) FROM check_findings)"
    with engine.connect() as conn:
        before = conn.execute(sa.text(state)).one()
        everything = conn.execute(sa.text("SELECT max(id) FROM check_runs WHERE school_code IS NULL AND uscc IS NULL")).scalar_one()
        other = conn.execute(sa.text("SELECT max(id) FROM check_runs WHERE school_code <> :s"), {"s": school}).scalar_one()
        theirs = {r: conn.execute(sa.text("SELECT id FROM check_findings WHERE run_id = :r"), {"r": r}).scalars().all()
                  for r in (everything, other)}
    assert all(theirs.values())
    run = ("INSERT INTO {table} (school_code, uscc, checked_on, started_at, finished_at, milliseconds, actor, findings, errors, "
           "rules_run, switched_off) VALUES (%s, NULL, current_date, now(), now(), 0, 'forged', 0, 0, '[]', '[]')")
    finding = ("INSERT INTO {table} (run_id, rule, severity, subject_kind, subject_key, message) "
               "VALUES (%s, 'X', 'error', 'schools', 'k', 'forged')")
    with _raw(kept["urls"][f"school:{school}"]) as raw:
        cur = raw.cursor()
        for table in ("public.check_runs", "check_runs"):  # the table, and the view its search_path finds first
            for code in (None, "4100000001"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    cur.execute(run.format(table=table), (code,))
        for table in ("public.check_findings", "check_findings"):
            for run_id in (everything, other):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    cur.execute(finding.format(table=table), (run_id,))
        for table in ("public.check_runs", "check_runs"):
            assert cur.execute(f"UPDATE {table} SET findings = 0").rowcount == 0
        for table in ("public.check_findings", "check_findings"):
            assert cur.execute(f"UPDATE {table} SET message = 'forged'").rowcount == 0
        for run_id in (everything, other):
            assert cur.execute("DELETE FROM public.check_findings WHERE id = ANY(%s)", (theirs[run_id],)).rowcount == 0
            assert cur.execute("DELETE FROM public.check_runs WHERE id = %s", (run_id,)).rowcount == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text(state)).one() == before
        assert not conn.execute(sa.text("SELECT count(*) FROM check_findings WHERE message = 'forged'")).scalar_one()


def test_a_school_logins_kept_check_is_saved_read_back_and_pruned_through_the_views(kept, monkeypatch):
    """xiaoqi as the school's login keeps its check, reads it back (``check_and_store``,
    ``last_run_as``) through the scoped views and prunes the older runs of its scope."""
    from xiaoqi.core import check_store
    from xiaoqi.core.check_store import check_and_store, last_run_as

    monkeypatch.setattr(check_store, "KEEP", 1)
    actor = Actor("school", kept["school"])
    login_engine = make_engine(kept["urls"][f"school:{kept['school']}"])
    try:
        made = check_and_store(login_engine, actor=actor, today=dt.date.today())
        assert made.id
        with login_engine.connect() as conn:
            mine = last_run_as(conn, actor=actor)
        assert mine.id == made.id and len(mine.result.findings) == len(made.result.findings)
    finally:
        login_engine.dispose()
    with kept["engine"].connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM check_findings WHERE run_id = :r"), {"r": made.id}).scalar_one() \
            == len(made.result.findings)
        # the run the owner kept of the school's scope is gone with its findings; the others stay
        assert conn.execute(sa.text("SELECT id FROM check_runs WHERE school_code = :s AND uscc IS NULL"),
                            {"s": kept["school"]}).scalars().all() == [made.id]
        assert conn.execute(sa.text("SELECT count(*) FROM check_findings WHERE run_id NOT IN (SELECT id FROM check_runs)")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM check_runs WHERE school_code IS NULL AND uscc IS NULL")).scalar_one() == 1


def test_the_compliance_screen_of_a_school_login_shows_its_kept_check(kept):
    """The TUI as the school's login shows the check it kept at once (read back through the
    scoped views), not stale, without running the rules again."""
    import asyncio

    from xiaoqi.core.check_store import check_and_store
    from xiaoqi.tui.screens.compliance import ComplianceScreen

    from ..tui.tui_helpers import SIZE, make_app, settle

    actor = Actor("school", kept["school"])
    login_url = kept["urls"][f"school:{kept['school']}"]
    login_engine = make_engine(login_url)
    try:
        made = check_and_store(login_engine, actor=actor, today=dt.date.today())
    finally:
        login_engine.dispose()

    async def run():
        app = make_app(login_url, actor, auto_check=False)
        async with app.run_test(size=SIZE) as pilot:
            app.open_section("compliance")
            await settle(pilot)
            assert isinstance(app.screen, ComplianceScreen)
            assert app.check_at == made.finished_at and not app.check_stale
            assert len(app.check_result.findings) == len(made.result.findings) > 0
        app.engine.dispose()

    asyncio.run(run())
    with kept["engine"].connect() as conn:  # nothing was run again
        assert conn.execute(sa.text("SELECT max(id) FROM check_runs")).scalar_one() == made.id

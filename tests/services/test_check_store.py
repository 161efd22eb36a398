"""Kept check runs (``xiaoqi.core.check_store``): the last run of a scope reads back with every
finding, goes stale after a data change or on another day, older runs are pruned, a province's
filtered view is not kept — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from xiaoqi.core import models as m
from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.check_store import KEEP, check_and_store, is_stale, last_run, last_run_as
from xiaoqi.core.db import read_session, write_session
from xiaoqi.core.services import update_record

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def broken(xiaoqi_factory):
    """Two schools' internships, each paid nothing (a finding each), one without its consent date."""
    a = xiaoqi_factory.internship(monthly_pay="0")
    other = xiaoqi_factory.school()
    b = xiaoqi_factory.internship(xiaoqi_factory.student(other), consent_signed_on=None)
    return a, b


def _as_tuples(findings):
    return sorted((f.rule, f.subject_kind, f.subject_key, f.message, f.school_code, f.uscc, f.dates) for f in findings)


@BOTH
def test_a_kept_run_reads_back_and_goes_stale(broken, xiaoqi_engine):
    run = check_and_store(xiaoqi_engine, actor=ADMIN, today=TODAY)
    assert run.id and run.result.findings
    with read_session(xiaoqi_engine) as session:
        kept = last_run(session)
        assert kept.id == run.id and kept.checked_on == TODAY
        assert _as_tuples(kept.result.findings) == _as_tuples(run.result.findings)
        assert kept.result.rules_run == run.result.rules_run
        assert [o.rule for o in kept.result.switched_off] == [o.rule for o in run.result.switched_off]
        assert not is_stale(session, kept, TODAY)
        assert is_stale(session, kept, TODAY + dt.timedelta(days=1))  # another day: the rules' today moved
        assert last_run(session, school=broken[0].school_code) is None  # a school's own scope was never run
    a = broken[0]
    with write_session(xiaoqi_engine) as session:
        update_record(session, actor=ADMIN, kind="internships", key=f"{a.id_number}/{a.uscc}/{a.start_on}",
                      changes={"monthly_pay": "4500"})
    with read_session(xiaoqi_engine) as session:
        assert is_stale(session, last_run(session), TODAY)


@BOTH
def test_scopes_are_kept_apart_and_pruned(broken, xiaoqi_engine):
    a, b = broken
    school = Actor("school", a.school_code)
    for _ in range(KEEP + 2):
        check_and_store(xiaoqi_engine, actor=ADMIN, today=TODAY)
    mine = check_and_store(xiaoqi_engine, actor=school, today=TODAY)
    assert mine.school == a.school_code
    assert {f.school_code for f in mine.result.findings} == {a.school_code}
    with read_session(xiaoqi_engine) as session:
        runs = session.execute(sa.select(m.CheckRun.school_code, sa.func.count()).group_by(m.CheckRun.school_code)).all()
        assert dict(runs) == {None: KEEP, a.school_code: 1}
        kept_ids = set(session.execute(sa.select(m.CheckRun.id)).scalars())
        assert set(session.execute(sa.select(m.CheckFinding.run_id).distinct()).scalars()) <= kept_ids
        assert last_run_as(session, actor=school).id == mine.id
        everything = last_run_as(session, actor=ADMIN)
        assert {f.school_code for f in everything.result.findings} == {a.school_code, b.school_code}


@BOTH
def test_a_provinces_view_is_not_kept(broken, xiaoqi_engine):
    run = check_and_store(xiaoqi_engine, actor=Actor("province", "33"), today=TODAY)
    assert run.id == 0 and run.result.findings
    with read_session(xiaoqi_engine) as session:
        assert last_run(session) is None
    check_and_store(xiaoqi_engine, actor=ADMIN, today=TODAY)
    with read_session(xiaoqi_engine) as session:
        seen = last_run_as(session, actor=Actor("province", "11"))  # a province with none of them
        assert seen is not None and seen.result.findings == []


def _ruled(version: str, threshold: int):
    """A plugin registering one rule, TEST-PAY-FLOOR: its version and the figure its code compares."""
    from xiaoqi.core import hookimpl
    from xiaoqi.core.rules.model import Rule

    def evaluate(ctx):
        return [] if threshold > 0 else []

    class Ruled:
        @hookimpl
        def xiaoqi_register_rules(self):
            return [Rule(id="TEST-PAY-FLOOR", severity="warning", title=("测试", "test"), source="test",
                         evaluate=evaluate, version=version)]

    return Ruled()


@BOTH
def test_a_run_made_under_another_rule_set_is_stale(broken, xiaoqi_engine, monkeypatch):
    """A kept run records the rule set it ran with (rules, versions, parameters, plugins): after a
    plugin is switched off, a rule's code or version changes, or xiaoqi.toml sets another figure,
    the run is stale (the TUI runs the check again); with the same rule set again it is not."""
    from xiaoqi.core.check_store import rule_set_digest
    from xiaoqi.core.plugins import get_plugin_manager

    from tests.plugins.switch import plugin_loaded

    run = check_and_store(xiaoqi_engine, actor=ADMIN, today=TODAY)
    assert run.rule_set == rule_set_digest() and len(run.rule_set) == 64

    def stale(**kw) -> bool:
        with read_session(xiaoqi_engine) as session:
            kept = last_run(session)
            assert kept.id == run.id and kept.rule_set == run.rule_set
            return is_stale(session, kept, TODAY, **kw)

    assert not stale()
    plugin_loaded(monkeypatch, "xiaoqi.plugins.regions.hunan", False)  # a regional plugin off
    assert stale()
    plugin_loaded(monkeypatch, "xiaoqi.plugins.regions.hunan", True)   # on again: the same rule set
    assert not stale()
    config = {"params": {"JS-PAY-HOURLY": {"hourly_min_wage": [{"region": "32", "value": "24.5"}]}}}
    assert stale(config=config)  # xiaoqi.toml sets a figure the run did not have

    pm = get_plugin_manager()
    pm.register(_ruled("1", 1), name="ruled")
    try:
        assert stale()  # a plugin with a rule more
        again = check_and_store(xiaoqi_engine, actor=ADMIN, today=TODAY)
        assert "TEST-PAY-FLOOR" in again.result.rules_run
        run = again
        assert not stale()
        pm.unregister(name="ruled")
        pm.register(_ruled("2", 1), name="ruled")  # upgraded: the rule's version
        assert stale()
        pm.unregister(name="ruled")
        pm.register(_ruled("1", 2), name="ruled")  # the same version, another figure in its code
        assert stale()
        pm.unregister(name="ruled")
        pm.register(_ruled("1", 1), name="ruled")  # as it was
        assert not stale()
    finally:
        pm.unregister(name="ruled")


@BOTH
def test_a_run_kept_before_the_rule_set_was_recorded_is_stale(broken, xiaoqi_engine):
    run = check_and_store(xiaoqi_engine, actor=ADMIN, today=TODAY)
    with write_session(xiaoqi_engine) as session:
        session.execute(sa.update(m.CheckRun).where(m.CheckRun.id == run.id).values(rule_set=None))
    with read_session(xiaoqi_engine) as session:
        kept = last_run(session)
        assert kept.rule_set is None and is_stale(session, kept, TODAY)

"""``accrue``: the surcharge credit (30% of the qualifying investment, used against the surcharges
due, oldest first, carried forward), its voiding on a revocation, the apprenticeship subsidy's
claims and clawbacks — idempotent, all or nothing, dry runs posting nothing — on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from xiaoqi.core import hookimpl
from xiaoqi.core.actors import ADMIN, AUDITOR
from xiaoqi.core.db import write_session
from xiaoqi.core.errors import PermissionDenied
from xiaoqi.core.plugins import get_plugin_manager
from xiaoqi.core.rules.params import param_table

from .inc_data import build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def _accrue(engine, year, *, dry_run=False, actor=ADMIN):
    from xiaoqi.plugins.incentives.accrue import accrue
    from xiaoqi.plugins.incentives.params import Figures

    with write_session(engine) as session:
        return accrue(session, actor, year, Figures(param_table()), dry_run=dry_run)


def _lines(engine, **where):
    cond = " AND ".join(f"{k} = :{k}" for k in where) or "1 = 1"
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(
            f"SELECT line_type, account, period, entry_date, vintage, amount_fen, source_kind, source_key, case_key, note FROM inc_lines WHERE {cond} ORDER BY id"), where)]


def _credit(engine, uscc):
    from xiaoqi.plugins.incentives import ledger

    with engine.connect() as conn:
        return {r["period"]: (r["movement_fen"], r["balance_fen"]) for r in ledger.balances(conn, ADMIN, uscc=uscc, account="credit")}


@BOTH
def test_the_credit_is_earned_used_oldest_first_and_carried_forward(xiaoqi_factory, xiaoqi_engine):
    reg = build(xiaoqi_factory)
    _accrue(xiaoqi_engine, 2022)
    lines = _lines(xiaoqi_engine, account="credit")
    # 30% of 100,000.00 and of 20,000.50, one line per investment; 5% of 200,000.00 VAT used
    assert [(l["line_type"], l["amount_fen"], l["source_kind"], l["source_key"]) for l in lines] == [
        ("earned", 3000000, "inc_investments", f"{reg.firm.uscc}/HT-2022-1"),
        ("earned", 600015, "inc_investments", f"{reg.firm.uscc}/HT-2022-2"),
        ("used", -1000000, "inc_surcharges", f"{reg.firm.uscc}/2022")]
    _accrue(xiaoqi_engine, 2023)
    _accrue(xiaoqi_engine, 2024)
    # 2023: 8,000.00 entered; 2024: 5% of 500,000.00 = 25,000.00, but only 18,000.15 left
    assert _credit(xiaoqi_engine, reg.firm.uscc) == {2022: (2600015, 2600015), 2023: (-800000, 1800015), 2024: (-1800015, 0)}
    used = _lines(xiaoqi_engine, line_type="used")
    assert [(l["period"], l["vintage"], l["amount_fen"]) for l in used] == [(2022, 2022, -1000000), (2023, 2022, -800000), (2024, 2022, -1800015)]


@BOTH
def test_accrue_twice_adds_nothing_and_a_dry_run_posts_nothing(xiaoqi_factory, xiaoqi_engine):
    build(xiaoqi_factory)
    dry = _accrue(xiaoqi_engine, 2022, dry_run=True)
    assert _lines(xiaoqi_engine) == []
    first = _accrue(xiaoqi_engine, 2022)
    assert dry.counts() == first.counts() == {"earned": 2, "used": 1, "claimed": 2}
    assert _accrue(xiaoqi_engine, 2022).lines == [] and _accrue(xiaoqi_engine, 2022, dry_run=True).lines == []
    assert len(_lines(xiaoqi_engine)) == 5


@BOTH
def test_a_changed_investment_is_adjusted_and_a_closed_year_corrected_in_the_next(xiaoqi_factory, xiaoqi_engine):
    from xiaoqi.core.services import update_record
    from xiaoqi.plugins.incentives import ledger

    reg = build(xiaoqi_factory)
    _accrue(xiaoqi_engine, 2022)
    with write_session(xiaoqi_engine) as session:
        ledger.close_period(session, ADMIN, 2022, on=dt.date(2023, 1, 31))
        update_record(session, actor=ADMIN, kind="inc_investments", key=f"{reg.firm.uscc}/HT-2022-1", changes={"amount": Decimal("110000.00")})
    result = _accrue(xiaoqi_engine, 2022)
    assert [(l["line_type"], l["period"], str(l["entry_date"])[:10], l["vintage"], l["amount_fen"]) for l in result.lines] == [
        ("adjusted", 2023, "2023-01-01", 2022, 300000)]
    assert "2022" in result.lines[0]["note"]


@BOTH
def test_a_revocation_for_fraud_voids_the_credit_and_the_used_part_is_owed_back(xiaoqi_factory, xiaoqi_engine):
    reg = build(xiaoqi_factory)
    _accrue(xiaoqi_engine, 2022)
    xiaoqi_factory.record("inc_revocations", uscc=reg.firm.uscc, revoked_on=dt.date(2023, 5, 10), fraud=True, void_from_year=2022,
                          document_no="发改〔2023〕1号")
    xiaoqi_factory.record("inc_investments", uscc=reg.firm.uscc, year=2023, category="设备", amount=Decimal("50000.00"), evidence="SB-2023")
    _accrue(xiaoqi_engine, 2023)
    assert _credit(xiaoqi_engine, reg.firm.uscc)[2023] == (-2600015, 0)
    reversals = _lines(xiaoqi_engine, line_type="reversal")
    assert [l["amount_fen"] for l in reversals] == [-3000000, -600015, 1000000]
    assert all("认定撤销（2023-05-10）" in l["note"] for l in reversals)
    assert [(l["account"], l["amount_fen"], l["vintage"]) for l in _lines(xiaoqi_engine, line_type="voided")] == [("repayable", 1000000, 2022)]
    assert not [l for l in _lines(xiaoqi_engine, line_type="earned") if l["vintage"] == 2023]  # nothing earned after it
    assert _accrue(xiaoqi_engine, 2023).lines == []


class Exploding:
    @hookimpl
    def xiaoqi_intern_subsidy_schemes(self):
        def cases(ctx, year):
            raise RuntimeError("the scheme's source went away")

        return [{"id": "boom", "name": ("测试", "test"), "region": "", "params": (), "cases": cases}]


@BOTH
def test_a_crash_in_the_middle_of_accrue_leaves_no_line(xiaoqi_factory, xiaoqi_engine):
    build(xiaoqi_factory)
    get_plugin_manager().register(Exploding(), name="exploding")
    with pytest.raises(RuntimeError, match="went away"):
        _accrue(xiaoqi_engine, 2022)  # the credit lines were already inserted when the schemes ran
    assert _lines(xiaoqi_engine) == []
    with xiaoqi_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM audit_log WHERE kind = 'inc_lines'")).scalar() == 0


def test_only_an_admin_accrues(xiaoqi_factory, xiaoqi_engine):
    reg = build(xiaoqi_factory)
    from xiaoqi.core.actors import Actor

    for actor in (AUDITOR, Actor("enterprise", reg.firm.uscc)):
        with pytest.raises(PermissionDenied):
            _accrue(xiaoqi_engine, 2022, actor=actor)
    assert _lines(xiaoqi_engine) == []


@BOTH
def test_the_industrial_colleges_investment_is_credited_through_their_hook(xiaoqi_factory, xiaoqi_engine, monkeypatch):
    from xiaoqi.core.services import update_record

    from .ic_data import build as build_colleges
    from .switch import plugin_loaded

    reg = build_colleges(xiaoqi_factory)
    with write_session(xiaoqi_engine) as session:
        update_record(session, actor=ADMIN, kind="enterprises", key=reg.a.uscc,
                      changes={"pce_certified": True, "pce_level": "国家级", "pce_certified_on": dt.date(2023, 1, 1)})
    _accrue(xiaoqi_engine, 2024)
    earned = _lines(xiaoqi_engine, line_type="earned")
    # 30% of 500,000.00, 1,200,000.50 and 100,000.00 in the colleges; b is not certified and earns nothing
    assert sorted((l["source_kind"], l["amount_fen"]) for l in earned) == [
        ("ic_investments", 3000000), ("ic_investments", 15000000), ("ic_investments", 36000015)]
    assert all(l["source_key"].endswith(("HT-2024-01", "SB-2024-02", "HT-C2-2024")) for l in earned)
    plugin_loaded(monkeypatch, "industrial_college", False)  # without the plugin: no hook, nothing more
    assert _accrue(xiaoqi_engine, 2024).lines == []

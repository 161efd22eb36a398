"""The INC-… rules, each with a finding and without one, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from xiaoqi.core.plugins import get_plugin_manager

from .inc_data import AdvanceShare, build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def _findings(xiaoqi_cli, rule):
    out = xiaoqi_cli("check", "--format", "json", "--rule", rule)
    assert out.exit_code in (0, 1), out.stderr
    return out.json["findings"]


RAW = ("INSERT INTO inc_lines (uscc, account, line_type, period, entry_date, amount_fen, vintage, scheme, source_kind, source_key, actor, recorded_at) "
       "VALUES (:u, 'credit', :t, :p, :d, :f, :v, 'pce', 'test', 'test', 'admin', :at)")


def _raw(engine, **values):
    values.setdefault("at", dt.datetime(2026, 1, 1))
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO inc_periods (year) SELECT :p WHERE NOT EXISTS (SELECT 1 FROM inc_periods WHERE year = :p)"),
                     {"p": values["p"]})
        conn.execute(sa.text(RAW), values)


@BOTH
def test_credit_rules(xiaoqi_factory, xiaoqi_cli, xiaoqi_engine):
    reg = build(xiaoqi_factory)
    xiaoqi_cli("incentives", "accrue", "--year", "2022")
    for rule in ("INC-CREDIT-BEYOND", "INC-REVOKED-EARNING", "INC-RECERT", "INC-CLOSED-LATER"):
        assert _findings(xiaoqi_cli, rule) == [], rule
    # a use written past the service: more than the 26,000.15 left of 2022
    _raw(xiaoqi_engine, u=reg.firm.uscc, t="used", p=2023, d=dt.date(2023, 12, 31), f=-2600016, v=2022)
    [beyond] = _findings(xiaoqi_cli, "INC-CREDIT-BEYOND")
    assert beyond["subject_key"] == reg.firm.uscc and "-0.01" in beyond["message"] and beyond["numbers"]["vintage"] == 2022
    # revoked in 2022 with the 2022 credit standing; certified again in 2025, within 5 years
    xiaoqi_factory.record("inc_revocations", uscc=reg.firm.uscc, revoked_on=dt.date(2022, 11, 1), fraud=False)
    [revoked] = _findings(xiaoqi_cli, "INC-REVOKED-EARNING")
    assert revoked["numbers"] == {"vintage": 2022, "earned_fen": 3600015}
    from xiaoqi.core.actors import ADMIN
    from xiaoqi.core.db import write_session
    from xiaoqi.core.services import update_record

    with write_session(xiaoqi_engine) as session:
        update_record(session, actor=ADMIN, kind="enterprises", key=reg.firm.uscc, changes={"pce_certified_on": dt.date(2025, 3, 1)})
    [recert] = _findings(xiaoqi_cli, "INC-RECERT")
    assert "2022-11-01" in recert["message"] and "2025-03-01" in recert["message"]
    with write_session(xiaoqi_engine) as session:
        update_record(session, actor=ADMIN, kind="enterprises", key=reg.firm.uscc, changes={"pce_certified_on": dt.date(2027, 11, 1)})
    assert _findings(xiaoqi_cli, "INC-RECERT") == []  # five years on: allowed


@BOTH
def test_a_line_recorded_after_its_period_closed_is_found(xiaoqi_factory, xiaoqi_cli, xiaoqi_engine):
    firm = xiaoqi_factory.enterprise()
    _raw(xiaoqi_engine, u=firm.uscc, t="earned", p=2023, d=dt.date(2023, 6, 1), f=100, v=2023, at=dt.datetime(2099, 1, 1))
    assert xiaoqi_cli("incentives", "close-period", "2023", "--on", "2024-01-31").exit_code == 0
    [found] = _findings(xiaoqi_cli, "INC-CLOSED-LATER")
    assert found["subject_key"] == "2023" and "2099-01-01" in found["message"]


@BOTH
def test_a_subsidy_paid_on_a_case_whose_steps_no_longer_pass(xiaoqi_factory, xiaoqi_cli, xiaoqi_engine):
    reg = build(xiaoqi_factory)
    get_plugin_manager().register(AdvanceShare(region=reg.firm.region[:2], wage="2490"), name="advance-share")
    xiaoqi_cli("incentives", "accrue", "--year", "2022")
    case = f"apprentice/{reg.firm.uscc}/{reg.apprentice.id_number}/2022"
    for args in (("approve", case), ("pay", case)):
        out = xiaoqi_cli("incentives", *args)
        assert out.exit_code == 0, out.stderr
    assert _findings(xiaoqi_cli, "INC-SUBSIDY-STEPS") == []
    assert xiaoqi_cli("records", "set", "inc_training", f"{reg.apprentice.id_number}/{reg.firm.uscc}/2021-09-01/2022",
                      "hours=399").exit_code == 0
    [found] = _findings(xiaoqi_cli, "INC-SUBSIDY-STEPS")
    assert found["numbers"] == {"paid_fen": 500000, "failed": ["training"]} and "399 学时" in found["message"]
    assert reg.apprentice.id_number not in found["message"]
    assert Decimal(found["numbers"]["paid_fen"]) / 100 == Decimal("5000")

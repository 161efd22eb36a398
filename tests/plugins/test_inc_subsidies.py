"""The apprenticeship subsidy (企业新型学徒制): eligibility as named steps with reasons, audited
overrides, claim → advance → approve → pay, and the clawback of an advance when the
apprenticeship stops early — through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from xiaoqi.core.plugins import get_plugin_manager

from .inc_data import AdvanceShare, build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def _case(reg, internship, year):
    return f"apprentice/{reg.firm.uscc}/{internship.id_number}/{year}"


@BOTH
def test_steps_overrides_approval_payment_and_clawback(xiaoqi_factory, xiaoqi_cli, xiaoqi_engine):
    reg = build(xiaoqi_factory)
    region = reg.firm.region
    get_plugin_manager().register(AdvanceShare(region=region[:2]), name="advance-share")
    steps = xiaoqi_cli("incentives", "eligibility", "--year", "2022", "--format", "json").json
    first = next(c for c in steps if c["case"] == _case(reg, reg.apprentice, 2022))
    assert first["verdict"] == "unknown" and first["amount"] == "5000.00"  # the national floor from 2021
    by_step = {s["step"]: (s["status"], s["reason"]) for s in first["steps"]}
    assert by_step["contract"][0] == by_step["training"][0] == by_step["duration"][0] == by_step["not_claimed"][0] == "pass"
    assert by_step["pay"] == ("unknown", f"地区 {region} 未设置最低工资标准（INC-SUBSIDY-STEPS min_wage）")
    assert "450 学时" in by_step["training"][1]
    accrued = xiaoqi_cli("incentives", "accrue", "--year", "2022", "--format", "json").json
    assert accrued["by_type"]["claimed"] == 2
    case = _case(reg, reg.apprentice, 2022)
    refused = xiaoqi_cli("incentives", "approve", case)
    assert refused.exit_code != 0 and "未全部通过" in refused.stderr and "最低工资" in refused.stderr
    # an enterprise may not override; an admin may, and it is audited like every record
    override = ["records", "add", "inc_overrides", f"case_key={case}", "step=pay", f"uscc={reg.firm.uscc}", "passed=是",
                "reason=劳动合同约定月薪 4500 元，高于当地最低工资（人社局核实）", "decided_on=2023-01-05"]
    assert xiaoqi_cli("--as", f"enterprise:{reg.firm.uscc}", *override).exit_code != 0
    assert xiaoqi_cli(*override).exit_code == 0
    with xiaoqi_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM audit_log WHERE kind = 'inc_overrides' AND action = 'create'")).scalar() == 1
    advance = xiaoqi_cli("incentives", "pay", case, "--advance", "--on", "2023-01-10")
    assert advance.exit_code == 0, advance.stderr
    assert "2,500.00" in advance.output
    again = xiaoqi_cli("incentives", "pay", case, "--advance", "--on", "2023-01-11")
    assert again.exit_code != 0 and "预拨上限" in again.stderr
    assert xiaoqi_cli("incentives", "approve", case, "--on", "2023-02-01").exit_code == 0
    paid = xiaoqi_cli("incentives", "pay", case, "--on", "2023-02-10")
    assert paid.exit_code == 0 and "2,500.00" in paid.output
    assert xiaoqi_cli("incentives", "pay", case).exit_code != 0  # paid in full
    # the second apprentice got an advance, then stopped early: the advance is clawed back
    stop_case = _case(reg, reg.stopper, 2022)
    assert xiaoqi_cli("incentives", "pay", stop_case, "--advance", "--on", "2023-01-10").exit_code == 0
    assert xiaoqi_cli("records", "set", "inc_apprentices", f"{reg.stopper.id_number}/{reg.firm.uscc}/2022-03-01",
                      "stopped_on=2023-04-30").exit_code == 0
    later = xiaoqi_cli("incentives", "accrue", "--year", "2023", "--format", "json").json
    claw = [l for l in later["posted"] if l["line_type"] == "clawed_back"]
    assert [(l["case_key"], l["amount"], str(l["entry_date"])[:10]) for l in claw] == [(stop_case, "-2500.00", "2023-04-30")]
    balance = {r["account"]: r["balance"] for r in xiaoqi_cli("incentives", "balance", "--enterprise", reg.firm.uscc, "--year", "2023",
                                                                "--format", "json").json}
    assert balance["paid"] == "5000.00" and balance["approved"] == "5000.00" and balance["claimed"] == "15000.00"  # the stopped apprenticeship claims nothing for 2023


def test_a_failed_step_stops_a_claim_and_a_school_sees_its_students_cases_masked(xiaoqi_factory, xiaoqi_cli):
    reg = build(xiaoqi_factory)
    xiaoqi_factory.record("inc_training", id_number=reg.apprentice.id_number, uscc=reg.firm.uscc, start_on=dt.date(2021, 9, 1),
                          year=2023, hours=120)
    xiaoqi_cli("incentives", "accrue", "--year", "2023")
    case = _case(reg, reg.apprentice, 2023)
    steps = {c["case"]: c for c in xiaoqi_cli("incentives", "eligibility", "--year", "2023", "--format", "json").json}
    assert steps[case]["verdict"] == "fail"
    claim = xiaoqi_cli("--as", f"enterprise:{reg.firm.uscc}", "incentives", "claim", case)
    assert claim.exit_code != 0 and "年培训学时达标（2023 年培训 120 学时，要求 400 学时）" in claim.stderr
    school = reg.apprentice.school_code
    seen = xiaoqi_cli("--as", f"school:{school}", "incentives", "eligibility", "--year", "2023", "--format", "json").json
    assert seen and all(reg.apprentice.id_number not in c["case"] and "********" in c["case"] for c in seen)
    other = xiaoqi_cli("--as", f"enterprise:{reg.other.uscc}", "incentives", "eligibility", "--year", "2023", "--format", "json").json
    assert other == []
    assert xiaoqi_cli("--as", "auditor", "incentives", "claim", case).exit_code != 0

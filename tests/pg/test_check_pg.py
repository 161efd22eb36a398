"""The rule engine on PostgreSQL: the same registry gives the same findings on both databases."""

from __future__ import annotations

import pytest

from tests.rules_data import ENTERPRISE, D, World
from xiaoqi.core.rules import run_check

pytestmark = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def _build(world: World, session) -> dict[str, set[str]]:
    """One violation (and its compliant boundary twin) for every rule; returns rule -> expected keys."""
    import sqlalchemy as sa

    from xiaoqi.core import models as m

    session.execute(sa.update(m.Enterprise).values(staff_count=100))
    world.position(ENTERPRISE, "H01", hazardous=True, staff=1)
    world.internship(birth=D(2009, 9, 1))
    student = world.student()
    first = world.internship(student=student, end_on=D(2025, 12, 31))
    expected = {
        "INT-AGE-MIN": {world.internship(birth=D(2009, 9, 2))},
        "INT-GRADE1": {world.internship(enrolled=D(2024, 9, 2), start_on=D(2025, 8, 31))},
        "INT-DURATION": {world.internship(end_on=D(2026, 3, 1))},
        "INT-PAY-MIN": {world.internship(monthly_pay="3999.99")},
        "INT-FEES-BAN": {world.internship(fees_charged="培训费")},
        "INT-CONSENT": {world.internship(guardian_signed=False)},
        "INT-AGREEMENT": {world.internship(agreement_signed_on=D(2025, 9, 2))},
        "INT-INSURANCE": {world.internship(insured=False)},
        "INT-HOURS": {world.internship(holiday_work=True)},
        "INT-HAZARD": {world.internship(position_code="H01")},
        "INT-AGENCY-BAN": {world.internship(via_agency=True)},
        "INT-FILING": {world.internship(work_region="440300")},
        "INT-OVERLAP": {first, world.internship(student=student, start_on=D(2025, 12, 31), insured=False)},
    }
    for _ in range(2):
        world.internship()
    expected["INT-RATIO-ENTERPRISE"] = {ENTERPRISE}
    expected["INT-RATIO-POST"] = {f"{ENTERPRISE}/H01"}
    return expected


def test_findings_match_on_both_databases(xiaoqi_session):
    world = World(xiaoqi_session)
    expected = _build(world, xiaoqi_session)
    result = run_check(xiaoqi_session)
    found: dict[str, set[str]] = {}
    for f in result.findings:
        found.setdefault(f.rule, set()).add(f.subject_key)
    for rule, keys in expected.items():
        assert found.get(rule, set()) >= keys, rule
    assert {f.subject_key for f in result.findings if f.rule == "INT-AGE-MIN"} == expected["INT-AGE-MIN"]
    ratio = next(f for f in result.findings if f.rule == "INT-RATIO-ENTERPRISE")
    assert ratio.dates and ratio.numbers["interns"] > 10
    gap = next(f for f in result.findings if f.rule == "INT-INSURANCE")
    assert gap.dates == [(D(2025, 9, 1), D(2026, 2, 28))]


def test_regional_override_on_both_databases(xiaoqi_session):
    world = World(xiaoqi_session)
    gx = "4145000001"
    world.school(gx, "450100")
    world.agreement(gx, world.uscc)
    fee = world.internship(school_code=gx, fees_charged="实习交通费")
    world.internship(fees_charged="无")
    medical = world.internship(school_code=gx, major="520201", end_on=D(2026, 6, 30))
    [found] = run_check(xiaoqi_session, rules=["INT-FEES-BAN"]).findings
    assert found.subject_key == fee and found.numbers["fee_categories"] == ["实习交通费"]
    assert medical not in {f.subject_key for f in run_check(xiaoqi_session, rules=["INT-DURATION"]).findings}
    config = {"params": {"INT-RATIO-ENTERPRISE": {"max_share": [{"region": "32", "valid_from": "2025-10-01", "value": "0.5"}]}}}
    assert run_check(xiaoqi_session, rules=["INT-RATIO-ENTERPRISE"], config=config).findings == []

"""Every national rule: a violating case, a compliant case and the boundary, on a fresh database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.rules_data import ENTERPRISE, POLICY, SCHOOL, D, World, findings, keys, make_uscc
from xiaoqi.core import models as m
from xiaoqi.core.rules import run_check


@pytest.fixture
def world(xiaoqi_session):
    return World(xiaoqi_session)


def test_a_compliant_internship_has_no_findings(world, xiaoqi_session):
    world.internship()
    result = run_check(xiaoqi_session)
    assert result.findings == []
    assert "INT-INSURANCE" in result.rules_run and "JS-PAY-HOURLY" not in result.rules_run


# -- INT-AGE-MIN ---------------------------------------------------------------------------------

def test_age_min(world, xiaoqi_session):
    start = D(2025, 9, 1)
    under = world.internship(birth=D(2009, 9, 2))            # 16 tomorrow
    birthday = world.internship(birth=D(2009, 9, 1))         # 16th birthday on the start date
    world.internship(birth=D(2009, 9, 2), kind="认识实习", position_code=None, monthly_pay=None)  # not on-post
    found = findings(xiaoqi_session, "INT-AGE-MIN")
    assert [f.subject_key for f in found] == [under]
    assert found[0].numbers["age"] == 15 and found[0].numbers["min_age"] == 16
    assert "15 周岁" in found[0].message and start.isoformat() in found[0].message
    assert birthday not in keys(xiaoqi_session, "INT-AGE-MIN")


def test_age_min_leap_day_birth(world, xiaoqi_session):
    # born 29 Feb 2008: 16 on 29 Feb 2024 (a leap year), so a start that day is allowed
    ok = world.internship(birth=D(2008, 2, 29), start_on=D(2024, 2, 29), end_on=D(2024, 6, 30))
    assert ok not in keys(xiaoqi_session, "INT-AGE-MIN")


# -- INT-GRADE1 ----------------------------------------------------------------------------------

def test_first_year(world, xiaoqi_session):
    # the first school year of a student enrolled in September 2024 ends on 2025-08-31
    bad = world.internship(enrolled=D(2024, 9, 2), start_on=D(2025, 8, 31))
    second_year = world.internship(enrolled=D(2024, 9, 2))          # starts 2025-09-01: the next school year
    boundary = world.internship(enrolled=D(2024, 9, 1))
    found = findings(xiaoqi_session, "INT-GRADE1")
    assert [f.subject_key for f in found] == [bad]
    assert second_year not in [f.subject_key for f in found] and boundary not in [f.subject_key for f in found]
    assert found[0].numbers["first_year_until"] == D(2025, 8, 31)


# -- INT-DURATION ---------------------------------------------------------------------------------

def test_duration(world, xiaoqi_session):
    six = world.internship(start_on=D(2025, 9, 1), end_on=D(2026, 2, 28))         # exactly six months
    one_more = world.internship(start_on=D(2025, 9, 1), end_on=D(2026, 3, 1))      # one day more
    clamped = world.internship(start_on=D(2025, 8, 31), end_on=D(2026, 2, 27))     # 31 Aug + 6 months = 28 Feb
    found = findings(xiaoqi_session, "INT-DURATION")
    assert [f.subject_key for f in found] == [one_more]
    assert found[0].severity == "warning" and found[0].numbers["max_months"] == 6
    assert six not in keys(xiaoqi_session, "INT-DURATION") and clamped not in keys(xiaoqi_session, "INT-DURATION")


# -- INT-PAY-MIN ---------------------------------------------------------------------------------

def test_pay_min_share(world, xiaoqi_session):
    exact = world.internship(monthly_pay="4000.00")          # exactly 80 % of 5000
    low = world.internship(monthly_pay="3999.99")
    found = findings(xiaoqi_session, "INT-PAY-MIN")
    assert [f.subject_key for f in found] == [low]
    assert found[0].numbers["required"] == Decimal("4000.00") and found[0].numbers["pay"] == Decimal("3999.99")
    assert "80%" in found[0].message
    assert exact not in keys(xiaoqi_session, "INT-PAY-MIN")


def test_pay_min_cycle_and_directness(world, xiaoqi_session):
    monthly = world.internship(pay_cycle_days=31)
    slow = world.internship(pay_cycle_days=32)
    indirect = world.internship(paid_directly=False)
    found = {f.subject_key: f for f in findings(xiaoqi_session, "INT-PAY-MIN")}
    assert set(found) == {slow, indirect} and monthly not in found
    assert found[slow].numbers["pay_cycle_days"] == 32
    assert "直接支付" in found[indirect].message


# -- INT-FEES-BAN ---------------------------------------------------------------------------------

def test_fees(world, xiaoqi_session):
    deposit = world.internship(fees_charged="工服费、押金")
    other = world.internship(fees_charged="工服费")           # not named by the rule, banned all the same
    world.internship(fees_charged=None)
    found = {f.subject_key: f for f in findings(xiaoqi_session, "INT-FEES-BAN")}
    assert set(found) == {deposit, other}
    assert found[deposit].numbers["fees"] == ["工服费", "押金"]
    assert found[deposit].numbers["fee_categories"] == [None, "押金"]
    assert "工服费（其他形式的实习费用）" in found[other].message


# -- INT-CONSENT / INT-AGREEMENT --------------------------------------------------------------------

def test_consent(world, xiaoqi_session):
    start = D(2025, 9, 1)
    on_day = world.internship(consent_signed_on=start)
    late = world.internship(consent_signed_on=start + dt.timedelta(days=1))
    no_guardian = world.internship(guardian_signed=False)
    missing = world.internship(consent_signed_on=None)
    assert keys(xiaoqi_session, "INT-CONSENT") == sorted([late, no_guardian, missing])
    assert on_day not in keys(xiaoqi_session, "INT-CONSENT")


def test_agreement(world, xiaoqi_session):
    start = D(2025, 9, 1)
    on_day = world.internship(agreement_signed_on=start)
    late = world.internship(agreement_signed_on=start + dt.timedelta(days=1))
    missing = world.internship(agreement_signed_on=None)
    assert keys(xiaoqi_session, "INT-AGREEMENT") == sorted([late, missing])
    assert on_day not in keys(xiaoqi_session, "INT-AGREEMENT")


# -- INT-HOURS / INT-HAZARD / INT-VENUE-BAN / INT-AGENCY-BAN ----------------------------------------

def test_hours(world, xiaoqi_session):
    night = world.internship(night_shift=True)
    filed = world.internship(night_shift=True, holiday_work=True, exception_filed_on=D(2025, 8, 20))
    found = findings(xiaoqi_session, "INT-HOURS")
    assert [f.subject_key for f in found] == [night]
    assert filed not in [f.subject_key for f in found] and "夜班" in found[0].message


def test_hazard(world, xiaoqi_session):
    world.position(ENTERPRISE, "H01", hazardous=True)
    world.position(ENTERPRISE, "M01", barred_for_minors=True)
    risky = world.internship(position_code="H01")
    minor = world.internship(position_code="M01", birth=D(2007, 9, 2))        # 18 the day after the start
    adult = world.internship(position_code="M01", birth=D(2007, 9, 1))        # 18th birthday on the start date
    assert keys(xiaoqi_session, "INT-HAZARD") == sorted([risky, minor])
    assert adult not in keys(xiaoqi_session, "INT-HAZARD")


def test_venue_ban(world, xiaoqi_session):
    ktv = make_uscc("91320100MA1KTW000")
    world.enterprise(ktv, "320100", industry="9011")
    world.position(ktv, "P001")
    world.agreement(SCHOOL, ktv)
    bad = world.internship(uscc=ktv)
    world.internship()
    found = findings(xiaoqi_session, "INT-VENUE-BAN")
    assert [f.subject_key for f in found] == [bad] and found[0].numbers["industry_code"] == "9011"


def test_agency_ban(world, xiaoqi_session):
    bad = world.internship(via_agency=True)
    world.internship(via_agency=None)
    assert keys(xiaoqi_session, "INT-AGENCY-BAN") == [bad]


# -- INT-MAJOR-MATCH / INT-UNIT-VETTED / INT-FILING / INT-OVERLAP --------------------------------------

def test_major_match(world, xiaoqi_session):
    world.position(ENTERPRISE, "N01", category="52")
    world.position(ENTERPRISE, "X01", category=None)
    mismatch = world.internship(position_code="N01")                     # student's category is 46
    nursing = world.internship(position_code="N01", major="520201")
    world.internship(position_code="X01")                                 # the post names no category
    found = findings(xiaoqi_session, "INT-MAJOR-MATCH")
    assert [f.subject_key for f in found] == [mismatch] and found[0].severity == "warning"
    assert nursing not in [f.subject_key for f in found]


def test_unit_vetted(world, xiaoqi_session):
    late_firm, fresh_firm = make_uscc("91320100MA1LATE00"), make_uscc("91320100MA1NEW000")
    for firm, vetted in ((late_firm, D(2025, 9, 2)), (fresh_firm, D(2025, 9, 1))):
        world.enterprise(firm, "320100")
        world.position(firm, "P001")
        world.agreement(SCHOOL, firm, vetted_on=vetted)
    first = world.internship(uscc=late_firm)                               # vetted a day after the first start
    world.internship(uscc=late_firm, start_on=D(2025, 10, 1))             # later ones are not the first
    world.internship(uscc=fresh_firm)                                       # vetted on the start date
    found = findings(xiaoqi_session, "INT-UNIT-VETTED")
    assert [f.subject_key for f in found] == [first]
    assert found[0].numbers == {"first_internship_on": D(2025, 9, 1), "vetted_on": D(2025, 9, 2)}


def test_filing(world, xiaoqi_session):
    away = world.internship(work_region="330100")
    filed = world.internship(work_region="330100", filing_approved_on=D(2025, 9, 1))
    late = world.internship(work_region="330100", filing_approved_on=D(2025, 9, 2))
    world.internship(work_region="320500")                                  # same province
    assert keys(xiaoqi_session, "INT-FILING") == sorted([away, late])
    assert filed not in keys(xiaoqi_session, "INT-FILING")


def test_overlap(world, xiaoqi_session):
    student = world.student()
    first = world.internship(student=student, end_on=D(2025, 12, 31))
    second = world.internship(student=student, start_on=D(2025, 12, 31), end_on=D(2026, 3, 31), insured=False)
    other = world.student()
    world.internship(student=other, end_on=D(2025, 12, 31))
    world.internship(student=other, start_on=D(2026, 1, 1), end_on=D(2026, 3, 31), insured=False)  # back to back
    found = {f.subject_key: f for f in findings(xiaoqi_session, "INT-OVERLAP")}
    assert set(found) == {first, second}
    assert found[first].dates == [(D(2025, 12, 31), D(2025, 12, 31))] and found[first].numbers["other"] == second


# -- INT-INSURANCE / INT-INS-PREMIUM -------------------------------------------------------------

def test_insurance_gaps_union_of_policies(world, xiaoqi_session):
    world.policy("A", holder=SCHOOL, start=D(2025, 9, 1), end=D(2025, 10, 31))
    world.policy("B", holder=SCHOOL, start=D(2025, 11, 2), end=D(2025, 12, 31))   # 1 Nov uncovered
    world.policy("C", holder=SCHOOL, start=D(2025, 12, 1), end=D(2026, 2, 27))    # overlaps B; 28 Feb uncovered
    world.policy("ACC", holder=SCHOOL, start=D(2025, 1, 1), end=D(2026, 12, 31), kind="意外伤害保险")
    gappy = world.internship(insured=False)
    for no in ("A", "B", "C", "ACC"):
        world.insure(no, gappy.split("/")[0])
    found = findings(xiaoqi_session, "INT-INSURANCE")
    assert [f.subject_key for f in found] == [gappy]
    assert found[0].dates == [(D(2025, 11, 1), D(2025, 11, 1)), (D(2026, 2, 28), D(2026, 2, 28))]
    assert found[0].numbers == {"gaps": 2, "days_uncovered": 2}


def test_insurance_insured_dates_and_no_cover(world, xiaoqi_session):
    covered = world.internship()
    nothing = world.internship(insured=False)
    student = world.student()
    short = world.internship(student=student, insured=False)
    world.insure(POLICY, student, start=D(2025, 9, 5), end=None)                 # joins the policy late
    found = {f.subject_key: f for f in findings(xiaoqi_session, "INT-INSURANCE")}
    assert set(found) == {nothing, short} and covered not in found
    assert found[nothing].dates == [(D(2025, 9, 1), D(2026, 2, 28))] and "没有实习责任保险" in found[nothing].message
    assert found[short].dates == [(D(2025, 9, 1), D(2025, 9, 4))]


def test_insurance_minimum_cover_is_a_setting(world, xiaoqi_session):
    key = world.internship()
    assert keys(xiaoqi_session, "INT-INSURANCE") == []
    config = {"params": {"INT-INSURANCE": {"min_cover_per_student": "600000"}}}
    assert keys(xiaoqi_session, "INT-INSURANCE", config=config) == [key]


def test_premium_paid_by_student(world, xiaoqi_session):
    world.policy("STU", holder=SCHOOL, start=D(2025, 9, 1), end=D(2025, 12, 31), kind="意外伤害保险", payer="学生")
    world.policy("OLD", holder=SCHOOL, start=D(2024, 1, 1), end=D(2024, 12, 31), kind="意外伤害保险", payer="学生")
    paid = world.internship()
    before = world.internship()
    world.insure("STU", paid.split("/")[0])
    world.insure("OLD", before.split("/")[0])                                    # not during the internship
    found = findings(xiaoqi_session, "INT-INS-PREMIUM")
    assert [f.subject_key for f in found] == [paid] and found[0].numbers["policy_no"] == "STU"


# -- INT-RATIO-ENTERPRISE / INT-RATIO-POST ---------------------------------------------------------

def _staff(session, *, enterprise: int | None = None, post: int | None = None) -> None:
    if enterprise is not None:
        session.execute(sa.update(m.Enterprise).values(staff_count=enterprise))
    if post is not None:
        session.execute(sa.update(m.Position).values(staff_count=post))


def test_ratio_enterprise_exactly_ten_percent_passes(world, xiaoqi_session):
    _staff(xiaoqi_session, enterprise=100, post=1000)
    for _ in range(10):
        world.internship()
    assert keys(xiaoqi_session, "INT-RATIO-ENTERPRISE") == []


def test_ratio_enterprise_peak_day_and_days_exceeded(world, xiaoqi_session):
    _staff(xiaoqi_session, enterprise=100, post=1000)
    for _ in range(10):
        world.internship()
    world.internship(start_on=D(2025, 10, 1), end_on=D(2025, 10, 3))
    world.internship(start_on=D(2025, 10, 2), end_on=D(2025, 10, 2))
    world.internship(start_on=D(2025, 11, 5), end_on=D(2025, 11, 5))
    world.internship(kind="认识实习", position_code=None, monthly_pay=None, start_on=D(2025, 10, 1), end_on=D(2025, 10, 31))
    found = findings(xiaoqi_session, "INT-RATIO-ENTERPRISE")
    assert len(found) == 1
    f = found[0]
    assert (f.subject_kind, f.subject_key) == ("enterprises", ENTERPRISE)
    assert f.numbers["interns"] == 12 and f.numbers["staff"] == 100 and f.numbers["peak_day"] == D(2025, 10, 2)
    assert f.dates == [(D(2025, 10, 1), D(2025, 10, 3)), (D(2025, 11, 5), D(2025, 11, 5))]
    assert f.numbers["days_exceeded"] == 4
    assert "12" in f.message and "12%" in f.message and "2025-10-02" in f.message
    # --on narrows to internships active that day
    assert keys(xiaoqi_session, "INT-RATIO-ENTERPRISE", on=D(2025, 10, 20)) == []
    assert keys(xiaoqi_session, "INT-RATIO-ENTERPRISE", on=D(2025, 11, 5)) == [ENTERPRISE]


def test_ratio_post(world, xiaoqi_session):
    _staff(xiaoqi_session, post=10)
    world.position(ENTERPRISE, "P002", staff=10)
    world.internship()
    world.internship()                                                         # 2 / 10 = 20 %: allowed
    world.internship(position_code="P002")
    world.internship(position_code="P002")
    world.internship(position_code="P002", start_on=D(2026, 2, 1))             # 3 / 10 from 1 Feb
    found = findings(xiaoqi_session, "INT-RATIO-POST")
    assert [(f.subject_kind, f.subject_key) for f in found] == [("positions", f"{ENTERPRISE}/P002")]
    assert found[0].dates == [(D(2026, 2, 1), D(2026, 2, 28))] and found[0].numbers["interns"] == 3


def test_ratio_regional_override_from_its_date(world, xiaoqi_session):
    _staff(xiaoqi_session, enterprise=100, post=1000)
    for _ in range(11):
        world.internship()                                                     # 11 % from 2025-09-01
    national = keys(xiaoqi_session, "INT-RATIO-ENTERPRISE")
    assert national == [ENTERPRISE]
    later = {"params": {"INT-RATIO-ENTERPRISE": {"max_share": [{"region": "32", "valid_from": "2025-12-01", "value": "0.12"}]}}}
    f = findings(xiaoqi_session, "INT-RATIO-ENTERPRISE", config=later)[0]
    assert f.dates == [(D(2025, 9, 1), D(2025, 11, 30))]                        # 12 % allowed from 1 Dec
    other_province = {"params": {"INT-RATIO-ENTERPRISE": {"max_share": [{"region": "33", "value": "0.12"}]}}}
    assert keys(xiaoqi_session, "INT-RATIO-ENTERPRISE", config=other_province) == [ENTERPRISE]


# -- scope ------------------------------------------------------------------------------------

def test_school_and_enterprise_filters(world, xiaoqi_session):
    other_school = "4132099999"
    world.school(other_school, "320500")
    world.agreement(other_school, ENTERPRISE)
    mine = world.internship(via_agency=True)
    theirs = world.internship(via_agency=True, school_code=other_school)
    assert keys(xiaoqi_session, "INT-AGENCY-BAN", school=SCHOOL) == [mine]
    assert keys(xiaoqi_session, "INT-AGENCY-BAN", school=other_school) == [theirs]
    assert keys(xiaoqi_session, "INT-AGENCY-BAN", enterprise=make_uscc("91320100MA1YYYYY0")) == []
    assert keys(xiaoqi_session, "INT-AGENCY-BAN", on=D(2026, 3, 1)) == []

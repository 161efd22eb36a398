"""The X-… rules on SQLite and PostgreSQL: for each, a case it reports (positive), a case it lets
pass (negative) and the edge where one becomes the other (boundary); the rate rules are off until
xiaoqi.toml sets their parameter (no national figure); findings follow --school."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaoqi.core.actors import ADMIN
from xiaoqi.core.db import write_session
from xiaoqi.core.services import update_record

from .onex_data import CHECK_DAY, SESSION, build

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
pytestmark = BOTH
DAY = CHECK_DAY.isoformat()


@pytest.fixture
def reg(xiaoqi_factory):
    return build(xiaoqi_factory)


@pytest.fixture
def check(xiaoqi_cli, tmp_path):
    """``check(rule, *args, as_of=DAY, params=...)`` → (findings, the whole JSON)."""

    def run(rule: str, *args, as_of: str = DAY, params: str | None = None):
        head = []
        if params is not None:
            config = tmp_path / "xiaoqi.toml"
            config.write_text(f'[params."{rule}"]\n{params}\n', encoding="utf-8")
            head += ["--config", config]
        result = xiaoqi_cli(*head, "check", "--rule", rule, "--as-of", as_of, "--format", "json", *args)
        assert result.exit_code in (0, 1), result.stderr
        return result.json["findings"], result.json

    return run


@pytest.fixture
def change(xiaoqi_engine):
    def run(kind: str, key: str, **changes):
        with write_session(xiaoqi_engine) as session:
            update_record(session, actor=ADMIN, kind=kind, key=key, changes=changes)

    return run


def keys(findings) -> list[str]:
    return [f["subject_key"] for f in findings]


def test_the_register_breaks_no_rule(reg, check):
    for rule in ("X-SITE-NOT-ACCREDITED", "X-SESSION-CAPACITY", "X-ISSUED-WITHOUT-PASS", "X-CONVERSION-NO-CERTIFICATE",
                 "X-CONVERSION-RULE-NOT-IN-FORCE", "X-CONVERSION-TWICE", "X-REGISTRATION-WITHDRAWN", "X-CANDIDATE-WITHDRAWN",
                 "X-FEE-HARDSHIP"):
        assert check(rule)[0] == [], rule


# -- X-SITE-NOT-ACCREDITED: the boundary is a site accredited until the day before -----------------

def test_site_accredited_until_the_day_before_is_reported_and_until_that_day_is_not(reg, check, change):
    change("onex_sites", "ST-A1/WEB-01/中级", accredited_to="2025-06-01")
    assert check("X-SITE-NOT-ACCREDITED")[0] == []  # the last day of the accreditation
    change("onex_sites", "ST-A1/WEB-01/中级", accredited_to="2025-05-31")
    findings, data = check("X-SITE-NOT-ACCREDITED")
    assert keys(findings) == [SESSION] and data["counts"]["errors"] == 1
    assert "ST-A1" in findings[0]["message"] and "2020-01-01 至 2025-05-31" in findings[0]["message"]


def test_site_accredited_from_a_later_day_is_reported(reg, check, change):
    change("onex_sites", "ST-A1/WEB-01/中级", accredited_from="2025-06-02", accredited_to=None)
    assert keys(check("X-SITE-NOT-ACCREDITED")[0]) == [SESSION]
    change("onex_sites", "ST-A1/WEB-01/中级", accredited_from="2025-06-01")
    assert check("X-SITE-NOT-ACCREDITED")[0] == []


# -- X-SESSION-CAPACITY -----------------------------------------------------------------------------

def test_session_over_capacity_is_reported_at_capacity_plus_one(reg, check, change):
    assert check("X-SESSION-CAPACITY")[0] == []  # 4 candidates, capacity 4
    change("onex_sites", "ST-A1/WEB-01/中级", capacity=3)
    findings, _ = check("X-SESSION-CAPACITY")
    assert keys(findings) == [SESSION] and findings[0]["numbers"] == {"candidates": 4, "capacity": 3}


# -- X-ISSUED-WITHOUT-PASS --------------------------------------------------------------------------

def test_issued_without_a_pass_is_reported(reg, xiaoqi_factory, check):
    xiaoqi_factory.record("onex_issued", certificate_no="X-WEB-0009", id_number=reg.s3.id_number, school_code=reg.a.school_code,
                          certificate_code="WEB-01", level="中级", issued_on=dt.date(2025, 7, 1))  # s3 failed
    xiaoqi_factory.record("onex_issued", certificate_no="X-WEB-0010", id_number=reg.s2.id_number, school_code=reg.a.school_code,
                          certificate_code="WEB-01", level="高级", issued_on=dt.date(2025, 7, 1))  # passed 中级, not 高级
    assert keys(check("X-ISSUED-WITHOUT-PASS")[0]) == ["X-WEB-0009", "X-WEB-0010"]


def test_issued_before_the_session_is_reported_and_on_its_day_is_not(reg, check, change):
    change("onex_issued", "X-WEB-0002", issued_on="2025-06-01")
    assert check("X-ISSUED-WITHOUT-PASS")[0] == []
    change("onex_issued", "X-WEB-0002", issued_on="2025-05-31")
    assert keys(check("X-ISSUED-WITHOUT-PASS")[0]) == ["X-WEB-0002"]


# -- conversions ------------------------------------------------------------------------------------

def _convert(factory, reg, student, course="C102", term="2025-2026-1", rule="R-WEB-M", applied_on=dt.date(2025, 9, 10)):
    factory.record("onex_conversions", id_number=student.id_number, school_code=student.school_code, course_code=course, term=term,
                   rule_code=rule, credits="4", exemption="免修", applied_on=applied_on, applied_by="教务处")
    return f"{student.id_number}/{course}/{term}"


def test_conversion_without_a_certificate_at_the_level_is_reported(reg, xiaoqi_factory, check):
    failed = _convert(xiaoqi_factory, reg, reg.s3)  # s3 holds no certificate
    high = _convert(xiaoqi_factory, reg, reg.s2, course="C201", rule="R-IR-H")  # R-IR-H asks IR-01 高级
    assert keys(check("X-CONVERSION-NO-CERTIFICATE")[0]) == sorted([failed, high])


def test_a_higher_level_covers_the_lower_and_the_day_of_issue_counts(reg, xiaoqi_factory, check, change):
    xiaoqi_factory.record("onex_conversion_rules", school_code=reg.a.school_code, rule_code="R-WEB-L", certificate_code="WEB-01",
                          level="初级", course_codes="C100", credits="2", exemption="免考", valid_from=dt.date(2024, 9, 1))
    key = _convert(xiaoqi_factory, reg, reg.s2, course="C100", rule="R-WEB-L", applied_on=dt.date(2025, 7, 1))
    assert check("X-CONVERSION-NO-CERTIFICATE")[0] == []  # 中级 issued that very day covers 初级
    change("onex_issued", "X-WEB-0002", valid_to="2025-07-01")  # valid on its last day
    assert check("X-CONVERSION-NO-CERTIFICATE")[0] == []
    change("onex_conversions", key, applied_on="2025-07-02")  # expired the day before
    assert keys(check("X-CONVERSION-NO-CERTIFICATE")[0]) == [key]


def test_conversion_under_a_rule_not_in_force_is_reported(reg, xiaoqi_factory, check, change):
    key = _convert(xiaoqi_factory, reg, reg.s2, applied_on=dt.date(2025, 9, 10))
    change("onex_conversion_rules", f"{reg.a.school_code}/R-WEB-M", valid_to="2025-09-10")
    assert check("X-CONVERSION-RULE-NOT-IN-FORCE")[0] == []  # its last day
    change("onex_conversion_rules", f"{reg.a.school_code}/R-WEB-M", valid_to="2025-09-09")
    findings, _ = check("X-CONVERSION-RULE-NOT-IN-FORCE")
    assert keys(findings) == sorted([key, f"{reg.s1.id_number}/C101/2025-2026-1"])


def test_a_course_converted_again_in_another_term_is_reported(reg, xiaoqi_factory, check):
    _convert(xiaoqi_factory, reg, reg.s1, course="C102")  # another course: fine
    assert check("X-CONVERSION-TWICE")[0] == []
    again = _convert(xiaoqi_factory, reg, reg.s1, course="C101", term="2025-2026-2", applied_on=dt.date(2026, 3, 1))
    findings, _ = check("X-CONVERSION-TWICE", as_of="2026-03-02")
    assert keys(findings) == [again] and findings[0]["numbers"]["first_term"] == "2025-2026-1"


# -- withdrawn certificates --------------------------------------------------------------------------

def test_registration_for_a_year_after_withdrawal_is_reported(reg, xiaoqi_factory, check):
    for year in (2022, 2023):
        xiaoqi_factory.record("onex_registrations", school_code=reg.a.school_code, certificate_code="OLD-01", level="初级",
                              major_code=reg.s1.major_code, year=year, planned=10)
    findings, _ = check("X-REGISTRATION-WITHDRAWN")
    assert keys(findings) == [f"{reg.a.school_code}/OLD-01/初级/{reg.s1.major_code}/2023"]  # 2022 was its last year


def test_candidate_after_withdrawal_is_reported_and_on_the_last_day_is_not(reg, xiaoqi_factory, check, change):
    xiaoqi_factory.record("onex_sites", site_code="ST-B2", certificate_code="OLD-01", level="初级", name="旧站",
                          school_code=reg.b.school_code, capacity=10, accredited_from=dt.date(2020, 1, 1))
    xiaoqi_factory.record("onex_sessions", session_code="KH-OLD", school_code=reg.b.school_code, site_code="ST-B2",
                          certificate_code="OLD-01", level="初级", held_on=dt.date(2022, 12, 31))
    xiaoqi_factory.record("onex_results", session_code="KH-OLD", id_number=reg.s4.id_number, school_code=reg.b.school_code, passed=False)
    assert check("X-CANDIDATE-WITHDRAWN")[0] == []
    change("onex_sessions", "KH-OLD", held_on="2023-01-01")
    assert keys(check("X-CANDIDATE-WITHDRAWN")[0]) == [f"KH-OLD/{reg.s4.id_number}"]


# -- rates with no national figure -------------------------------------------------------------------

def test_pass_rate_is_off_without_a_parameter_and_compares_exactly(reg, check):
    findings, data = check("X-PASS-RATE")
    assert findings == [] and data["switched_off"][0]["params"] == ["min_pass_rate"]
    # school a: 2 of 3 passed in 2025 (s4 counts for school b)
    findings, _ = check("X-PASS-RATE", params='min_pass_rate = "0.7"')
    assert keys(findings) == [reg.a.school_code] and findings[0]["numbers"]["passes"] == 2
    assert check("X-PASS-RATE", params='min_pass_rate = "0.6"')[0] == []
    assert check("X-PASS-RATE", as_of="2025-12-31", params='min_pass_rate = "0.7"')[0] == []  # 2025 not yet over


def test_take_up_is_judged_against_the_planned_places(reg, check, change):
    assert check("X-TAKE-UP", params='min_take_up = "0.5"')[0] == []  # 3 of 4 planned (s4 is of another school)
    key = f"{reg.a.school_code}/WEB-01/中级/{reg.s1.major_code}/2025"
    change("onex_registrations", key, planned=6)  # 3 of 6 = exactly 50%
    assert check("X-TAKE-UP", params='min_take_up = "50%"')[0] == []
    change("onex_registrations", key, planned=7)
    findings, _ = check("X-TAKE-UP", params='min_take_up = "50%"')
    assert keys(findings) == [key] and findings[0]["numbers"]["candidates"] == 3


# -- X-FEE-HARDSHIP ---------------------------------------------------------------------------------

def test_a_fee_paid_by_a_hardship_student_is_reported(reg, check, change):
    assert check("X-FEE-HARDSHIP")[0] == []  # s1 paid nothing
    change("onex_results", f"{SESSION}/{reg.s1.id_number}", fee_paid="0.01")
    findings, _ = check("X-FEE-HARDSHIP")
    assert keys(findings) == [f"{SESSION}/{reg.s1.id_number}"] and findings[0]["numbers"]["fee_paid"] == "0.01"
    assert "110" not in findings[0]["message"]  # no ID number in the text
    change("students", reg.s1.id_number, hardship=False)
    assert check("X-FEE-HARDSHIP")[0] == []


def test_findings_follow_the_school(reg, check, change):
    change("onex_results", f"{SESSION}/{reg.s1.id_number}", fee_paid="300")
    assert len(check("X-FEE-HARDSHIP", "--school", reg.a.school_code)[0]) == 1
    assert check("X-FEE-HARDSHIP", "--school", reg.b.school_code)[0] == []

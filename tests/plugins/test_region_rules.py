"""Regional plugins: each changes outcomes only for its province, and only from its valid-from date."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.rules_data import D, World, keys, make_uscc
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.rules import run_check

HN_SCHOOL, HA_SCHOOL, GX_SCHOOL, ZJ_SCHOOL = "4143000001", "4141000001", "4145000001", "4133000001"


@pytest.fixture
def world(xiaoqi_session):
    w = World(xiaoqi_session)
    for code, region in ((HN_SCHOOL, "430100"), (HA_SCHOOL, "410100"), (GX_SCHOOL, "450100"), (ZJ_SCHOOL, "330100")):
        w.school(code, region)
        w.agreement(code, w.uscc)
    return w


# -- 江苏 JS-PAY-HOURLY ---------------------------------------------------------------------------

HOURLY = {"params": {"JS-PAY-HOURLY": {"hourly_min_wage": [{"region": "32", "valid_from": "2025-10-01", "value": "24.5"}]}}}


def test_jiangsu_hourly_minimum_wage(world, xiaoqi_session):
    # 24.5 × 174 = 4263.00 yuan
    low = world.internship(monthly_pay="4262.99", start_on=D(2025, 10, 1))
    exact = world.internship(monthly_pay="4263.00", start_on=D(2025, 10, 1))
    before = world.internship(monthly_pay="4100", start_on=D(2025, 9, 30))                 # value not yet in force
    elsewhere = world.internship(monthly_pay="4100", start_on=D(2025, 10, 1), school_code=ZJ_SCHOOL)
    found = run_check(xiaoqi_session, rules=["JS-PAY-HOURLY"], config=HOURLY).findings
    assert [f.subject_key for f in found] == [low]
    assert str(found[0].numbers["required"]) == "4263.00"
    assert exact not in keys(xiaoqi_session, "JS-PAY-HOURLY", config=HOURLY)
    assert {before, elsewhere}.isdisjoint(keys(xiaoqi_session, "JS-PAY-HOURLY", config=HOURLY))


def test_jiangsu_rule_starts_on_2022_12_26(world, xiaoqi_session):
    always = {"params": {"JS-PAY-HOURLY": {"hourly_min_wage": [{"region": "32", "value": "24.5"}]}}}
    old = world.internship(monthly_pay="4000", start_on=D(2022, 12, 25), end_on=D(2023, 3, 31), insured=False)
    new = world.internship(monthly_pay="4000", start_on=D(2022, 12, 26), end_on=D(2023, 3, 31), insured=False)
    assert keys(xiaoqi_session, "JS-PAY-HOURLY", config=always) == [new]
    assert old not in keys(xiaoqi_session, "JS-PAY-HOURLY", config=always)


# -- 广西 fees and medical duration ---------------------------------------------------------------

def test_guangxi_names_the_transport_fee(world, xiaoqi_session):
    # any fee is banned everywhere; Guangxi's text names transport fees, so its findings name them too
    gx = world.internship(school_code=GX_SCHOOL, fees_charged="交通费")
    js = world.internship(fees_charged="交通费")
    found = {f.subject_key: f for f in run_check(xiaoqi_session, rules=["INT-FEES-BAN"]).findings}
    assert set(found) == {gx, js}
    assert found[gx].numbers["fee_categories"] == ["实习交通费"] and "交通费（实习交通费）" in found[gx].message
    assert found[js].numbers["fee_categories"] == [None] and "其他形式" in found[js].message


def test_guangxi_medical_majors_may_do_ten_months(world, xiaoqi_session):
    ten = dict(start_on=D(2025, 9, 1), end_on=D(2026, 6, 30))
    gx_medical = world.internship(school_code=GX_SCHOOL, major="520201", **ten)
    gx_medical_long = world.internship(school_code=GX_SCHOOL, major="520201", start_on=D(2025, 9, 1), end_on=D(2026, 7, 1))
    gx_other = world.internship(school_code=GX_SCHOOL, major="460301", **ten)
    js_medical = world.internship(major="520201", **ten)
    assert keys(xiaoqi_session, "INT-DURATION") == sorted([gx_medical_long, gx_other, js_medical])
    assert gx_medical not in keys(xiaoqi_session, "INT-DURATION")


# -- 河南 HA-MENTAL-CHECK --------------------------------------------------------------------------

def _assess(session, school, student, on):
    from xiaoqi.plugins.regions.henan.models import MentalHealthCheck

    session.execute(sa.insert(MentalHealthCheck.__table__), [{"school_code": school, "id_number": student, "assessed_on": on}])


def test_henan_mental_check(world, xiaoqi_session):
    none = world.internship(school_code=HA_SCHOOL)
    on_day_student = world.student(school=HA_SCHOOL)
    on_day = world.internship(student=on_day_student, school_code=HA_SCHOOL)
    _assess(xiaoqi_session, HA_SCHOOL, on_day_student, D(2025, 9, 1))
    late_student = world.student(school=HA_SCHOOL)
    late = world.internship(student=late_student, school_code=HA_SCHOOL)
    _assess(xiaoqi_session, HA_SCHOOL, late_student, D(2025, 9, 2))
    js = world.internship()
    found = {f.subject_key: f for f in run_check(xiaoqi_session, rules=["HA-MENTAL-CHECK"]).findings}
    assert set(found) == {none, late}
    assert found[late].numbers["assessed_on"] == D(2025, 9, 2)
    assert on_day not in found and js not in found


def test_henan_import_kind():
    kind = get_kind("henan_mental_checks")
    assert get_kind("心理健康评估") is kind and kind.plugin == "henan"
    row = kind.parse_row({"school_code": HA_SCHOOL, "id_number": make_id_valid(), "assessed_on": "2025/8/1", "conclusion": "未见异常"})
    assert row["assessed_on"] == D(2025, 8, 1)


def make_id_valid() -> str:
    from tests.rules_data import make_id

    return make_id("410100", D(2005, 1, 1), 7)


# -- 湖南 HN-DUAL-MENTOR -----------------------------------------------------------------------------

def test_hunan_dual_mentor(world, xiaoqi_session):
    both = world.internship(school_code=HN_SCHOOL)
    no_firm = world.internship(school_code=HN_SCHOOL, enterprise_mentor=None)
    blank_school = world.internship(school_code=HN_SCHOOL, school_mentor="  ")
    js = world.internship(enterprise_mentor=None)
    found = {f.subject_key: f for f in run_check(xiaoqi_session, rules=["HN-DUAL-MENTOR"]).findings}
    assert set(found) == {no_firm, blank_school}
    assert "企业指导人员" in found[no_firm].message and "学校指导教师" in found[blank_school].message
    assert both not in found and js not in found

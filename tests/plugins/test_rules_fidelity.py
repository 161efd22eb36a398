"""Compliance fidelity at the boundaries, on SQLite and PostgreSQL: rules in force by date (the 2016
rule for older internships, regional start dates), fees as a prohibition, exceptions filed in time,
apprentices under Art. 16, major categories by the 2021 catalogue, the school year, and the facts
the new columns record (hours, rest, pay in kind, documents, barred work, self-arranged and
overseas internships)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.rules_data import ENTERPRISE, SCHOOL, D, World, findings, keys
from xiaoqi.core import models as m

pytestmark = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)

DAY = dt.timedelta(days=1)
RULE_2021 = D(2021, 12, 31)


@pytest.fixture
def world(xiaoqi_session):
    w = World(xiaoqi_session)
    w.position(ENTERPRISE, "L01", probation_wage="4000")            # wage 5000, probation wage 4000
    return w


def legacy(world, start: dt.date, months: int = 5, **values) -> str:
    """An on-post internship starting ``start`` (a 2016-era 顶岗 unless ``values`` say otherwise)."""
    end = dt.date(start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1) - DAY
    values.setdefault("kind_label", "顶岗实习")
    return world.internship(start_on=start, end_on=end, position_code="L01", enrolled=D(start.year - 2, 9, 1),
                            birth=D(start.year - 19, 1, 1), **values)


def by_key(session, rule: str, **kw) -> dict:
    return {f.subject_key: f for f in findings(session, rule, **kw)}


# -- 18.1 rules in force by date ------------------------------------------------------------------

def test_pay_is_judged_by_the_rule_of_the_start_date(world, xiaoqi_session):
    # 3500 yuan: below 80% of the wage (4000, the 2021 yardstick), above 80% of the probation wage (3200)
    day_before = legacy(world, RULE_2021 - DAY, monthly_pay="3500")
    on_the_day = legacy(world, RULE_2021, monthly_pay="3500", kind_label=None)
    low_2016 = legacy(world, RULE_2021 - DAY, monthly_pay="3199.99")
    exact_2016 = legacy(world, D(2021, 6, 1), monthly_pay="3200.00")
    genggang = legacy(world, D(2021, 6, 1), monthly_pay="1000", kind_label="跟岗实习")      # no pay rule for 跟岗
    unlabelled = legacy(world, D(2021, 6, 1), monthly_pay="3000", kind_label=None)
    too_early = legacy(world, D(2016, 4, 10), monthly_pay="1000")                          # before the 2016 rule
    found = by_key(xiaoqi_session, "INT-PAY-MIN")
    assert set(found) == {on_the_day, low_2016, unlabelled}
    assert {day_before, exact_2016, genggang, too_early}.isdisjoint(found)
    assert found[on_the_day].numbers["rule_version"] == "2021" and found[on_the_day].numbers["required"] == 4000
    assert found[low_2016].numbers["rule_version"] == "2016" and str(found[low_2016].numbers["required"]) == "3200.00"
    assert found[low_2016].message.startswith("按2016年规定（顶岗实习）") and "试用期工资标准 4000.00 元" in found[low_2016].message
    assert "未记录原实习类型，按顶岗实习判断" in found[unlabelled].message


def test_consent_2016_only_for_minors(world, xiaoqi_session):
    adult_2016 = legacy(world, RULE_2021 - DAY, consent_signed_on=None, guardian_signed=None)
    adult_2021 = legacy(world, RULE_2021, consent_signed_on=None, guardian_signed=None)
    minor_2016 = world.internship(start_on=D(2021, 3, 1), end_on=D(2021, 7, 31), kind_label="跟岗实习", birth=D(2003, 3, 2),
                                  enrolled=D(2019, 9, 1), guardian_signed=False)            # 18 the day after the start
    adult_on_birthday = world.internship(start_on=D(2021, 3, 1), end_on=D(2021, 7, 31), kind_label="跟岗实习",
                                         birth=D(2003, 3, 1), enrolled=D(2019, 9, 1), guardian_signed=False)
    found = by_key(xiaoqi_session, "INT-CONSENT")
    assert set(found) == {adult_2021, minor_2016}
    assert adult_2016 not in found and adult_on_birthday not in found
    assert found[minor_2016].numbers["rule_version"] == "2016" and "未满 18 周岁" in found[minor_2016].message


def test_rules_only_of_2021_do_not_fire_before_it(world, xiaoqi_session):
    # what the 2016 text is not known to have required does not judge an internship started under it
    values = dict(fees_charged="押金", agreement_signed_on=None, via_agency=True, night_shift=True)
    old = world.internship(start_on=RULE_2021 - DAY, end_on=D(2022, 3, 31), enrolled=D(2021, 9, 1), **values)
    new = world.internship(start_on=RULE_2021, end_on=D(2022, 3, 31), enrolled=D(2021, 9, 1), **values)
    for rule in ("INT-FEES-BAN", "INT-AGREEMENT", "INT-AGENCY-BAN", "INT-HOURS", "INT-GRADE1"):
        assert keys(xiaoqi_session, rule) == [new], rule
    assert old not in {f.subject_key for f in findings(xiaoqi_session, "INT-CONSENT")}


def test_duration_2016_is_for_dinggang_only(world, xiaoqi_session):
    long_dinggang = legacy(world, D(2021, 3, 1), months=7)
    long_genggang = legacy(world, D(2021, 3, 1), months=7, kind_label="跟岗实习")
    found = by_key(xiaoqi_session, "INT-DURATION")
    assert set(found) == {long_dinggang} and found[long_dinggang].severity == "warning"
    assert found[long_dinggang].numbers["rule_version"] == "2016" and long_genggang not in found


def test_regional_rules_start_on_their_own_dates(world, xiaoqi_session):
    henan, shaanxi = "4141000001", "4161000001"
    for code, region in ((henan, "410100"), (shaanxi, "610100")):
        world.school(code, region)
        world.agreement(code, world.uscc)
    before = world.internship(school_code=henan, start_on=D(2021, 12, 31), end_on=D(2022, 3, 31))
    first_day = world.internship(school_code=henan, start_on=D(2022, 1, 1), end_on=D(2022, 3, 31))
    assert keys(xiaoqi_session, "HA-MENTAL-CHECK") == [first_day] and before not in keys(xiaoqi_session, "HA-MENTAL-CHECK")
    # a province may date the rule exactly: from 2022-06-01, say
    config = {"params": {"HA-MENTAL-CHECK": {"valid_from": [{"region": "41", "value": "2022-06-01"}]}}}
    assert keys(xiaoqi_session, "HA-MENTAL-CHECK", config=config) == []
    old_sn = world.internship(school_code=shaanxi, start_on=D(2022, 12, 31), end_on=D(2023, 3, 31))
    new_sn = world.internship(school_code=shaanxi, start_on=D(2023, 1, 1), end_on=D(2023, 3, 31))
    for key in (old_sn, new_sn):
        id_number, uscc, start = key.split("/")
        xiaoqi_session.execute(sa.insert(sa.table("shaanxi_arrangements", sa.column("id_number"), sa.column("uscc"),
                                                  sa.column("start_on"), sa.column("arranged_by"))),
                               [{"id_number": id_number, "uscc": uscc, "start_on": dt.date.fromisoformat(start), "arranged_by": "个人"}])
    assert keys(xiaoqi_session, "INT-AGENCY-BAN") == [new_sn]


# -- 18.2 fees ----------------------------------------------------------------------------------------

def test_any_fee_is_a_violation_and_named_ones_are_recognised(world, xiaoqi_session):
    cases = {
        "实习押金": ["押金"], "保证金": ["押金"], "岗前培训费": ["培训费"], "实习报酬提成": ["报酬提成"],
        "工服费": [None], "实习材料费、中介费": ["材料费", "就业服务费"],
    }
    made = {world.internship(fees_charged=text): expected for text, expected in cases.items()}
    clean = [world.internship(fees_charged=text) for text in ("没有", "none", "0", "无")]
    documents = world.internship(documents_withheld="居民身份证、学生证")
    found = by_key(xiaoqi_session, "INT-FEES-BAN")
    assert set(found) == set(made) | {documents}
    for key, expected in made.items():
        assert found[key].numbers["fee_categories"] == expected
    assert "扣押学生证件：居民身份证、学生证" in found[documents].message
    assert not set(clean) & set(found)


def test_a_region_may_allow_a_cost_its_text_names(world, xiaoqi_session):
    lodging = world.internship(fees_charged="住宿费")
    config = {"params": {"INT-FEES-BAN": {"allowed_costs": [{"region": "32", "value": "住宿费"}]}}}
    assert keys(xiaoqi_session, "INT-FEES-BAN") == [lodging]
    assert keys(xiaoqi_session, "INT-FEES-BAN", config=config) == []
    elsewhere = {"params": {"INT-FEES-BAN": {"allowed_costs": [{"region": "33", "value": "住宿费"}]}}}
    assert keys(xiaoqi_session, "INT-FEES-BAN", config=elsewhere) == [lodging]


# -- 18.4 exceptions filed in time -------------------------------------------------------------------

def test_an_exception_counts_only_when_filed_by_the_start(world, xiaoqi_session):
    start = D(2025, 9, 1)
    before = world.internship(night_shift=True, exception_filed_on=start - DAY)
    on_day = world.internship(night_shift=True, exception_filed_on=start)
    after = world.internship(night_shift=True, exception_filed_on=start + DAY)
    after_end = world.internship(overtime=True, exception_filed_on=D(2026, 3, 1))
    found = by_key(xiaoqi_session, "INT-HOURS")
    assert set(found) == {after, after_end} and not {before, on_day} & set(found)
    assert "特殊情况备案日期 2025-09-02 晚于开始日 2025-09-01" in found[after].message


def test_a_filed_exception_clears_a_high_risk_post_but_not_barred_work(world, xiaoqi_session):
    world.position(ENTERPRISE, "H01", hazardous=True)
    world.position(ENTERPRISE, "M01", barred_for_minors=True)
    start = D(2025, 9, 1)
    filed = world.internship(position_code="H01", exception_filed_on=start)
    late = world.internship(position_code="H01", exception_filed_on=start + DAY)
    minor = world.internship(position_code="M01", birth=D(2007, 9, 2), exception_filed_on=start)
    found = by_key(xiaoqi_session, "INT-HAZARD")
    assert set(found) == {late, minor} and filed not in found
    assert "备案日期 2025-09-02 晚于开始日" in found[late].message and found[late].numbers["exception_filed_on"] == start + DAY


# -- 18.5 apprentices ------------------------------------------------------------------------------

def apprentice(world, start: dt.date, **values) -> str:
    return world.internship(kind="学徒", start_on=start, end_on=dt.date(start.year + 1, start.month, 1), **values)


def test_a_15_year_old_apprentice_is_refused(world, xiaoqi_session):
    fifteen = apprentice(world, D(2025, 9, 1), birth=D(2009, 9, 2))
    sixteen = apprentice(world, D(2025, 9, 1), birth=D(2009, 9, 1))
    before_2021 = apprentice(world, D(2021, 3, 1), birth=D(2005, 3, 2), enrolled=D(2019, 9, 1))   # Labour Law
    found = by_key(xiaoqi_session, "INT-AGE-MIN")
    assert set(found) == {fifteen, before_2021} and sixteen not in found
    assert "《劳动法》第十五条" in found[fifteen].message
    assert found[before_2021].numbers["rule_version"] == "劳动法"


def test_first_year_ban_covers_apprentices(world, xiaoqi_session):
    first_year = apprentice(world, D(2025, 8, 31), enrolled=D(2024, 9, 1))
    second_year = apprentice(world, D(2025, 9, 1), enrolled=D(2024, 9, 1))
    assert keys(xiaoqi_session, "INT-GRADE1") == [first_year] and second_year not in keys(xiaoqi_session, "INT-GRADE1")
    assert "学徒" in findings(xiaoqi_session, "INT-GRADE1")[0].message


# -- 18.6 major categories --------------------------------------------------------------------------

def test_major_categories_by_the_2021_catalogue(world, xiaoqi_session):
    xiaoqi_session.execute(sa.insert(m.Major.__table__), [{"school_code": SCHOOL, "major_code": "720201", "name": "护理（中职）"}])
    world.position(ENTERPRISE, "N72", category="72")     # 中职 医药卫生
    world.position(ENTERPRISE, "N52", category="52")     # 高职专科 医药卫生
    world.position(ENTERPRISE, "X99", category="99")     # not a 2021 category
    same_across_levels = world.internship(position_code="N72", major="520201")
    same_reversed = world.internship(position_code="N52", major="720201")
    different = world.internship(position_code="N72", major="460301")
    unknown = world.internship(position_code="X99", major="460301")
    found = by_key(xiaoqi_session, "INT-MAJOR-MATCH")
    assert set(found) == {different, unknown} and not {same_across_levels, same_reversed} & set(found)
    assert "中职医药卫生大类（72）" in found[different].message and "高职专科装备制造大类（46）" in found[different].message
    assert "《职业教育专业目录（2021年）》" in found[different].message
    assert found[different].numbers["post_level"] == "中职" and "按代码前两位比较" in found[unknown].message


# -- 18.7 the school year ---------------------------------------------------------------------------

def test_the_first_year_is_the_school_year(world, xiaoqi_session):
    september = dict(enrolled=D(2024, 9, 15))
    august = dict(enrolled=D(2024, 8, 25))              # registered before the school year began
    last_day = world.internship(start_on=D(2025, 8, 31), **september)
    next_year = world.internship(start_on=D(2025, 9, 1), **september)
    august_last = world.internship(start_on=D(2025, 8, 31), **august)
    august_next = world.internship(start_on=D(2025, 9, 1), **august)
    assert keys(xiaoqi_session, "INT-GRADE1") == sorted([last_day, august_last])
    assert not {next_year, august_next} & set(keys(xiaoqi_session, "INT-GRADE1"))
    later_start = {"params": {"INT-GRADE1": {"school_year_start": [{"region": "32", "value": "09-02"}]}}}
    assert next_year in keys(xiaoqi_session, "INT-GRADE1", config=later_start)


# -- 18.8 what the new columns record -----------------------------------------------------------------

def test_daily_hours_and_rest_days_once_the_figures_are_set(world, xiaoqi_session):
    long_day = world.internship(daily_hours="8.5")
    eight = world.internship(daily_hours="8")
    no_rest = world.internship(weekly_rest_days=0)
    filed = world.internship(daily_hours="10", exception_filed_on=D(2025, 8, 1))
    assert keys(xiaoqi_session, "INT-HOURS") == []                   # no national figure: not checked
    config = {"params": {"INT-HOURS": {"max_daily_hours": "8", "min_weekly_rest_days": 1}}}
    found = by_key(xiaoqi_session, "INT-HOURS", config=config)
    assert set(found) == {long_day, no_rest} and not {eight, filed} & set(found)
    assert "每日实习 8.5 小时，超过 8 小时" in found[long_day].message and "每周休息 0 天" in found[no_rest].message


def test_pay_in_goods_and_barred_work(world, xiaoqi_session):
    vouchers = world.internship(paid_in_kind=True)
    world.position(ENTERPRISE, "W01", barred_for_women=True)
    world.position(ENTERPRISE, "G03", labour_intensity=3)
    world.position(ENTERPRISE, "G02", labour_intensity=2)
    woman = world.internship(position_code="W01", female=True)
    man = world.internship(position_code="W01")
    heavy = world.internship(position_code="G03")
    light = world.internship(position_code="G02")
    assert keys(xiaoqi_session, "INT-PAY-MIN") == [vouchers]
    found = by_key(xiaoqi_session, "INT-HAZARD")
    assert set(found) == {woman, heavy} and not {man, light} & set(found)
    assert "女职工禁忌" in found[woman].message and "体力劳动强度为 3 级" in found[heavy].message


def test_self_arranged_internships_need_the_schools_approval(world, xiaoqi_session):
    start = D(2025, 9, 1)
    approved = world.internship(self_arranged=True, school_approved_on=start, consent_signed_on=None, guardian_signed=None)
    late = world.internship(self_arranged=True, school_approved_on=start + DAY)
    missing = world.internship(self_arranged=True)
    found = by_key(xiaoqi_session, "INT-CONSENT")
    assert set(found) == {late, missing} and approved not in found
    assert "未经学校审核同意" in found[missing].message


def test_overseas_internships_need_a_filing(world, xiaoqi_session):
    start = D(2025, 9, 1)
    thailand = world.internship(work_region="TH")
    filed = world.internship(work_region="TH", filing_approved_on=start)
    hong_kong = world.internship(work_region="810000", filing_approved_on=start + DAY)
    found = by_key(xiaoqi_session, "INT-FILING")
    assert set(found) == {thailand, hong_kong} and filed not in found
    assert found[thailand].message.startswith("境外实习") and "泰国（TH）" in found[thailand].message
    assert found[hong_kong].numbers["abroad"] is True and "香港" in found[hong_kong].message


# -- 18.1 the ratio rules by the rule each internship started under ---------------------------------------

def _staff(session, *, enterprise: int, post: int) -> None:
    session.execute(sa.update(m.Enterprise).values(staff_count=enterprise))
    session.execute(sa.update(m.Position).values(staff_count=post))


def test_ratios_count_each_intern_by_the_rule_of_its_start(world, xiaoqi_session):
    _staff(xiaoqi_session, enterprise=100, post=1000)
    for _ in range(10):
        world.internship(start_on=D(2022, 1, 1), end_on=D(2022, 3, 31))                     # 10 %: allowed
    world.internship(start_on=RULE_2021 - DAY, end_on=D(2022, 3, 31), kind_label="跟岗实习")  # the 2016 rule did not count 跟岗
    assert keys(xiaoqi_session, "INT-RATIO-ENTERPRISE") == []
    world.internship(start_on=RULE_2021 - DAY, end_on=D(2022, 1, 10), kind_label="顶岗实习")  # 顶岗 counts: 11 to 01-10
    [f] = findings(xiaoqi_session, "INT-RATIO-ENTERPRISE")
    assert f.dates == [(D(2022, 1, 1), D(2022, 1, 10))] and f.numbers["rule_version"] == "2021" and f.numbers["interns"] == 11


def test_the_2016_ratio_counts_dinggang_only_and_judges_its_own_days(world, xiaoqi_session):
    _staff(xiaoqi_session, enterprise=100, post=1000)
    for _ in range(11):
        world.internship(start_on=D(2021, 3, 1), end_on=D(2021, 6, 30), kind_label="跟岗实习")
    assert keys(xiaoqi_session, "INT-RATIO-ENTERPRISE") == []
    for _ in range(11):                                          # across the day the 2021 rule took effect
        world.internship(start_on=D(2021, 12, 20), end_on=D(2022, 1, 10), kind_label="顶岗实习")
    found = sorted(findings(xiaoqi_session, "INT-RATIO-ENTERPRISE"), key=lambda f: f.dates)
    assert [(f.numbers["rule_version"], f.dates) for f in found] == [
        ("2016", [(D(2021, 12, 20), RULE_2021 - DAY)]), ("2021", [(RULE_2021, D(2022, 1, 10))])]
    assert found[0].message.startswith("按2016年规定（只计顶岗实习学生）") and found[0].subject_key == ENTERPRISE
    before_2016 = {"params": {"INT-RATIO-ENTERPRISE-2016": {"valid_from": "2021-12-25"}}}
    assert sorted(f.dates for f in findings(xiaoqi_session, "INT-RATIO-ENTERPRISE", config=before_2016)) == [
        [(D(2021, 12, 25), RULE_2021 - DAY)], [(RULE_2021, D(2022, 1, 10))]]


# -- 18.3 insurance: the insured row within its policy, cancellations ------------------------------------

def _insured_only_on(world, policy: str, **dates) -> str:
    key = world.internship(insured=False)
    world.insure(policy, key.split("/")[0], **dates)
    return key


def test_cover_is_the_insured_row_within_its_policy(world, xiaoqi_session):
    world.policy("SHORT", holder=SCHOOL, start=D(2025, 9, 1), end=D(2025, 12, 31))
    beyond = _insured_only_on(world, "SHORT", start=D(2025, 8, 1), end=D(2026, 2, 28))     # the list says more than the policy
    found = by_key(xiaoqi_session, "INT-INSURANCE")
    assert found[beyond].dates == [(D(2026, 1, 1), D(2026, 2, 28))]


def test_a_surrendered_policy_stops_covering_on_its_date(world, xiaoqi_session):
    start, end = D(2025, 9, 1), D(2026, 2, 28)
    cases = {"MID": D(2025, 11, 1), "ON-START": start, "AFTER-END": end + DAY, "LAST-DAY": end}
    keys_by = {}
    for no, cancelled in cases.items():
        world.policy(no, holder=SCHOOL, start=D(2025, 1, 1), end=D(2026, 12, 31), status="已退保", cancelled_on=cancelled)
        keys_by[no] = _insured_only_on(world, no)
    world.policy("NO-DATE", holder=SCHOOL, start=D(2025, 1, 1), end=D(2026, 12, 31), status="已注销")
    keys_by["NO-DATE"] = _insured_only_on(world, "NO-DATE")
    found = by_key(xiaoqi_session, "INT-INSURANCE")
    assert found[keys_by["MID"]].dates == [(D(2025, 11, 1), end)]
    assert found[keys_by["ON-START"]].dates == [(start, end)] and found[keys_by["NO-DATE"]].dates == [(start, end)]
    assert found[keys_by["LAST-DAY"]].dates == [(end, end)] and keys_by["AFTER-END"] not in found


def test_insurance_rules_judge_internships_of_the_2021_rule(world, xiaoqi_session):
    old = world.internship(start_on=RULE_2021 - DAY, end_on=D(2022, 3, 31), insured=False, enrolled=D(2019, 9, 1))
    new = world.internship(start_on=RULE_2021, end_on=D(2022, 3, 31), insured=False, enrolled=D(2019, 9, 1))
    assert keys(xiaoqi_session, "INT-INSURANCE") == [new] and old not in keys(xiaoqi_session, "INT-INSURANCE")


def test_a_premium_deducted_from_pay(world, xiaoqi_session):
    deducted = world.internship(premium_deducted=True)
    world.internship(premium_deducted=False)
    world.policy("STU", holder=SCHOOL, start=D(2025, 1, 1), end=D(2025, 12, 31), kind="意外伤害保险", payer="学生",
                 status="已退保", cancelled_on=D(2025, 9, 1))                           # surrendered before the internship
    _insured_only_on(world, "STU")
    found = by_key(xiaoqi_session, "INT-INS-PREMIUM")
    assert set(found) == {deducted} and "从学生的实习报酬中扣除" in found[deducted].message

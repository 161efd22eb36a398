"""The APP-* rules of the national plugin, on SQLite and PostgreSQL: concurrent apprentices over a
quota (with the days), mentors' loads and the ratio (off until a parameter is set), and the
length of an apprenticeship."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xiaoqi.core.rules import run_check

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
APP_RULES = ["APP-QUOTA-EXCEEDED", "APP-QUOTA-RATIO", "APP-MENTOR-LOAD", "APP-DURATION"]
D = dt.date


def check(engine, config=None, **kw):
    result = run_check(engine, rules=APP_RULES, config=config, **kw)
    return result, {f.rule: [x for x in result.findings if x.rule == f.rule] for f in result.findings}


@pytest.fixture
def shop(xiaoqi_factory):
    f = xiaoqi_factory
    school = f.school()
    ent = f.enterprise()
    post = f.position(ent, apprentice_quota=2, quota_from=D(2026, 1, 1), quota_to=D(2027, 12, 31))

    def apprentice(start, end, mentor="李师傅", on=post):
        return f.internship(f.student(school), on, kind="学徒", start_on=start, end_on=end, enterprise_mentor=mentor)

    return f, school, ent, post, apprentice


@BOTH
def test_quota_exceeded_reports_the_days_and_the_peak(shop, xiaoqi_engine):
    _f, _school, ent, post, apprentice = shop
    apprentice(D(2026, 1, 1), D(2026, 12, 31))
    apprentice(D(2026, 3, 1), D(2027, 2, 28))
    apprentice(D(2026, 6, 1), D(2027, 5, 31))             # three at once from 06-01 to 12-31
    apprentice(D(2025, 1, 1), D(2026, 1, 31), mentor="王师傅")  # before the period: counts from 01-01 only
    result, by = check(xiaoqi_engine)
    [f] = by["APP-QUOTA-EXCEEDED"]
    assert (f.severity, f.subject_kind, f.subject_key) == ("error", "positions", f"{ent.uscc}/{post.position_code}")
    assert f.numbers["apprentices"] == 3 and f.numbers["quota"] == 2
    assert f.dates == [(D(2026, 6, 1), D(2026, 12, 31))]
    assert f.numbers["peak_day"] == D(2026, 6, 1) and f.numbers["days_exceeded"] == 214
    assert "超过学徒名额 2" in f.message and "2026-06-01～2026-12-31" in f.message
    # --on narrows to the ranges that contain the day
    _r, on_day = check(xiaoqi_engine, on=D(2026, 5, 1))
    assert "APP-QUOTA-EXCEEDED" not in on_day
    # mentor load and the ratio are off: no national figure
    assert {o.rule for o in result.switched_off} == {"APP-QUOTA-RATIO", "APP-MENTOR-LOAD"}


@BOTH
def test_sequential_apprentices_within_quota_pass(shop, xiaoqi_engine):
    _f, _school, _ent, _post, apprentice = shop
    apprentice(D(2026, 1, 1), D(2026, 12, 31))
    apprentice(D(2026, 1, 1), D(2026, 12, 31), mentor="王师傅")
    apprentice(D(2027, 1, 1), D(2027, 12, 31))
    _result, by = check(xiaoqi_engine)
    assert "APP-QUOTA-EXCEEDED" not in by and "APP-DURATION" not in by


@BOTH
def test_mentor_load_when_a_region_sets_it(shop, xiaoqi_engine):
    _f, _school, ent, _post, apprentice = shop
    apprentice(D(2026, 1, 1), D(2026, 12, 31))
    apprentice(D(2026, 2, 1), D(2027, 1, 31))
    apprentice(D(2026, 2, 1), D(2027, 1, 31), mentor="王师傅")
    config = {"params": {"APP-MENTOR-LOAD": {"max_apprentices": [{"region": "33", "value": 1}]}}}
    _result, by = check(xiaoqi_engine, config)
    [f] = by["APP-MENTOR-LOAD"]
    assert (f.subject_key, f.numbers["mentor"], f.numbers["apprentices"], f.numbers["max_apprentices"]) == (ent.uscc, "李师傅", 2, 1)
    assert f.dates == [(D(2026, 2, 1), D(2026, 12, 31))]
    elsewhere = {"params": {"APP-MENTOR-LOAD": {"max_apprentices": [{"region": "32", "value": 1}]}}}
    _result, by = check(xiaoqi_engine, elsewhere)
    assert "APP-MENTOR-LOAD" not in by


@BOTH
def test_quota_ratio_against_a_regional_target(shop, xiaoqi_engine):
    f, _school, ent, _post, _apprentice = shop
    small = f.enterprise(staff_count=40)
    f.position(small, apprentice_quota=2, quota_from=D(2026, 1, 1), quota_to=D(2026, 12, 31))
    config = {"params": {"APP-QUOTA-RATIO": {"min_ratio": [{"region": "3301", "value": "0.01"}]}}}
    _result, by = check(xiaoqi_engine, config, on=D(2026, 6, 1))
    # ent: 2 places / 500 staff = 0.4 % < 1 %; small: 2 / 40 = 5 %
    [finding] = by["APP-QUOTA-RATIO"]
    assert (finding.severity, finding.subject_key) == ("warning", ent.uscc)
    assert finding.numbers["ratio"] == Decimal("0.0040") and finding.numbers["min_ratio"] == Decimal("0.01")
    # the small enterprise's quota period is over in 2027: 0 places, below target
    _result, by = check(xiaoqi_engine, config, on=D(2027, 6, 1))
    assert {x.subject_key for x in by["APP-QUOTA-RATIO"]} == {ent.uscc, small.uscc}


@BOTH
def test_duration_outside_one_to_three_years(shop, xiaoqi_engine):
    _f, _school, _ent, _post, apprentice = shop
    short = apprentice(D(2026, 1, 1), D(2026, 12, 30))
    apprentice(D(2026, 1, 1), D(2026, 12, 31), mentor="王师傅")   # exactly one year
    apprentice(D(2026, 1, 1), D(2028, 12, 31), mentor="赵师傅")   # exactly three years
    long = apprentice(D(2026, 1, 1), D(2029, 1, 1), mentor="钱师傅")
    _result, by = check(xiaoqi_engine)
    found = {x.subject_key: x for x in by["APP-DURATION"]}
    assert set(found) == {f"{short.id_number}/{short.uscc}/2026-01-01", f"{long.id_number}/{long.uscc}/2026-01-01"}
    assert "短于 1 年" in found[f"{short.id_number}/{short.uscc}/2026-01-01"].message
    assert "长于 3 年" in found[f"{long.id_number}/{long.uscc}/2026-01-01"].message

"""The teachers rules on SQLite and PostgreSQL: TCH-PRACTICE-5Y6M at the window's boundaries (exactly
six months, one day short, a record that the window cuts, overlapping records counted once, part-
time days), the dated parameters, TCH-NEW-PRACTICE-FIRST, and TCH-DUAL-SHARE (off until a target
is set)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from xiaoqi.core.db import make_engine
from xiaoqi.core.rules import run_check

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
D = dt.date
TODAY = D(2026, 12, 1)          # the window of five years: 2021-12-02 .. 2026-12-01
WINDOW_FROM = D(2021, 12, 2)


def findings(engine, rule, *, as_of=TODAY, config=None, **kw):
    result = run_check(engine, rules=[rule], as_of=as_of, config=config, **kw)
    return {f.subject_key: f for f in result.findings}, result


@pytest.fixture
def school(xiaoqi_factory):
    f = xiaoqi_factory
    s = f.school()
    firm = f.enterprise()

    def teacher(*periods, **values):
        person = f.teacher(s, **values)
        for start, end, *days in periods:
            f.record("tch_practice", teacher_id=person.id_number, uscc=firm.uscc, start_on=start, end_on=end,
                     form="技能培训", days=days[0] if days else None)
        return person

    return f, s, teacher


@BOTH
def test_six_months_in_five_years_at_the_boundaries(school, xiaoqi_engine):
    _f, s, teacher = school
    exactly = teacher((D(2024, 1, 1), D(2024, 6, 28)))                      # 180 days = 6 months of 30
    calendar = teacher((D(2022, 3, 1), D(2022, 8, 31)))                     # six calendar months (184 days)
    one_short = teacher((D(2024, 1, 1), D(2024, 6, 27)))                    # 179 days
    first_day = teacher((WINDOW_FROM, D(2022, 5, 30)))                      # 180 days from the window's first day
    cut = teacher((D(2021, 11, 1), D(2022, 5, 30)))                         # only 180 of its days fall in the window
    before = teacher((D(2021, 6, 1), D(2021, 12, 1)))                       # ends the day before the window
    overlapping = teacher((D(2024, 1, 1), D(2024, 4, 30)), (D(2024, 3, 1), D(2024, 6, 27)))  # 179 days, not 240
    adjoining = teacher((D(2024, 1, 1), D(2024, 3, 31)), (D(2024, 4, 1), D(2024, 6, 28)))    # 91 + 89 = 180
    part_time = teacher((D(2023, 1, 1), D(2024, 12, 31), 150), (D(2025, 3, 1), D(2025, 3, 30)))  # 150 + 30
    never = teacher()
    found, _ = findings(xiaoqi_engine, "TCH-PRACTICE-5Y6M")
    assert set(found) == {one_short.id_number, before.id_number, overlapping.id_number, never.id_number}
    short = found[one_short.id_number]
    assert short.severity == "error" and short.school_code == s.school_code
    assert short.numbers == {"days": 179, "min_days": 180, "window_from": "2021-12-02", "window_to": "2026-12-01", "short_days": 1}
    assert short.dates == [(WINDOW_FROM, TODAY)]
    assert "企业实践 179 天，少于 6 个月（180 天），还差 1 天" in short.message and one_short.name in short.message
    assert found[overlapping.id_number].numbers["days"] == 179 and found[before.id_number].numbers["days"] == 0
    for passing in (exactly, calendar, first_day, cut, adjoining, part_time):
        assert passing.id_number not in found
    # a day later the window starts on 2021-12-03: the record from its first day counts 179
    later, _ = findings(xiaoqi_engine, "TCH-PRACTICE-5Y6M", as_of=D(2026, 12, 2))
    assert first_day.id_number in later and later[first_day.id_number].numbers["days"] == 179
    assert exactly.id_number not in later


@BOTH
def test_part_of_a_part_time_record_counts_in_proportion_and_overlaps_count_once(school, xiaoqi_engine):
    _f, _s, teacher = school
    # 120 days over 2021-06-01..2022-05-31 (365 days); 181 of them in the window: 120 * 181 // 365 = 59
    cut = teacher((D(2021, 6, 1), D(2022, 5, 31), 120), (D(2023, 1, 1), D(2023, 4, 30)))  # + 120 = 179
    # a visit within a full-time post adds nothing
    inside = teacher((D(2024, 1, 1), D(2024, 6, 28)), (D(2024, 2, 1), D(2024, 2, 3)))
    found, _ = findings(xiaoqi_engine, "TCH-PRACTICE-5Y6M")
    assert found[cut.id_number].numbers["days"] == 179
    assert inside.id_number not in found


@BOTH
def test_who_is_judged(school, xiaoqi_factory, xiaoqi_engine):
    f, s, teacher = school
    recent = teacher(hired_on=D(2022, 9, 1))                 # not five years a teacher yet
    general = teacher(specialist=False)                      # not a specialist teacher
    part_time = teacher(kind="兼职")
    long_serving = teacher(hired_on=WINDOW_FROM)
    other = f.teacher(f.school())
    found, _ = findings(xiaoqi_engine, "TCH-PRACTICE-5Y6M")
    assert long_serving.id_number in found and other.id_number in found
    assert not {recent.id_number, general.id_number, part_time.id_number} & set(found)
    mine, _ = findings(xiaoqi_engine, "TCH-PRACTICE-5Y6M", school=s.school_code)
    assert set(mine) == {long_serving.id_number}
    firm_only, _ = findings(xiaoqi_engine, "TCH-PRACTICE-5Y6M", enterprise=f.latest("enterprises").uscc)
    assert firm_only == {}


@BOTH
def test_a_region_sets_its_own_window_and_total_from_a_date(school, xiaoqi_engine):
    _f, s, teacher = school
    three_months = teacher((D(2025, 1, 1), D(2025, 3, 31)))  # 90 days
    config = {"params": {"TCH-PRACTICE-5Y6M": {"min_months": [{"region": "33", "valid_from": "2026-07-01", "value": 3}]}}}
    found, _ = findings(xiaoqi_engine, "TCH-PRACTICE-5Y6M", config=config)
    assert three_months.id_number not in found
    before, _ = findings(xiaoqi_engine, "TCH-PRACTICE-5Y6M", config=config, as_of=D(2026, 6, 30))
    assert three_months.id_number in before
    # a three-year window that ends on the check's day
    old = teacher((D(2022, 1, 1), D(2022, 12, 31)))
    window = {"params": {"TCH-PRACTICE-5Y6M": {"window_years": [{"region": "3301", "value": 3}]}}}
    found, _ = findings(xiaoqi_engine, "TCH-PRACTICE-5Y6M", config=window)
    assert found[old.id_number].numbers["window_from"] == "2023-12-02" and found[old.id_number].numbers["days"] == 0


@BOTH
def test_new_teachers_practise_before_teaching(school, xiaoqi_engine):
    _f, s, teacher = school
    first = teacher((D(2024, 7, 1), D(2024, 8, 20)), hired_on=D(2024, 9, 1), enterprise_experience=False)
    late = teacher((D(2024, 10, 1), D(2024, 10, 31)), hired_on=D(2024, 9, 1), enterprise_experience=False)
    never = teacher(hired_on=D(2025, 9, 1), enterprise_experience=False)
    experienced = teacher(hired_on=D(2025, 9, 1), enterprise_experience=True)
    unknown = teacher(hired_on=D(2025, 9, 1), enterprise_experience=None)
    old_times = teacher(hired_on=D(2015, 9, 1), enterprise_experience=False)  # before the 2016 rule
    not_yet = teacher(hired_on=D(2027, 2, 1), enterprise_experience=False)
    found, _ = findings(xiaoqi_engine, "TCH-NEW-PRACTICE-FIRST")
    assert set(found) == {late.id_number, never.id_number}
    assert found[late.id_number].severity == "warning"
    assert "2024-09-01 开始任教前没有企业实践（首次实践 2024-10-01）" in found[late.id_number].message
    assert found[never.id_number].numbers == {"hired_on": "2025-09-01", "first_practice": None}
    for ok in (first, experienced, unknown, old_times, not_yet):
        assert ok.id_number not in found


@BOTH
def test_dual_share_is_off_without_a_target_and_compares_exactly(school, xiaoqi_factory, xiaoqi_engine):
    f, s, teacher = school
    people = [teacher() for _ in range(3)]
    teacher(specialist=False)  # not counted
    f.record("tch_recognitions", teacher_id=people[0].id_number, level="中级", recognised_on=D(2024, 1, 1), recognised_by="浙江省教育厅")
    f.record("tch_recognitions", teacher_id=people[1].id_number, level="初级", recognised_on=D(2020, 1, 1),
             recognised_by="浙江省教育厅", valid_to=D(2025, 12, 31))  # expired
    f.record("tch_recognitions", teacher_id=people[2].id_number, level="高级", recognised_on=D(2027, 1, 1), recognised_by="浙江省教育厅")
    found, result = findings(xiaoqi_engine, "TCH-DUAL-SHARE")
    assert found == {} and [o.rule for o in result.switched_off] == ["TCH-DUAL-SHARE"]
    third = {"params": {"TCH-DUAL-SHARE": {"min_share": [{"region": "33", "value": "0.333333"}]}}}
    assert findings(xiaoqi_engine, "TCH-DUAL-SHARE", config=third)[0] == {}  # 1/3 reaches 0.333333
    half = {"params": {"TCH-DUAL-SHARE": {"min_share": [{"region": "33", "value": "50%"}]}}}
    [finding] = findings(xiaoqi_engine, "TCH-DUAL-SHARE", config=half)[0].values()
    assert (finding.subject_kind, finding.subject_key) == ("schools", s.school_code)
    assert finding.numbers == {"specialists": 3, "dual": 1, "share": Decimal("0.3333"), "min_share": Decimal("0.5")}
    assert "专业课教师 3 人中双师型教师 1 人（33.3%），低于目标 50.0%" in finding.message
    # in 2027 the senior recognition is in force: 2 of 3
    assert findings(xiaoqi_engine, "TCH-DUAL-SHARE", config=half, as_of=D(2027, 1, 1))[0] == {}


def test_the_demo_has_practice_histories_and_breaks_the_rules_only_on_purpose(demo_db, xiaoqi_cli):
    from tests.conftest import DEMO_TODAY

    url, manifest = demo_db
    assert manifest.counts["tch_practice"] > 100 and manifest.counts["tch_recognitions"] > 20
    [short] = manifest.violations["TCH-PRACTICE-5Y6M"]
    [no_first] = manifest.violations["TCH-NEW-PRACTICE-FIRST"]
    today = xiaoqi_cli("check", "--format", "json", "--rule", "TCH-PRACTICE-5Y6M", "--rule", "TCH-NEW-PRACTICE-FIRST",
                       "--as-of", str(DEMO_TODAY), db=url).json["findings"]
    assert {(f["rule"], f["subject_key"]) for f in today} == {("TCH-PRACTICE-5Y6M", short), ("TCH-NEW-PRACTICE-FIRST", no_first)}
    [finding] = [f for f in today if f["rule"] == "TCH-PRACTICE-5Y6M"]
    assert finding["numbers"]["days"] == 134
    # about 150 days on, a second teacher of the first school falls short
    later = xiaoqi_cli("check", "--format", "json", "--rule", "TCH-PRACTICE-5Y6M",
                       "--as-of", str(DEMO_TODAY + dt.timedelta(days=180)), db=url).json["findings"]
    assert len(later) == 2 and len({f["school_code"] for f in later}) == 1
    # every demo internship's mentors are people of the registry, but for the few kept as text
    engine = make_engine(url)
    with engine.connect() as conn:
        linked, total = conn.execute(sa.text(
            "SELECT SUM(CASE WHEN school_mentor_id IS NOT NULL AND enterprise_mentor_id IS NOT NULL THEN 1 ELSE 0 END), COUNT(*) "
            "FROM internships")).one()
        schools_without = conn.execute(sa.text(
            "SELECT COUNT(*) FROM schools s WHERE NOT EXISTS (SELECT 1 FROM teachers t WHERE t.school_code = s.school_code)")).scalar_one()
        firms_without = conn.execute(sa.text(
            "SELECT COUNT(*) FROM enterprises e WHERE NOT EXISTS (SELECT 1 FROM teachers t WHERE t.uscc = e.uscc)")).scalar_one()
    engine.dispose()
    assert linked / total > 0.9 and schools_without == firms_without == 0

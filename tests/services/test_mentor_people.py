"""Mentors counted as people: where internships refer to teachers of the registry, APP-MENTOR-LOAD
counts each person's apprentices (two mentors of one name are two people; one named by ID number on
one internship and by a unique name on another is one), and HN-DUAL-MENTOR takes a reference for a
supervisor and refuses one person on both sides. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaoqi.core.rules import run_check

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
D = dt.date
LIMIT_ONE = {"params": {"APP-MENTOR-LOAD": {"max_apprentices": [{"region": "33", "value": 1}]}}}


def _load(engine):
    return [f for f in run_check(engine, rules=["APP-MENTOR-LOAD"], config=LIMIT_ONE).findings]


@pytest.fixture
def shop(xiaoqi_factory):
    """A school and an enterprise with an apprenticeship post of five places for 2026–2027, and a
    way to add an apprentice there."""
    f = xiaoqi_factory
    school, firm = f.school(), f.enterprise()
    post = f.position(firm, apprentice_quota=5, quota_from=D(2026, 1, 1), quota_to=D(2027, 12, 31))

    def apprentice(start, end, **mentor):
        return f.internship(f.student(school), post, kind="学徒", start_on=start, end_on=end, **mentor)

    return f, firm, apprentice


@BOTH
def test_two_mentors_of_one_name_are_two_people(shop, xiaoqi_engine):
    f, firm, apprentice = shop
    li_a = f.teacher(kind="企业导师", enterprise=firm, name="李师傅")
    li_b = f.teacher(kind="企业导师", enterprise=firm, name="李师傅")
    for mentor in (li_a, li_b):
        apprentice(D(2026, 1, 1), D(2026, 12, 31), enterprise_mentor=None, enterprise_mentor_id=mentor.id_number)
    # the same two apprenticeships by name alone (as old data has it) would be one mentor with two
    assert _load(xiaoqi_engine) == []
    apprentice(D(2026, 3, 1), D(2026, 4, 30), enterprise_mentor=li_a.id_number)  # the ID number in the name column
    [finding] = _load(xiaoqi_engine)
    assert finding.numbers["mentor"] == "李师傅" and finding.numbers["mentor_id"] == li_a.id_number
    assert finding.numbers["apprentices"] == 2 and finding.dates == [(D(2026, 3, 1), D(2026, 4, 30))]


@BOTH
def test_a_mentor_named_by_id_and_by_unique_name_is_one_person(shop, xiaoqi_engine):
    f, firm, apprentice = shop
    zhao = f.teacher(kind="企业导师", enterprise=firm, name="赵师傅")
    by_id = apprentice(D(2026, 1, 1), D(2026, 6, 30), enterprise_mentor=None, enterprise_mentor_id=zhao.id_number)
    by_name = apprentice(D(2026, 5, 1), D(2026, 12, 31), enterprise_mentor="赵师傅")
    assert by_id.enterprise_mentor_id == by_name.enterprise_mentor_id == zhao.id_number
    # and a mentor kept as text (nobody of that name there) still counts by the name
    apprentice(D(2026, 1, 1), D(2026, 12, 31), enterprise_mentor="钱师傅")
    apprentice(D(2026, 2, 1), D(2026, 2, 28), enterprise_mentor="钱师傅")
    found = {f_.numbers["mentor"]: f_ for f_ in _load(xiaoqi_engine)}
    assert set(found) == {"赵师傅", "钱师傅"}
    assert found["赵师傅"].dates == [(D(2026, 5, 1), D(2026, 6, 30))] and "mentor_id" not in found["钱师傅"].numbers


HN_REGION = "430100"


@BOTH
def test_dual_supervisors_by_reference(xiaoqi_factory, xiaoqi_engine):
    f = xiaoqi_factory
    f.region = HN_REGION
    school, firm = f.school(), f.enterprise()
    f.position(firm)
    teacher = f.teacher(school, name="周老师")
    master = f.teacher(kind="企业导师", enterprise=firm, name="吴师傅")
    both_person = f.teacher(school, enterprise=firm, kind="兼职", name="郑工")  # works at the school and the firm
    by_reference = f.internship(f.student(school), school_mentor=None, school_mentor_id=teacher.id_number,
                                enterprise_mentor=None, enterprise_mentor_id=master.id_number)
    one_person = f.internship(f.student(school), school_mentor=None, school_mentor_id=both_person.id_number,
                              enterprise_mentor=None, enterprise_mentor_id=both_person.id_number)
    no_firm = f.internship(f.student(school), school_mentor_id=teacher.id_number, school_mentor=None, enterprise_mentor=None)
    found = {x.subject_key: x for x in run_check(xiaoqi_engine, rules=["HN-DUAL-MENTOR"]).findings}
    key = lambda i: f"{i.id_number}/{i.uscc}/{i.start_on}"  # noqa: E731
    assert set(found) == {key(one_person), key(no_firm)}
    assert key(by_reference) not in found
    assert "同一人（郑工）" in found[key(one_person)].message
    assert "企业指导人员" in found[key(no_firm)].message and "学校指导教师" not in found[key(no_firm)].message

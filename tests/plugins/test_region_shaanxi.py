"""陕西: INT-AGENCY-BAN also covers an internship arranged by an individual — for Shaanxi schools only."""

from __future__ import annotations

import sqlalchemy as sa

from tests.rules_data import World
from xiaoqi.core.actors import Actor
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.rules import run_check
from xiaoqi.core.services import count_records, create_record
from xiaoqi.plugins.regions.shaanxi.models import Arrangement

SN_SCHOOL = "4161000001"


def arrange(session, key: str, by: str, arranger: str | None = None) -> None:
    id_number, uscc, start = key.split("/")
    kind = get_kind("shaanxi_arrangements")
    values = kind.parse_row({"id_number": id_number, "uscc": uscc, "start_on": start, "arranged_by": by, "arranger": arranger})
    session.execute(sa.insert(Arrangement.__table__), [values])


def test_individual_arrangement_is_reported_under_the_national_id_in_shaanxi_only(xiaoqi_session):
    world = World(xiaoqi_session)
    world.school(SN_SCHOOL, "610100")
    world.agreement(SN_SCHOOL, world.uscc)
    by_person = world.internship(school_code=SN_SCHOOL)
    by_school = world.internship(school_code=SN_SCHOOL)
    by_agency_flag = world.internship(school_code=SN_SCHOOL, via_agency=True)
    jiangsu_by_person = world.internship()
    arrange(xiaoqi_session, by_person, "个人", "李某")
    arrange(xiaoqi_session, by_school, "学校")
    arrange(xiaoqi_session, by_agency_flag, "中介")
    arrange(xiaoqi_session, jiangsu_by_person, "个人")
    findings = run_check(xiaoqi_session, rules=["INT-AGENCY-BAN"]).findings
    by_key = {}
    for f in findings:
        by_key.setdefault(f.subject_key, []).append(f)
    # the individual arrangement in Shaanxi is found, under the national id; the agency flag is
    # reported once (by the national rule), and Jiangsu's individual arrangement is not a violation
    assert set(by_key) == {by_person, by_agency_flag}
    assert [f.rule for f in by_key[by_person]] == ["INT-AGENCY-BAN"] and "个人" in by_key[by_person][0].message
    assert len(by_key[by_agency_flag]) == 1


def test_arrangement_kind_validates_and_scopes(xiaoqi_session):
    world = World(xiaoqi_session)
    world.school(SN_SCHOOL, "610100")
    world.agreement(SN_SCHOOL, world.uscc)
    key = world.internship(school_code=SN_SCHOOL)
    id_number, uscc, start = key.split("/")
    row = {"id_number": id_number, "uscc": uscc, "start_on": start, "arranged_by": "individual", "arranger": "王某"}
    create_record(xiaoqi_session, actor=Actor("school", SN_SCHOOL), kind="实习安排方式", data=row)
    assert count_records(xiaoqi_session, actor=Actor("school", SN_SCHOOL), kind="shaanxi_arrangements") == 1
    assert count_records(xiaoqi_session, actor=Actor("province", "61"), kind="shaanxi_arrangements") == 1
    assert count_records(xiaoqi_session, actor=Actor("school", world.school_code), kind="shaanxi_arrangements") == 0
    assert xiaoqi_session.execute(sa.select(Arrangement.arranged_by)).scalar_one() == "个人"


def test_demo_has_one_individual_arrangement_in_shaanxi(demo_db):
    from xiaoqi.core.db import make_engine, read_session

    url, _manifest = demo_db
    engine = make_engine(url)
    with read_session(engine) as session:
        findings = [f for f in run_check(session, rules=["INT-AGENCY-BAN"]).findings if "个人" in f.message]
        assert len(findings) == 1 and findings[0].school_code[2:4] == "61"
    engine.dispose()

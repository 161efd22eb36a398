"""The industrial-college record kinds: cells and rows checked, guards that hold a record to its
college's parties, who sees and changes what, and every kind through export → import on SQLite
and PostgreSQL (unchanged in place, identical in a fresh database)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import read_session, write_session
from xiaoqi.core.errors import PermissionDenied, ValidationFailed
from xiaoqi.core.fields import parse_term
from xiaoqi.core.kinds import RowProblems, get_kind, get_kinds
from xiaoqi.core.services import create_record, list_records, update_record
from xiaoqi.plugins.industrial_college.kinds import KINDS
from xiaoqi.plugins.industrial_college.parties import parse_party
from xiaoqi.testing import make_uscc

from .ic_data import C1, C2, association_code, build
from .roundtrip import assert_round_trip, assert_template_headers, table_rows

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)
IC_KINDS = [k.name for k in KINDS]
#: the core kinds a college's records refer to, in the order a fresh database needs them
CORE_KINDS = ["schools", "majors", "enterprises", "teachers", "agreements"]


def problems(kind: str, row: dict) -> dict[str, str]:
    with pytest.raises(RowProblems) as exc:
        get_kind(kind).parse_row(row)
    return {column: reason for column, _value, reason in exc.value.problems}


# -- cells and rows -------------------------------------------------------------------------------

def test_every_kind_is_the_plugins_and_declares_its_rights_and_personal_columns():
    kinds = {k.name: k for k in get_kinds().values() if k.plugin == "industrial_college"}
    assert sorted(kinds) == sorted(IC_KINDS)
    personal = {name: dict(k.rights.personal) for name, k in kinds.items() if k.rights.personal}
    assert personal == {"ic_colleges": {"phone": "phone"}, "ic_members": {"phone": "phone"},
                        "ic_teaching": {"teacher_id": "idcard"}}
    assert all(k.label("zh") != k.label("en") for k in kinds.values())


@pytest.mark.parametrize(("cell", "code"), [
    ("4133000001", "4133000001"), (" 330100 ", "330100"), (make_uscc("330100", 7).lower(), make_uscc("330100", 7)),
    (association_code(3), association_code(3)),
])
def test_a_party_is_a_school_code_a_uscc_or_a_region_by_its_length(cell, code):
    assert parse_party(cell) == code


@pytest.mark.parametrize("cell", ["41330000", "913301000000000010", "990100", "某某公司"])
def test_a_party_of_another_shape_or_a_bad_checksum_is_refused(cell):
    with pytest.raises(ValueError):
        parse_party(cell)


@pytest.mark.parametrize(("cell", "term"), [
    ("2024-2025-1", "2024-2025-1"), ("2024-2025学年第二学期", "2024-2025-2"), ("2024~2025-2", "2024-2025-2"),
    ("2024 - 2025 学年 第一学期", "2024-2025-1"),
])
def test_terms_are_stored_in_one_spelling(cell, term):
    assert parse_term(cell) == term


@pytest.mark.parametrize("cell", ["2024-2026-1", "2024-2025-3", "2024秋"])
def test_a_term_that_is_not_one_school_year_is_refused(cell):
    with pytest.raises(ValueError, match="2025-2026-1"):
        parse_term(cell)


def test_a_teaching_row_knows_its_school_year_and_calendar_year():
    kind = get_kind("ic_teaching")
    autumn = kind.db_values(kind.parse_row({"college_code": C1, "teacher_id": "11010519491231002X",
                                            "term": "2024-2025-1", "course": "c", "hours": 8}))
    spring = kind.db_values(kind.parse_row({"college_code": C1, "teacher_id": "11010519491231002X",
                                            "term": "2024-2025-2", "course": "c", "hours": 8}))
    assert (autumn["school_year"], autumn["year"]) == (2024, 2024) and (spring["school_year"], spring["year"]) == (2024, 2025)


def test_partner_code_must_fit_its_type_and_a_government_is_named():
    got = problems("ic_partners", {"college_code": C1, "partner_code": "330100", "partner_type": "企业", "role": "共建",
                                   "joined_on": "2021-03-01"})
    assert got == {"partner_code": "企业的合作方代码应为18位统一社会信用代码"}
    got = problems("ic_partners", {"college_code": C1, "partner_code": "330100", "partner_type": "地方政府", "role": "参与",
                                   "joined_on": "2021-03-01", "left_on": "2020-01-01"})
    assert got == {"name": "地方政府合作方须填写名称", "left_on": "退出日期不能早于加入日期"}


def test_a_closed_college_gives_its_date_and_only_a_closed_one():
    row = {"code": "X", "name": "x", "lead_school_code": "4133000001", "type": "企业学院", "industry_chain": "链",
           "location": "校内", "founded_on": "2021-01-01"}
    assert problems("ic_colleges", {**row, "status": "撤销"}) == {"closed_on": "状态为撤销时须填写撤销日期"}
    assert problems("ic_colleges", {**row, "status": "运行", "closed_on": "2022-01-01"}) == {"closed_on": "只有撤销的产业学院填写撤销日期"}
    assert problems("ic_colleges", {**row, "status": "closed", "closed_on": "2020-01-01"}) == {"closed_on": "撤销日期不能早于成立日期"}


def test_order_class_counts_hold_together():
    got = problems("ic_order_classes", {"college_code": C1, "class_name": "班", "uscc": make_uscc("330100", 1),
                                        "intake_year": 2023, "planned": 40, "enrolled": 30, "graduation_year": 2022,
                                        "graduates": 31, "hired": 32})
    assert got == {"graduation_year": "毕业年份不能早于招生年份", "graduates": "毕业人数不能多于实际人数",
                   "hired": "毕业录用人数不能多于毕业人数"}


def test_tasks_are_written_by_name_number_or_english():
    kind = get_kind("ic_tasks")
    names = [kind.parse_row({"college_code": C1, "year": 2025, "task": cell, "status": "done"})["task"]
             for cell in ("4", "④", "任务四", "打造实训实习基地", "internship and training bases")]
    assert set(names) == {"打造实训实习基地"}


def test_english_messages_name_the_english_headers():
    from xiaoqi.core.i18n import set_lang

    set_lang("en")
    got = problems("ic_order_classes", {"college_code": C1, "class_name": "班", "uscc": make_uscc("330100", 1),
                                        "intake_year": 2023, "planned": 40, "enrolled": 30, "hired": 31})
    assert got == {"hired": "hired is more than enrolled"}


# -- guards: a record names its college's own parties ---------------------------------------------

def _refused(engine, kind: str, data: dict, actor=ADMIN) -> str:
    with write_session(engine) as session:
        with pytest.raises(ValidationFailed) as exc:
            create_record(session, actor=actor, kind=kind, data=data)
    return str(exc.value)


def test_a_school_or_enterprise_partner_must_be_in_the_registry(xiaoqi_engine, xiaoqi_factory):
    build(xiaoqi_factory)
    ghost = make_uscc("330100", 999)
    text = _refused(xiaoqi_engine, "ic_partners", {"college_code": C1, "partner_code": ghost, "partner_type": "企业",
                                                   "role": "参与", "joined_on": "2022-01-01"})
    assert f"企业名录中没有 {ghost}" in text and "xiaoqi import enterprises" in text
    # an association has a USCC too, but is not looked up among the enterprises
    create_record_as_admin(xiaoqi_engine, "ic_partners", {"college_code": C2, "partner_code": association_code(9),
                                                          "partner_type": "行业协会", "name": "协会", "role": "参与",
                                                          "joined_on": "2024-01-01"})


def create_record_as_admin(engine, kind, data):
    with write_session(engine) as session:
        return create_record(session, actor=ADMIN, kind=kind, data=data)


def test_investments_classes_and_services_name_a_partner_enterprise(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    text = _refused(xiaoqi_engine, "ic_investments", {"college_code": C1, "uscc": reg.outsider.uscc, "year": 2025,
                                                      "category": "现金", "amount": "1", "evidence": "X-1"})
    assert f"{reg.outsider.uscc} 不是产业学院 {C1} 的合作企业" in text
    # b left C1 but was its partner: its lines stay valid; a is no partner of... every college it is in
    create_record_as_admin(xiaoqi_engine, "ic_investments", {"college_code": C1, "uscc": reg.b.uscc, "year": 2024,
                                                             "category": "现金", "amount": "1", "evidence": "B-1"})
    assert "不是产业学院" in _refused(xiaoqi_engine, "ic_services", {"college_code": C2, "year": 2025, "service_type": "技术服务",
                                                                    "title": "t", "uscc": reg.b.uscc})


def test_members_sit_for_a_party_and_majors_belong_to_a_party_school(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    text = _refused(xiaoqi_engine, "ic_members", {"college_code": C1, "body_name": "理事会", "name": "钱理事",
                                                  "organisation_code": reg.outsider.uscc, "role": "理事"})
    assert "不是产业学院 CY-01 的牵头学校或合作方" in text
    for org in ("330100", reg.association):  # the government and the association hold seats too
        create_record_as_admin(xiaoqi_engine, "ic_members", {"college_code": C1, "body_name": "学术委员会",
                                                             "name": f"委员{org[-2:]}", "organisation_code": org, "role": "委员"})
    xiaoqi_factory.major(school=reg.stranger)
    text = _refused(xiaoqi_engine, "ic_majors", {"college_code": C1, "school_code": reg.stranger.school_code, "major_code": "460301"})
    assert "不是产业学院 CY-01 的牵头学校或合作学校" in text


def test_teaching_is_by_an_enterprise_teacher_of_a_partner(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    own = xiaoqi_factory.teacher(school=reg.lead, name="陈老师")
    text = _refused(xiaoqi_engine, "ic_teaching", {"college_code": C1, "teacher_id": own.id_number, "term": "2025-2026-1",
                                                   "course": "c", "hours": 10})
    assert "陈老师 不是企业方教师" in text
    stranger = xiaoqi_factory.teacher(enterprise=reg.outsider, kind="企业导师", name="孙工")
    text = _refused(xiaoqi_engine, "ic_teaching", {"college_code": C1, "teacher_id": stranger.id_number, "term": "2025-2026-1",
                                                   "course": "c", "hours": 10})
    assert f"孙工 所在企业 {reg.outsider.uscc} 不是产业学院 CY-01 的合作企业" in text
    # a part-time teacher from a partner's firm is on the enterprise side
    part_time = xiaoqi_factory.teacher(school=reg.lead, enterprise=reg.a, kind="兼职", name="周工")
    create_record_as_admin(xiaoqi_engine, "ic_teaching", {"college_code": C1, "teacher_id": part_time.id_number,
                                                          "term": "2025-2026-1", "course": "c", "hours": 10})


# -- who sees and changes what --------------------------------------------------------------------

def _keys(engine, actor, kind: str) -> list[str]:
    k = get_kind(kind)
    with read_session(engine) as session:
        return sorted(k.key_of(k.export_values(r)) for r in list_records(session, actor=actor, kind=kind, limit=1000).rows)


def test_a_school_sees_its_colleges_and_an_enterprise_those_it_partners(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    assert _keys(xiaoqi_engine, Actor("school", reg.lead.school_code), "ic_colleges") == [C1]
    assert _keys(xiaoqi_engine, Actor("school", reg.partner_school.school_code), "ic_colleges") == [C1, C2]
    assert _keys(xiaoqi_engine, Actor("school", reg.stranger.school_code), "ic_colleges") == []
    assert _keys(xiaoqi_engine, Actor("enterprise", reg.a.uscc), "ic_colleges") == [C1, C2]
    assert _keys(xiaoqi_engine, Actor("enterprise", reg.b.uscc), "ic_colleges") == [C1]  # a former partner keeps its history
    assert _keys(xiaoqi_engine, Actor("enterprise", reg.outsider.uscc), "ic_colleges") == []
    assert _keys(xiaoqi_engine, Actor("province", "33"), "ic_colleges") == [C1, C2]
    assert _keys(xiaoqi_engine, Actor("province", "32"), "ic_colleges") == []
    assert len(_keys(xiaoqi_engine, Actor("school", reg.stranger.school_code), "ic_meetings")) == 0
    assert len(_keys(xiaoqi_engine, Actor("enterprise", reg.b.uscc), "ic_meetings")) == 4


def test_an_enterprise_sees_and_keeps_only_its_own_investment(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    lines = _keys(xiaoqi_engine, Actor("school", reg.lead.school_code), "ic_investments")
    # the lead school reads its college's lines, a partner school those of every college it reads
    assert len(lines) == 5 and len(_keys(xiaoqi_engine, Actor("school", reg.partner_school.school_code), "ic_investments")) == 6
    assert _keys(xiaoqi_engine, Actor("enterprise", reg.b.uscc), "ic_investments") == [f"{C1}/{reg.b.uscc}/RJ-2023-01"]
    a = Actor("enterprise", reg.a.uscc)
    assert len(_keys(xiaoqi_engine, a, "ic_investments")) == 5  # its four in CY-01 and one in CY-02
    with write_session(xiaoqi_engine) as session:
        create_record(session, actor=a, kind="ic_investments", data={"college_code": C1, "uscc": reg.a.uscc, "year": 2026,
                                                                     "category": "设备", "amount": "30000", "evidence": "SB-2026-01"})
        update_record(session, actor=a, kind="ic_investments", key=f"{C1}/{reg.a.uscc}/SB-2026-01", changes={"amount": "31000"})
        with pytest.raises(PermissionDenied):
            create_record(session, actor=a, kind="ic_investments", data={"college_code": C1, "uscc": reg.b.uscc, "year": 2026,
                                                                         "category": "设备", "amount": "1", "evidence": "X"})
        with pytest.raises(PermissionDenied):  # the college's other records are the lead school's to keep
            create_record(session, actor=a, kind="ic_meetings", data={"college_code": C1, "body_name": "理事会", "held_on": "2026-01-05"})


def test_only_the_lead_school_keeps_the_college(xiaoqi_engine, xiaoqi_factory):
    reg = build(xiaoqi_factory)
    meeting = {"college_code": C1, "body_name": "理事会", "held_on": "2026-01-05"}
    with write_session(xiaoqi_engine) as session:
        for actor in (Actor("school", reg.partner_school.school_code), Actor("province", "33"), Actor("auditor", "")):
            with pytest.raises(PermissionDenied):
                create_record(session, actor=actor, kind="ic_meetings", data=meeting)
        # to a school that may not read the college, it does not exist (a refusal never says where it belongs)
        with pytest.raises(ValidationFailed, match="引用的产业学院不存在：CY-01"):
            create_record(session, actor=Actor("school", reg.stranger.school_code), kind="ic_meetings", data=meeting)
        create_record(session, actor=Actor("school", reg.lead.school_code), kind="ic_meetings", data=meeting)


def test_personal_columns_are_masked_unless_revealed(xiaoqi_engine, xiaoqi_factory, xiaoqi_cli):
    from xiaoqi.core.privacy import present

    reg = build(xiaoqi_factory)
    lead = Actor("school", reg.lead.school_code)
    with write_session(xiaoqi_engine) as session:
        rows = list_records(session, actor=lead, kind="ic_members").rows
        assert {m["phone"] for m in present(session, lead, get_kind("ic_members"), rows)} == {"139****1111"}
        assert {m["phone"] for m in present(session, lead, get_kind("ic_members"), rows, reveal=True)} == {"13900001111"}
        # a partner reads the members, but revealing stays with the lead school
        partner = present(session, Actor("enterprise", reg.a.uscc), get_kind("ic_members"), rows, reveal=True)
        assert {m["phone"] for m in partner} == {"139****1111"}
    teaching = xiaoqi_cli("export", "ic_teaching", "--format", "json").json
    assert reg.ta.id_number not in json.dumps(teaching) and teaching[0]["teacher_id"].startswith(reg.ta.id_number[:6] + "*")
    revealed = xiaoqi_cli("export", "ic_teaching", "--format", "json", "--reveal").json
    assert {t["teacher_id"] for t in revealed} == {reg.ta.id_number, reg.tb.id_number}


# -- every kind round-trips -----------------------------------------------------------------------

@BOTH
def test_every_kind_round_trips_through_export_and_import(request, xiaoqi_backend, xiaoqi_engine, xiaoqi_factory,
                                                          xiaoqi_cli, xiaoqi_sqlite_template, tmp_path):
    build(xiaoqi_factory)
    assert_round_trip(request, xiaoqi_backend, xiaoqi_engine, xiaoqi_cli, xiaoqi_sqlite_template, tmp_path,
                      core_kinds=CORE_KINDS, kinds=IC_KINDS)


@pytest.mark.parametrize("kind", IC_KINDS)
def test_each_template_has_both_header_rows(kind, xiaoqi_cli, tmp_path):
    assert_template_headers(xiaoqi_cli, kind, tmp_path)


def test_a_bad_file_names_rows_and_columns_and_writes_nothing(xiaoqi_engine, xiaoqi_factory, xiaoqi_cli, tmp_path):
    reg = build(xiaoqi_factory)
    before = table_rows(xiaoqi_engine, ["ic_investments"])
    bad = tmp_path / "bad.csv"
    bad.write_text("学院编码,统一社会信用代码,年度,投入类型,金额,凭证编号\n"
                   f"{C1},{reg.a.uscc},2026,现金,1000,OK-1\n"
                   f"{C1},{reg.outsider.uscc},2026,现金,1000,BAD-1\n"
                   f"{C1},{reg.a.uscc},1999,礼品,-5,BAD-2\n"
                   f"CY-99,{reg.a.uscc},2026,现金,1000,BAD-3\n", encoding="utf-8")
    result = xiaoqi_cli("import", "ic_investments", bad)
    report = result.output + result.stderr
    assert result.exit_code == 1 and "Traceback" not in report
    assert "第 3 行" in report and "不是产业学院 CY-01 的合作企业" in report
    assert "第 4 行" in report and "投入类型「礼品」" in report and "金额「-5」" in report
    assert "第 5 行" in report and "CY-99" in report
    assert table_rows(xiaoqi_engine, ["ic_investments"]) == before

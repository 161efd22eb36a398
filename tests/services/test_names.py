"""Names beside codes in listings (``list_records(names=True)``), search and filters by the names a
record refers to, ``where`` comparisons, totals, and the records referring to a record — read in
SQL within the reader's scope, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xiaoqi.core.actors import ADMIN, Actor
from xiaoqi.core.db import read_session, write_session
from xiaoqi.core.errors import ValidationFailed
from xiaoqi.core.kinds import get_kind
from xiaoqi.core.names import listing_columns, name_columns, names_of, title_of
from xiaoqi.core.related import finding_matcher, group_findings, related_records
from xiaoqi.core.rules import Finding
from xiaoqi.core.services import count_records, list_records, sum_records, update_record

from .registry_data import EA, EB, SA, SB, STU_A, STU_B, seed

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


@pytest.fixture
def named(xiaoqi_engine):
    with write_session(xiaoqi_engine) as session:
        seed(session)
        update_record(session, actor=ADMIN, kind="students", key=STU_B, changes={"name": "李四"})
        update_record(session, actor=ADMIN, kind="internships", key=f"{STU_B}/{EB}/2025-09-01", changes={"monthly_pay": "1000.25"})
    return xiaoqi_engine


def test_name_columns_follow_references():
    internships = get_kind("internships")
    assert [(n.name, n.beside, n.zh) for n in name_columns(internships)] == [
        ("school_name", "school_code", "学校名称"), ("student_name", "id_number", "学生姓名"),
        ("enterprise_name", "uscc", "企业名称"), ("position_title", "position_code", "岗位名称")]
    order = [c.name for c in listing_columns(internships)]
    assert order[:8] == ["school_code", "school_name", "id_number", "student_name", "uscc", "enterprise_name",
                         "position_code", "position_title"]
    # the kind's own columns stay, in their order
    assert [n for n in order if n in internships.by_name] == [c.name for c in internships.columns]
    # mentors are named by the internship itself; a school names itself
    assert not name_columns(get_kind("schools"))


@BOTH
def test_listing_carries_names_in_scope(named):
    with read_session(named) as session:
        page = list_records(session, actor=ADMIN, kind="internships", names=True, count=True)
        by_student = {r.id_number: n for r, n in zip(page.rows, page.names)}
        assert by_student[STU_A] == {"school_name": "南京工业职业技术大学", "student_name": "张三",
                                     "enterprise_name": "企业320100", "position_title": "装配技术员"}
        assert by_student[STU_B]["student_name"] == "李四"
        # an enterprise reads its interns' names; without names the page is as before
        page = list_records(session, actor=Actor("enterprise", EA), kind="internships", names=True)
        assert [n["student_name"] for n in page.names] == ["张三"]
        assert list_records(session, actor=ADMIN, kind="internships").names is None


@BOTH
def test_search_and_filter_by_name(named):
    with read_session(named) as session:
        found = list_records(session, actor=ADMIN, kind="internships", search="李四").rows
        assert [r.id_number for r in found] == [STU_B]
        assert count_records(session, actor=ADMIN, kind="internships", search="李四") == 1
        # the name of a record outside the reader's scope finds nothing
        assert not list_records(session, actor=Actor("school", SA), kind="internships", search="李四").rows
        assert [r.id_number for r in list_records(session, actor=ADMIN, kind="internships",
                                                  filters={"student_name": "李*"}).rows] == [STU_B]
        assert [r.id_number for r in list_records(session, actor=ADMIN, kind="insured",
                                                  where=[("student_name", "=", "张三")]).rows] == [STU_A]
        assert [r.id_number for r in list_records(session, actor=ADMIN, kind="insured",
                                                  where=[("student_name", "!=", "张三")]).rows] == [STU_B]


@BOTH
def test_where_compares_and_totals_are_exact(named):
    with read_session(named) as session:
        def ids(where):
            return sorted(r.id_number for r in list_records(session, actor=ADMIN, kind="internships", where=where).rows)

        assert ids([("monthly_pay", "<", "2000")]) == [STU_B]
        assert ids([("monthly_pay", ">=", "1000.25"), ("start_on", ">=", "2025-09-01")]) == sorted([STU_A, STU_B])
        assert ids([("start_on", ">", "2025-09-01")]) == []
        assert ids([("school_code", "=", SB)]) == [STU_B]
        assert ids([("position_code", "!=", "P001")]) == []
        sums = sum_records(session, actor=ADMIN, kind="internships", columns=["monthly_pay"])
        assert sums == {"monthly_pay": Decimal("5200.75")}
        assert sum_records(session, actor=Actor("school", SA), kind="internships", columns=["monthly_pay"]) == {
            "monthly_pay": Decimal("4200.50")}
        for bad in ([("kind", ">", "学徒")], [("start_on", ">=", "2025-13-01")], [("nope", "=", "1")],
                    [("student_name", ">", "张")], [("start_on", "~", "1")]):
            with pytest.raises(ValidationFailed):
                list_records(session, actor=ADMIN, kind="internships", where=bad)


@BOTH
def test_a_students_page_lists_what_refers_to_it(named):
    students = get_kind("students")
    with read_session(named) as session:
        obj = list_records(session, actor=ADMIN, kind="students", where=[("id_number", "=", STU_A)]).rows[0]
        values = students.export_values(obj)
        related = {r.kind.name: r for r in related_records(session, ADMIN, students, values)}
        assert set(related) == {"internships", "insured"}
        assert related["internships"].total == 1 and related["internships"].keys == [f"{STU_A}/{EA}/2025-09-01"]
        row = related["internships"].rows[0]
        assert row["enterprise_name"] == "企业320100" and row["id_number"].startswith("320102********")
        shown = [c.name for c in related["internships"].columns]
        assert "enterprise_name" in shown and "id_number" not in shown and "student_name" not in shown
        assert related["insured"].rows[0]["policy_insurer"] == "中国人民财产保险股份有限公司"
        # the title names the record; an internship's by its student and enterprise, its ID masked
        assert title_of(students, values, names_of(session, ADMIN, students, [obj.id])[obj.id]) == "张三"
        internships = get_kind("internships")
        intern = related_records(session, ADMIN, get_kind("enterprises"), {"uscc": EA})
        i_obj = list_records(session, actor=ADMIN, kind="internships", where=[("uscc", "=", EA)]).rows[0]
        title = title_of(internships, internships.export_values(i_obj), names_of(session, ADMIN, internships, [i_obj.id])[i_obj.id])
        assert title == "张三 · 企业320100 · 2025-09-01"
        assert {r.kind.name for r in intern} >= {"positions", "agreements", "internships"}
        # a school sees nothing of another school's student
        assert related_records(session, Actor("school", SB), students, values) == []


def test_findings_about_a_record_and_its_referrers_grouped():
    students = get_kind("students")
    about = finding_matcher(students, STU_A, {"id_number": STU_A})
    assert about("students", STU_A) and about("internships", f"{STU_A}/{EA}/2025-09-01")
    assert about("insured", f"POL-A-1/{STU_A}")
    assert not about("internships", f"{STU_B}/{EB}/2025-09-01") and not about("students", STU_B)
    same = [Finding("R-1", "error", "internships", f"{STU_A}/{EA}/2025-09-01", f"day {i}") for i in range(21)]
    other = Finding("R-2", "warning", "internships", f"{STU_A}/{EA}/2025-09-01", "once")
    grouped = group_findings([*same, other])
    assert [(f.rule, n) for f, n in grouped] == [("R-1", 21), ("R-2", 1)]
    assert grouped[0][0].message == "day 0"


@BOTH
def test_position_of_a_record_in_its_listing(named):
    from xiaoqi.core.services import order_key, position_of

    with read_session(named) as session:
        for order_by, descending in ((None, False), ("monthly_pay", False), ("monthly_pay", True), ("start_on", True)):
            rows = list_records(session, actor=ADMIN, kind="internships", order_by=order_by, descending=descending).rows
            for i, obj in enumerate(rows):
                key = f"{obj.id_number}/{obj.uscc}/{obj.start_on}"
                assert position_of(session, actor=ADMIN, kind="internships", key=key, order_by=order_by,
                                   descending=descending) == i, (order_by, descending, order_key(get_kind("internships"), obj))
        assert position_of(session, actor=Actor("school", SA), kind="internships", key=f"{STU_B}/{EB}/2025-09-01") is None

"""The teachers registry (core kind ``teachers``): validation, who sees which teacher, and internship
mentors as references — given by ID number or by a name unique at the school or enterprise."""

import datetime as dt

import pytest

from xiaoqi.core.actors import Actor
from xiaoqi.core.db import read_session, write_session
from xiaoqi.core.errors import PermissionDenied, ValidationFailed
from xiaoqi.core.kinds import RowProblems, get_kind
from xiaoqi.core.services import create_record, get_record, list_records, update_record
from xiaoqi.testing import make_id_number, make_uscc

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def _teacher_row(**values):
    row = {"id_number": make_id_number("330100", dt.date(1980, 1, 2), 7), "name": "张伟", "kind": "专任",
           "school_code": "4330000001"}
    row.update(values)
    return row


def test_a_teacher_row_is_checked_like_a_student_row():
    kind = get_kind("teachers")
    assert kind.parse_row(_teacher_row())["kind"] == "专任"
    assert get_kind("教师") is kind
    with pytest.raises(RowProblems) as bad:
        kind.parse_row(_teacher_row(id_number="330100198001020070"))
    assert "校验位" in bad.value.problems[0][2]
    cases = [
        (dict(school_code=None), "school_code", "专任教师必须填写所在学校代码"),
        (dict(kind="兼职", school_code=None), "school_code", "兼职教师必须填写所在学校代码"),
        (dict(kind="企业导师", school_code=None), "uscc", "企业导师必须填写所在企业的统一社会信用代码"),
        (dict(uscc="91330100MA0000001X"), "uscc", None),  # not a valid USCC: the cell itself is wrong
    ]
    for values, column, reason in cases:
        with pytest.raises(RowProblems) as bad:
            kind.parse_row(_teacher_row(**values))
        assert bad.value.problems[0][0] == column
        if reason:
            assert bad.value.problems[0][2] == reason
    assert kind.parse_row(_teacher_row(kind="enterprise mentor", school_code=None, uscc=make_uscc("330100", 5)))["kind"] == "企业导师"


def test_a_full_time_teacher_has_no_enterprise(xiaoqi_factory):
    firm = xiaoqi_factory.enterprise()
    with pytest.raises(ValidationFailed, match="专任教师由学校聘任"):
        xiaoqi_factory.teacher(uscc=firm.uscc)
    part_time = xiaoqi_factory.teacher(kind="兼职", enterprise=firm)
    assert part_time.uscc == firm.uscc and part_time.school_code


@BOTH
def test_who_sees_which_teacher(xiaoqi_factory, xiaoqi_engine):
    """A teacher is seen by their school or enterprise, by the other party of the internships they
    mentor, and by the province of either; nobody else writes them."""
    f = xiaoqi_factory
    school, other_school = f.school(), f.school()
    firm, other_firm = f.enterprise(), f.enterprise()
    mine = f.teacher(school)
    theirs = f.teacher(other_school)
    mentor = f.teacher(kind="企业导师", enterprise=firm, name="李师傅")
    stranger = f.teacher(kind="企业导师", enterprise=other_firm)
    f.position(firm)
    student = f.student(school)
    f.internship(student, school_mentor=mine.name, enterprise_mentor="李师傅")

    def visible(actor):
        with read_session(xiaoqi_engine) as session:
            return {t.id_number for t in list_records(session, actor=actor, kind="teachers", limit=1000).rows}

    assert visible(Actor("school", school.school_code)) == {mine.id_number, mentor.id_number}
    assert visible(Actor("enterprise", firm.uscc)) == {mentor.id_number, mine.id_number}
    assert visible(Actor("enterprise", other_firm.uscc)) == {stranger.id_number}
    assert visible(Actor("province", "33")) == {mine.id_number, theirs.id_number, mentor.id_number, stranger.id_number}
    assert visible(Actor("province", "32")) == set()
    with write_session(xiaoqi_engine) as session:
        with pytest.raises(PermissionDenied):
            update_record(session, actor=Actor("enterprise", firm.uscc), kind="teachers", key=mine.id_number,
                          changes={"title": "教授"})
        with pytest.raises(PermissionDenied):
            create_record(session, actor=Actor("school", school.school_code), kind="teachers",
                          data=_teacher_row(school_code=other_school.school_code))
        update_record(session, actor=Actor("school", school.school_code), kind="teachers", key=mine.id_number,
                      changes={"title": "副教授"})


@BOTH
def test_a_mentor_named_by_a_unique_name_is_the_teacher_of_that_school(xiaoqi_factory, xiaoqi_engine):
    f = xiaoqi_factory
    school, other = f.school(), f.school()
    firm = f.enterprise()
    wang = f.teacher(school, name="王芳")
    f.teacher(other, name="李明")  # a 李明 elsewhere does not make 李明 known at this school
    f.teacher(school, name="张伟")
    f.teacher(school, name="张伟")
    master = f.teacher(kind="企业导师", enterprise=firm, name="赵师傅")
    f.position(firm)
    student = f.student(school)
    one = f.internship(student, school_mentor="王芳", enterprise_mentor="赵师傅")
    assert (one.school_mentor_id, one.enterprise_mentor_id) == (wang.id_number, master.id_number)
    for name in ("张伟", "李明"):  # several, or none, at this school: kept as text, no reference
        other_one = f.internship(f.student(school), school_mentor=name, enterprise_mentor="钱师傅")
        assert other_one.school_mentor == name and other_one.school_mentor_id is None
        assert other_one.enterprise_mentor_id is None


@BOTH
def test_a_mentor_given_by_id_number_must_work_there_and_carry_that_name(xiaoqi_factory, xiaoqi_engine):
    f = xiaoqi_factory
    school, other = f.school(), f.school()
    wang = f.teacher(school, name="王芳")
    outsider = f.teacher(other, name="孙丽")
    f.position()
    student = f.student(school)
    # the ID number alone: the name comes from the registry; written in the name column, the same
    by_id = f.internship(student, school_mentor=None, school_mentor_id=wang.id_number)
    assert by_id.school_mentor == "王芳" and by_id.school_mentor_id == wang.id_number
    in_name = f.internship(f.student(school), school_mentor=wang.id_number)
    assert in_name.school_mentor == "王芳" and in_name.school_mentor_id == wang.id_number
    with pytest.raises(ValidationFailed) as wrong_school:
        f.internship(f.student(school), school_mentor=None, school_mentor_id=outsider.id_number)
    assert "孙丽" in str(wrong_school.value) and other.school_code in str(wrong_school.value)
    with pytest.raises(ValidationFailed, match="不是「李四」"):
        f.internship(f.student(school), school_mentor="李四", school_mentor_id=wang.id_number)
    with pytest.raises(ValidationFailed, match="引用的教师不存在"):
        f.internship(f.student(school), school_mentor=None,
                     school_mentor_id=make_id_number("330100", dt.date(1970, 1, 1), 999))
    with write_session(xiaoqi_engine) as session:
        key = f"{by_id.id_number}/{by_id.uscc}/{by_id.start_on}"
        update_record(session, actor=Actor("admin"), kind="internships", key=key,
                      changes={"school_mentor": None, "school_mentor_id": None})
        assert get_record(session, actor=Actor("admin"), kind="internships", key=key).school_mentor is None

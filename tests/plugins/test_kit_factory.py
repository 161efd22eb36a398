"""xiaoqi.testing's factories: valid, checksummed records of every kind, written through the
services as admin, that hang together and that the CLI sees — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from xiaoqi.core import fields, models as m
from xiaoqi.core.errors import ValidationFailed
from xiaoqi.testing import XiaoqiFactory, make_id_number, make_school_code, make_uscc

BOTH = pytest.mark.parametrize("xiaoqi_backend", ["sqlite", "pg"], indirect=True)


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {model.__tablename__: conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
                for model in (m.School, m.Major, m.Student, m.Enterprise, m.Agreement, m.Position, m.Internship,
                              m.InsurancePolicy, m.InsuredPerson, m.AuditEntry)}


def test_codes_carry_valid_check_characters():
    for n in (0, 1, 30, 31, 10**6, 31**9 - 1):
        assert fields.parse_uscc(make_uscc("460100", n)).startswith("91460100")
    assert len({make_uscc("330100", n) for n in range(500)}) == 500
    number = make_id_number("460105", dt.date(2007, 2, 28), 17)
    assert fields.parse_idcard(number) == number and fields.birth_date(number) == dt.date(2007, 2, 28)
    assert fields.parse_code10(make_school_code("460100", 42)) == "4460000042"


@BOTH
def test_every_kind_is_written_through_the_services(xiaoqi_engine, xiaoqi_factory):
    school = xiaoqi_factory.school()
    major = xiaoqi_factory.major()
    student = xiaoqi_factory.student()
    enterprise = xiaoqi_factory.enterprise()
    agreement = xiaoqi_factory.agreement()
    position = xiaoqi_factory.position()
    policy = xiaoqi_factory.policy()
    insured = xiaoqi_factory.insured()
    # the records hang together: each used the latest parent
    assert major.school_code == student.school_code == agreement.school_code == policy.holder == school.school_code
    assert agreement.uscc == position.uscc == enterprise.uscc
    assert (insured.policy_no, insured.id_number) == (policy.policy_no, student.id_number)
    assert student.birth_date == dt.date(2006, 5, 1) and student.id_number.startswith("330100")
    assert position.wage == Decimal("5000.00") and isinstance(position.wage, Decimal)
    got = counts(xiaoqi_engine)
    assert got == {"schools": 1, "majors": 1, "students": 1, "enterprises": 1, "agreements": 1, "positions": 1,
                   "internships": 0, "policies": 1, "insured": 1, "audit_log": 8}


@BOTH
def test_a_default_internship_brings_what_it_needs(xiaoqi_engine, xiaoqi_factory):
    internship = xiaoqi_factory.internship()
    assert (internship.kind, internship.start_on, internship.end_on) == ("岗位实习", dt.date(2025, 3, 1), dt.date(2025, 8, 31))
    assert internship.monthly_pay == Decimal("4500.00")
    with Session(xiaoqi_engine) as session:
        agreement = session.execute(sa.select(m.Agreement)).scalar_one()
        policy = session.execute(sa.select(m.InsurancePolicy)).scalar_one()
        insured = session.execute(sa.select(m.InsuredPerson)).scalar_one()
        student = session.execute(sa.select(m.Student)).scalar_one()
    assert agreement.vetted_on < agreement.signed_on < internship.start_on
    assert internship.agreement_signed_on <= internship.start_on and internship.guardian_signed
    assert (policy.kind, policy.start_on, policy.end_on) == ("实习责任保险", internship.start_on, internship.end_on)
    assert insured.id_number == student.id_number == internship.id_number
    # the student turned 16 before the start and is past the first school year
    assert fields.birth_date(student.id_number) <= dt.date(2009, 3, 1)
    assert internship.start_on >= dt.date(2024, 9, 1)
    # a second internship for the same school and enterprise needs no second agreement
    xiaoqi_factory.internship(student=xiaoqi_factory.student(), start_on="2025-09-01")
    assert counts(xiaoqi_engine)["agreements"] == 1


def test_overrides_and_other_regions(xiaoqi_factory):
    school = xiaoqi_factory.school(region="460100", name="海南职业技术学院")
    student = xiaoqi_factory.student(birth=dt.date(2010, 1, 9), enrolled_on="2025-09-01")
    assert school.school_code.startswith("446") and student.id_number.startswith("460100201001 09".replace(" ", ""))
    visit = xiaoqi_factory.internship(kind="认识实习", start_on=dt.date(2025, 10, 8), end_on=dt.date(2025, 10, 10),
                                      insure=False)
    assert visit.position_code is None and visit.monthly_pay is None
    ent = xiaoqi_factory.enterprise(region="460200", staff_count="12")
    assert ent.uscc[2:8] == "460200" and ent.staff_count == 12


def test_bad_values_and_unknown_columns_are_refused(xiaoqi_factory, xiaoqi_engine):
    with pytest.raises(TypeError, match="has no column colour"):
        xiaoqi_factory.school(colour="red")
    with pytest.raises(ValidationFailed, match="学校代码"):
        xiaoqi_factory.school(school_code="12345")
    assert counts(xiaoqi_engine)["schools"] == 0


def test_a_factory_on_a_session_commits_with_it(xiaoqi_engine):
    with Session(xiaoqi_engine, expire_on_commit=False) as session:
        with session.begin():
            factory = XiaoqiFactory(session=session)
            factory.internship()
            session.rollback()
    assert counts(xiaoqi_engine)["internships"] == 0
    with Session(xiaoqi_engine, expire_on_commit=False) as session:
        with session.begin():
            XiaoqiFactory(session=session, region="320500").internship()
    assert counts(xiaoqi_engine)["internships"] == 1


def test_the_cli_sees_factory_records(xiaoqi_factory, xiaoqi_cli):
    xiaoqi_factory.internship()
    result = xiaoqi_cli("status", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json["counts"]["internships"] == 1 and result.json["counts"]["insured"] == 1


def test_a_default_internship_breaks_no_rule(xiaoqi_factory, xiaoqi_cli):
    xiaoqi_factory.internship()
    xiaoqi_factory.internship(student=xiaoqi_factory.student(), start_on="2025-09-01")
    xiaoqi_factory.internship(student=xiaoqi_factory.student(), kind="认识实习", start_on="2025-04-07", end_on="2025-04-11")
    result = xiaoqi_cli("check", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json["findings"] == []

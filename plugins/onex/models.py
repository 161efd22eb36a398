"""The 1+X tables. Records point at natural keys, as the core's tables do: an organisation by its
USCC, a certificate by its code, a site accreditation by site code + certificate + level, a session
by its code, a student by the ID number, a conversion rule by school + rule code.

A site row is one accreditation: the site (考核站点) of a school for one certificate at one level,
from a date to a date; a session (考核) is held at such a site, so it cannot name a certificate or
level the site was never accredited for, and X-SITE-NOT-ACCREDITED judges its date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from xiaoqi.core.models import Money, money_column


class Tenths(Money):
    """A number with one decimal (credits 1.5, a score 78.5): NUMERIC(4, 1), a quantized Decimal on SQLite too."""

    impl = sa.Numeric(4, 1)
    cache_ok = True
    quantum = Decimal("0.1")


def _fk(target: str) -> sa.ForeignKey:
    return sa.ForeignKey(target, onupdate="CASCADE", ondelete="RESTRICT")


def _school() -> sa.Column:
    return sa.Column(sa.String(10), _fk("schools.school_code"), nullable=False, index=True)


def _certificate(nullable: bool = False) -> sa.Column:
    return sa.Column(sa.String(30), _fk("onex_certificates.code"), nullable=nullable)


def _student() -> sa.Column:
    return sa.Column(sa.String(18), _fk("students.id_number"), nullable=False)


class Organisation(SQLModel, table=True):
    """培训评价组织: develops a certificate's standard and materials, accredits sites, assesses and issues."""

    __tablename__ = "onex_organisations"
    id: Optional[int] = Field(default=None, primary_key=True)
    uscc: str = Field(sa_column=sa.Column(sa.String(18), nullable=False, unique=True))
    name: str = Field(max_length=200)
    batch: str = Field(max_length=10)
    contact: Optional[str] = Field(default=None, max_length=100)
    phone: Optional[str] = Field(default=None, max_length=50)


class Certificate(SQLModel, table=True):
    """职业技能等级证书: its levels, and the dates it is valid (withdrawn after ``valid_to``)."""

    __tablename__ = "onex_certificates"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(sa_column=sa.Column(sa.String(30), nullable=False, unique=True))
    name: str = Field(max_length=200)
    organisation_uscc: str = Field(sa_column=sa.Column(sa.String(18), _fk("onex_organisations.uscc"), nullable=False, index=True))
    field: str = Field(max_length=100)
    levels: str = Field(max_length=20)  # 初级、中级、高级, in rank order
    valid_from: dt.date
    valid_to: Optional[dt.date] = None
    replaced_by: Optional[str] = Field(default=None, max_length=30)


class Registration(SQLModel, table=True):
    """试点登记: a school's pilot of a certificate and level for a major in a year, and its planned places."""

    __tablename__ = "onex_registrations"
    __table_args__ = (
        sa.UniqueConstraint("school_code", "certificate_code", "level", "major_code", "year", name="uq_onex_registrations_key"),
        sa.ForeignKeyConstraint(["school_code", "major_code"], ["majors.school_code", "majors.major_code"],
                                onupdate="CASCADE", ondelete="RESTRICT", name="fk_onex_registrations_major"),
        sa.Index("ix_onex_registrations_certificate", "certificate_code", "level", "year"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: str = Field(sa_column=_school())
    certificate_code: str = Field(sa_column=_certificate())
    level: str = Field(max_length=4)
    major_code: str = Field(max_length=6)
    year: int
    planned: int = Field(ge=0)
    registered_on: Optional[dt.date] = None


class Site(SQLModel, table=True):
    """考核站点: a school's site accredited for one certificate at one level, with its capacity."""

    __tablename__ = "onex_sites"
    __table_args__ = (
        sa.UniqueConstraint("site_code", "certificate_code", "level", name="uq_onex_sites_key"),
        sa.Index("ix_onex_sites_certificate", "certificate_code", "level"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    site_code: str = Field(max_length=30)
    name: str = Field(max_length=200)
    school_code: str = Field(sa_column=_school())
    certificate_code: str = Field(sa_column=_certificate())
    level: str = Field(max_length=4)
    capacity: int = Field(ge=0)
    accredited_from: dt.date
    accredited_to: Optional[dt.date] = None


class Session(SQLModel, table=True):
    """考核: one assessment of a certificate and level at a site on a day, and the fee per candidate."""

    __tablename__ = "onex_sessions"
    __table_args__ = (
        sa.ForeignKeyConstraint(["site_code", "certificate_code", "level"],
                                ["onex_sites.site_code", "onex_sites.certificate_code", "onex_sites.level"],
                                onupdate="CASCADE", ondelete="RESTRICT", name="fk_onex_sessions_site"),
        sa.Index("ix_onex_sessions_site", "site_code", "certificate_code", "level"),
        sa.Index("ix_onex_sessions_held_on", "held_on"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    session_code: str = Field(sa_column=sa.Column(sa.String(30), nullable=False, unique=True))
    school_code: str = Field(sa_column=_school())
    site_code: str = Field(max_length=30)
    certificate_code: str = Field(max_length=30)
    level: str = Field(max_length=4)
    held_on: dt.date
    fee: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))


class Result(SQLModel, table=True):
    """考生与成绩: a student sitting a session, the score, whether they passed and the fee they paid."""

    __tablename__ = "onex_results"
    __table_args__ = (
        sa.UniqueConstraint("session_code", "id_number", name="uq_onex_results_key"),
        sa.Index("ix_onex_results_student", "id_number"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    session_code: str = Field(sa_column=sa.Column(sa.String(30), _fk("onex_sessions.session_code"), nullable=False))
    id_number: str = Field(sa_column=_student())
    school_code: str = Field(sa_column=_school())
    score: Optional[Decimal] = Field(default=None, sa_column=sa.Column(Tenths(), nullable=True))
    passed: bool
    fee_paid: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))


class Issued(SQLModel, table=True):
    """证书发放: a certificate issued to a student, its number, date and validity."""

    __tablename__ = "onex_issued"
    __table_args__ = (sa.Index("ix_onex_issued_student", "id_number", "certificate_code"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    certificate_no: str = Field(sa_column=sa.Column(sa.String(50), nullable=False, unique=True))
    id_number: str = Field(sa_column=_student())
    school_code: str = Field(sa_column=_school())
    certificate_code: str = Field(sa_column=_certificate())
    level: str = Field(max_length=4)
    issued_on: dt.date
    valid_to: Optional[dt.date] = None


class ConversionRule(SQLModel, table=True):
    """学分转换规则: a school's rule turning a certificate at a level into credits for course(s)."""

    __tablename__ = "onex_conversion_rules"
    __table_args__ = (
        sa.UniqueConstraint("school_code", "rule_code", name="uq_onex_conversion_rules_key"),
        sa.Index("ix_onex_conversion_rules_certificate", "certificate_code", "level"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: str = Field(sa_column=_school())
    rule_code: str = Field(max_length=30)
    certificate_code: str = Field(sa_column=_certificate())
    level: str = Field(max_length=4)
    course_codes: str = Field(max_length=200)  # list joined with 、
    course_names: Optional[str] = Field(default=None, max_length=500)
    credits: Decimal = Field(sa_column=sa.Column(Tenths(), nullable=False))
    exemption: str = Field(max_length=4)
    valid_from: dt.date
    valid_to: Optional[dt.date] = None


class Conversion(SQLModel, table=True):
    """学分转换记录: credits for one course converted for a student in a term, under a rule, by whom."""

    __tablename__ = "onex_conversions"
    __table_args__ = (
        sa.UniqueConstraint("id_number", "course_code", "term", name="uq_onex_conversions_key"),
        sa.ForeignKeyConstraint(["school_code", "rule_code"], ["onex_conversion_rules.school_code", "onex_conversion_rules.rule_code"],
                                onupdate="CASCADE", ondelete="RESTRICT", name="fk_onex_conversions_rule"),
        sa.Index("ix_onex_conversions_rule", "school_code", "rule_code"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    id_number: str = Field(sa_column=_student())
    school_code: str = Field(sa_column=_school())
    course_code: str = Field(max_length=30)
    term: str = Field(max_length=11)
    rule_code: str = Field(max_length=30)
    certificate_no: Optional[str] = Field(default=None, max_length=50)
    credits: Decimal = Field(sa_column=sa.Column(Tenths(), nullable=False))
    exemption: str = Field(max_length=4)
    applied_on: dt.date
    applied_by: str = Field(max_length=100)


MODELS = (Organisation, Certificate, Registration, Site, Session, Result, Issued, ConversionRule, Conversion)

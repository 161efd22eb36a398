"""The 产业学院 tables. A college is keyed by its code; everything recorded about it points at
that code (``ON UPDATE CASCADE``), as the core's tables point at natural keys.

What the core already records is not copied here: the college's students are the core's
students of its joint majors, its interns and apprentices the core's internships of those students
at its partner enterprises, its enterprise teachers the core's ``teachers``. These tables hold only
what the core has no place for.

A partner is one code column (a school code, a USCC or a region code) with its type; for schools
and enterprises the code is also copied into ``school_code`` / ``uscc``, foreign keys into the
registry, so that the database refuses to drop a school or an enterprise a college counts on and
queries join on an indexed column.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from xiaoqi.core.models import money_column


def _college_fk() -> sa.ForeignKey:
    return sa.ForeignKey("ic_colleges.code", onupdate="CASCADE", ondelete="RESTRICT")


def _college_column() -> sa.Column:
    return sa.Column(sa.String(30), _college_fk(), nullable=False)


def _registry_fk(target: str) -> sa.ForeignKey:
    # no ON UPDATE CASCADE: the partner's code column would not follow, so a registry key that a
    # college uses cannot change under it
    return sa.ForeignKey(target, ondelete="RESTRICT")


class College(SQLModel, table=True):
    """产业学院: co-built by a lead school with enterprises, and often a local government."""

    __tablename__ = "ic_colleges"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(sa_column=sa.Column(sa.String(30), nullable=False, unique=True))
    name: str = Field(max_length=200)
    lead_school_code: str = Field(sa_column=sa.Column(sa.String(10), _registry_fk("schools.school_code"), nullable=False, index=True))
    type: str = Field(max_length=20)
    industry_chain: str = Field(max_length=200)
    location: str = Field(max_length=10)
    founded_on: dt.date
    status: str = Field(max_length=10)
    closed_on: Optional[dt.date] = None
    contact: Optional[str] = Field(default=None, max_length=100)
    phone: Optional[str] = Field(default=None, max_length=50)


class Recognition(SQLModel, table=True):
    """认定: the college recognised at a level (校级 … 国家级), with date and batch."""

    __tablename__ = "ic_recognitions"
    __table_args__ = (sa.UniqueConstraint("college_code", "level", name="uq_ic_recognitions_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    level: str = Field(max_length=10)
    recognised_on: dt.date
    batch: Optional[str] = Field(default=None, max_length=50)
    issuer: Optional[str] = Field(default=None, max_length=200)
    document_no: Optional[str] = Field(default=None, max_length=100)


class Partner(SQLModel, table=True):
    """合作方: a school, enterprise, local government or industry association, its role and dates."""

    __tablename__ = "ic_partners"
    __table_args__ = (
        sa.UniqueConstraint("college_code", "partner_code", name="uq_ic_partners_key"),
        sa.Index("ix_ic_partners_uscc", "uscc"),
        sa.Index("ix_ic_partners_school", "school_code"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    partner_code: str = Field(max_length=18)
    partner_type: str = Field(max_length=10)
    name: Optional[str] = Field(default=None, max_length=200)
    role: str = Field(max_length=10)
    joined_on: dt.date
    left_on: Optional[dt.date] = None
    # derived from partner_code by type (see the module docstring)
    school_code: Optional[str] = Field(default=None, sa_column=sa.Column(sa.String(10), _registry_fk("schools.school_code"), nullable=True))
    uscc: Optional[str] = Field(default=None, sa_column=sa.Column(sa.String(18), _registry_fk("enterprises.uscc"), nullable=True))


class Body(SQLModel, table=True):
    """治理机构: a board, management or academic committee of the college."""

    __tablename__ = "ic_bodies"
    __table_args__ = (sa.UniqueConstraint("college_code", "name", name="uq_ic_bodies_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    name: str = Field(max_length=100)
    body_type: str = Field(max_length=20)
    established_on: Optional[dt.date] = None


def _body_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["college_code", "body_name"], ["ic_bodies.college_code", "ic_bodies.name"],
                                   onupdate="CASCADE", ondelete="RESTRICT", name=f"fk_{table}_body")


class Member(SQLModel, table=True):
    """机构成员: a person on a body, the party they sit for (the lead school or a partner) and their role."""

    __tablename__ = "ic_members"
    __table_args__ = (sa.UniqueConstraint("college_code", "body_name", "name", name="uq_ic_members_key"),
                      _body_fk("ic_members"))
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    body_name: str = Field(max_length=100)
    name: str = Field(max_length=100)
    organisation_code: str = Field(max_length=18)
    role: str = Field(max_length=50)
    phone: Optional[str] = Field(default=None, max_length=50)


class Meeting(SQLModel, table=True):
    """会议: a meeting of a body and the decisions it took."""

    __tablename__ = "ic_meetings"
    __table_args__ = (sa.UniqueConstraint("college_code", "body_name", "held_on", name="uq_ic_meetings_key"),
                      _body_fk("ic_meetings"))
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    body_name: str = Field(max_length=100)
    held_on: dt.date
    title: Optional[str] = Field(default=None, max_length=200)
    decisions: Optional[str] = Field(default=None, max_length=2000)


class JointMajor(SQLModel, table=True):
    """共建专业: a major of the lead school or a partner school that the college builds."""

    __tablename__ = "ic_majors"
    __table_args__ = (
        sa.UniqueConstraint("college_code", "school_code", "major_code", name="uq_ic_majors_key"),
        sa.ForeignKeyConstraint(["school_code", "major_code"], ["majors.school_code", "majors.major_code"],
                                onupdate="CASCADE", ondelete="RESTRICT", name="fk_ic_majors_major"),
        sa.Index("ix_ic_majors_major", "school_code", "major_code"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    school_code: str = Field(max_length=10)
    major_code: str = Field(max_length=6)
    core: Optional[bool] = None
    since_year: Optional[int] = None


class OrderClass(SQLModel, table=True):
    """订单班: a class trained to an enterprise's order, its places and the hires it led to."""

    __tablename__ = "ic_order_classes"
    __table_args__ = (sa.UniqueConstraint("college_code", "class_name", name="uq_ic_order_classes_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    class_name: str = Field(max_length=100)
    uscc: str = Field(sa_column=sa.Column(sa.String(18), _registry_fk("enterprises.uscc"), nullable=False, index=True))
    major_code: Optional[str] = Field(default=None, max_length=6)
    intake_year: int
    planned: int = Field(ge=0)
    enrolled: int = Field(ge=0)
    committed_hires: Optional[int] = Field(default=None, ge=0)
    graduation_year: Optional[int] = None
    graduates: Optional[int] = Field(default=None, ge=0)
    hired: Optional[int] = Field(default=None, ge=0)


class Investment(SQLModel, table=True):
    """企业投入: one line of a partner enterprise's investment in a year, with its evidence."""

    __tablename__ = "ic_investments"
    __table_args__ = (
        sa.UniqueConstraint("college_code", "uscc", "evidence", name="uq_ic_investments_key"),
        sa.Index("ix_ic_investments_uscc_year", "uscc", "year"),
        sa.Index("ix_ic_investments_college_year", "college_code", "year"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    uscc: str = Field(sa_column=sa.Column(sa.String(18), _registry_fk("enterprises.uscc"), nullable=False))
    year: int
    category: str = Field(max_length=10)
    amount: Decimal = Field(sa_column=money_column(nullable=False))
    evidence: str = Field(max_length=100)
    description: Optional[str] = Field(default=None, max_length=200)
    area: Optional[int] = Field(default=None, ge=0)  # ㎡, for a training base
    workstations: Optional[int] = Field(default=None, ge=0)
    hours: Optional[int] = Field(default=None, ge=0)  # staff time


class Course(SQLModel, table=True):
    """共建课程与教材: a joint course, textbook, case set or real enterprise project (capstone topics)."""

    __tablename__ = "ic_courses"
    __table_args__ = (sa.UniqueConstraint("college_code", "item_type", "title", name="uq_ic_courses_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    item_type: str = Field(max_length=10)
    title: str = Field(max_length=200)
    year: int
    uscc: Optional[str] = Field(default=None, sa_column=sa.Column(sa.String(18), _registry_fk("enterprises.uscc"), nullable=True))
    authors: Optional[str] = Field(default=None, max_length=500)  # list joined with 、
    reference: Optional[str] = Field(default=None, max_length=200)
    students: Optional[int] = Field(default=None, ge=0)


class Teaching(SQLModel, table=True):
    """企业教师授课: an enterprise teacher of the registry teaching a course in a term, and the hours.
    ``school_year`` (the year the school year starts) and ``year`` (the calendar year the term
    falls in) are derived from the term."""

    __tablename__ = "ic_teaching"
    __table_args__ = (
        sa.UniqueConstraint("college_code", "teacher_id", "term", "course", name="uq_ic_teaching_key"),
        sa.Index("ix_ic_teaching_college_year", "college_code", "school_year"),
        sa.Index("ix_ic_teaching_teacher", "teacher_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    teacher_id: str = Field(sa_column=sa.Column(sa.String(18), sa.ForeignKey("teachers.id_number", onupdate="CASCADE", ondelete="RESTRICT"), nullable=False))
    term: str = Field(max_length=11)
    course: str = Field(max_length=200)
    hours: int = Field(ge=0)
    school_year: int
    year: int


class Base(SQLModel, table=True):
    """实习实训基地: a base the partners share, where it is, whose it is and how many it takes."""

    __tablename__ = "ic_bases"
    __table_args__ = (sa.UniqueConstraint("college_code", "name", name="uq_ic_bases_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    name: str = Field(max_length=200)
    location: str = Field(max_length=10)
    uscc: Optional[str] = Field(default=None, sa_column=sa.Column(sa.String(18), _registry_fk("enterprises.uscc"), nullable=True))
    area: Optional[int] = Field(default=None, ge=0)
    workstations: Optional[int] = Field(default=None, ge=0)
    capacity: Optional[int] = Field(default=None, ge=0)
    opened_on: Optional[dt.date] = None


class Service(SQLModel, table=True):
    """产学研服务: a joint R&D project, a patent, technical-service income or employee training."""

    __tablename__ = "ic_services"
    __table_args__ = (sa.UniqueConstraint("college_code", "year", "service_type", "title", name="uq_ic_services_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    year: int
    service_type: str = Field(max_length=10)
    title: str = Field(max_length=200)
    uscc: Optional[str] = Field(default=None, sa_column=sa.Column(sa.String(18), _registry_fk("enterprises.uscc"), nullable=True))
    amount: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))
    trainees: Optional[int] = Field(default=None, ge=0)
    patent_no: Optional[str] = Field(default=None, max_length=50)


class TaskReport(SQLModel, table=True):
    """建设任务自评: the college's own status and evidence items for one of the seven tasks in a year."""

    __tablename__ = "ic_tasks"
    __table_args__ = (sa.UniqueConstraint("college_code", "year", "task", name="uq_ic_tasks_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    college_code: str = Field(sa_column=_college_column())
    year: int
    task: str = Field(max_length=20)
    status: str = Field(max_length=10)
    evidence: Optional[str] = Field(default=None, max_length=2000)  # list joined with 、


MODELS = (College, Recognition, Partner, Body, Member, Meeting, JointMajor, OrderClass, Investment, Course,
          Teaching, Base, Service, TaskReport)

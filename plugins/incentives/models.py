"""The incentives tables (``inc_*``), in the plugin's own Alembic branch.

``inc_lines`` is the ledger: append-only (the database refuses UPDATE and DELETE, and a line
dated inside a closed period), amounts in fen as signed integers. ``inc_periods`` are the
calendar years the ledger is kept in; a period closes once and stays closed. The other tables
hold what the registry has no place for: investment outside any industrial college, the
surcharges due, the revocation decisions, the apprentices' contracts and training hours, and the
audited overrides of eligibility steps.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from xiaoqi.core.models import money_column


def _fk(target: str) -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete="RESTRICT")


def _uscc(nullable: bool = False, **kw) -> sa.Column:
    return sa.Column(sa.String(18), _fk("enterprises.uscc"), nullable=nullable, **kw)


class Period(SQLModel, table=True):
    """账期: a calendar year of the ledger; closed once, never reopened."""

    __tablename__ = "inc_periods"
    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(sa_column=sa.Column(sa.Integer, nullable=False, unique=True))
    closed_on: Optional[dt.date] = None
    closed_by: Optional[str] = Field(default=None, max_length=60)
    closed_at: Optional[dt.datetime] = Field(default=None, sa_column=sa.Column(sa.DateTime, nullable=True))  # UTC


class Line(SQLModel, table=True):
    """台账行: one typed, dated, signed movement of an account, never changed in place."""

    __tablename__ = "inc_lines"
    __table_args__ = (
        sa.Index("ix_inc_lines_balance", "uscc", "account", "period", "amount_fen"),
        sa.Index("ix_inc_lines_case", "case_key", "line_type"),
        sa.Index("ix_inc_lines_school", "school_code", "period"),
        sa.Index("ix_inc_lines_period", "period", "id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    uscc: str = Field(sa_column=_uscc())
    account: str = Field(max_length=20)
    line_type: str = Field(max_length=20)
    period: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("inc_periods.year", ondelete="RESTRICT"), nullable=False))
    entry_date: dt.date
    amount_fen: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    #: the year a credit was earned (credit and repayable lines): used oldest first
    vintage: Optional[int] = None
    #: the programme: pce, apprentice, or an intern scheme's id
    scheme: str = Field(max_length=40)
    #: one subsidy case (scheme / enterprise / person / year) or one year's credit of an enterprise
    case_key: Optional[str] = Field(default=None, max_length=120)
    person_id: Optional[str] = Field(default=None, sa_column=sa.Column(sa.String(18), _fk("students.id_number"), nullable=True))
    school_code: Optional[str] = Field(default=None, sa_column=sa.Column(sa.String(10), _fk("schools.school_code"), nullable=True))
    source_kind: str = Field(max_length=40)
    source_key: str = Field(max_length=300)
    reverses_id: Optional[int] = Field(default=None, sa_column=sa.Column(sa.Integer, sa.ForeignKey("inc_lines.id", ondelete="RESTRICT"),
                                                                         nullable=True, unique=True))
    actor: str = Field(max_length=60)
    recorded_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))  # UTC
    run_id: Optional[str] = Field(default=None, max_length=32)
    note: Optional[str] = Field(default=None, max_length=500)


class Investment(SQLModel, table=True):
    """企业职业教育投入: qualifying investment of an enterprise outside any industrial college."""

    __tablename__ = "inc_investments"
    __table_args__ = (sa.UniqueConstraint("uscc", "evidence", name="uq_inc_investments_key"),
                      sa.Index("ix_inc_investments_year", "year", "uscc"))
    id: Optional[int] = Field(default=None, primary_key=True)
    uscc: str = Field(sa_column=_uscc())
    year: int
    category: str = Field(max_length=10)
    amount: Decimal = Field(sa_column=money_column(nullable=False))
    evidence: str = Field(max_length=100)
    description: Optional[str] = Field(default=None, max_length=200)


class Surcharge(SQLModel, table=True):
    """教育费附加与地方教育附加: what an enterprise owes for a year, entered or computed from the
    VAT and consumption tax it paid."""

    __tablename__ = "inc_surcharges"
    __table_args__ = (sa.UniqueConstraint("uscc", "year", name="uq_inc_surcharges_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    uscc: str = Field(sa_column=_uscc())
    year: int
    vat_paid: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))
    consumption_tax_paid: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))
    education_due: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))
    local_education_due: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))


class Revocation(SQLModel, table=True):
    """认定撤销决定: a revocation of the 产教融合型企业 certification and what it voids."""

    __tablename__ = "inc_revocations"
    __table_args__ = (sa.UniqueConstraint("uscc", "revoked_on", name="uq_inc_revocations_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    uscc: str = Field(sa_column=_uscc())
    revoked_on: dt.date
    fraud: bool = False
    #: credit earned from this year on is void (the decision says so)
    void_from_year: Optional[int] = None
    document_no: Optional[str] = Field(default=None, max_length=100)


class Apprentice(SQLModel, table=True):
    """企业新型学徒: the labour contract and skill level of an apprentice (an internship of kind 学徒)."""

    __tablename__ = "inc_apprentices"
    __table_args__ = (
        sa.UniqueConstraint("id_number", "uscc", "start_on", name="uq_inc_apprentices_key"),
        sa.ForeignKeyConstraint(["id_number", "uscc", "start_on"], ["internships.id_number", "internships.uscc", "internships.start_on"],
                                onupdate="CASCADE", ondelete="RESTRICT", name="fk_inc_apprentices_internship"),
        sa.Index("ix_inc_apprentices_uscc", "uscc"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18)
    uscc: str = Field(max_length=18)
    start_on: dt.date
    skill_level: str = Field(max_length=4)
    contract_from: Optional[dt.date] = None
    contract_to: Optional[dt.date] = None
    #: the apprenticeship stopped before its planned end
    stopped_on: Optional[dt.date] = None
    #: the region whose subsidy level applies (the enterprise's by default)
    subsidy_region: Optional[str] = Field(default=None, max_length=6)


class Training(SQLModel, table=True):
    """学徒培训学时: the hours an apprentice trained in a year."""

    __tablename__ = "inc_training"
    __table_args__ = (
        sa.UniqueConstraint("id_number", "uscc", "start_on", "year", name="uq_inc_training_key"),
        sa.ForeignKeyConstraint(["id_number", "uscc", "start_on"], ["inc_apprentices.id_number", "inc_apprentices.uscc", "inc_apprentices.start_on"],
                                onupdate="CASCADE", ondelete="RESTRICT", name="fk_inc_training_apprentice"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18)
    uscc: str = Field(max_length=18)
    start_on: dt.date
    year: int
    hours: int = Field(ge=0)


class Override(SQLModel, table=True):
    """资格审核例外: an eligibility step of one subsidy case decided by hand, with the reason."""

    __tablename__ = "inc_overrides"
    __table_args__ = (sa.UniqueConstraint("case_key", "step", name="uq_inc_overrides_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    case_key: str = Field(max_length=120)
    step: str = Field(max_length=30)
    uscc: str = Field(sa_column=_uscc())
    passed: bool = True
    reason: str = Field(max_length=500)
    decided_on: dt.date


MODELS = (Period, Line, Investment, Surcharge, Revocation, Apprentice, Training, Override)

"""The Luban Workshop tables (鲁班工坊). A workshop is keyed by its name; its equipment, yearly
activity and partner enterprises point at that name (``ON UPDATE CASCADE``), as the core's tables
point at natural keys.

The lead college is a school code that is deliberately not a foreign key: a provincial register
records workshops led by colleges outside its own registry, and the rule ``LW-LEAD-COLLEGE``
reports the ones that are missing instead of refusing the row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from xiaoqi.core.models import money_column


def _workshop_fk() -> sa.ForeignKey:
    return sa.ForeignKey("luban_workshops.name", onupdate="CASCADE", ondelete="RESTRICT")


class Workshop(SQLModel, table=True):
    """鲁班工坊: a Chinese vocational college's workshop with a partner institution abroad."""

    __tablename__ = "luban_workshops"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False, unique=True))
    country: str = Field(sa_column=sa.Column(sa.String(2), nullable=False, index=True))  # ISO 3166-1 alpha-2
    city: Optional[str] = Field(default=None, max_length=100)
    partner_institution: str = Field(max_length=200)
    lead_school_code: str = Field(sa_column=sa.Column(sa.String(10), nullable=False, index=True))
    other_school_codes: Optional[str] = Field(default=None, max_length=500)  # list joined with 、
    majors: Optional[str] = Field(default=None, max_length=500)  # list joined with 、
    epip: Optional[bool] = None
    status: str = Field(max_length=10)  # 建设中 / 运营 / 暂停
    opened_on: Optional[dt.date] = None


class WorkshopEquipment(SQLModel, table=True):
    """工坊设备: one line of equipment sent to a workshop, its quantity and total value in yuan."""

    __tablename__ = "luban_equipment"
    __table_args__ = (sa.UniqueConstraint("workshop_name", "item", name="uq_luban_equipment_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    workshop_name: str = Field(sa_column=sa.Column(sa.String(100), _workshop_fk(), nullable=False))
    item: str = Field(max_length=200)
    quantity: int = Field(ge=0)
    value: Decimal = Field(sa_column=money_column(nullable=False))
    delivered_on: Optional[dt.date] = None


class WorkshopActivity(SQLModel, table=True):
    """工坊年度数据: a workshop's figures for one calendar year."""

    __tablename__ = "luban_activity"
    __table_args__ = (sa.UniqueConstraint("workshop_name", "year", name="uq_luban_activity_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    workshop_name: str = Field(sa_column=sa.Column(sa.String(100), _workshop_fk(), nullable=False))
    year: int
    enrolled: int = Field(default=0, ge=0)  # 学历教育在校生
    trainees: int = Field(default=0, ge=0)  # 培训人次
    local_teachers_trained: int = Field(default=0, ge=0)  # 培训当地教师人次
    chinese_teachers_sent: int = Field(default=0, ge=0)  # 派出中方教师人次
    standards_adopted: Optional[str] = Field(default=None, max_length=1000)  # list joined with 、


class WorkshopPartner(SQLModel, table=True):
    """合作企业: a Chinese enterprise in a workshop, by USCC — or by name for a firm registered abroad —
    and its roles."""

    __tablename__ = "luban_partners"
    __table_args__ = (
        sa.UniqueConstraint("workshop_name", "partner", name="uq_luban_partners_key"),
        sa.Index("ix_luban_partners_uscc", "uscc"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    workshop_name: str = Field(sa_column=sa.Column(sa.String(100), _workshop_fk(), nullable=False))
    partner: str = Field(max_length=200)  # the USCC, or the name of a firm registered abroad
    uscc: Optional[str] = Field(default=None, max_length=18)  # derived: the partner when it is a USCC
    name: Optional[str] = Field(default=None, max_length=200)
    roles: str = Field(max_length=200)  # list joined with 、


MODELS = (Workshop, WorkshopEquipment, WorkshopActivity, WorkshopPartner)

"""The Henan plugin's table: mental-health assessments of students."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class MentalHealthCheck(SQLModel, table=True):
    """心理健康评估: a student assessed on a date, recorded by the school."""

    __tablename__ = "henan_mental_checks"
    __table_args__ = (sa.UniqueConstraint("id_number", "assessed_on", name="uq_henan_mental_checks_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: str = Field(sa_column=sa.Column(sa.String(10), sa.ForeignKey("schools.school_code", onupdate="CASCADE", ondelete="RESTRICT"), nullable=False, index=True))
    id_number: str = Field(sa_column=sa.Column(sa.String(18), sa.ForeignKey("students.id_number", onupdate="CASCADE", ondelete="RESTRICT"), nullable=False))
    assessed_on: dt.date
    assessor: Optional[str] = Field(default=None, max_length=100)
    conclusion: Optional[str] = Field(default=None, max_length=200)

"""The plugin's own table: pre-internship safety training sessions (岗前安全培训记录)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class SafetyTraining(SQLModel, table=True):
    """One safety training a student attended before going on post: when, how many hours, on what."""

    __tablename__ = "zj_safety_trainings"
    __table_args__ = (sa.UniqueConstraint("id_number", "trained_on"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: str = Field(sa_column=sa.Column(
        sa.String(10), sa.ForeignKey("schools.school_code", onupdate="CASCADE", ondelete="RESTRICT"), nullable=False, index=True))
    id_number: str = Field(sa_column=sa.Column(
        sa.String(18), sa.ForeignKey("students.id_number", onupdate="CASCADE", ondelete="RESTRICT"), nullable=False))
    trained_on: dt.date
    hours: int = Field(ge=0)
    topic: Optional[str] = Field(default=None, max_length=200)
    trainer: Optional[str] = Field(default=None, max_length=100)

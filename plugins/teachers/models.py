"""The tables of teachers' enterprise practice and 双师型 recognitions (``tch_*``). A teacher is the
core's ``teachers`` row, named by ID number (``ON UPDATE CASCADE``: a corrected ID number follows);
the enterprise of a practice record is the core's ``enterprises`` row."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def _teacher_column() -> sa.Column:
    return sa.Column(sa.String(18), sa.ForeignKey("teachers.id_number", onupdate="CASCADE", ondelete="RESTRICT"),
                     nullable=False)


class Practice(SQLModel, table=True):
    """企业实践: a teacher in an enterprise from ``start_on`` to ``end_on`` in one of the four forms;
    ``days`` the days actually spent there when fewer than the calendar days of the period (a
    weekly visit over a term), else empty."""

    __tablename__ = "tch_practice"
    __table_args__ = (
        sa.UniqueConstraint("teacher_id", "uscc", "start_on", name="uq_tch_practice_key"),
        sa.Index("ix_tch_practice_teacher_start", "teacher_id", "start_on"),
        sa.Index("ix_tch_practice_uscc", "uscc"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    teacher_id: str = Field(sa_column=_teacher_column())
    uscc: str = Field(sa_column=sa.Column(sa.String(18), sa.ForeignKey("enterprises.uscc", ondelete="RESTRICT"), nullable=False))
    start_on: dt.date
    end_on: dt.date
    form: str = Field(max_length=10)
    days: Optional[int] = None
    post: Optional[str] = Field(default=None, max_length=100)
    evidence: Optional[str] = Field(default=None, max_length=500)


class Recognition(SQLModel, table=True):
    """双师型教师认定: a teacher recognised at a level on a day, by whom, valid until when."""

    __tablename__ = "tch_recognitions"
    __table_args__ = (
        sa.UniqueConstraint("teacher_id", "level", "recognised_on", name="uq_tch_recognitions_key"),
        sa.Index("ix_tch_recognitions_teacher", "teacher_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    teacher_id: str = Field(sa_column=_teacher_column())
    level: str = Field(max_length=10)
    recognised_on: dt.date
    recognised_by: str = Field(max_length=200)
    valid_to: Optional[dt.date] = None
    certificate_no: Optional[str] = Field(default=None, max_length=100)


MODELS = (Practice, Recognition)

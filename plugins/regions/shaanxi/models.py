"""The Shaanxi plugin's table: who arranged an internship."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Arrangement(SQLModel, table=True):
    """实习安排方式: how one internship (student, enterprise, start date) was arranged."""

    __tablename__ = "shaanxi_arrangements"
    __table_args__ = (
        sa.UniqueConstraint("id_number", "uscc", "start_on", name="uq_shaanxi_arrangements_key"),
        sa.ForeignKeyConstraint(
            ["id_number", "uscc", "start_on"], ["internships.id_number", "internships.uscc", "internships.start_on"],
            onupdate="CASCADE", ondelete="CASCADE", name="fk_shaanxi_arrangements_internship",
        ),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18)
    uscc: str = Field(max_length=18)
    start_on: dt.date
    arranged_by: str = Field(max_length=4)
    arranger: Optional[str] = Field(default=None, max_length=100)

"""compliance columns: what the internship rules need but could not record

Internships: daily hours and weekly rest days, pay in goods or vouchers, a premium deducted from
pay, documents withheld, self-arranged internships and the school's approval. Positions: the
probation wage (the 2016 rule's pay yardstick), posts barred for women, the physical labour
intensity level. Policies: a status and the date a surrendered or cancelled policy stops covering.
Every column is new and nullable: existing rows keep their values and read NULL ("not recorded").

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

import xiaoqi.core.models

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _internships() -> list[sa.Column]:
    return [
        sa.Column('daily_hours', xiaoqi.core.models.Hours(precision=4, scale=1), nullable=True),
        sa.Column('weekly_rest_days', sa.Integer(), nullable=True),
        sa.Column('paid_in_kind', sa.Boolean(), nullable=True),
        sa.Column('premium_deducted', sa.Boolean(), nullable=True),
        sa.Column('documents_withheld', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('self_arranged', sa.Boolean(), nullable=True),
        sa.Column('school_approved_on', sa.Date(), nullable=True),
    ]


def _positions() -> list[sa.Column]:
    return [
        sa.Column('probation_wage', xiaoqi.core.models.Money(precision=14, scale=2), nullable=True),
        sa.Column('barred_for_women', sa.Boolean(), nullable=True),
        sa.Column('labour_intensity', sa.Integer(), nullable=True),
    ]


def _policies() -> list[sa.Column]:
    return [
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column('cancelled_on', sa.Date(), nullable=True),
    ]


TABLES = {'internships': _internships, 'positions': _positions, 'policies': _policies}


def upgrade() -> None:
    for table, columns in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns():
                batch_op.add_column(column)


def downgrade() -> None:
    for table, columns in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns()):
                batch_op.drop_column(column.name)

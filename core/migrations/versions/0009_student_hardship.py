"""student hardship: the 家庭经济困难 flag of a student

Revision ID: 0009
Revises: 0008

``students`` gains ``hardship`` (家庭经济困难, e.g. 建档立卡): the 1+X pilot scheme exempts such
students from assessment fees, and the 1+X plugin's fee rule reads it. Existing rows keep every
value and read NULL ("not recorded").
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hardship', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.drop_column('hardship')

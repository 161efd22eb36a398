"""enterprise revocation: the day an enterprise's 产教融合型企业 certification was revoked

Revision ID: 0006
Revises: 0005

``enterprises`` gains ``pce_revoked_on`` (认定撤销日期): the industrial-college rule
IC-PARTNER-REVOKED and the incentives ledger (no credit after a revocation) read it. Existing rows
keep every value and read NULL ("not revoked").
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pce_revoked_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_column('pce_revoked_on')

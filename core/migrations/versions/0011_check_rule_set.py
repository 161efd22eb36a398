"""check rule set: the rule set a kept check run ran with

Revision ID: 0011
Revises: 0010

``check_runs`` gains ``rule_set``: a SHA-256 (hex) of the rules, their versions, parameters and
the plugins loaded when the run was made (``xiaoqi.core.check_store.rule_set_digest``). A kept run
made under another rule set — after a plugin was switched on or off, upgraded, or ``xiaoqi.toml``
set another figure — is stale and run again. Runs kept before this revision read NULL: their rule
set is not known, so they are stale once.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_set', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.drop_column('rule_set')

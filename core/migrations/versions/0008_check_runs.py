"""check runs: the last compliance check of each scope, kept with its findings

Revision ID: 0008
Revises: 0007

``check_runs`` (one full check of a school, an enterprise or everything: when, for which day,
the last audit entry it saw, counts, the rules run and those switched off) and ``check_findings``
(its findings). The dashboard and the compliance screen show the last run at once and mark it
stale after a data change. Existing tables are untouched.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'check_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_code', sa.String(length=10), nullable=True),
        sa.Column('uscc', sa.String(length=18), nullable=True),
        sa.Column('checked_on', sa.Date(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=False),
        sa.Column('milliseconds', sa.Integer(), nullable=False),
        sa.Column('audit_id', sa.BigInteger(), server_default='0', nullable=False),
        sa.Column('actor', sa.String(length=60), nullable=False),
        sa.Column('findings', sa.Integer(), nullable=False),
        sa.Column('errors', sa.Integer(), nullable=False),
        sa.Column('rules_run', sa.JSON(), nullable=False),
        sa.Column('switched_off', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_check_runs_scope', 'check_runs', ['school_code', 'uscc', 'id'], unique=False)
    op.create_table(
        'check_findings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=60), nullable=False),
        sa.Column('severity', sa.String(length=10), nullable=False),
        sa.Column('subject_kind', sa.String(length=60), nullable=False),
        sa.Column('subject_key', sa.String(length=200), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('school_code', sa.String(length=10), nullable=True),
        sa.Column('uscc', sa.String(length=18), nullable=True),
        sa.Column('numbers', sa.JSON(), nullable=True),
        sa.Column('dates', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['check_runs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_check_findings_run_id'), 'check_findings', ['run_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_check_findings_run_id'), table_name='check_findings')
    op.drop_table('check_findings')
    op.drop_index('ix_check_runs_scope', table_name='check_runs')
    op.drop_table('check_runs')

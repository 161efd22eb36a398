"""teachers schema: enterprise practice (tch_practice) and 双师型 recognitions (tch_recognitions),
from base in the plugin's own branch; their foreign keys into the core (teachers, enterprises) are
met because ``xiaoqi.core.migrate.upgrade`` runs the core branch first.

Revision ID: teachers_0001
Revises:
Create Date: 2026-12-02 01:25:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'teachers_0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = ('teachers',)
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'tch_practice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.String(length=18), nullable=False),
        sa.Column('uscc', sa.String(length=18), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('end_on', sa.Date(), nullable=False),
        sa.Column('form', sa.String(length=10), nullable=False),
        sa.Column('days', sa.Integer(), nullable=True),
        sa.Column('post', sa.String(length=100), nullable=True),
        sa.Column('evidence', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id_number'], onupdate='CASCADE', ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['uscc'], ['enterprises.uscc'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('teacher_id', 'uscc', 'start_on', name='uq_tch_practice_key'),
    )
    op.create_index('ix_tch_practice_teacher_start', 'tch_practice', ['teacher_id', 'start_on'])
    op.create_index('ix_tch_practice_uscc', 'tch_practice', ['uscc'])
    op.create_table(
        'tch_recognitions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.String(length=18), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('recognised_on', sa.Date(), nullable=False),
        sa.Column('recognised_by', sa.String(length=200), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('certificate_no', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['teacher_id'], ['teachers.id_number'], onupdate='CASCADE', ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('teacher_id', 'level', 'recognised_on', name='uq_tch_recognitions_key'),
    )
    op.create_index('ix_tch_recognitions_teacher', 'tch_recognitions', ['teacher_id'])


def downgrade() -> None:
    op.drop_index('ix_tch_recognitions_teacher', table_name='tch_recognitions')
    op.drop_table('tch_recognitions')
    op.drop_index('ix_tch_practice_uscc', table_name='tch_practice')
    op.drop_index('ix_tch_practice_teacher_start', table_name='tch_practice')
    op.drop_table('tch_practice')

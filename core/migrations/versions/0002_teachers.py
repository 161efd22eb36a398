"""teachers: the teachers registry, and internship mentors as references to it

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:07:34.867848

Adds the ``teachers`` table and two optional columns to ``internships`` (``school_mentor_id``,
``enterprise_mentor_id``, foreign keys to ``teachers.id_number``). The free-text mentor columns
stay as they are: existing internships keep their mentors' names, with no reference until a file
or form names a teacher of the registry. On SQLite the internships table is rebuilt (batch mode)
to add the foreign keys; its rows are copied unchanged.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('teachers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('school_code', sa.String(length=10), nullable=True),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('specialist', sa.Boolean(), nullable=True),
    sa.Column('subjects', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.Column('enterprise_experience', sa.Boolean(), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.ForeignKeyConstraint(['school_code'], ['schools.school_code'], onupdate='CASCADE', ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uscc'], ['enterprises.uscc'], onupdate='CASCADE', ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_number')
    )
    with op.batch_alter_table('teachers', schema=None) as batch_op:
        batch_op.create_index('ix_teachers_school_name', ['school_code', 'name'], unique=False)
        batch_op.create_index('ix_teachers_uscc_name', ['uscc', 'name'], unique=False)

    with op.batch_alter_table('internships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('school_mentor_id', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('enterprise_mentor_id', sa.String(length=18), nullable=True))
        batch_op.create_index('ix_internships_enterprise_mentor', ['enterprise_mentor_id'], unique=False)
        batch_op.create_index('ix_internships_school_mentor', ['school_mentor_id'], unique=False)
        batch_op.create_foreign_key('fk_internships_school_mentor', 'teachers', ['school_mentor_id'], ['id_number'],
                                    onupdate='CASCADE', ondelete='RESTRICT')
        batch_op.create_foreign_key('fk_internships_enterprise_mentor', 'teachers', ['enterprise_mentor_id'], ['id_number'],
                                    onupdate='CASCADE', ondelete='RESTRICT')


def downgrade() -> None:
    with op.batch_alter_table('internships', schema=None) as batch_op:
        batch_op.drop_constraint('fk_internships_enterprise_mentor', type_='foreignkey')
        batch_op.drop_constraint('fk_internships_school_mentor', type_='foreignkey')
        batch_op.drop_index('ix_internships_school_mentor')
        batch_op.drop_index('ix_internships_enterprise_mentor')
        batch_op.drop_column('enterprise_mentor_id')
        batch_op.drop_column('school_mentor_id')

    with op.batch_alter_table('teachers', schema=None) as batch_op:
        batch_op.drop_index('ix_teachers_uscc_name')
        batch_op.drop_index('ix_teachers_school_name')

    op.drop_table('teachers')

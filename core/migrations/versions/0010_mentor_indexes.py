"""mentor indexes that also hold the school: a school's read scope over the teachers

A school sees the teachers its internships name as school or enterprise mentor (read scope
``referenced_by("internships")``): for each teacher, is there an internship of this school naming
them? With the mentor column alone in the index, SQLite (no statistics) preferred the school index
and read all of the school's internships for every teacher — minutes on a million internships.
(school_mentor_id, school_code) and (enterprise_mentor_id, school_code) answer it by one seek each.
No data changes.

Revision ID: 0010
Revises: 0009
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: (index, columns before, columns after)
INDEXES = [
    ('ix_internships_school_mentor', ['school_mentor_id'], ['school_mentor_id', 'school_code']),
    ('ix_internships_enterprise_mentor', ['enterprise_mentor_id'], ['enterprise_mentor_id', 'school_code']),
]


def _replace(after: bool) -> None:
    for name, before_cols, after_cols in INDEXES:
        op.drop_index(name, table_name='internships')
        op.create_index(name, 'internships', after_cols if after else before_cols, unique=False)


def upgrade() -> None:
    _replace(after=True)


def downgrade() -> None:
    _replace(after=False)

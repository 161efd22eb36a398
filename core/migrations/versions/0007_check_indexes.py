"""indexes for the check and the dashboard: internships by date, and by school and enterprise

``ix_internships_dates`` (start_on, end_on) finds the internships of a closed date window (the
older texts' versions of the rules: the 2016 rule judges the few internships that started before
2021-12-31, the Labour-Law age the apprentices before it) without reading the other million rows,
and gives the dashboard the internships active on a day from the index alone. The per-day lookups
of the rules (``RuleContext.per_value``) read the distinct first days from it as well.

``ix_internships_school`` grows from (school_code, start_on) to (school_code, uscc, start_on): the
first internship of each school at each enterprise (INT-UNIT-VETTED) is read from the index in its
order, not by a table lookup and a sort per internship. No data changes.

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_internships_dates', 'internships', ['start_on', 'end_on'], unique=False)
    op.drop_index('ix_internships_school', table_name='internships')
    op.create_index('ix_internships_school', 'internships', ['school_code', 'uscc', 'start_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_internships_school', table_name='internships')
    op.create_index('ix_internships_school', 'internships', ['school_code', 'start_on'], unique=False)
    op.drop_index('ix_internships_dates', table_name='internships')

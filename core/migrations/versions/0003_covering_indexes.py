"""covering indexes for the sweeps of the check

The ratio rules stream on-post internships by enterprise (or post) and first day, and the
insurance rule streams insured rows by person: with their last day and kind (and the policy) in
the index, SQLite reads those streams from the index alone instead of one table row per entry.
The same three indexes, one or two columns longer; no data changes.

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: (table, index, columns before, columns after)
INDEXES = [
    ('internships', 'ix_internships_uscc_dates', ['uscc', 'start_on', 'end_on'], ['uscc', 'start_on', 'end_on', 'kind']),
    ('internships', 'ix_internships_position', ['uscc', 'position_code', 'start_on'],
     ['uscc', 'position_code', 'start_on', 'end_on', 'kind']),
    ('insured', 'ix_insured_person', ['id_number', 'start_on', 'end_on'], ['id_number', 'start_on', 'end_on', 'policy_no']),
]


def _replace(after: bool) -> None:
    for table, name, before_cols, after_cols in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, after_cols if after else before_cols, unique=False)


def upgrade() -> None:
    _replace(after=True)


def downgrade() -> None:
    _replace(after=False)

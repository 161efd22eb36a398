"""zhejiang: safety training records

Revision ID: zhejiang_0001
Revises: (none: the first revision of the plugin's own branch)

A plugin's branch starts from base and does not name a core revision: ``xiaoqi db upgrade``
migrates the core branch first, so schools and students exist before this table refers to them,
and the database records the core's head beside this one (it still opens if the plugin is removed).
"""

import sqlalchemy as sa
from alembic import op

revision = "zhejiang_0001"
down_revision = None
branch_labels = ("zhejiang",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zj_safety_trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_code", sa.String(length=10), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("trained_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=True),
        sa.Column("trainer", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["school_code"], ["schools.school_code"], onupdate="CASCADE", ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["id_number"], ["students.id_number"], onupdate="CASCADE", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_number", "trained_on"),
    )
    op.create_index("ix_zj_safety_trainings_school_code", "zj_safety_trainings", ["school_code"])


def downgrade() -> None:
    op.drop_index("ix_zj_safety_trainings_school_code", table_name="zj_safety_trainings")
    op.drop_table("zj_safety_trainings")

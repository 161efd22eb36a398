"""incentives schema: the append-only ledger (inc_lines) and its periods, and the records it is
computed from (inc_investments, inc_surcharges, inc_revocations, inc_apprentices, inc_training,
inc_overrides), from base in the plugin's own branch. ``xiaoqi.core.migrate.upgrade`` runs the
core branch first, so the foreign keys into the registry and the core's ``xiaoqi_append_only()``
function (PostgreSQL, core revision 0004) are there.

The database itself keeps the ledger honest:

- UPDATE, DELETE and TRUNCATE of ``inc_lines`` are refused;
- a line dated outside its period's year, or in a closed period, is refused;
- a reversal names a line of the same enterprise and account and undoes exactly its amount;
- a closed period cannot be reopened, nor a period deleted.

Revision ID: incentives_0001
Revises:
Create Date: 2026-12-02 01:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import xiaoqi.core.models

revision: str = 'incentives_0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = ('incentives',)
depends_on: Union[str, Sequence[str], None] = None

MONEY = xiaoqi.core.models.Money()


def _uscc(name: str = 'uscc', nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(18), sa.ForeignKey('enterprises.uscc', ondelete='RESTRICT'), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'inc_periods',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('year', sa.Integer(), nullable=False, unique=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('closed_by', sa.String(60), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
    )
    op.create_table(
        'inc_lines',
        sa.Column('id', sa.Integer(), primary_key=True),
        _uscc(),
        sa.Column('account', sa.String(20), nullable=False),
        sa.Column('line_type', sa.String(20), nullable=False),
        sa.Column('period', sa.Integer(), sa.ForeignKey('inc_periods.year', ondelete='RESTRICT'), nullable=False),
        sa.Column('entry_date', sa.Date(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('vintage', sa.Integer(), nullable=True),
        sa.Column('scheme', sa.String(40), nullable=False),
        sa.Column('case_key', sa.String(120), nullable=True),
        sa.Column('person_id', sa.String(18), sa.ForeignKey('students.id_number', ondelete='RESTRICT'), nullable=True),
        sa.Column('school_code', sa.String(10), sa.ForeignKey('schools.school_code', ondelete='RESTRICT'), nullable=True),
        sa.Column('source_kind', sa.String(40), nullable=False),
        sa.Column('source_key', sa.String(300), nullable=False),
        sa.Column('reverses_id', sa.Integer(), sa.ForeignKey('inc_lines.id', ondelete='RESTRICT'), nullable=True, unique=True),
        sa.Column('actor', sa.String(60), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('run_id', sa.String(32), nullable=True),
        sa.Column('note', sa.String(500), nullable=True),
    )
    op.create_index('ix_inc_lines_balance', 'inc_lines', ['uscc', 'account', 'period', 'amount_fen'])
    op.create_index('ix_inc_lines_case', 'inc_lines', ['case_key', 'line_type'])
    op.create_index('ix_inc_lines_school', 'inc_lines', ['school_code', 'period'])
    op.create_index('ix_inc_lines_period', 'inc_lines', ['period', 'id'])
    op.create_table(
        'inc_investments',
        sa.Column('id', sa.Integer(), primary_key=True),
        _uscc(),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(10), nullable=False),
        sa.Column('amount', MONEY, nullable=False),
        sa.Column('evidence', sa.String(100), nullable=False),
        sa.Column('description', sa.String(200), nullable=True),
        sa.UniqueConstraint('uscc', 'evidence', name='uq_inc_investments_key'),
    )
    op.create_index('ix_inc_investments_year', 'inc_investments', ['year', 'uscc'])
    op.create_table(
        'inc_surcharges',
        sa.Column('id', sa.Integer(), primary_key=True),
        _uscc(),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('vat_paid', MONEY, nullable=True),
        sa.Column('consumption_tax_paid', MONEY, nullable=True),
        sa.Column('education_due', MONEY, nullable=True),
        sa.Column('local_education_due', MONEY, nullable=True),
        sa.UniqueConstraint('uscc', 'year', name='uq_inc_surcharges_key'),
    )
    op.create_table(
        'inc_revocations',
        sa.Column('id', sa.Integer(), primary_key=True),
        _uscc(),
        sa.Column('revoked_on', sa.Date(), nullable=False),
        sa.Column('fraud', sa.Boolean(), nullable=False),
        sa.Column('void_from_year', sa.Integer(), nullable=True),
        sa.Column('document_no', sa.String(100), nullable=True),
        sa.UniqueConstraint('uscc', 'revoked_on', name='uq_inc_revocations_key'),
    )
    op.create_table(
        'inc_apprentices',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('id_number', sa.String(18), nullable=False),
        sa.Column('uscc', sa.String(18), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('skill_level', sa.String(4), nullable=False),
        sa.Column('contract_from', sa.Date(), nullable=True),
        sa.Column('contract_to', sa.Date(), nullable=True),
        sa.Column('stopped_on', sa.Date(), nullable=True),
        sa.Column('subsidy_region', sa.String(6), nullable=True),
        sa.UniqueConstraint('id_number', 'uscc', 'start_on', name='uq_inc_apprentices_key'),
        sa.ForeignKeyConstraint(['id_number', 'uscc', 'start_on'], ['internships.id_number', 'internships.uscc', 'internships.start_on'],
                                onupdate='CASCADE', ondelete='RESTRICT', name='fk_inc_apprentices_internship'),
    )
    op.create_index('ix_inc_apprentices_uscc', 'inc_apprentices', ['uscc'])
    op.create_table(
        'inc_training',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('id_number', sa.String(18), nullable=False),
        sa.Column('uscc', sa.String(18), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('hours', sa.Integer(), nullable=False),
        sa.UniqueConstraint('id_number', 'uscc', 'start_on', 'year', name='uq_inc_training_key'),
        sa.ForeignKeyConstraint(['id_number', 'uscc', 'start_on'], ['inc_apprentices.id_number', 'inc_apprentices.uscc', 'inc_apprentices.start_on'],
                                onupdate='CASCADE', ondelete='RESTRICT', name='fk_inc_training_apprentice'),
    )
    op.create_table(
        'inc_overrides',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('case_key', sa.String(120), nullable=False),
        sa.Column('step', sa.String(30), nullable=False),
        _uscc(),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(500), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.UniqueConstraint('case_key', 'step', name='uq_inc_overrides_key'),
    )
    _guards()


SQLITE_GUARDS = (
    "CREATE TRIGGER inc_lines_no_update BEFORE UPDATE ON inc_lines "
    "BEGIN SELECT RAISE(ABORT, 'inc_lines is append-only: UPDATE refused'); END",
    "CREATE TRIGGER inc_lines_no_delete BEFORE DELETE ON inc_lines "
    "BEGIN SELECT RAISE(ABORT, 'inc_lines is append-only: DELETE refused'); END",
    "CREATE TRIGGER inc_lines_period BEFORE INSERT ON inc_lines "
    "WHEN CAST(strftime('%Y', NEW.entry_date) AS INTEGER) <> NEW.period "
    "BEGIN SELECT RAISE(ABORT, 'inc_lines: entry_date outside its period'); END",
    "CREATE TRIGGER inc_lines_closed BEFORE INSERT ON inc_lines "
    "WHEN EXISTS (SELECT 1 FROM inc_periods p WHERE p.year = NEW.period AND p.closed_at IS NOT NULL) "
    "BEGIN SELECT RAISE(ABORT, 'inc_lines: the period is closed'); END",
    "CREATE TRIGGER inc_lines_reversal BEFORE INSERT ON inc_lines "
    "WHEN NEW.reverses_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM inc_lines r WHERE r.id = NEW.reverses_id "
    "AND r.uscc = NEW.uscc AND r.account = NEW.account AND r.amount_fen = -NEW.amount_fen AND r.reverses_id IS NULL) "
    "BEGIN SELECT RAISE(ABORT, 'inc_lines: a reversal undoes exactly one line of its enterprise and account'); END",
    "CREATE TRIGGER inc_periods_no_reopen BEFORE UPDATE ON inc_periods WHEN OLD.closed_at IS NOT NULL "
    "BEGIN SELECT RAISE(ABORT, 'inc_periods: a closed period stays closed'); END",
    "CREATE TRIGGER inc_periods_no_delete BEFORE DELETE ON inc_periods "
    "BEGIN SELECT RAISE(ABORT, 'inc_periods: a period is never deleted'); END",
)

PG_GUARDS = (
    "CREATE TRIGGER inc_lines_append_only BEFORE UPDATE OR DELETE ON inc_lines FOR EACH ROW EXECUTE FUNCTION xiaoqi_append_only()",
    "CREATE TRIGGER inc_lines_no_truncate BEFORE TRUNCATE ON inc_lines FOR EACH STATEMENT EXECUTE FUNCTION xiaoqi_append_only()",
    """CREATE FUNCTION inc_lines_check() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF extract(year FROM NEW.entry_date) <> NEW.period THEN
            RAISE EXCEPTION 'inc_lines: entry_date outside its period' USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (SELECT 1 FROM inc_periods p WHERE p.year = NEW.period AND p.closed_at IS NOT NULL) THEN
            RAISE EXCEPTION 'inc_lines: the period is closed' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.reverses_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM inc_lines r WHERE r.id = NEW.reverses_id
                AND r.uscc = NEW.uscc AND r.account = NEW.account AND r.amount_fen = -NEW.amount_fen AND r.reverses_id IS NULL) THEN
            RAISE EXCEPTION 'inc_lines: a reversal undoes exactly one line of its enterprise and account' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER inc_lines_check BEFORE INSERT ON inc_lines FOR EACH ROW EXECUTE FUNCTION inc_lines_check()",
    """CREATE FUNCTION inc_periods_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'inc_periods: a period is never deleted' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.closed_at IS NOT NULL THEN
            RAISE EXCEPTION 'inc_periods: a closed period stays closed' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER inc_periods_guard BEFORE UPDATE OR DELETE ON inc_periods FOR EACH ROW EXECUTE FUNCTION inc_periods_guard()",
    "CREATE TRIGGER inc_periods_no_truncate BEFORE TRUNCATE ON inc_periods FOR EACH STATEMENT EXECUTE FUNCTION xiaoqi_append_only()",
)


def _guards() -> None:
    for statement in SQLITE_GUARDS if op.get_bind().dialect.name == "sqlite" else PG_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE inc_lines")  # drops its triggers
        op.execute("DROP FUNCTION IF EXISTS inc_lines_check()")
        op.execute("DROP TABLE inc_periods")
        op.execute("DROP FUNCTION IF EXISTS inc_periods_guard()")
    else:
        for name in ("inc_lines_no_update", "inc_lines_no_delete", "inc_lines_period", "inc_lines_closed", "inc_lines_reversal",
                     "inc_periods_no_reopen", "inc_periods_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.drop_table('inc_lines')
        op.drop_table('inc_periods')
    for table in ('inc_overrides', 'inc_training', 'inc_apprentices', 'inc_revocations', 'inc_surcharges', 'inc_investments'):
        op.drop_table(table)

"""audit: light import entries, kept import files, the hash chain, an append-only log

Revision ID: 0004
Revises: 0003

- ``audit_log`` gains ``login`` (database login or OS user), ``row_no`` (the file row of an
  import's light entry), ``note``, ``block_id`` and ``hash``; ``audit_blocks`` chains the blocks.
  Entries already in the log are kept as they are and chained as block 1.
- ``import_batches`` gains ``login``, ``sheet``, ``encoding``, ``file_size``, ``status`` and
  ``problems``; ``import_files`` keeps each batch's file (earlier batches have none).
- UPDATE and DELETE on ``audit_log``, ``audit_blocks`` and ``import_files`` are refused by triggers.
"""
import datetime as dt
import hashlib
import json
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

APPEND_ONLY = ("audit_log", "audit_blocks", "import_files")


def upgrade() -> None:
    op.create_table(
        'audit_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('prev_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('sealed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('seq'),
    )
    op.create_table(
        'import_files',
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('part', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('codec', sa.String(length=10), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id']),
        sa.PrimaryKeyConstraint('batch_id', 'part'),
    )
    with op.batch_alter_table('import_batches') as batch_op:
        batch_op.add_column(sa.Column('login', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('sheet', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('encoding', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('file_size', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='committed', nullable=False))
        batch_op.add_column(sa.Column('problems', sa.JSON(), nullable=True))
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.add_column(sa.Column('login', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('row_no', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('block_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.LargeBinary(length=32), nullable=True))
    _chain_existing_entries()
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.alter_column('block_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.LargeBinary(length=32), nullable=False)
        batch_op.create_index('ix_audit_block', ['block_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # who really acted: the database login, filled in by the database (xiaoqi does not send it)
        for table in ("audit_log", "import_batches"):
            op.execute(f"ALTER TABLE {table} ALTER COLUMN login SET DEFAULT current_user")
    _append_only()


def _chain_existing_entries() -> None:
    """The entries written before the chain existed become block 1, each with its hash (the
    format of ``xiaoqi.core.audit``, which verification uses)."""
    from xiaoqi.core.audit import ZERO, block_hash, entry_hash, utcnow

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, at, actor, kind, batch_id, action, key, before, after FROM audit_log ORDER BY id")).all()
    if not rows:
        return
    digest = hashlib.sha256()
    updates = []
    for eid, at, actor, kind, batch_id, action, key, before, after in rows:
        at = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at)
        before = json.loads(before) if isinstance(before, str) else before
        after = json.loads(after) if isinstance(after, str) else after
        value = entry_hash(1, at, actor, None, kind, batch_id, action, key, None, before, after, None)
        digest.update(value)
        updates.append({"h": value, "i": eid})
    conn.execute(sa.text("UPDATE audit_log SET block_id = 1, hash = :h WHERE id = :i"), updates)
    sealed_at = utcnow()
    conn.execute(sa.text("INSERT INTO audit_blocks (id, seq, prev_hash, hash, entries, sealed_at) VALUES (1, 1, :p, :h, :n, :at)"),
                 {"p": ZERO, "h": block_hash(ZERO, 1, 1, len(rows), sealed_at, digest.digest()), "n": len(rows),
                  "at": sealed_at})
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('audit_blocks', 'id'), 1)"))


def _append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END")
        return
    op.execute("""
        CREATE FUNCTION xiaoqi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$""")
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION xiaoqi_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION xiaoqi_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    else:
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS xiaoqi_append_only()")
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_index('ix_audit_block')
        for name in ('hash', 'block_id', 'note', 'row_no', 'login'):
            batch_op.drop_column(name)
    with op.batch_alter_table('import_batches') as batch_op:
        for name in ('problems', 'status', 'file_size', 'encoding', 'sheet', 'login'):
            batch_op.drop_column(name)
    op.drop_table('import_files')
    op.drop_table('audit_blocks')

"""audit chain and complete runs: each audit entry carries the hash of the one before it
(existing entries are chained in id order); an evaluation run is visible once complete
(existing runs, written in one transaction, are complete)

Revision ID: 0013_audit_chain
Revises: 0012_scenarios
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_audit_chain"
down_revision = "0012_scenarios"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN, never a batch copy: copying evaluation_run on SQLite
    # drops the old table, which (foreign keys on) would cascade to every run's results
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("entry_hash", sa.String(length=64), nullable=True))
    op.add_column(
        "evaluation_run",
        sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(sa.text("UPDATE evaluation_run SET complete = :yes").bindparams(yes=True))
    from shequ.store.audit import rehash  # the one hash of an entry, shared with the writer

    rehash(op.get_bind())


def downgrade() -> None:
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35, PostgreSQL), for the same reason
    for table, column in (
        ("evaluation_run", "complete"),
        ("audit_log", "entry_hash"),
        ("audit_log", "prev_hash"),
    ):
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))

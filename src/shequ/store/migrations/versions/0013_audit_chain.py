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
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("evaluation_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(sa.text("UPDATE evaluation_run SET complete = :yes").bindparams(yes=True))
    from shequ.store.audit import rehash  # the one hash of an entry, shared with the writer

    rehash(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("evaluation_run", schema=None) as batch_op:
        batch_op.drop_column("complete")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")

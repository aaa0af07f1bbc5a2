"""suggestion tracking codes: the digest of the short code a resident gets at submission

(Revision id as assigned for this work; value comments needed no change: ``data_value``
has carried ``comment`` since 0008.)

Revision ID: 0014_value_comments
Revises: 0012_scenarios
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_value_comments"
down_revision = "0013_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestion") as batch:
        batch.add_column(sa.Column("track_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suggestion") as batch:
        batch.drop_column("track_digest")

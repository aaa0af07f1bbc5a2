"""evaluation runs of one subtree: the unit whose subtree a run evaluated (``--unit``)

Revision ID: 0016_results_bulk
Revises: 0014_value_comments
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_results_bulk"
down_revision = "0014_value_comments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation_run") as batch:
        batch.add_column(sa.Column("unit", sa.String(length=32), nullable=True))


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite >= 3.35, PostgreSQL): batch mode would rebuild the table,
    # and dropping the old evaluation_run cascades to every stored result
    op.execute("ALTER TABLE evaluation_run DROP COLUMN unit")

"""one index on a run's results, not two: (run_id, org_unit) serves every reader (a page's
units, the trends' join, the analytics cells, the cascade of a deleted run), and the
second index, (run_id, indicator, org_unit), cost a national run ~30 % of its write time
(8.6 M rows, each entered into both)

Revision ID: 0020_result_index
Revises: 0017_web_indexes
"""

from alembic import op

revision = "0020_result_index"
down_revision = "0017_web_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_result_run", table_name="evaluation_result")


def downgrade() -> None:
    op.create_index("ix_result_run", "evaluation_result", ["run_id", "indicator", "org_unit"])

"""indexes for pages at province scale: a page reads a unit and its direct sub-units of a
run, one street's values, one level of a ranking

Revision ID: 0017_web_indexes
Revises: 0014_value_comments
"""

from alembic import op

revision = "0017_web_indexes"
down_revision = "0014_value_comments"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_data_value_unit", "data_value", ["org_unit", "period"]),
    ("ix_result_run_unit", "evaluation_result", ["run_id", "org_unit"]),
    ("ix_indicator_score_run_unit", "composite_indicator_score", ["run_id", "org_unit"]),
    ("ix_composite_run_level", "composite_score", ["run_id", "level", "dimension"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)

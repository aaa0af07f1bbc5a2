"""trends, history and diagnosis inputs stored with the evaluation run

Revision ID: 0007
Revises: 0006

A run made with composite scores (``shequ evaluate --composite``, the demo, the web) now
keeps, in the transaction that writes its results, everything its reports and pages show:
the trend of every result (``evaluation_trend``), the earlier values the trends were
fitted on (``evaluation_history``), and what the diagnosis needs: indicator scores
(``composite_indicator_score``), weights (``composite_weight``) and the size and area of
every unit (``unit_profile``). Runs made before this revision keep their results and
scores; their reports say that they stored no trends (evaluate again).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _run_id() -> tuple[sa.Column, sa.Column, sa.ForeignKeyConstraint, sa.PrimaryKeyConstraint]:
    return (
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["evaluation_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )


def upgrade() -> None:
    op.create_table(
        "evaluation_trend",
        *_run_id(),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("org_unit", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("previous_period", sa.String(length=10), nullable=True),
        sa.Column("previous_value", sa.Float(), nullable=True),
        sa.Column("n_points", sa.Integer(), nullable=False),
        sa.Column("slope", sa.Float(), nullable=True),
        sa.Column("slope_low", sa.Float(), nullable=True),
        sa.Column("slope_high", sa.Float(), nullable=True),
        sa.Column("projected_value", sa.Float(), nullable=True),
        sa.Column("trend_status", sa.String(length=20), nullable=False),
        sa.Column("note_zh", sa.Text(), nullable=False),
        sa.Column("note_en", sa.Text(), nullable=False),
    )
    op.create_index("ix_trend_run", "evaluation_trend", ["run_id", "org_unit"])
    op.create_table(
        "evaluation_history",
        *_run_id(),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("org_unit", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
    )
    op.create_index("ix_history_run", "evaluation_history", ["run_id", "org_unit"])
    op.create_table(
        "composite_indicator_score",
        *_run_id(),
        sa.Column("org_unit", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
    )
    op.create_index(
        "ix_indicator_score_run", "composite_indicator_score", ["run_id", "level", "period"]
    )
    op.create_table(
        "composite_weight",
        *_run_id(),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("weight_in_dimension", sa.Float(), nullable=True),
        sa.Column("dimension_weight", sa.Float(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=True),
    )
    op.create_index("ix_composite_weight_run", "composite_weight", ["run_id"])
    op.create_table(
        "unit_profile",
        *_run_id(),
        sa.Column("org_unit", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Float(), nullable=True),
        sa.Column("area", sa.Float(), nullable=True),
    )
    op.create_index("ix_unit_profile_run", "unit_profile", ["run_id", "period"])


def downgrade() -> None:
    for table, index in (
        ("unit_profile", "ix_unit_profile_run"),
        ("composite_weight", "ix_composite_weight_run"),
        ("composite_indicator_score", "ix_indicator_score_run"),
        ("evaluation_history", "ix_history_run"),
        ("evaluation_trend", "ix_trend_run"),
    ):
        op.drop_index(index, table_name=table)
        op.drop_table(table)

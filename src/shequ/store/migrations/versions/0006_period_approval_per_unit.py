"""per-unit period approval (locks a unit's subtree for a period)

Revision ID: 0006
Revises: 0005

Existing store-wide locks (``period.locked = true``) become approvals of every top-level
unit, i.e. of the whole tree. ``period.locked`` stays in the schema as a legacy column that
nothing reads or writes any more; downgrade turns approvals of a top unit back into
``period.locked`` and drops the table (approvals of lower units are lost).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "period_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_unit", "period", name="uq_period_approval"),
    )
    op.create_index("ix_period_approval_org_unit", "period_approval", ["org_unit"])
    op.create_index("ix_period_approval_period", "period_approval", ["period"])
    op.execute(
        """
        INSERT INTO period_approval (org_unit, period, approved_by, approved_at)
        SELECT tops.code, p.code, 'migration 0006', CURRENT_TIMESTAMP
        FROM period p
        CROSS JOIN (
            SELECT DISTINCT u.code FROM org_unit u
            WHERE NOT EXISTS (
                SELECT 1 FROM org_unit v WHERE v.code = u.code AND v.parent_code IS NOT NULL
            )
        ) tops
        WHERE p.locked = true
        """
    )


def downgrade() -> None:
    op.execute(
        """
        UPDATE period SET locked = EXISTS (
            SELECT 1 FROM period_approval a
            WHERE a.period = period.code AND NOT EXISTS (
                SELECT 1 FROM org_unit v WHERE v.code = a.org_unit AND v.parent_code IS NOT NULL
            )
        )
        """
    )
    op.drop_index("ix_period_approval_period", table_name="period_approval")
    op.drop_index("ix_period_approval_org_unit", table_name="period_approval")
    op.drop_table("period_approval")

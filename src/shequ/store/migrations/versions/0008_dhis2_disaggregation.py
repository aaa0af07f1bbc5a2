"""data values by category option combo; DHIS2 comment, followup, stored_by; UID mapping

Revision ID: 0008_dhis2_disaggregation
Revises: 0007

Every existing value becomes the ``default`` combo of its element, so the totals read by
the indicators are unchanged. The unique key becomes element + unit + period + combo.
Downgrade refuses nothing: it sums each element's combos back into one value (the total
the indicators read) and drops the new columns and the ``dhis2_id`` table.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_dhis2_disaggregation"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_value", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "category_option_combo",
                sa.String(length=64),
                nullable=False,
                server_default="default",
            )
        )
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("followup", sa.Boolean(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("stored_by", sa.String(length=64), nullable=True))
        batch_op.drop_constraint("uq_data_value_key", type_="unique")
        batch_op.create_unique_constraint(
            "uq_data_value_key",
            ["data_element", "org_unit", "period", "category_option_combo"],
        )
    op.create_table(
        "dhis2_id",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "code", name="uq_dhis2_id_code"),
        sa.UniqueConstraint("kind", "uid", name="uq_dhis2_id_uid"),
    )


def downgrade() -> None:
    op.drop_table("dhis2_id")
    op.execute(
        """
        UPDATE data_value SET value = (
            SELECT SUM(o.value) FROM data_value o
            WHERE o.data_element = data_value.data_element
              AND o.org_unit = data_value.org_unit AND o.period = data_value.period
        ) WHERE category_option_combo = (
            SELECT MIN(o.category_option_combo) FROM data_value o
            WHERE o.data_element = data_value.data_element
              AND o.org_unit = data_value.org_unit AND o.period = data_value.period
        )
        """
    )
    op.execute(
        """
        DELETE FROM data_value WHERE category_option_combo <> (
            SELECT MIN(o.category_option_combo) FROM data_value o
            WHERE o.data_element = data_value.data_element
              AND o.org_unit = data_value.org_unit AND o.period = data_value.period
        )
        """
    )
    with op.batch_alter_table("data_value", schema=None) as batch_op:
        batch_op.drop_constraint("uq_data_value_key", type_="unique")
        batch_op.create_unique_constraint(
            "uq_data_value_key", ["data_element", "org_unit", "period"]
        )
        batch_op.drop_column("stored_by")
        batch_op.drop_column("followup")
        batch_op.drop_column("comment")
        batch_op.drop_column("category_option_combo")

"""notifications: messages, inbox, subscriptions, outbox, deliveries and their attempts

Revision ID: 0011_notifications
Revises: 0010_schedules_and_warnings
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_notifications"
down_revision = "0010_schedules_and_warnings"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "notify_message",
        _id(),
        sa.Column("subject_zh", sa.String(length=200), nullable=False),
        sa.Column("subject_en", sa.String(length=200), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("org_unit", sa.String(length=32), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("source_kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_kind", "source_id", name="uq_notify_source"),
    )
    op.create_index("ix_notify_message_org_unit", "notify_message", ["org_unit"])
    op.create_table(
        "notify_inbox",
        _id(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["notify_message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "message_id", name="uq_notify_inbox"),
    )
    op.create_index("ix_notify_inbox_unread", "notify_inbox", ["user_id", "read_at"])
    op.create_table(
        "notify_subscription",
        _id(),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("text_format", sa.String(length=12), nullable=False),
        sa.Column("min_severity", sa.String(length=8), nullable=False),
        sa.Column("digest", sa.String(length=12), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner", "kind", "target", name="uq_notify_subscription"),
    )
    op.create_index("ix_notify_subscription_owner", "notify_subscription", ["owner"])
    op.create_table(
        "notify_delivery",
        _id(),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["notify_subscription.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notify_delivery_due", "notify_delivery", ["status", "next_attempt_at"])
    op.create_table(
        "notify_outbox",
        _id(),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["notify_subscription.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["message_id"], ["notify_message.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["delivery_id"], ["notify_delivery.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "message_id", name="uq_notify_outbox"),
    )
    op.create_index("ix_notify_outbox_waiting", "notify_outbox", ["delivery_id", "due_at"])
    op.create_table(
        "notify_attempt",
        _id(),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["delivery_id"], ["notify_delivery.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notify_attempt_delivery_id", "notify_attempt", ["delivery_id"])


def downgrade() -> None:
    for table in (
        "notify_attempt",
        "notify_outbox",
        "notify_delivery",
        "notify_subscription",
        "notify_inbox",
        "notify_message",
    ):
        op.drop_table(table)

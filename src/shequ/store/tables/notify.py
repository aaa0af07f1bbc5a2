"""Tables of notifications (migration 0011_notifications): messages, the inbox of each
user, subscriptions (who gets which messages on which channel), the outbox of messages
waiting for a delivery, deliveries (one send, possibly a digest) and their attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, utcnow


class NotifyMessage(Base):
    """One thing to tell people about a unit: subject and body in Chinese and English."""

    __tablename__ = "notify_message"
    __table_args__ = (UniqueConstraint("source_kind", "source_id", name="uq_notify_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_zh: Mapped[str] = mapped_column(String(200))
    subject_en: Mapped[str] = mapped_column(String(200), default="")
    body_zh: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(8))
    org_unit: Mapped[str] = mapped_column(String(32), index=True)
    link: Mapped[str] = mapped_column(String(500), default="")
    #: what raised it (``warning``, ``test``, ...) and its id there; a pair is sent once
    source_kind: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class InboxItem(Base):
    """A message in one user's inbox; ``read_at`` is empty while unread."""

    __tablename__ = "notify_inbox"
    __table_args__ = (
        UniqueConstraint("user_id", "message_id", name="uq_notify_inbox"),
        Index("ix_notify_inbox_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("notify_message.id", ondelete="CASCADE"))
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Subscription(Base):
    """Messages of a subtree, from a minimum severity, sent on one channel.

    ``owner`` is ``user:NAME`` (the subtree is the user's scope, read when a message is
    dispatched) or ``unit:CODE`` (a unit's group robot or mailbox: the unit's subtree).
    ``kind`` is email | wecom | dingtalk | json; ``target`` the address or webhook URL;
    ``secret`` the DingTalk signing secret; ``digest`` immediate | daily.
    """

    __tablename__ = "notify_subscription"
    __table_args__ = (UniqueConstraint("owner", "kind", "target", name="uq_notify_subscription"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    target: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200), default="")
    text_format: Mapped[str] = mapped_column(String(12), default="markdown")
    min_severity: Mapped[str] = mapped_column(String(8), default="info")
    digest: Mapped[str] = mapped_column(String(12), default="immediate")
    lang: Mapped[str] = mapped_column(String(2), default="zh")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OutboxItem(Base):
    """A message waiting to go out on one subscription from ``due_at``; a delivery takes
    every waiting message of its subscription at once (a digest when there are several)."""

    __tablename__ = "notify_outbox"
    __table_args__ = (
        UniqueConstraint("subscription_id", "message_id", name="uq_notify_outbox"),
        Index("ix_notify_outbox_waiting", "delivery_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("notify_subscription.id", ondelete="CASCADE")
    )
    message_id: Mapped[int] = mapped_column(ForeignKey("notify_message.id", ondelete="CASCADE"))
    due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("notify_delivery.id"))


class Delivery(Base):
    """One send on one subscription: pending, sent, or failed (attempts used up)."""

    __tablename__ = "notify_delivery"
    __table_args__ = (Index("ix_notify_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("notify_subscription.id", ondelete="CASCADE")
    )
    messages: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class DeliveryAttempt(Base):
    """One try of a delivery: when, ``sent`` or ``refused``, and the error."""

    __tablename__ = "notify_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("notify_delivery.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(8))
    error: Mapped[str | None] = mapped_column(Text)

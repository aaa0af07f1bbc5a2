"""Queries of notifications: messages, inboxes, subscriptions, the outbox and deliveries.

Who sees a message is decided by the closure table: a user sees a message of unit U when
the user's scope is U or one of its ancestors on the day asked about; a subscription of
``unit:X`` receives the messages of X's subtree, one of ``user:NAME`` those of the user's
scope. The policy (severities, digests, retries) lives in `shequ.notify`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, String, and_, func, insert, literal, or_, select, update

from .tables.accounts import User
from .tables.core import OrgUnitPath
from .tables.notify import (
    Delivery,
    DeliveryAttempt,
    InboxItem,
    NotifyMessage,
    OutboxItem,
    Subscription,
)

MESSAGE = NotifyMessage.__table__


def _ancestors(unit: str, day: dt.date):
    """The codes whose subtree holds ``unit`` on ``day`` (as a subquery)."""
    return (
        select(OrgUnitPath.ancestor_code)
        .where(OrgUnitPath.descendant_code == unit)
        .where(OrgUnitPath.valid_from <= day, OrgUnitPath.valid_to > day)
    )


def save_message(conn: Connection, fields: Mapping[str, Any]) -> tuple[int, bool]:
    """Store a message; ``(id, True)`` when new, ``(id, False)`` when its source was sent."""
    if fields.get("source_id") is not None:
        old = conn.execute(
            select(NotifyMessage.id).where(
                NotifyMessage.source_kind == fields["source_kind"],
                NotifyMessage.source_id == fields["source_id"],
            )
        ).scalar()
        if old is not None:
            return int(old), False
    new = conn.execute(insert(NotifyMessage).values(**fields).returning(NotifyMessage.id))
    return int(new.scalar_one()), True


def users_seeing(conn: Connection, unit: str, day: dt.date) -> dict[str, int]:
    """``{user name: id}`` of the active users whose scope holds ``unit`` on ``day``."""
    query = select(User.username, User.id).where(User.active, User.scope.in_(_ancestors(unit, day)))
    return {name: int(i) for name, i in conn.execute(query.order_by(User.id))}


def add_to_inboxes(conn: Connection, message_id: int, user_ids: Iterable[int]) -> int:
    rows = [{"user_id": u, "message_id": message_id} for u in user_ids]
    if rows:
        conn.execute(insert(InboxItem), rows)
    return len(rows)


def inbox(
    conn: Connection,
    user_id: int,
    scope: str,
    day: dt.date,
    *,
    unread_only: bool = False,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The user's messages, newest first, only those of units inside ``scope`` on ``day``."""
    inside = (
        select(OrgUnitPath.descendant_code)
        .where(OrgUnitPath.ancestor_code == scope)
        .where(OrgUnitPath.valid_from <= day, OrgUnitPath.valid_to > day)
    )
    query = (
        select(MESSAGE, InboxItem.read_at)
        .join(InboxItem, InboxItem.message_id == NotifyMessage.id)
        .where(InboxItem.user_id == user_id, NotifyMessage.org_unit.in_(inside))
    )
    if unread_only:
        query = query.where(InboxItem.read_at.is_(None))
    query = query.order_by(NotifyMessage.created_at.desc(), NotifyMessage.id.desc()).limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()]


def unread_count(conn: Connection, user_id: int) -> int:
    query = select(func.count()).where(InboxItem.user_id == user_id, InboxItem.read_at.is_(None))
    return int(conn.execute(query).scalar_one())


def mark_read(
    conn: Connection, user_id: int, message_ids: Iterable[int] | None, at: dt.datetime
) -> int:
    """Mark the user's messages read (all of them when ``message_ids`` is None)."""
    query = update(InboxItem).where(InboxItem.user_id == user_id, InboxItem.read_at.is_(None))
    if message_ids is not None:
        query = query.where(InboxItem.message_id.in_(list(message_ids)))
    return conn.execute(query.values(read_at=at)).rowcount


def save_subscription(conn: Connection, fields: Mapping[str, Any]) -> int:
    """Create the subscription (owner, kind, target), or replace its settings."""
    key = (fields["owner"], fields["kind"], fields["target"])
    old = conn.execute(
        select(Subscription.id).where(
            Subscription.owner == key[0], Subscription.kind == key[1], Subscription.target == key[2]
        )
    ).scalar()
    if old is None:
        return int(
            conn.execute(
                insert(Subscription).values(**fields).returning(Subscription.id)
            ).scalar_one()
        )
    conn.execute(update(Subscription).where(Subscription.id == old).values(**fields))
    return int(old)


def subscriptions(conn: Connection) -> list[dict[str, Any]]:
    query = select(Subscription.__table__).order_by(Subscription.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def subscriptions_for(conn: Connection, unit: str, day: dt.date) -> list[dict[str, Any]]:
    """Active subscriptions whose subtree holds ``unit``: of a unit above it or of a user
    whose scope is above it."""
    above = _ancestors(unit, day)
    users = select(literal("user:", String) + User.username).where(
        User.active, User.scope.in_(above)
    )
    codes = above.subquery()
    units = select(literal("unit:", String) + codes.c.ancestor_code)
    query = select(Subscription.__table__).where(
        Subscription.active, or_(Subscription.owner.in_(users), Subscription.owner.in_(units))
    )
    return [dict(r) for r in conn.execute(query.order_by(Subscription.id)).mappings()]


def queue_new(conn: Connection, message_id: int, targets: Iterable[tuple[int, dt.datetime]]) -> int:
    """Put a message just stored in the outbox of each (subscription id, due time)."""
    rows = [{"subscription_id": s, "message_id": message_id, "due_at": due} for s, due in targets]
    if rows:
        conn.execute(insert(OutboxItem), rows)
    return len(rows)


def bundle_due(conn: Connection, now: dt.datetime) -> list[int]:
    """Make one pending delivery per subscription with a waiting message due by ``now``,
    holding every message waiting on it; returns the new delivery ids."""
    waiting = and_(OutboxItem.delivery_id.is_(None))
    due = select(OutboxItem.subscription_id).where(waiting, OutboxItem.due_at <= now).distinct()
    made = []
    for sub_id in list(conn.execute(due).scalars()):
        ids = list(
            conn.execute(
                select(OutboxItem.id).where(waiting, OutboxItem.subscription_id == sub_id)
            ).scalars()
        )
        values = {
            "subscription_id": sub_id,
            "messages": len(ids),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        delivery = conn.execute(insert(Delivery).values(**values).returning(Delivery.id))
        delivery_id = int(delivery.scalar_one())
        conn.execute(
            update(OutboxItem).where(OutboxItem.id.in_(ids)).values(delivery_id=delivery_id)
        )
        made.append(delivery_id)
    return made


def claim_due(conn: Connection, now: dt.datetime, lease: dt.timedelta) -> list[int]:
    """Pending deliveries due by ``now``, each claimed for ``lease`` (a second worker that
    runs at the same time finds them not due and leaves them alone)."""
    query = select(Delivery.id).where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
    claimed = []
    for delivery_id in list(conn.execute(query.order_by(Delivery.id)).scalars()):
        done = conn.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == "pending")
            .where(Delivery.next_attempt_at <= now)
            .values(next_attempt_at=now + lease)
        )
        if done.rowcount == 1:
            claimed.append(int(delivery_id))
    return claimed


def delivery(conn: Connection, delivery_id: int) -> dict[str, Any]:
    """A delivery with its subscription (``subscription``) and messages (``messages``)."""
    row = dict(
        conn.execute(select(Delivery.__table__).where(Delivery.id == delivery_id)).mappings().one()
    )
    sub = (
        conn.execute(
            select(Subscription.__table__).where(Subscription.id == row["subscription_id"])
        )
        .mappings()
        .one()
    )
    messages = conn.execute(
        select(MESSAGE)
        .join(OutboxItem, OutboxItem.message_id == NotifyMessage.id)
        .where(OutboxItem.delivery_id == delivery_id)
        .order_by(NotifyMessage.id)
    ).mappings()
    return {**row, "subscription": dict(sub), "message_rows": [dict(m) for m in messages]}


def record_attempt(
    conn: Connection,
    delivery_id: int,
    *,
    at: dt.datetime,
    error: str | None,
    next_attempt_at: dt.datetime | None,
) -> None:
    """Log one try; ``error`` None means sent. ``next_attempt_at`` None after a refusal
    means the attempts are used up (status ``failed``)."""
    status = "sent" if error is None else "refused"
    conn.execute(
        insert(DeliveryAttempt).values(
            delivery_id=delivery_id, attempted_at=at, status=status, error=error
        )
    )
    values: dict[str, Any] = {"attempts": Delivery.attempts + 1, "last_error": error}
    if error is None:
        values.update(status="sent", sent_at=at)
    elif next_attempt_at is None:
        values.update(status="failed")
    else:
        values.update(next_attempt_at=next_attempt_at)
    conn.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


def delivery_log(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """Recent attempts, newest first, with their delivery and subscription."""
    query = (
        select(
            DeliveryAttempt.delivery_id,
            DeliveryAttempt.attempted_at,
            DeliveryAttempt.status,
            DeliveryAttempt.error,
            Delivery.status.label("delivery_status"),
            Delivery.attempts,
            Delivery.messages,
            Subscription.kind,
            Subscription.target,
            Subscription.owner,
        )
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .order_by(DeliveryAttempt.id.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def attempts(conn: Connection, delivery_id: int) -> list[dict[str, Any]]:
    query = select(DeliveryAttempt.__table__).where(DeliveryAttempt.delivery_id == delivery_id)
    return [dict(r) for r in conn.execute(query.order_by(DeliveryAttempt.id)).mappings()]

"""Filing messages: into the inbox of every user whose scope holds the unit, and into the
outbox of every subscription that wants them (by subtree and minimum severity), due now
(immediate) or at the next daily digest hour."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..store import notify as store_notify
from ..store import orgunits
from ..store.db import Store
from ..store.tables.core import utcnow
from .messages import CHANNELS, DIGESTS, SEVERITIES, Message, NotifyError, at_least, require_choice

#: daily digests go out at this hour, Beijing time (UTC+8)
DIGEST_HOUR = 8
_BEIJING = dt.timedelta(hours=8)


@dataclass
class DispatchReport:
    messages: list[int] = field(default_factory=list)
    new: int = 0
    inbox_items: int = 0
    queued: int = 0


def next_digest(now: dt.datetime) -> dt.datetime:
    """The next DIGEST_HOUR o'clock Beijing time after ``now`` (naive UTC in and out)."""
    local = now + _BEIJING
    at = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        at += dt.timedelta(days=1)
    return at - _BEIJING


def dispatch(
    store: Store, messages: Iterable[Message], *, now: dt.datetime | None = None
) -> DispatchReport:
    """File ``messages`` (inboxes and outboxes) in one transaction; re-dispatching a message
    with the same source kind and id changes nothing. Nothing is sent here: `deliver` sends."""
    now = now or utcnow()
    day = (now + _BEIJING).date()
    report = DispatchReport()
    audience: dict[str, tuple[dict[str, int], list[dict]]] = {}  # unit: (users, subscriptions)
    with store.begin() as conn:
        for message in messages:
            if message.unit not in audience:
                orgunits.require(conn, message.unit, NotifyError)
                audience[message.unit] = (
                    store_notify.users_seeing(conn, message.unit, day),
                    store_notify.subscriptions_for(conn, message.unit, day),
                )
            users, subscriptions = audience[message.unit]
            message_id, new = store_notify.save_message(conn, {**message.row(), "created_at": now})
            report.messages.append(message_id)
            if not new:
                continue
            report.new += 1
            readers = (
                [users[n] for n in dict.fromkeys(message.recipients) if n in users]
                if message.recipients
                else list(users.values())
            )
            report.inbox_items += store_notify.add_to_inboxes(conn, message_id, readers)
            wanted = [s for s in subscriptions if at_least(message.severity, s["min_severity"])]
            report.queued += store_notify.queue_new(conn, message_id, [
                (s["id"], now if s["digest"] == "immediate" else next_digest(now)) for s in wanted
            ])  # fmt: skip
    return report


def subscribe(
    store: Store,
    *,
    owner: str,
    kind: str,
    target: str,
    secret: str = "",
    text_format: str = "markdown",
    min_severity: str = "info",
    digest: str = "immediate",
    lang: str = "zh",
    active: bool = True,
) -> int:
    """Create or change a subscription. ``owner`` is ``user:NAME`` or ``unit:CODE``."""
    require_choice(kind, CHANNELS, "通知渠道", "channel")
    require_choice(min_severity, SEVERITIES, "严重程度", "severity")
    require_choice(digest, DIGESTS, "汇总方式", "digest mode")
    require_choice(text_format, ("text", "markdown"), "消息格式", "message format")
    require_choice(lang, ("zh", "en"), "语言", "language")
    who, _, name = owner.partition(":")
    require_choice(who, ("user", "unit"), "订阅者类型", "owner kind")
    if kind != "email" and not target.startswith(("http://", "https://")):
        raise NotifyError(
            f"网络钩子地址须以 http(s):// 开头：{target} / a webhook URL must start with http(s)://"
        )
    if kind == "email" and "@" not in target:
        raise NotifyError(f"不是电子邮件地址：{target} / not an e-mail address: {target}")
    with store.begin() as conn:
        if who == "unit":
            orgunits.require(conn, name, NotifyError)
        fields = {
            "owner": owner,
            "kind": kind,
            "target": target,
            "secret": secret,
            "text_format": text_format,
            "min_severity": min_severity,
            "digest": digest,
            "lang": lang,
            "active": active,
        }
        return store_notify.save_subscription(conn, fields)

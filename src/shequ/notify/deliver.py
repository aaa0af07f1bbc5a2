"""The delivery step: bundle what is due into deliveries (several messages to one
subscription become one digest), send each, log every attempt, and retry refused ones
with exponential backoff until MAX_ATTEMPTS. Safe to run again at any time and from two
workers at once (each delivery is claimed for a lease before it is sent)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..store import notify as store_notify
from ..store.db import Store
from ..store.tables.core import utcnow
from .messages import CHANNELS, require_choice
from .send import send
from .settings import SendSettings

MAX_ATTEMPTS = 5
#: wait after the n-th refusal: BACKOFF * 2 ** (n - 1), i.e. 1, 2, 4, 8 minutes
BACKOFF = dt.timedelta(minutes=1)
LEASE = dt.timedelta(minutes=5)


@dataclass
class DeliveryReport:
    bundled: int = 0
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after ``attempts`` refusals."""
    return BACKOFF * 2 ** (attempts - 1)


def deliver(
    store: Store, *, now: dt.datetime | None = None, settings: SendSettings | None = None
) -> DeliveryReport:
    """Send every delivery due by ``now`` (default: the current UTC time)."""
    now = now or utcnow()
    settings = settings or SendSettings.from_env()
    report = DeliveryReport()
    with store.begin() as conn:
        report.bundled = len(store_notify.bundle_due(conn, now))
        claimed = store_notify.claim_due(conn, now, LEASE)
    for delivery_id in claimed:
        with store.begin() as conn:
            item = store_notify.delivery(conn, delivery_id)
        error = send(item["subscription"], item["message_rows"], settings)
        tries = item["attempts"] + 1
        retry_at = None if tries >= MAX_ATTEMPTS else now + backoff(tries)
        with store.begin() as conn:
            store_notify.record_attempt(
                conn, delivery_id, at=now, error=error, next_attempt_at=retry_at
            )
        if error is None:
            report.sent.append(delivery_id)
        elif retry_at is None:
            report.failed.append(delivery_id)
        else:
            report.retrying.append(delivery_id)
    return report


def guess_kind(to: str) -> str:
    """The channel of an address: e-mail, a DingTalk or WeCom robot, else a JSON webhook."""
    if "@" in to and "://" not in to:
        return "email"
    if "oapi.dingtalk.com" in to:
        return "dingtalk"
    if "qyapi.weixin.qq.com" in to:
        return "wecom"
    return "json"


def send_test(
    to: str, *, kind: str = "", secret: str = "", lang: str = "zh", text_format: str = "markdown",
    settings: SendSettings | None = None,
) -> tuple[str, str | None]:  # fmt: skip
    """Send one test message to ``to`` now (nothing is stored); returns (kind, error)."""
    kind = kind or guess_kind(to)
    require_choice(kind, CHANNELS, "通知渠道", "channel")
    row = {
        "id": 0, "subject_zh": "shequ 测试通知", "subject_en": "shequ test notification",
        "body_zh": "收到此消息说明通知渠道设置正确。", "body_en": "This channel works.",
        "severity": "info", "org_unit": "-", "link": "", "source_kind": "test",
        "source_id": None, "created_at": utcnow(),
    }  # fmt: skip
    subscription = {"kind": kind, "target": to, "secret": secret, "lang": lang,
                    "text_format": text_format}  # fmt: skip
    return kind, send(subscription, [row], settings or SendSettings.from_env())

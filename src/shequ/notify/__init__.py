"""Notifications that reach people where they work: an inbox per user in the web app,
e-mail over SMTP, and the group robots of WeCom (企业微信) and DingTalk (钉钉) or a plain
JSON webhook; per-user and per-unit subscriptions with a minimum severity and a digest
mode; a delivery log with retries and backoff.

`dispatch(store, messages)` files messages into inboxes and outboxes (what the loop's
warnings call); `deliver(store)` sends what is due (``shequ notify deliver``, the worker).
This package reads and writes the store only.
"""

from .deliver import DeliveryReport, deliver
from .dispatch import DispatchReport, dispatch, subscribe
from .messages import SEVERITIES, Message, NotifyError

__all__ = [
    "SEVERITIES",
    "DeliveryReport",
    "DispatchReport",
    "Message",
    "NotifyError",
    "deliver",
    "dispatch",
    "subscribe",
]

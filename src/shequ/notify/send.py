"""Transports: SMTP for e-mail, HTTP POST of JSON for the webhooks.

Each function returns None when the far end accepted, or the reason it refused (an HTTP
status, a robot's ``errcode``, an SMTP reply, a connection error): the delivery loop
logs the reason and tries again later.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from typing import Any

from . import formats
from .settings import SendSettings


def post_json(url: str, payload: dict[str, Any], timeout: float, *, robot: bool) -> str | None:
    """POST ``payload``; a robot answers 200 with ``errcode`` 0 when it accepted."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read(64_000)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        return f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    if not robot:
        return None
    try:
        code = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        return f"not a robot answer: {answer[:200]!r}"
    if code != 0:
        return f"errcode {code}: {json.loads(answer).get('errmsg', '')}"
    return None


def send_email(settings: SendSettings, mail) -> str | None:
    if not settings.smtp_host:
        return "未配置 SMTP 服务器（SHEQU_SMTP_HOST）/ no SMTP server set (SHEQU_SMTP_HOST)"
    try:
        if settings.smtp_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=settings.smtp_timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
            )
        with smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def send(subscription: dict[str, Any], rows: list[dict], settings: SendSettings) -> str | None:
    """Send ``rows`` (one message or a digest) on ``subscription``'s channel."""
    kind, target, lang = subscription["kind"], subscription["target"], subscription["lang"]
    fmt, base = subscription["text_format"], settings.base_url
    if kind == "email":
        mail = formats.email(rows, lang, sender=settings.smtp_from, to=target, base_url=base)
        return send_email(settings, mail)
    if kind == "wecom":
        return post_json(
            target, formats.wecom(rows, lang, fmt, base), settings.http_timeout, robot=True
        )
    if kind == "dingtalk":
        url = formats.dingtalk_url(target, subscription["secret"], int(time.time() * 1000))
        return post_json(
            url, formats.dingtalk(rows, lang, fmt, base), settings.http_timeout, robot=True
        )
    return post_json(target, formats.json_payload(rows, base), settings.http_timeout, robot=False)

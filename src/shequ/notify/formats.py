"""What each channel receives for one message or a digest of several.

WeCom (企业微信) group robot: ``{"msgtype": "text", "text": {"content": ...}}`` or
``{"msgtype": "markdown", "markdown": {"content": ...}}``. DingTalk (钉钉) group robot:
``{"msgtype": "text", "text": {"content": ...}}`` or
``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``; with a signing secret
the URL carries ``timestamp`` (milliseconds) and ``sign`` =
urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))). The plain JSON
webhook gets every field of every message. E-mail is UTF-8 plain text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from .messages import SEVERITY_LABELS, body, subject


def _label(row: dict, lang: str) -> str:
    return SEVERITY_LABELS[lang][row["severity"]]


def _link(row: dict, base_url: str) -> str:
    link = row.get("link") or ""
    return base_url.rstrip("/") + link if link.startswith("/") and base_url else link


def title(rows: list[dict], lang: str) -> str:
    """One message's subject, or the digest's title."""
    if len(rows) == 1:
        return f"[{_label(rows[0], lang)}] {subject(rows[0], lang)}"
    return f"{len(rows)} 条通知（shequ）" if lang == "zh" else f"{len(rows)} notifications (shequ)"


def plain_text(rows: list[dict], lang: str, base_url: str = "") -> str:
    unit = "单位" if lang == "zh" else "unit"
    parts = []
    for row in rows:
        lines = [f"[{_label(row, lang)}] {subject(row, lang)}", f"{unit}: {row['org_unit']}"]
        if body(row, lang):
            lines.append(body(row, lang))
        if _link(row, base_url):
            lines.append(_link(row, base_url))
        parts.append("\n".join(lines))
    text = "\n\n".join(parts)
    return text if len(rows) == 1 else f"{title(rows, lang)}\n\n{text}"


def markdown(rows: list[dict], lang: str, base_url: str = "") -> str:
    unit = "单位" if lang == "zh" else "unit"
    view = "查看" if lang == "zh" else "open"
    parts = []
    for row in rows:
        lines = [f"**[{_label(row, lang)}] {subject(row, lang)}**", f"> {unit}: {row['org_unit']}"]
        if body(row, lang):
            lines.append(body(row, lang))
        if _link(row, base_url):
            lines.append(f"[{view}]({_link(row, base_url)})")
        parts.append("\n".join(lines))
    text = "\n\n".join(parts)
    return text if len(rows) == 1 else f"### {title(rows, lang)}\n\n{text}"


def wecom(rows: list[dict], lang: str, text_format: str, base_url: str = "") -> dict[str, Any]:
    if text_format == "text":
        return {"msgtype": "text", "text": {"content": plain_text(rows, lang, base_url)}}
    return {"msgtype": "markdown", "markdown": {"content": markdown(rows, lang, base_url)}}


def dingtalk(rows: list[dict], lang: str, text_format: str, base_url: str = "") -> dict[str, Any]:
    if text_format == "text":
        return {"msgtype": "text", "text": {"content": plain_text(rows, lang, base_url)}}
    return {
        "msgtype": "markdown",
        "markdown": {"title": title(rows, lang), "text": markdown(rows, lang, base_url)},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature of a robot call (base64 of the HMAC-SHA256, not yet URL-encoded)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with ``timestamp`` and ``sign`` added (unchanged without a secret)."""
    if not secret:
        return url
    query = urllib.parse.urlencode(
        {"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)}
    )
    return f"{url}{'&' if '?' in url else '?'}{query}"


def json_payload(rows: list[dict], base_url: str = "") -> dict[str, Any]:
    fields = (
        "id",
        "subject_zh",
        "subject_en",
        "body_zh",
        "body_en",
        "severity",
        "org_unit",
        "source_kind",
        "source_id",
    )
    messages = [
        {
            **{f: row.get(f) for f in fields},
            "link": _link(row, base_url),
            "created_at": row["created_at"].isoformat() if row.get("created_at") else None,
        }
        for row in rows
    ]
    return {"kind": "shequ.notifications", "digest": len(rows) > 1, "messages": messages}


def email(rows: list[dict], lang: str, *, sender: str, to: str, base_url: str = "") -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = title(rows, lang)
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or "shequ.local")
    mail.set_content(plain_text(rows, lang, base_url), charset="utf-8")
    return mail

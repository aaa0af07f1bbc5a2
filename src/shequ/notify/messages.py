"""A message: what to tell people about one unit, in Chinese and English, how urgent."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ShequError

#: from the least to the most urgent; a subscription gets its minimum and above
SEVERITIES = ("info", "warning", "critical")
SEVERITY_LABELS = {
    "zh": {"info": "通知", "warning": "预警", "critical": "严重"},
    "en": {"info": "info", "warning": "warning", "critical": "critical"},
}
CHANNELS = ("email", "wecom", "dingtalk", "json")
DIGESTS = ("immediate", "daily")


class NotifyError(ShequError, ValueError):
    """A message or subscription is not valid (unknown severity, channel, empty subject)."""


def require_choice(value: str, choices: tuple[str, ...], what_zh: str, what_en: str) -> str:
    if value not in choices:
        msg = (
            f"未知的{what_zh}“{value}”（可选：{', '.join(choices)}）/ "
            f"unknown {what_en} '{value}' (choose {', '.join(choices)})"
        )
        raise NotifyError(msg)
    return value


def at_least(severity: str, minimum: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(minimum)


@dataclass(frozen=True)
class Message:
    """One notification about ``unit``; ``source_kind``/``source_id`` name what raised it
    (a warning's id): dispatching the same pair twice files it once. With ``recipients``,
    only those users' inboxes get it (a warning goes to its owners, not to every user
    above the unit); subscriptions are matched by unit and severity either way."""

    subject_zh: str
    unit: str
    severity: str = "info"
    subject_en: str = ""
    body_zh: str = ""
    body_en: str = ""
    link: str = ""
    source_kind: str = "manual"
    source_id: str | None = None
    #: user names whose inboxes get it (those whose scope holds the unit); empty: all of them
    recipients: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        require_choice(self.severity, SEVERITIES, "严重程度", "severity")
        if not self.subject_zh.strip():
            raise NotifyError("通知标题不能为空 / a notification needs a subject")

    def row(self) -> dict[str, object]:
        """The columns of ``notify_message``."""
        return {
            "subject_zh": self.subject_zh,
            "subject_en": self.subject_en,
            "body_zh": self.body_zh,
            "body_en": self.body_en,
            "severity": self.severity,
            "org_unit": self.unit,
            "link": self.link,
            "source_kind": self.source_kind,
            "source_id": self.source_id,
        }


def subject(row: dict, lang: str) -> str:
    """A stored message's subject in ``lang`` (Chinese when there is no English)."""
    return (row.get("subject_en") if lang == "en" else None) or row["subject_zh"]


def body(row: dict, lang: str) -> str:
    return (row.get("body_en") if lang == "en" else None) or row.get("body_zh") or ""

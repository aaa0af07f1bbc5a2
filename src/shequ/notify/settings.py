"""Where notifications are sent from: the SMTP server and the web address for links.

Read from the environment (the web app's server passes the same variables through):

- ``SHEQU_SMTP_HOST`` (no host: e-mail deliveries are refused with that reason),
  ``SHEQU_SMTP_PORT`` (default 25), ``SHEQU_SMTP_STARTTLS`` (1/true: STARTTLS before
  login), ``SHEQU_SMTP_SSL`` (1/true: SMTP over TLS, port 465), ``SHEQU_SMTP_USER``,
  ``SHEQU_SMTP_PASSWORD``, ``SHEQU_SMTP_FROM`` (default ``shequ@localhost``),
  ``SHEQU_SMTP_TIMEOUT`` (seconds, default 20);
- ``SHEQU_NOTIFY_BASE_URL``: prefix of relative links (``https://shequ.example.gov.cn``);
- ``SHEQU_NOTIFY_HTTP_TIMEOUT``: seconds a webhook may take (default 10).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class SendSettings:
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "shequ@localhost"
    smtp_timeout: float = 20.0
    base_url: str = ""
    http_timeout: float = 10.0

    @classmethod
    def from_env(cls) -> SendSettings:
        env = os.environ.get
        return cls(
            smtp_host=env("SHEQU_SMTP_HOST", ""),
            smtp_port=int(env("SHEQU_SMTP_PORT", "25")),
            smtp_starttls=_flag("SHEQU_SMTP_STARTTLS"),
            smtp_ssl=_flag("SHEQU_SMTP_SSL"),
            smtp_user=env("SHEQU_SMTP_USER", ""),
            smtp_password=env("SHEQU_SMTP_PASSWORD", ""),
            smtp_from=env("SHEQU_SMTP_FROM", "shequ@localhost"),
            smtp_timeout=float(env("SHEQU_SMTP_TIMEOUT", "20")),
            base_url=env("SHEQU_NOTIFY_BASE_URL", ""),
            http_timeout=float(env("SHEQU_NOTIFY_HTTP_TIMEOUT", "10")),
        )

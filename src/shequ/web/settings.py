"""Settings of the web application: one typed table, built inside `create_app`.

Each field can be set from the environment as ``SHEQU_WEB_<FIELD>`` (upper case).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """What the server needs; defaults suit one city on one machine."""

    store_url: str
    plan: str | None = None
    #: hours a login stays valid
    session_hours: float = 12.0
    #: failed logins per client address before each further attempt must wait
    login_max_failures: int = 5
    #: the first wait (seconds) after those failures; it doubles with each further failure
    login_delay_seconds: float = 60.0
    #: the longest wait (seconds); an address quiet for longer starts again
    login_window_seconds: int = 900
    #: password checks at once (argon2 uses 64 MiB each)
    password_checks: int = 2
    #: addresses of reverse proxies whose ``X-Forwarded-For`` is believed (comma-separated);
    #: empty: the header is ignored and the peer address is the client
    trusted_proxies: str = ""
    #: public form posts (survey, suggestion) per client address per minute
    public_per_minute: int = 20
    #: public form posts per minute from all addresses together (many addresses, one flood)
    public_total_per_minute: int = 300
    #: base-map tile URL template (``https://.../{z}/{x}/{y}.png``); empty: no tiles
    tile_url: str = ""
    #: where uploaded import files and generated reports are kept
    data_dir: Path = field(default_factory=lambda: Path("var/web"))
    #: cookies carry ``Secure`` (set it when served over https behind a proxy)
    https: bool = False
    #: evaluations and reports run in a worker process (tests may switch it off for speed)
    worker_processes: int = 1
    #: run the plan's schedule (evaluations, warnings) in the worker; safe on several servers
    scheduler: bool = False
    #: seconds between two looks at what is due
    scheduler_seconds: float = 60.0
    #: bytes of a request body that is not a file upload (JSON, DHIS2 dataValueSets, forms)
    max_body_bytes: int = 32 * 1024 * 1024

    @property
    def proxies(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    @classmethod
    def from_env(cls, store_url: str, **overrides: object) -> Settings:
        """Defaults, then ``SHEQU_WEB_*`` variables, then ``overrides``."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"SHEQU_WEB_{f.name.upper()}")
            if raw is None or f.name == "store_url":
                continue
            values[f.name] = _convert(raw, str(f.type))
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(str(values["data_dir"]))
        return cls(store_url=store_url, **values)  # type: ignore[arg-type]


def _convert(raw: str, kind: str) -> object:
    if "bool" in kind:
        return raw.lower() in ("1", "true", "yes")
    if "int" in kind:
        return int(raw)
    if "float" in kind:
        return float(raw)
    return raw

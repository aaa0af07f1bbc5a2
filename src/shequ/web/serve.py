"""Run the web application with uvicorn (what ``shequ serve`` and ``make run`` do)."""

from __future__ import annotations

from .app import create_app


def serve(
    db: str | None,
    *,
    plan: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    scheduler: bool | None = None,
) -> None:
    import uvicorn

    from ..store.db import resolve_url

    app = create_app(resolve_url(db), plan=plan, scheduler=scheduler)
    uvicorn.run(app, **server_options(host, port))


def server_options(host: str, port: int) -> dict:
    """uvicorn's options: its own proxy-header handling is off (it believes 127.0.0.1 by
    default); `security.client_address` reads ``X-Forwarded-For`` only from the configured
    ``trusted_proxies``."""
    return {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": False,
        "proxy_headers": False,
    }

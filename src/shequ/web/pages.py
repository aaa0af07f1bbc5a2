"""Page rendering: the static folder, the page templates and `page()`.

Templates are looked up in ``web/templates/`` first, then in the report's template folder,
so the pages and the PDF/HTML reports share one indicator-table partial
(``_indicators.html``).
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.templating import Jinja2Templates

from .. import sheets
from ..report.html import TEMPLATES as REPORT_TEMPLATES
from ..store import notify as store_notify
from . import i18n
from .deps import ANON_CSRF_COOKIE, current_principal
from .settings import Settings

STATIC = Path(str(resources.files("shequ.web") / "static"))
TEMPLATES = Path(str(resources.files("shequ.web") / "templates"))


def make_templates(settings: Settings) -> Jinja2Templates:
    """The page templates of one app (its tile URL and the installed bundles as globals)."""
    templates = Jinja2Templates(directory=[str(TEMPLATES), str(REPORT_TEMPLATES)])
    templates.env.globals["echarts_installed"] = (STATIC / "echarts.min.js").exists()
    templates.env.globals["tile_url"] = settings.tile_url
    templates.env.globals["leaflet_installed"] = (STATIC / "leaflet.js").exists()
    return templates


def page(
    request: Request, name: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """Render a page template with the user, language, translator and CSRF token."""
    lang = i18n.lang_of(request)
    principal = current_principal(request)
    csrf = (
        principal.csrf
        if principal and principal.csrf
        else (
            getattr(request.state, "anon_csrf", None) or request.cookies.get(ANON_CSRF_COOKIE, "")
        )
    )
    base = {"user": principal, "lang": lang, "t": i18n.translator(lang), "csrf": csrf,
            "unread_count": _unread(request, principal)}  # fmt: skip
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def _unread(request: Request, principal) -> int:
    """Unread notifications of the logged-in user (the nav link's badge)."""
    if principal is None:
        return 0
    with request.app.state.store.begin() as conn:
        return store_notify.unread_count(conn, principal.id)


def download(table: pd.DataFrame, fmt: str, stem: str) -> StreamingResponse:
    """``table`` as a CSV or XLSX attachment named ``stem.fmt`` (formulas neutralised by
    `sheets.write_frame`; floats at full precision)."""
    buffer = io.BytesIO()
    sheets.write_frame(table, buffer, "csv" if fmt == "csv" else "xlsx")
    if fmt == "csv":
        media = "text/csv; charset=utf-8"
    else:
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    buffer.seek(0)
    headers = {"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    return StreamingResponse(buffer, media_type=media, headers=headers)

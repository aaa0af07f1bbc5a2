"""The FastAPI application, assembled: `create_app(store_url, plan=...)`.

Its state (store, plan, caches, worker, throttles, page templates from `pages`), the static
files, the routers listed in `routes/__init__.py`, and the one mapping of errors to HTTP
statuses (`ShequError` → 400 with the bilingual message, `LoginRequired` → 401 or a
redirect to the login page).
"""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders

from ..errors import ShequError
from ..framework.loader import load_plan
from ..store.db import open_store
from . import i18n
from .bodies import BodyLimit
from .deps import ANON_CSRF_COOKIE, LoginRequired
from .pages import STATIC, make_templates, page
from .routes import ROUTERS
from .security import LoginDelay, PasswordPool, Throttle, response_headers
from .settings import Settings
from .views import ContextCache
from .worker import SchedulerThread, Worker


def create_app(
    store_url: str,
    *,
    plan: str | None = None,
    settings: Settings | None = None,
    **overrides: Any,
) -> FastAPI:
    """Build the web application over the store at ``store_url`` with ``plan``."""
    settings = settings or Settings.from_env(store_url, plan=plan, **overrides)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        scheduler = None
        if settings.scheduler:
            scheduler = SchedulerThread(
                app.state.worker, settings.store_url, settings.plan, settings.scheduler_seconds
            )
            scheduler.start()
        yield
        if scheduler is not None:
            scheduler.shutdown()
        app.state.worker.shutdown()
        app.state.store.close()

    app = FastAPI(
        title="shequ 社区发展监测评估 API",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by routes/api.py to logged-in users only
        lifespan=lifespan,
    )
    _state(app, settings)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _handlers(app)
    app.add_middleware(BodyLimit, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(CookiesAndHeaders)  # outermost: its headers go on every answer
    return app


def _state(app: FastAPI, settings: Settings) -> None:
    app.state.settings = settings
    app.state.store = open_store(settings.store_url, pooled=True)
    app.state.plan = load_plan(settings.plan)
    app.state.cache = ContextCache()
    app.state.worker = Worker(settings.worker_processes)
    app.state.login_delay = LoginDelay(
        settings.login_max_failures, settings.login_delay_seconds, settings.login_window_seconds
    )
    app.state.password_pool = PasswordPool(settings.password_checks)
    app.state.public_throttle = Throttle(settings.public_per_minute, 60)
    app.state.public_total = Throttle(settings.public_total_per_minute, 60, max_keys=1)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.state.templates = make_templates(settings)


class CookiesAndHeaders:
    """Remember ``?lang=``, give anonymous browsers a CSRF cookie, set security headers
    (`security.response_headers`: CSP, HSTS over https, no-store).

    Plain ASGI (no BaseHTTPMiddleware): it runs on every request, so it stays cheap.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        settings: Settings = request.app.state.settings
        secure = settings.https or scope.get("scheme") == "https"
        cookies = Response()
        if request.cookies.get(ANON_CSRF_COOKIE) is None:
            token = secrets.token_urlsafe(24)
            scope.setdefault("state", {})["anon_csrf"] = token
            cookies.set_cookie(
                ANON_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=secure
            )
        if request.query_params.get("lang"):
            cookies.set_cookie(
                i18n.LANG_COOKIE, i18n.lang_of(request), samesite="lax", secure=secure
            )
        extra = [(k, v) for k, v in cookies.raw_headers if k == b"set-cookie"]

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in response_headers(settings, secure, scope["path"]):
                    headers.setdefault(key, value)
                for key, value in extra:
                    headers.append(key.decode(), value.decode())
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith("/api/") and path != "/openapi.json"


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired):
        if _wants_html(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return JSONResponse(
            {"detail": "需要登录或 API 令牌 / log in or send an API token"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(ShequError)
    async def _shequ(request: Request, exc: ShequError):
        return _error(request, 400, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        return _error(request, exc.status_code, str(exc.detail), exc.headers)


def _error(request: Request, status: int, message: str, headers=None):
    if not _wants_html(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return page(request, "error.html", {"status": status, "message": message}, status=status)


def all_routes(app: FastAPI) -> list:
    """Every route of the app, with included routers flattened (the authorisation test walks
    these, so a new route is checked as soon as it exists)."""
    found = []
    stack = list(app.routes)
    while stack:
        route = stack.pop(0)
        inner = getattr(route, "original_router", None)
        if inner is not None:
            stack.extend(inner.routes)
        else:
            found.append(route)
    return found

"""Log in and out. Failed logins are throttled per user name and per client address."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...store import accounts, audit
from ..deps import SESSION_COOKIE, Anyone, StoreDep, forget_session
from ..pages import page

router = APIRouter(tags=["auth"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", include_in_schema=False)
def login_page(request: Request, _anyone: Anyone, next: str = "/"):
    return page(request, "login.html", {"next": next, "error": None})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    store: StoreDep,
    _anyone: Anyone,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
):
    throttle = request.app.state.login_throttle
    keys = (f"user:{username}", f"addr:{_client(request)}")
    if throttle.blocked(*keys):
        msg = "登录失败次数过多，请15分钟后再试 / too many failed logins: try again in 15 minutes"
        raise HTTPException(429, msg)
    with store.begin() as conn:
        user = accounts.find_user(conn, username)
    ok = accounts.verify_password(user["password_hash"] if user else None, password)
    if not ok or not user["active"]:
        throttle.hit(*keys)
        error = "用户名或密码错误 / wrong user name or password"
        return page(request, "login.html", {"next": next, "error": error}, status=401)
    throttle.clear(*keys)
    settings = request.app.state.settings
    with store.begin() as conn:
        cookie, _csrf = accounts.open_session(conn, user["id"], hours=settings.session_hours)
        audit.record(conn, [("login", "session", username, None, None)], actor=username)
    target = next if next.startswith("/") and not next.startswith(("//", "/\\")) else "/"
    response = RedirectResponse(target, status_code=303)
    secure = settings.https or request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(settings.session_hours * 3600),
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, store: StoreDep, _anyone: Anyone):
    if cookie := request.cookies.get(SESSION_COOKIE):
        with store.begin() as conn:
            accounts.close_session(conn, cookie)
        forget_session(cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

"""Log in and out. Failed logins slow down their client address (`security.LoginDelay`);
password checks run in a bounded pool (`security.PasswordPool`)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...store import accounts, audit
from ..deps import SESSION_COOKIE, Anyone, StoreDep, forget_session
from ..pages import page
from ..security import client_address

router = APIRouter(tags=["auth"])


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
    address = client_address(request)
    delay = request.app.state.login_delay
    if (wait := delay.reserve(address)) > 0:
        minutes = max(1, math.ceil(wait / 60))
        msg = (
            f"登录失败次数过多，请{minutes}分钟后再试 / too many failed logins from this address:"
            f" try again in {minutes} minute(s)"
        )
        raise HTTPException(429, msg, headers={"Retry-After": str(math.ceil(wait))})
    with store.begin() as conn:
        user = accounts.find_user(conn, username[: accounts.MAX_USERNAME])
    stored = user["password_hash"] if user else None
    ok = request.app.state.password_pool.run(lambda: accounts.verify_password(stored, password))
    if ok is None:
        raise HTTPException(
            503,
            "服务器繁忙，请稍后再试 / the server is busy: try again shortly",
            headers={"Retry-After": "5"},
        )
    if not ok or not user["active"]:
        error = "用户名或密码错误 / wrong user name or password"
        return page(request, "login.html", {"next": next, "error": error}, status=401)
    delay.succeeded(address)
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

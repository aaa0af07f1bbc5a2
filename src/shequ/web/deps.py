"""Who is asking and what they may do: the principal, permissions, scope and CSRF.

A request is authenticated by a session cookie (browsers) or an ``Authorization: Bearer``
API token (scripts). Every route names what it needs with ``Depends(Need("read"))`` (the
authorisation test walks all routes and reads these); the scope of a user is the subtree
of their org unit in the closure table, on the last day of the period asked about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request

from ..framework.periods import parse_period
from ..store import accounts
from ..store import orgunits as store_orgunits
from ..store.db import Store
from .security import same_token
from .views import Ttl

SESSION_COOKIE = "shequ_session"
_SUBTREES = Ttl(10.0)  # a changed tree reaches every user's scope within 10 s
_SESSIONS = Ttl(5.0)  # sessions looked up once per 5 s per browser; logging out forgets at once


def forget_session(cookie: str) -> None:
    _SESSIONS.forget(cookie)


ANON_CSRF_COOKIE = "shequ_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

#: what each role may do (read is implied by every role)
PERMISSIONS: dict[str, set[str]] = {
    accounts.ADMINISTRATOR: {"read", "write", "evaluate", "reports", "desk", "admin", "approve"},
    accounts.ANALYST: {"read", "write", "evaluate", "reports", "desk", "approve"},
    accounts.UNIT_STAFF: {"read", "write", "evaluate", "reports", "desk"},
    accounts.READ_ONLY: {"read", "reports"},
}


class LoginRequired(Exception):  # noqa: N818  (a signal, not an error)
    """No valid session or token: pages redirect to /login, the API answers 401."""


@dataclass
class Principal:
    """An authenticated user, how they came in, and their session's CSRF token."""

    id: int
    username: str
    role: str
    scope: str
    via: str
    csrf: str | None = None
    display_name: str = ""
    _subtrees: dict[dt.date, set[str]] = field(default_factory=dict, repr=False)

    def can(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, set())

    def units(self, store: Store, day: dt.date | None = None) -> set[str]:
        """Codes of the user's subtree on ``day`` (default today)."""
        day = day or dt.date.today()
        if day not in self._subtrees:

            def make() -> set[str]:
                with store.begin() as conn:
                    return set(store_orgunits.subtree(conn, self.scope, day))

            self._subtrees[day] = _SUBTREES.get((store.url, self.scope, day), make)
        return self._subtrees[day]

    def scope_of_period(self, store: Store):
        """A function of a period code: the user's subtree on that period's last day (how
        writes are scoped, row by row; `ingest.values.Scope`)."""
        return lambda period: self.units(store, parse_period(period).end)

    def sees(self, store: Store, code: str, day: dt.date | None = None) -> bool:
        return code in self.units(store, day)


def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]
#: a row id in a path: a positive 64-bit integer (anything larger is a 422, never a
#: database overflow — found by the schemathesis fuzz on /api/jobs/{id})
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def current_principal(request: Request) -> Principal | None:
    """The principal of this request, or None (looked up once per request)."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    store: Store = request.app.state.store
    principal = None
    header = request.headers.get("authorization", "")
    with store.begin() as conn:
        if header.lower().startswith("bearer "):
            user = accounts.user_for_token(conn, header[7:].strip())
            if user is not None:
                principal = _principal(user, "token", None)
        elif cookie := request.cookies.get(SESSION_COOKIE):
            found = _SESSIONS.get(cookie, lambda: accounts.session_user(conn, cookie))
            if found is not None:
                principal = _principal(found[0], "session", found[1])
    request.state.principal = principal
    return principal


def _principal(user: dict[str, Any], via: str, csrf: str | None) -> Principal:
    return Principal(
        user["id"], user["username"], user["role"], user["scope"], via, csrf, user["display_name"]
    )


async def _check_csrf(request: Request, principal: Principal | None) -> None:
    """Unsafe requests of browsers must carry the CSRF token (form field or header)."""
    if request.method not in UNSAFE or (principal is not None and principal.via == "token"):
        return
    expected = principal.csrf if principal else request.cookies.get(ANON_CSRF_COOKIE)
    given = request.headers.get("x-csrf-token")
    if given is None and "form" in request.headers.get("content-type", ""):
        given = (await request.form()).get("csrf_token")
    if not same_token(expected, str(given) if given is not None else None):
        raise HTTPException(
            403, "CSRF 令牌无效，请刷新页面后重试 / invalid CSRF token: reload the page"
        )


class Need:
    """Dependency: the request needs a logged-in user allowed to ``action``."""

    def __init__(self, action: str) -> None:
        self.action = action

    async def __call__(self, request: Request) -> Principal:
        principal = current_principal(request)
        if principal is None:
            raise LoginRequired()
        await _check_csrf(request, principal)
        if not principal.can(self.action):
            raise HTTPException(403, f"无权执行此操作 / your role may not {self.action}")
        return principal


class Public:
    """Dependency of the routes anyone may use (login, residents' forms): CSRF only."""

    action = "public"

    async def __call__(self, request: Request) -> Principal | None:
        principal = current_principal(request)
        await _check_csrf(request, principal)
        return principal


Reader = Annotated[Principal, Depends(Need("read"))]
Writer = Annotated[Principal, Depends(Need("write"))]
Evaluator = Annotated[Principal, Depends(Need("evaluate"))]
ReportReader = Annotated[Principal, Depends(Need("reports"))]
DeskUser = Annotated[Principal, Depends(Need("desk"))]
Admin = Annotated[Principal, Depends(Need("admin"))]
Approver = Annotated[Principal, Depends(Need("approve"))]
Anyone = Annotated[Principal | None, Depends(Public())]


def require_unit(principal: Principal, store: Store, code: str, day: dt.date | None = None) -> None:
    """403 unless ``code`` is in the principal's subtree."""
    if not principal.sees(store, code, day):
        msg = f"单位 {code} 不在您的权限范围内 / org unit {code} is outside your scope"
        raise HTTPException(403, msg)


def units_within(principal: Principal, store: Store, unit: str, day: dt.date) -> set[str]:
    """The principal's units on ``day``, within ``unit``'s subtree when one is given (the
    unit filter of a long table; 403 for a unit outside the scope)."""
    allowed = principal.units(store, day)
    if not unit:
        return allowed
    require_unit(principal, store, unit, day)
    with store.begin() as conn:
        return allowed & set(store_orgunits.subtree(conn, unit, day))


def require_root(principal: Principal, store: Store) -> None:
    """403 unless the principal's scope is a top unit (city-wide settings and trails)."""
    with store.begin() as conn:
        top = store_orgunits.is_top(conn, principal.scope)
    if not top:
        raise HTTPException(403, "仅限全市管理员 / only an administrator of the whole tree")


def sees_work_of(principal: Principal, store: Store, actor: str) -> bool:
    """Whether ``principal`` may see the jobs, reports and import files ``actor`` made:
    their own; for an administrator also those of users whose scope lies in the
    administrator's subtree (an administrator of the whole tree sees all, the CLI's too)."""
    if actor == principal.username:
        return True
    if principal.role != accounts.ADMINISTRATOR:
        return False
    with store.begin() as conn:
        if store_orgunits.is_top(conn, principal.scope):
            return True
        maker = accounts.find_user(conn, actor)
    return maker is not None and principal.sees(store, maker["scope"])

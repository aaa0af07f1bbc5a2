"""Administration: who changed what (the audit trail), period approval and lock, users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...framework.periods import parse_period
from ...store import accounts, approvals, audit
from ..deps import Admin, StoreDep, require_root
from ..pages import page

router = APIRouter(tags=["admin"], include_in_schema=False)


@router.get("/admin/audit")
def audit_page(
    request: Request, store: StoreDep, user: Admin, entity: str = "", key: str = "", actor: str = ""
):
    require_root(user, store)
    with store.begin() as conn:
        frame = audit.history(conn, entity or None, key or None, actor=actor or None, limit=500)
    rows = frame.to_dict("records")
    return page(request, "audit.html", {"rows": rows, "entity": entity, "key": key, "actor": actor})


@router.get("/admin/periods")
def periods_page(request: Request, store: StoreDep, user: Admin):
    require_root(user, store)
    with store.begin() as conn:
        rows = approvals.periods(conn).to_dict("records")
    return page(request, "periods.html", {"rows": rows})


@router.post("/admin/periods")
def set_lock(
    request: Request,
    store: StoreDep,
    user: Admin,
    period: Annotated[str, Form()],
    locked: Annotated[bool, Form()],
):
    """Approve and lock a period against edits (imports, grid, API), or unlock it."""
    require_root(user, store)
    with store.begin() as conn:
        try:
            approvals.set_period_lock(
                conn, parse_period(period).code, locked=locked, actor=user.username,
                plan=request.app.state.plan,
            )  # fmt: skip
        except approvals.ApprovalError as exc:  # must-fix validation problems, listed
            raise HTTPException(409, str(exc)) from None
    return RedirectResponse("/admin/periods", status_code=303)


@router.get("/admin/users")
def users_page(request: Request, store: StoreDep, user: Admin):
    require_root(user, store)
    with store.begin() as conn:
        rows = accounts.list_users(conn).to_dict("records")
    return page(request, "users.html", {"rows": rows})

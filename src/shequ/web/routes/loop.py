"""The loop in the browser: every scheduled run with its outcome, and the open warnings
of the user's subtree with their proposed follow-up (confirm, edit, dismiss)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...loop import followup
from ...store import orgunits, schedules
from ...store import warnings as store_warnings
from ...store.tasks import parse_deadline
from ..deps import Approver, RowId, StoreDep
from ..pages import page

router = APIRouter(tags=["loop"], include_in_schema=False)


def _subtree(store, user) -> list[str]:
    with store.begin() as conn:
        return orgunits.subtree(conn, user.scope, dt.date.today())


@router.get("/admin/schedule")
def schedule_page(request: Request, store: StoreDep, user: Approver):

    units = _subtree(store, user)
    with store.begin() as conn:
        warnings = store_warnings.listing(conn, org_units=units).to_dict("records")
    plan = request.app.state.plan
    context = {
        "runs": schedules.recent(store, limit=100),
        "warnings": warnings,
        "schedule": plan.schedule,
    }
    return page(request, "schedule.html", context)


@router.post("/admin/warnings/{warning_id}")
def decide(
    request: Request,
    store: StoreDep,
    user: Approver,
    warning_id: RowId,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    owner_unit: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
):
    """Confirm, edit or dismiss the follow-up a warning proposes (in the user's subtree)."""
    units = set(_subtree(store, user))
    with store.begin() as conn:
        if store_warnings.get(conn, warning_id)["org_unit"] not in units:
            raise HTTPException(403, "不在您的管辖范围 / outside your scope")
        if decision == "dismiss":
            followup.dismiss(conn, warning_id, actor=user.username, reason=reason)
        elif decision == "edit":
            day = parse_deadline(deadline) if deadline else None
            followup.edit(
                conn,
                warning_id,
                actor=user.username,
                owner_unit=owner_unit or None,
                deadline=day,
                action=action or None,
            )
        elif decision == "confirm":
            followup.confirm(conn, warning_id, request.app.state.plan, actor=user.username)
        else:
            raise HTTPException(400, f"未知操作 / unknown decision '{decision}'")
    return RedirectResponse("/admin/schedule", status_code=303)

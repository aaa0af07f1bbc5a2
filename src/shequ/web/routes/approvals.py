"""Period approval per org unit: supervisors approve (lock) or unlock a unit's period."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...framework.periods import parse_period
from ...store import approvals, orgunits
from ..deps import Approver, StoreDep, require_unit
from ..pages import page

router = APIRouter(tags=["approvals"], include_in_schema=False)


@router.get("/approvals")
def approvals_page(
    request: Request, store: StoreDep, user: Approver, period: str = "", unit: str = ""
):
    """The units of the user's scope below ``unit`` with their approval state in ``period``."""
    code = parse_period(period or str(dt.date.today().year)).code
    day = parse_period(code).end
    unit = unit or user.scope
    require_unit(user, store, unit, day)
    with store.begin() as conn:
        units = orgunits.units_on(conn, day)
        below = set(orgunits.subtree(conn, unit, day)) & user.units(store, day)
        units = units[units["code"].isin(below)]
        locks = approvals.locked(conn, units.assign(org_unit=units["code"], period=code))
        stored = approvals.approvals(conn, code).set_index("org_unit")
        rows = []
        for r in units.itertuples(index=False):
            by = locks.loc[locks["org_unit"] == r.code, "approved_unit"]
            rows.append(
                {
                    "code": r.code,
                    "name": r.name,
                    "level": r.level,
                    "approved": r.code in stored.index,
                    "approved_by": stored["approved_by"].get(r.code, ""),
                    "locked_by": by.iloc[0] if len(by) else "",
                    "may": approvals.may_approve(conn, user.role, user.scope, r.code, code),
                }
            )
    context = {"period": code, "unit": unit, "rows": rows}
    return page(request, "approvals.html", context)


@router.post("/approvals")
def set_approval(
    request: Request,
    store: StoreDep,
    user: Approver,
    unit: Annotated[str, Form()],
    period: Annotated[str, Form()],
    approved: Annotated[bool, Form()],
):
    """Approve and lock ``unit`` for ``period`` (its whole subtree), or unlock it; audited."""
    code = parse_period(period).code
    require_unit(user, store, unit, parse_period(code).end)
    with store.begin() as conn:
        try:
            approvals.set_approval(
                conn, unit, code, approved=approved, role=user.role, scope=user.scope,
                actor=user.username, plan=request.app.state.plan,
            )  # fmt: skip
        except approvals.ApprovalError as exc:
            # 409: refused for must-fix validation problems (listed); 403: not a supervisor
            status = 403 if exc.violations is None else 409
            raise HTTPException(status, str(exc)) from None
    return RedirectResponse(f"/approvals?period={code}&unit={unit}", status_code=303)

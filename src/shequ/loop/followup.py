"""Follow-up from warnings (整改): a supervisor confirms, edits or dismisses the task a
warning proposes. Confirming creates the follow-up task (`shequ.evaluate.tasks`) from the
evaluation run that raised the warning, so it is reviewed at every later evaluation as any
task is. Only target and trend warnings propose a task; reporting and suggestion warnings
close themselves when the data or the answer arrive. Every decision is audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from ..evaluate.tasks import create_task
from ..framework.models import Plan
from ..store import runs
from ..store import warnings as store_warnings
from ..store.tables.core import utcnow
from .warnings import INDICATOR_KINDS


def _undecided(conn: Connection, warning_id: int) -> dict:
    warning = store_warnings.get(conn, warning_id)
    if warning["closed_at"] is not None:
        msg = f"预警 {warning_id} 已关闭 / warning {warning_id} is closed"
        raise store_warnings.WarningError(msg)
    if warning["decision"] != "proposed":
        msg = (
            f"预警 {warning_id} 已处理（{warning['decision']}）/ warning {warning_id} was "
            f"already {warning['decision']}"
        )
        raise store_warnings.WarningError(msg)
    return warning


def edit(
    conn: Connection,
    warning_id: int,
    *,
    actor: str,
    owner_unit: str | None = None,
    deadline: dt.date | None = None,
    action: str | None = None,
) -> None:
    """Change the proposed task before confirming it."""
    _undecided(conn, warning_id)
    changes = {"owner_unit": owner_unit, "deadline": deadline, "action": action}
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes:
        store_warnings.decide(conn, warning_id, actor=actor, changes=changes)


def confirm(conn: Connection, warning_id: int, plan: Plan, *, actor: str) -> int:
    """Turn the proposed task into a follow-up task; returns the task id."""
    warning = _undecided(conn, warning_id)
    if warning["kind"] not in INDICATOR_KINDS or warning["evidence"].get("run_id") is None:
        msg = (
            f"预警 {warning_id}（{warning['kind']}）不生成整改任务，可忽略或等待自动关闭 / "
            f"warning {warning_id} ({warning['kind']}) proposes no task: dismiss it or let it close"
        )
        raise store_warnings.WarningError(msg)
    run_id = int(warning["evidence"]["run_id"])
    task_id = create_task(
        conn,
        runs.results(conn, run_id),
        plan,
        org_unit=warning["org_unit"],
        indicator=warning["subject"],
        owner_unit=warning["owner_unit"] or warning["org_unit"],
        deadline=warning["deadline"],
        note=f"预警 #{warning_id}: {warning['action']}",
        actor=actor,
        run_id=run_id,
    )
    changes = {"decision": "confirmed", "decided_by": actor, "decided_at": utcnow()}
    store_warnings.decide(conn, warning_id, actor=actor, changes=changes | {"task_id": task_id})
    return task_id


def dismiss(conn: Connection, warning_id: int, *, actor: str, reason: str) -> None:
    """Dismiss the warning's proposal with the reason; the warning stays until it clears."""
    if not reason.strip():
        raise store_warnings.WarningError("忽略预警需要说明原因 / dismissing needs a reason")
    _undecided(conn, warning_id)
    changes = {"decision": "dismissed", "decided_by": actor, "decided_at": utcnow()}
    store_warnings.decide(conn, warning_id, actor=actor, changes=changes | {"reason": reason})

"""Follow-up tasks (整改任务): create, list, close, and record what each evaluation found."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from ..errors import ShequError
from . import audit
from .tables.core import FollowUpTask, utcnow

COLUMNS = [
    "id",
    "org_unit",
    "indicator",
    "owner_unit",
    "deadline",
    "status",
    "outcome",
    "start_period",
    "start_value",
    "last_period",
    "last_value",
    "target",
    "comparator",
    "note",
    "created_by",
    "closed_at",
    "close_reason",
]


class TaskError(ShequError, ValueError):
    """A task cannot be created or closed as asked."""


def create(conn: Connection, *, actor: str, **fields: Any) -> int:
    """Create an open task; ``fields`` are `FollowUpTask` columns. Returns its id."""
    values = {**fields, "created_by": actor, "status": "open"}
    task_id = conn.execute(
        insert(FollowUpTask).values(**values).returning(FollowUpTask.id)
    ).scalar_one()
    audit.record(conn, [("insert", "follow_up_task", str(task_id), None, values)], actor=actor)
    return int(task_id)


def open_tasks(conn: Connection) -> pd.DataFrame:
    return listing(conn, status="open")


def listing(
    conn: Connection, *, status: str | None = None, org_units: list[str] | None = None
) -> pd.DataFrame:
    """Tasks, newest first, optionally by status and units."""
    query = select(*(getattr(FollowUpTask, c) for c in COLUMNS)).order_by(FollowUpTask.id.desc())
    if status is not None:
        query = query.where(FollowUpTask.status == status)
    if org_units is not None:
        query = query.where(FollowUpTask.org_unit.in_(org_units))
    return pd.DataFrame(conn.execute(query).all(), columns=COLUMNS)


def close(conn: Connection, task_id: int, *, actor: str, reason: str) -> None:
    """Close an open task by hand, with the reason."""
    status = conn.execute(
        select(FollowUpTask.status).where(FollowUpTask.id == task_id)
    ).scalar_one_or_none()
    if status is None:
        raise TaskError(f"找不到任务 {task_id} / task {task_id} not found")
    if status != "open":
        raise TaskError(f"任务 {task_id} 已关闭 / task {task_id} is already closed")
    _update(
        conn,
        task_id,
        actor,
        {"status": "closed", "closed_at": utcnow(), "closed_by": actor, "close_reason": reason},
    )


def record_review(conn: Connection, task_id: int, *, actor: str, changes: dict[str, Any]) -> None:
    """Store what an evaluation found for a task (outcome, last value, maybe closed)."""
    _update(conn, task_id, actor, changes)


def _update(conn: Connection, task_id: int, actor: str, changes: dict[str, Any]) -> None:
    before = (
        conn.execute(
            select(*(getattr(FollowUpTask, c) for c in changes)).where(FollowUpTask.id == task_id)
        )
        .one()
        ._asdict()
    )
    conn.execute(update(FollowUpTask).where(FollowUpTask.id == task_id).values(**changes))
    audit.record(conn, [("update", "follow_up_task", str(task_id), before, changes)], actor=actor)


def parse_deadline(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise TaskError(
            f"截止日期“{text}”无效（应为 2026-06-30）/ deadline '{text}' is not a date like 2026-06-30"
        ) from None

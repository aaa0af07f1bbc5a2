"""Scheduled runs: the claim of a (job, due time), how it finished, and the run history.

A claim is an ``INSERT`` of the unique (job, due_at) row in its own transaction: on
PostgreSQL and SQLite alike exactly one of several racing schedulers gets the row, the
others get an integrity error and skip the run (see `shequ.loop.scheduler`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .db import Store
from .tables.loop import ScheduleRun


def claim(
    store: Store,
    job: str,
    due_at: dt.datetime,
    *,
    period: str | None,
    worker: str,
    now: dt.datetime,
) -> int | None:
    """Claim the run of ``job`` due at ``due_at``; its id, or None if another one has it."""
    statement = insert(ScheduleRun).values(
        job=job, due_at=due_at, period=period, claimed_by=worker, started_at=now, outcome="running"
    )
    try:
        with store.begin() as conn:
            return int(conn.execute(statement.returning(ScheduleRun.id)).scalar_one())
    except IntegrityError:
        return None


def finish(store: Store, run: int, *, now: dt.datetime, **fields: Any) -> None:
    """Record how run ``run`` ended (outcome ``done`` / ``failed``, message, counts)."""
    with store.begin() as conn:
        conn.execute(
            update(ScheduleRun).where(ScheduleRun.id == run).values(finished_at=now, **fields)
        )


def last_due(store: Store, job: str) -> dt.datetime | None:
    """The latest due time of ``job`` that was claimed, whatever its outcome."""
    with store.begin() as conn:
        query = select(func.max(ScheduleRun.due_at)).where(ScheduleRun.job == job)
        return conn.execute(query).scalar_one_or_none()


def previous_run_id(store: Store, job: str, before: int) -> int | None:
    """The evaluation run of ``job``'s latest successful run before schedule run ``before``."""
    with store.begin() as conn:
        query = (
            select(ScheduleRun.run_id)
            .where(ScheduleRun.job == job, ScheduleRun.id < before)
            .where(ScheduleRun.outcome == "done", ScheduleRun.run_id.is_not(None))
            .order_by(ScheduleRun.due_at.desc())
            .limit(1)
        )
        return conn.execute(query).scalar_one_or_none()


def recent(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The latest runs, newest due time first."""
    with store.begin() as conn:
        query = select(ScheduleRun.__table__).order_by(
            ScheduleRun.due_at.desc(), ScheduleRun.id.desc()
        )
        return [dict(r) for r in conn.execute(query.limit(limit)).mappings()]

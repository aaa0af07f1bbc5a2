"""Background jobs: work started from the browser (evaluations, reports), queued here and
done in a worker process, which marks it running and records how it finished."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .tables.core import utcnow
from .tables.jobs import WebJob


def create_job(conn: Connection, kind: str, params: dict[str, Any], *, actor: str) -> int:
    statement = insert(WebJob).values(kind=kind, params=json.dumps(params), actor=actor)
    return int(conn.execute(statement.returning(WebJob.id)).scalar_one())


def start_job(conn: Connection, job_id: int) -> dict[str, Any] | None:
    """Mark job ``job_id`` running; returns the job as it was queued (None if unknown)."""
    job = get_job(conn, job_id)
    conn.execute(update(WebJob).where(WebJob.id == job_id).values(status="running"))
    return job


def finish_job(conn: Connection, job_id: int, **fields: Any) -> None:
    conn.execute(update(WebJob).where(WebJob.id == job_id).values(finished_at=utcnow(), **fields))


def get_job(conn: Connection, job_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(WebJob.__table__).where(WebJob.id == job_id)).mappings().first()
    return None if row is None else dict(row)


def recent_jobs(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    rows = conn.execute(select(WebJob.__table__).order_by(WebJob.id.desc()).limit(limit))
    return [dict(r) for r in rows.mappings()]

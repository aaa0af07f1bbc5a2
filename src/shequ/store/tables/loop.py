"""Tables of the loop (migration 0010): every scheduled run, and the early warnings (预警)
with their proposed follow-up."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, utcnow


class ScheduleRun(Base):
    """One run of a scheduled job at one due time. The unique (job, due_at) row is the claim:
    the scheduler that inserts it runs the job, every other one sees the conflict and skips."""

    __tablename__ = "schedule_run"
    __table_args__ = (UniqueConstraint("job", "due_at", name="uq_schedule_run_job_due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    period: Mapped[str | None] = mapped_column(String(10))
    claimed_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(12), default="running")
    message: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(Integer)
    warnings_opened: Mapped[int] = mapped_column(Integer, default=0)
    warnings_closed: Mapped[int] = mapped_column(Integer, default=0)


class EarlyWarning(Base):
    """A warning (预警) on one unit: open while its condition holds (``closed_at`` empty),
    at most one such per (kind, org_unit, subject); with a proposed follow-up task that a
    supervisor confirms (→ a `FollowUpTask`), edits or dismisses."""

    __tablename__ = "early_warning"
    __table_args__ = (
        Index(
            "uq_early_warning_active",
            "kind",
            "org_unit",
            "subject",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    org_unit: Mapped[str] = mapped_column(String(32), index=True)
    #: the indicator, or ``suggestion/<id>``, or empty for reporting
    subject: Mapped[str] = mapped_column(String(64), default="")
    severity: Mapped[str] = mapped_column(String(8))
    evidence: Mapped[str] = mapped_column(Text, default="{}")
    owners: Mapped[str] = mapped_column(Text, default="{}")
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    opened_by_run: Mapped[int | None] = mapped_column(Integer)
    last_run: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(12), default="proposed")
    action: Mapped[str] = mapped_column(Text, default="")
    owner_unit: Mapped[str | None] = mapped_column(String(32))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(Integer)

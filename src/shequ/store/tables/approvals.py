"""The table of period approvals per org unit (migration 0006): an approved (unit, period)
locks the unit's subtree against edits (see `shequ.store.approvals`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, utcnow


class PeriodApproval(Base):
    """A supervisor's approval of one org unit's data for one period (locks its subtree)."""

    __tablename__ = "period_approval"
    __table_args__ = (UniqueConstraint("org_unit", "period", name="uq_period_approval"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(32), index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    approved_by: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

"""Store tables of scenarios (调整策略): a named plan of actions tried against the targets
before anyone acts. The actions are rows: a new facility (type, lon/lat), a changed data
value (element, unit, period, value). Evaluating a scenario never writes here or anywhere
else in the store: it runs on a temporary copy (see `shequ.scenario`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, utcnow

#: what an action does
ACTION_KINDS = ("facility", "value")


class Scenario(Base):
    """A named scenario: who made it, when, and what it is for."""

    __tablename__ = "scenario"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ScenarioAction(Base):
    """One action of a scenario: a new facility or a changed data value."""

    __tablename__ = "scenario_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    facility_type: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    data_element: Mapped[str | None] = mapped_column(String(64))
    org_unit: Mapped[str | None] = mapped_column(String(32))
    period: Mapped[str | None] = mapped_column(String(10))
    value: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(500), default="")

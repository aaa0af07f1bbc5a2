"""Tables of residents' voice: suggestions and their workflow history, survey instruments
and responses, governance activities with attendance (pseudonyms only), and volunteer or
social-organisation service records.

Privacy: no table holds a phone or ID number in clear. Suggestion texts are masked on
intake (`shequ.voice.masking`), residents are keyed pseudonyms (HMAC, key outside the
database, `shequ.voice.participation`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .core import Base, utcnow

STATUSES = ("received", "assigned", "responded", "resolved", "closed")
CHANNELS = ("form", "hotline", "forum", "questionnaire", "visit")


class Suggestion(Base):
    """A resident's suggestion (意见建议): text, channel, community, where it is in the
    workflow (received → assigned → responded → resolved → closed), its label and its
    near-duplicate group."""

    __tablename__ = "suggestion"
    __table_args__ = (
        Index("ix_suggestion_unit", "org_unit", "received_at"),
        Index("ix_suggestion_group", "group_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    org_unit: Mapped[str] = mapped_column(String(32))
    location: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="received")
    responsible_unit: Mapped[str | None] = mapped_column(String(100))
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rating: Mapped[int | None] = mapped_column(Integer)
    dimension: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float | None] = mapped_column(Float)
    label_source: Mapped[str | None] = mapped_column(String(8))
    group_id: Mapped[int | None] = mapped_column(Integer)
    contact: Mapped[str | None] = mapped_column(String(64))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: SHA-256 of the short tracking code printed to the resident at submission (查进度)
    track_digest: Mapped[str | None] = mapped_column(String(64))


class SuggestionEvent(Base):
    """One step of a suggestion's history: a transition, a reply or a staff label."""

    __tablename__ = "suggestion_event"
    __table_args__ = (Index("ix_suggestion_event", "suggestion_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    unit: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64))


class SurveyInstrument(Base):
    """A questionnaire (XLSForm-like definition, stored as JSON) at one version."""

    __tablename__ = "survey_instrument"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_instrument_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SurveyResponse(Base):
    """One completed questionnaire: unit, period, optional design weight, answers (JSON)."""

    __tablename__ = "survey_response"
    __table_args__ = (Index("ix_response_unit", "instrument_id", "period", "org_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("survey_instrument.id"))
    org_unit: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(10))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    weight: Mapped[float | None] = mapped_column(Float)
    answers: Mapped[str] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class Activity(Base):
    """A governance activity: resident meeting, hearing, consultation, vote, volunteer service."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    org_unit: Mapped[str] = mapped_column(String(32), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)


class Attendance(Base):
    """A resident at an activity, known only by a keyed pseudonym."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("activity_id", "person", name="uq_attendance"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(64), index=True)
    adult: Mapped[bool] = mapped_column(Boolean, default=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class ServiceRecord(Base):
    """A volunteer or social-organisation service (home help, elderly care, medical ...)."""

    __tablename__ = "service_record"
    __table_args__ = (Index("ix_service_unit", "org_unit", "served_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    org_unit: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(200))
    provider_kind: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(16))
    served_on: Mapped[dt.date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)
    people_served: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))

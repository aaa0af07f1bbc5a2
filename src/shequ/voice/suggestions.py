"""The suggestions desk (意见建议): intake and workflow, as plain functions over an
SQLAlchemy ORM ``Session``. The web app, the imports and the CLI all call these.

Workflow: received → assigned → responded → resolved → closed. A community may answer a
suggestion itself (received → responded); more replies may follow while it is responded.
Every step is a `SuggestionEvent` (who, when, from, to, text). Stage limits are working
days from the day after receipt (`shequ.voice.workdays`, limits in the plan's
``voice.deadlines``). Texts and replies are masked (`shequ.voice.masking`) before they are
stored; a contact number is kept only as a keyed pseudonym.

The caller owns the transaction: ``with Session(store.engine) as s, s.begin(): ...``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import VoiceError
from ..framework.loader import load_plan
from ..framework.models import Plan
from ..store import orgunits
from ..store.tables.core import utcnow
from ..store.tables.voice import CHANNELS, STATUSES, Suggestion, SuggestionEvent
from . import classify, masking
from .workdays import OnUnknownYear, WorkCalendar, local, local_now

CHANNEL_ALIASES = {
    **{c: c for c in CHANNELS},
    **dict.fromkeys(("表单", "网页", "网上", "网站", "小程序", "web"), "form"),
    **dict.fromkeys(("热线", "电话", "12345"), "hotline"),
    **dict.fromkeys(("议事会", "论坛", "座谈会", "恳谈会"), "forum"),
    **dict.fromkeys(("问卷", "调查"), "questionnaire"),
    **dict.fromkeys(("走访", "上门", "入户"), "visit"),
}
#: allowed transitions: from status → statuses it may move to
NEXT = {
    "received": ("assigned", "responded"),
    "assigned": ("assigned", "responded"),
    "responded": ("resolved",),
    "resolved": ("closed",),
    "closed": (),
}
STAMP = {
    "assigned": "assigned_at",
    "responded": "responded_at",
    "resolved": "resolved_at",
    "closed": "closed_at",
}
MAX_TEXT = 2000


@lru_cache(maxsize=1)
def default_plan() -> Plan:
    """The default plan, read once per process (the web app submits many suggestions)."""
    return load_plan()


@lru_cache(maxsize=8)
def _rules(taxonomy: tuple) -> classify.KeywordRules:
    return classify.KeywordRules(taxonomy)


@dataclass(frozen=True)
class Due:
    """The end days (inclusive) by which a suggestion must be answered and resolved."""

    respond_by: dt.date | None  # None: the day falls in a year the calendar does not know
    resolve_by: dt.date | None


def channel_code(raw: object) -> str | None:
    """``form``/``hotline``/``forum``/``questionnaire``/``visit`` from a code or Chinese word."""
    return CHANNEL_ALIASES.get(str(raw or "").strip().lower())


def submit_suggestion(
    session: Session,
    *,
    text: str,
    channel: str,
    org_unit: str,
    received_at: dt.datetime | None = None,
    location: str = "",
    contact: str | None = None,
    ref: str | None = None,
    actor: str = "web",
    plan: Plan | None = None,
) -> Suggestion:
    """Record a new suggestion (status ``received``) and label it by the keyword rules.

    ``contact`` (a mobile or ID number) is stored only as its keyed pseudonym. Raises
    `VoiceError` naming the field for an empty or too-long text, an unknown channel or an
    unknown community.
    """
    plan = plan or default_plan()
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        msg = f"内容不能为空且不超过{MAX_TEXT}字 / text must be 1–{MAX_TEXT} characters"
        raise VoiceError(msg, field="text")
    code = channel_code(channel)
    if code is None:
        msg = f"未知渠道“{channel}”/ unknown channel '{channel}' (one of {', '.join(CHANNELS)})"
        raise VoiceError(msg, field="channel")
    orgunits.require(session, org_unit, VoiceError, field="org_unit")
    label = _rules(plan.voice.taxonomy).label(text)
    suggestion = Suggestion(
        ref=ref or uuid.uuid4().hex,
        text=masking.mask(text),
        channel=code,
        org_unit=org_unit,
        location=masking.mask(location.strip()),
        received_at=local(received_at) or local_now(),
        status="received",
        contact=_contact(contact),
        **_label_fields(label, plan),
    )
    session.add(suggestion)
    session.flush()
    _event(session, suggestion, "received", None, "received", actor, suggestion.received_at)
    return suggestion


def _contact(contact: str | None) -> str | None:
    if not contact:
        return None
    from .participation import load_key, pseudonym

    return pseudonym(contact, load_key())


def _label_fields(label: classify.Label | None, plan: Plan) -> dict:
    if label is None:
        return {}
    dimension = plan.voice.category(label.category).dimension
    return {
        "category": label.category,
        "dimension": dimension,
        "confidence": label.confidence,
        "label_source": label.source,
    }


def get_suggestion(session: Session, suggestion_id: int) -> Suggestion:
    found = session.get(Suggestion, suggestion_id)
    if found is None:
        raise VoiceError(
            f"没有编号为 {suggestion_id} 的意见建议 / no suggestion {suggestion_id}", field="id"
        )
    return found


def transition(
    session: Session,
    suggestion_id: int,
    to_status: str,
    *,
    actor: str,
    at: dt.datetime | None = None,
    unit: str | None = None,
    text: str = "",
    rating: int | None = None,
) -> Suggestion:
    """Move a suggestion to ``to_status`` if the workflow allows it, and record the step.

    ``at`` (default now) may not be earlier than the previous step. A move to ``assigned``
    needs ``unit``; to ``responded`` needs the reply ``text``; ``rating`` (1–5) is taken
    when closing. The first reply sets ``responded_at``; later replies are events only.
    """
    s = get_suggestion(session, suggestion_id)
    at = local(at) or local_now()
    if to_status not in STATUSES or to_status not in NEXT[s.status]:
        msg = (
            f"不能从“{s.status}”转为“{to_status}”/ cannot move from {s.status} to {to_status}"
            f" (allowed: {', '.join(NEXT[s.status]) or 'none'})"
        )
        raise VoiceError(msg, field="status")
    last = max(t for t in (s.received_at, s.assigned_at, s.responded_at, s.resolved_at) if t)
    if at < last:
        msg = f"时间 {at} 早于上一步 {last} / time {at} is before the previous step {last}"
        raise VoiceError(msg, field="at")
    _check_step(to_status, unit, text, rating)
    before = s.status
    if to_status == "assigned":
        s.responsible_unit = unit
    if to_status == "closed" and rating is not None:
        s.rating = rating
    stamp = STAMP[to_status]
    if getattr(s, stamp) is None:
        setattr(s, stamp, at)
    s.status, s.updated_at = to_status, utcnow()
    _event(
        session,
        s,
        _ACTION[to_status],
        before,
        to_status,
        actor,
        at,
        unit=unit,
        text=masking.mask(text.strip()),
    )
    return s


_ACTION = {
    "assigned": "assigned",
    "responded": "replied",
    "resolved": "resolved",
    "closed": "closed",
}


def _check_step(to_status: str, unit: str | None, text: str, rating: int | None) -> None:
    if to_status == "assigned" and not (unit or "").strip():
        raise VoiceError("转办需要责任单位 / assigning needs a responsible unit", field="unit")
    if to_status == "responded" and not text.strip():
        raise VoiceError("答复内容不能为空 / a reply needs text", field="text")
    if rating is not None and (to_status != "closed" or rating not in range(1, 6)):
        raise VoiceError(
            "评价应为1–5分，且在办结后给出 / rating is 1–5, given when closing", field="rating"
        )


def assign(
    session: Session, suggestion_id: int, *, unit: str, actor: str, at: dt.datetime | None = None
) -> Suggestion:
    """Hand a suggestion to the responsible unit (转办)."""
    return transition(session, suggestion_id, "assigned", actor=actor, at=at, unit=unit)


def reply(
    session: Session, suggestion_id: int, *, text: str, actor: str, at: dt.datetime | None = None
) -> Suggestion:
    """Answer the resident; a further reply to an answered suggestion is kept as an event."""
    s = get_suggestion(session, suggestion_id)
    if s.status == "responded":
        _check_step("responded", None, text, None)
        _event(
            session,
            s,
            "replied",
            s.status,
            s.status,
            actor,
            local(at) or local_now(),
            text=masking.mask(text.strip()),
        )
        return s
    return transition(session, suggestion_id, "responded", actor=actor, at=at, text=text)


def resolve(
    session: Session,
    suggestion_id: int,
    *,
    actor: str,
    at: dt.datetime | None = None,
    note: str = "",
) -> Suggestion:
    """Mark the problem solved (办结)."""
    return transition(session, suggestion_id, "resolved", actor=actor, at=at, text=note)


def close(
    session: Session,
    suggestion_id: int,
    *,
    actor: str,
    rating: int | None = None,
    at: dt.datetime | None = None,
) -> Suggestion:
    """Close a resolved suggestion with the resident's satisfaction rating (1–5) if given."""
    return transition(session, suggestion_id, "closed", actor=actor, at=at, rating=rating)


def confirm_label(
    session: Session, suggestion_id: int, category: str, *, actor: str, plan: Plan | None = None
) -> Suggestion:
    """Staff confirm or correct the category; a staff label wins over rules and the model
    and is what the classifier learns from."""
    plan = plan or default_plan()
    known = {c.code for c in plan.voice.taxonomy}
    if category not in known:
        raise VoiceError(f"未知类别“{category}”/ unknown category '{category}'", field="category")
    s = get_suggestion(session, suggestion_id)
    s.category, s.dimension = category, plan.voice.category(category).dimension
    s.confidence, s.label_source, s.updated_at = 1.0, "staff", utcnow()
    _event(session, s, "labelled", s.status, s.status, actor, local_now(), text=category)
    return s


def due(
    suggestion: Suggestion,
    plan: Plan | None = None,
    calendar: WorkCalendar | None = None,
    *,
    on_unknown_year: OnUnknownYear = "refuse",
) -> Due:
    """When the suggestion must be answered and resolved, in working days.

    A deadline through a year the calendar does not know raises `VoiceError`; pages that
    list deadlines pass ``on_unknown_year="blank"`` to show it as unknown (None) instead.
    """
    plan = plan or default_plan()
    calendar = calendar or WorkCalendar.from_settings(plan.voice, on_unknown_year=on_unknown_year)
    day = suggestion.received_at.date()
    limits = plan.voice.deadlines
    return Due(
        calendar.add_working_days(day, limits.respond),
        calendar.add_working_days(day, limits.resolve),
    )


def history(session: Session, suggestion_id: int) -> list[SuggestionEvent]:
    """The suggestion's events, oldest first."""
    query = (
        select(SuggestionEvent)
        .where(SuggestionEvent.suggestion_id == suggestion_id)
        .order_by(SuggestionEvent.at, SuggestionEvent.id)
    )
    return list(session.scalars(query))


def list_suggestions(
    session: Session,
    *,
    org_units: list[str] | None = None,
    status: str | None = None,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Suggestion]:
    """Suggestions, newest first, filtered by communities (a user's scope), status, category."""
    query = select(Suggestion)
    if org_units is not None:
        query = query.where(Suggestion.org_unit.in_(org_units))
    if status:
        query = query.where(Suggestion.status == status)
    if category:
        query = query.where(Suggestion.category == category)
    query = query.order_by(Suggestion.received_at.desc(), Suggestion.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def _event(
    session: Session,
    s: Suggestion,
    action: str,
    before: str | None,
    after: str | None,
    actor: str,
    at: dt.datetime,
    *,
    unit: str | None = None,
    text: str = "",
) -> None:
    session.add(
        SuggestionEvent(
            suggestion_id=s.id,
            at=at,
            action=action,
            from_status=before,
            to_status=after,
            unit=unit,
            text=text,
            actor=actor,
        )
    )

"""The residents' voice service functions (``shequ.voice``) as the web pages use them.

Public forms (survey, suggestion) and the suggestions desk call the voice package's service
functions in one transaction each; this module holds the few reads the pages need (the
form, communities to choose from, the desk's queue and rates, responses for the API).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from functools import lru_cache
from typing import Any

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import orgunits
from ..store.db import Store
from . import paging


def available() -> bool:
    return importlib.util.find_spec("shequ.voice") is not None


def require() -> None:
    if not available():
        msg = (
            "居民之声模块尚未接入本版本 / the residents' voice module is not part of this build yet"
        )
        raise HTTPException(503, msg)


@lru_cache(maxsize=1)
def instrument():
    """The resident-satisfaction form shipped with the voice package (read once)."""
    from ..voice.surveys.xlsform import default_instrument

    return default_instrument()


def communities(store: Store) -> list[tuple[str, str]]:
    """(code, name) of the communities existing today: residents pick theirs."""
    with store.begin() as conn:
        units = orgunits.units_on(conn, dt.date.today())
    part = units[units["level"] == "community"]
    return list(zip(part["code"], part["name"], strict=True))


def register_form(store: Store) -> None:
    """Register the form in a transaction of its own before a submission: on a store that
    has none yet, concurrent first submissions race to insert it, and the loser (refused by
    the unique code and version) then finds the winner's row (found by bench/web --quick)."""
    from sqlalchemy.exc import IntegrityError

    from ..voice.surveys.responses import register_instrument

    try:
        with store.begin() as conn:
            register_instrument(conn, instrument())
    except IntegrityError:
        pass  # another request registered it meanwhile; submit_response finds it


def submit_survey(store: Store, answers: dict[str, Any], org_unit: str) -> int:
    from ..voice.surveys.responses import submit_response

    register_form(store)
    with Session(store.engine) as session, session.begin():
        return submit_response(session, instrument(), answers, org_unit=org_unit)


def submit_suggestion(
    store: Store, *, text: str, org_unit: str, location: str, plan
) -> tuple[str, str]:
    """Record a resident's suggestion: (its number, the short tracking code printed with
    it; only the code's digest is stored, `web.public`)."""
    from ..voice.suggestions import submit_suggestion as submit
    from .public import digest, new_code

    code = new_code()
    with Session(store.engine) as session, session.begin():
        suggestion = submit(
            session, text=text, channel="form", org_unit=org_unit, location=location, plan=plan
        )
        suggestion.track_digest = digest(code)
        return suggestion.ref, code


def queue(store: Store, units: set[str], *, status: str | None, plan) -> list[dict[str, Any]]:
    """The desk's queue of the user's communities, newest first, with deadlines."""
    from ..voice.suggestions import due, list_suggestions

    with Session(store.engine) as session:
        rows = list_suggestions(session, org_units=sorted(units), status=status, limit=200)
        out = []
        for s in rows:
            deadlines = due(s, plan, on_unknown_year="blank")  # None: year not in calendar
            out.append(
                {
                    "id": s.id,
                    "text": s.text,
                    "org_unit": s.org_unit,
                    "status": s.status,
                    "category": s.category,
                    "received_at": s.received_at,
                    "respond_by": deadlines.respond_by,
                    "resolve_by": deadlines.resolve_by,
                    "rating": s.rating,
                }
            )
    return out


def suggestion_unit(store: Store, suggestion_id: int) -> str | None:
    from ..store.tables.voice import Suggestion

    with store.begin() as conn:
        query = select(Suggestion.org_unit).where(Suggestion.id == suggestion_id)
        return conn.execute(query).scalar_one_or_none()


def step(
    store: Store, suggestion_id: int, action: str, *, actor: str, text: str, rating: int | None
) -> None:
    """One workflow step of the desk: assign, reply, resolve or close."""
    from ..store import audit
    from ..voice import suggestions as workflow

    with Session(store.engine) as session, session.begin():
        before = workflow.get_suggestion(session, suggestion_id).status
        if action == "assign":
            workflow.assign(session, suggestion_id, unit=text, actor=actor)
        elif action == "reply":
            workflow.reply(session, suggestion_id, text=text, actor=actor)
        elif action == "resolve":
            workflow.resolve(session, suggestion_id, actor=actor, note=text)
        else:
            workflow.close(session, suggestion_id, actor=actor, rating=rating)
        after = workflow.get_suggestion(session, suggestion_id).status
        change = (action, "suggestion", str(suggestion_id), {"status": before}, {"status": after})
        audit.record(session.connection(), [change], actor=actor)


def rates(store: Store, units: set[str], period: str, plan) -> list[dict[str, Any]]:
    """The three rates of the user's units (response, resolution, satisfaction)."""
    from ..voice.rates import suggestion_rates

    with store.begin() as conn:
        frame = suggestion_rates(conn, period, plan)
    frame = frame[frame["unit"].isin(units)]
    return paging.records(frame)


def responses(store: Store, units: set[str], period: str) -> list[dict[str, Any]]:
    """Survey responses of ``period`` in the user's communities (answers as stored)."""
    from ..store.tables.voice import SurveyResponse

    query = (
        select(
            SurveyResponse.ref,
            SurveyResponse.org_unit,
            SurveyResponse.period,
            SurveyResponse.submitted_at,
            SurveyResponse.weight,
            SurveyResponse.answers,
        )
        .where(SurveyResponse.period == period, SurveyResponse.org_unit.in_(sorted(units)))
        .order_by(SurveyResponse.id)
    )
    with store.begin() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for r in rows:
        r["answers"] = json.loads(r["answers"])
    return rows

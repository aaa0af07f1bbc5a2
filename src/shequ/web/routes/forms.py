"""Residents' public forms (survey, suggestion: no account, rate-limited per client
address) and the staff's suggestions desk, over the voice package's service functions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...errors import VoiceError
from .. import voice_bridge
from ..deps import Anyone, DeskUser, RowId, StoreDep
from ..pages import page
from ..security import client_address

router = APIRouter(tags=["forms"], include_in_schema=False)
ACTIONS = ("assign", "reply", "resolve", "close")


def limit_public(request: Request) -> None:
    """429 when this client address, or all addresses together, posted more than their
    public limit in the last minute."""
    state = request.app.state
    if not state.public_total.allow("all") or not state.public_throttle.allow(
        client_address(request)
    ):
        raise HTTPException(
            429, "提交过于频繁，请稍后再试 / too many submissions: try again in a minute"
        )


def _form_page(request: Request, store, name: str, unit: str, **extra):
    available = voice_bridge.available()
    context = {"available": available, "unit": unit, "done": False, "problems": {}, "answers": {}}
    if available:
        context["communities"] = request.app.state.cache.get(
            ("communities", dt.date.today()), lambda: voice_bridge.communities(store)
        )
        context["form"] = voice_bridge.instrument()
    status = extra.pop("status", 200)
    return page(request, name, {**context, **extra}, status=status)


@router.get("/survey")
def survey_page(request: Request, store: StoreDep, _anyone: Anyone, unit: str = ""):
    return _form_page(request, store, "survey.html", unit)


@router.post("/survey")
async def survey_submit(request: Request, store: StoreDep, _anyone: Anyone):
    limit_public(request)
    voice_bridge.require()
    form = await request.form()
    unit = str(form.get("org_unit", ""))
    answers = {}
    for q in voice_bridge.instrument().answerable:
        values = [str(v) for v in form.getlist(q.name) if str(v).strip()]
        if values:
            answers[q.name] = values if q.type == "select_multiple" else values[0]
    from starlette.concurrency import run_in_threadpool

    try:
        await run_in_threadpool(voice_bridge.submit_survey, store, answers, unit)
    except VoiceError as exc:
        problems = dict((p[0], p[1:]) for p in getattr(exc, "problems", [])) or {
            exc.field or "org_unit": (str(exc), str(exc))
        }
        return _form_page(
            request, store, "survey.html", unit, problems=problems, answers=answers, status=422
        )
    return page(request, "survey.html", {"available": True, "done": True, "unit": unit})


@router.get("/suggest")
def suggest_page(request: Request, store: StoreDep, _anyone: Anyone, unit: str = ""):
    return _form_page(request, store, "suggest.html", unit)


@router.post("/suggest")
def suggest_submit(
    request: Request,
    store: StoreDep,
    _anyone: Anyone,
    text: Annotated[str, Form()] = "",
    org_unit: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
):
    limit_public(request)
    voice_bridge.require()
    try:
        ref, code = voice_bridge.submit_suggestion(
            store, text=text, org_unit=org_unit, location=location, plan=request.app.state.plan
        )
    except VoiceError as exc:
        problems = {exc.field or "text": (str(exc), str(exc))}
        return _form_page(request, store, "suggest.html", org_unit, problems=problems, status=422)
    return page(
        request,
        "suggest.html",
        {"available": True, "done": True, "ref": ref, "code": code, "unit": org_unit},
    )


@router.get("/desk")
def desk(request: Request, store: StoreDep, user: DeskUser, status: str = ""):
    if not voice_bridge.available():
        return page(request, "desk.html", {"available": False})
    units = user.units(store)
    plan = request.app.state.plan
    period = str(dt.date.today().year)
    return page(
        request,
        "desk.html",
        {
            "available": True,
            "rows": voice_bridge.queue(store, units, status=status or None, plan=plan),
            "rates": voice_bridge.rates(store, {user.scope}, period, plan),
            "status": status,
            "period": period,
            "today": dt.date.today(),
        },
    )


@router.post("/desk/{suggestion_id}")
def desk_step(
    request: Request,
    store: StoreDep,
    user: DeskUser,
    suggestion_id: RowId,
    action: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
    rating: Annotated[int | None, Form()] = None,
):
    """Assign, reply to, resolve or close a suggestion of the user's communities."""
    voice_bridge.require()
    unit = voice_bridge.suggestion_unit(store, suggestion_id)
    if unit is None or not user.sees(store, unit):
        raise HTTPException(404, "找不到该意见 / no such suggestion")
    if action not in ACTIONS:
        raise HTTPException(400, f"未知操作 {action} / unknown action {action}")
    voice_bridge.step(store, suggestion_id, action, actor=user.username, text=text, rating=rating)
    return RedirectResponse("/desk", status_code=303)

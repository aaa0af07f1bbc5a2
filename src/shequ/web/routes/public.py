"""Residents' pages without an account: 我的社区 (a unit's scorecard in plain language,
approved periods only) and 查进度 (a suggestion's progress by number and tracking code,
rate-limited like the public forms)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request

from ...errors import EvaluationError
from ...store import orgunits
from .. import public, views
from ..deps import Anyone, StoreDep
from ..pages import page
from .forms import limit_public

router = APIRouter(prefix="/public", tags=["public"], include_in_schema=False)


@router.get("/community/{code}")
def community(request: Request, store: StoreDep, _anyone: Anyone, code: str):
    with store.begin() as conn:
        if not orgunits.exists(conn, code):
            raise HTTPException(404, "找不到该社区 / no such community")
    found = public.approved_run(store, code)
    if found is None:
        name = _name(store, code)
        return page(request, "public_community.html", {"card": None, "name": name})
    run_id, _period = found
    try:
        context = views.stored_context(store, request.app.state.cache, run_id, code)
    except EvaluationError:
        return page(request, "public_community.html", {"card": None, "name": _name(store, code)})
    lang = _lang(request)
    key = ("public", run_id, code, lang)
    card = request.app.state.cache.get(key, lambda: public.community_card(context, lang))
    return page(request, "public_community.html", {"card": card, "name": card["name"]})


def _name(store, code: str) -> str:
    with store.begin() as conn:
        return orgunits.names(conn).get(code, code)


def _lang(request: Request) -> str:
    from ..i18n import lang_of

    return lang_of(request)


@router.get("/track")
def track_page(request: Request, _anyone: Anyone):
    return page(request, "public_track.html", {"asked": False, "found": None, "number": ""})


@router.post("/track")
def track(
    request: Request,
    store: StoreDep,
    _anyone: Anyone,
    number: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
):
    limit_public(request)
    found = public.track(store, number, code)
    context = {"asked": True, "found": found, "number": number.strip()}
    return page(request, "public_track.html", context, status=200 if found else 404)

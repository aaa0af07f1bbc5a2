"""Residents' public forms (survey, suggestion; no account, rate-limited per client address)
and the staff's suggestions desk."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from .. import voice_bridge
from ..app import page
from ..deps import Anyone, DeskUser

router = APIRouter(tags=["forms"], include_in_schema=False)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit_public(request: Request) -> None:
    """429 when this client address posted more than the public limit in the last minute."""
    if not request.app.state.public_throttle.allow(_client(request)):
        raise HTTPException(
            429, "提交过于频繁，请稍后再试 / too many submissions: try again in a minute"
        )


@router.get("/survey")
def survey_page(request: Request, _anyone: Anyone, unit: str = ""):
    return page(
        request, "survey.html", {"available": voice_bridge.available(), "unit": unit, "done": False}
    )


@router.post("/survey")
def survey_submit(request: Request, _anyone: Anyone):
    limit_public(request)
    voice_bridge.require()
    return page(request, "survey.html", {"available": True, "unit": "", "done": True})


@router.get("/suggest")
def suggest_page(request: Request, _anyone: Anyone, unit: str = ""):
    return page(
        request,
        "suggest.html",
        {"available": voice_bridge.available(), "unit": unit, "done": False},
    )


@router.post("/suggest")
def suggest_submit(request: Request, _anyone: Anyone):
    limit_public(request)
    voice_bridge.require()
    return page(request, "suggest.html", {"available": True, "unit": "", "done": True})


@router.get("/desk")
def desk(request: Request, user: DeskUser):
    return page(request, "desk.html", {"available": voice_bridge.available()})

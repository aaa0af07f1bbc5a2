"""JSON API: org units, evaluation results and scores, map layers, residents' voice and
facilities. Same scope rules as the pages; a session (with CSRF on writes) or a token."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from ...errors import EvaluationError
from ...framework.periods import parse_period
from ...store import orgunits, runs
from .. import geo, i18n, paging, views, voice_bridge
from ..deps import Reader, StoreDep, require_unit
from ..pages import STATIC

router = APIRouter(prefix="/api", tags=["api"])
public_router = APIRouter()  # the OpenAPI document, outside /api


@router.get("/docs", include_in_schema=False)
def swagger(request: Request, _user: Reader):
    """Swagger UI from our own static files (no CDN, no inline script); without them, the
    OpenAPI JSON link."""
    if not (STATIC / "swagger-ui-bundle.js").exists():
        return HTMLResponse(
            '<p>Swagger UI 未安装 / not installed: <a href="/openapi.json">/openapi.json</a></p>'
        )
    return HTMLResponse(
        '<!doctype html><html><head><meta charset="utf-8"><title>shequ API</title>'
        '<link rel="icon" href="/static/favicon.png">'
        '<link rel="stylesheet" href="/static/swagger-ui.css"></head>'
        '<body><div id="swagger-ui"></div><script src="/static/swagger-ui-bundle.js"></script>'
        '<script src="/static/swagger-init.js"></script></body></html>'
    )


@public_router.get("/openapi.json", include_in_schema=False)
def openapi_document(request: Request, _user: Reader) -> JSONResponse:
    """The OpenAPI document, for logged-in users and tokens (like /api/docs)."""
    return JSONResponse(request.app.openapi())


@router.get("/orgunits")
def org_units(
    store: StoreDep,
    user: Reader,
    response: Response,
    level: str | None = None,
    day: dt.date | None = None,
    limit: paging.Limit = paging.MAX_SIZE,
    offset: paging.Offset = 0,
) -> list[dict]:
    """Org units of the user's subtree that exist on ``day`` (default today), by code:
    ``limit`` from ``offset`` (the count of all in the ``X-Total-Count`` header)."""
    day = day or dt.date.today()
    allowed = user.units(store, day)
    with store.begin() as conn:
        units = orgunits.units_on(conn, day)
    units = units[units["code"].isin(allowed)]
    if level:
        units = units[units["level"] == level]
    units = paging.window(units, limit, offset, response)
    return paging.records(units)


@router.get("/orgunits/{code}")
def org_unit(store: StoreDep, user: Reader, code: str) -> dict:
    """One org unit's versions (name, level, parent and validity)."""
    require_unit(user, store, code)
    with store.begin() as conn:
        versions = orgunits.versions(conn)
    mine = versions[versions["code"] == code].drop(columns=["id"])
    return {"code": code, "versions": mine.astype(str).to_dict("records")}


def _run_period(store, run: str) -> tuple[int, str]:
    if run != "latest" and not run.isdigit():  # found by the schemathesis run (issue 13)
        msg = f"run 须为 latest 或运行编号：{run[:40]!r} / run must be latest or a run id"
        raise HTTPException(400, msg)
    with store.begin() as conn:
        row = runs.get(conn, run)
    return int(row.id), row.periods.split(",")[-1]


@router.get("/results")
def results(
    store: StoreDep,
    user: Reader,
    run: str = "latest",
    unit: str | None = None,
    indicator: str | None = None,
    limit: paging.Limit = paging.MAX_SIZE,
    offset: paging.Offset = 0,
) -> dict[str, Any]:
    """Indicator results of a run (default: the latest) for the user's subtree, or one unit:
    ``limit`` rows from ``offset`` of ``total``."""
    run_id, period = _run_period(store, run)
    day = parse_period(period).end
    allowed = user.units(store, day)
    if unit:
        require_unit(user, store, unit, day)
        allowed = {unit}
    with store.begin() as conn:
        frame = runs.results(conn, run_id, org_units=allowed)
    if indicator:
        frame = frame[frame["indicator"] == indicator]
    return paging.listing(frame, limit, offset, "results", run_id=run_id, period=period)


@router.get("/scores")
def scores(
    store: StoreDep,
    user: Reader,
    run: str = "latest",
    level: str = "street",
    dimension: str = "overall",
    limit: paging.Limit = paging.MAX_SIZE,
    offset: paging.Offset = 0,
) -> dict:
    """Composite scores with rank intervals of units of ``level`` in the user's subtree, in
    rank order: ``limit`` rows from ``offset`` of ``total``."""
    run_id, period = _run_period(store, run)
    day = parse_period(period).end
    allowed = user.units(store, day)
    frame = views.ranking(store, run_id, allowed=allowed, level=level, day=day, dimension=dimension)
    return paging.listing(frame, limit, offset, "scores", run_id=run_id, period=period)


@router.get("/geo/units")
def geo_units(
    request: Request, store: StoreDep, user: Reader, unit: str | None = None, indicator: str = ""
) -> dict:
    """The direct sub-units of ``unit`` as GeoJSON with their score or an indicator's value
    (and target and status), the next level's outlines, the facilities of the subtree, the
    legend's title, unit and decimals. ``features`` are empty when no boundaries have been
    imported; a unit without a boundary of its own gets the union of its communities'."""
    run_id, period = _run_period(store, "latest")
    unit = unit or user.scope
    day = parse_period(period).end
    require_unit(user, store, unit, day)
    # the children it colours and the grandchildren it outlines (depth 2)
    context = views.stored_context(store, request.app.state.cache, run_id, unit, depth=2)
    try:
        layer = views.map_layer(context, indicator or None, i18n.lang_of(request))
    except EvaluationError as exc:
        raise HTTPException(404, str(exc)) from None
    named = pd.concat([context.subunits, context.indicators])
    names = dict(zip(named["org_unit"], named["org_unit_name"], strict=True))
    collection = geo.features(store, layer["codes"], layer["values"], names, day)
    sub = context.subunits
    below = list(dict.fromkeys(sub[sub["depth"] == 2]["org_unit"]))
    with store.begin() as conn:  # the facilities of the whole subtree (communities hold them)
        subtree = set(orgunits.subtree(conn, unit, day))
    points = geo.facilities(store, user.units(store, day) & subtree, day=day)
    return {
        "facilities": points,
        "unit": unit,
        "indicator": indicator or "overall",
        "values": layer["values"],
        "details": layer["details"],
        "levels": layer["levels"],
        "legend": layer["legend"],
        "names": {k: names.get(k, k) for k in layer["codes"]},
        "geojson": collection,
        "outlines": geo.features(store, below, {}, names, day) if below else None,
        "facility_types": geo.type_names(request.app.state.plan, i18n.lang_of(request)),
    }


@router.get("/suggestions")
def suggestions(
    request: Request, store: StoreDep, user: Reader, status: str | None = None
) -> list[dict]:
    """Residents' suggestions of the user's subtree (newest 200), with their deadlines."""
    voice_bridge.require()
    return voice_bridge.queue(store, user.units(store), status=status, plan=request.app.state.plan)


@router.get("/surveys/responses")
def survey_responses(
    store: StoreDep,
    user: Reader,
    response: Response,
    period: str,
    limit: paging.Limit = paging.MAX_SIZE,
    offset: paging.Offset = 0,
) -> list[dict]:
    """Survey responses of ``period`` in the user's subtree (answers as submitted):
    ``limit`` from ``offset`` (the count of all in the ``X-Total-Count`` header)."""
    voice_bridge.require()
    found = voice_bridge.responses(store, user.units(store), parse_period(period).code)
    return paging.window(found, limit, offset, response)


@router.get("/facilities")
def facilities(
    store: StoreDep,
    user: Reader,
    response: Response,
    type: str | None = None,
    unit: str | None = None,
    limit: paging.Limit = paging.MAX_SIZE,
    offset: paging.Offset = 0,
) -> list[dict]:
    """Facilities open today in the user's subtree (or ``unit``'s), optionally of one type:
    ``limit`` from ``offset`` (the count of all in the ``X-Total-Count`` header)."""
    units = user.units(store)
    if unit:
        require_unit(user, store, unit)
        with store.begin() as conn:
            units = units & set(orgunits.subtree(conn, unit, dt.date.today()))
    return paging.window(geo.facilities(store, units, kind=type), limit, offset, response)

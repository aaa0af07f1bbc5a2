"""Data values over the API: read, bulk write (all or nothing, by the import rules), and
DHIS2 dataValueSets JSON in and out."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from ...errors import ImportFileError
from ...framework.periods import parse_period
from ...ingest import dhis2, dhis2_import
from ...store import orgunits as store_orgunits
from ...store import values as store_values
from .. import paging, values
from ..deps import Principal, Reader, StoreDep, Writer, require_unit
from ..schemas import DataValuesIn

router = APIRouter(prefix="/api", tags=["data values"])


def _read(store, user, period: str, org_unit: str | None, data_element: str | None) -> pd.DataFrame:
    day = parse_period(period).end
    allowed = user.units(store, day)
    if org_unit:
        require_unit(user, store, org_unit, day)
        allowed = {org_unit}
    with store.begin() as conn:
        frame = store_values.read(
            conn,
            periods=[parse_period(period).code],
            data_elements=[data_element] if data_element else None,
        )
    return (
        frame[frame["org_unit"].isin(allowed)]
        .drop(columns=["id"])
        .sort_values(["org_unit", "data_element"])
    )


@router.get("/values")
def read_values(
    store: StoreDep,
    user: Reader,
    period: str,
    response: Response,
    org_unit: str | None = None,
    data_element: str | None = None,
    limit: paging.Limit = paging.MAX_SIZE,
    offset: paging.Offset = 0,
) -> list[dict]:
    """Stored values of a period in the user's subtree (or of one unit / data element), by
    unit and element: ``limit`` from ``offset`` (the count of all in ``X-Total-Count``)."""
    found = _read(store, user, period, org_unit, data_element)
    return paging.window(found, limit, offset, response).to_dict("records")


def _write(
    request: Request, store, user: Principal, raw: pd.DataFrame
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Write ``raw`` by the import rules, each row in the user's subtree of its own period."""
    allowed = user.scope_of_period(store)
    return values.save(store, raw, request.app.state.plan, allowed, actor=user.username)


@router.post("/values")
def write_values(request: Request, store: StoreDep, user: Writer, body: DataValuesIn):
    """Write values in one transaction; when any is bad nothing is written (422, with
    each problem's index, column and reason)."""
    counts, problems = _write(request, store, user, values.api_cells(body))
    if problems:
        return JSONResponse({"saved": 0, "problems": problems}, status_code=422)
    return {"saved": counts["inserted"] + counts["updated"], **counts}


def _dhis2_units(store, user: Principal, org_units: list[str], children: bool, day) -> set[str]:
    """The units an export covers: the user's subtree, or the units named (their subtrees
    with ``children=true``), each checked against the user's scope."""
    allowed = user.units(store, day)
    if not org_units:
        return allowed
    chosen: set[str] = set()
    for code in org_units:
        require_unit(user, store, code, day)
        if children:
            with store.begin() as conn:
                chosen |= set(store_orgunits.subtree(conn, code, day)) & allowed
        else:
            chosen.add(code)
    return chosen


@router.get("/dataValueSets")
@router.get("/dataValueSets.json")
@router.get("/dataValueSets.csv")
def export_dhis2(
    request: Request,
    store: StoreDep,
    user: Reader,
    period: Annotated[list[str] | None, Query()] = None,
    start_date: Annotated[dt.date | None, Query(alias="startDate")] = None,
    end_date: Annotated[dt.date | None, Query(alias="endDate")] = None,
    org_unit: Annotated[list[str] | None, Query(alias="orgUnit")] = None,
    children: bool = False,
    data_element: Annotated[list[str] | None, Query(alias="dataElement")] = None,
    last_updated: Annotated[dt.datetime | None, Query(alias="lastUpdated")] = None,
):
    """Values as a DHIS2 dataValueSet (JSON, or CSV at ``.csv``): repeated ``period``, or
    ``startDate``/``endDate``, or ``lastUpdated``; ``orgUnit`` (repeated) with
    ``children=true`` for their subtrees; ids in ``idScheme`` (CODE default, or UID)."""
    options = dhis2.options_from(dict(request.query_params))
    if not (period or start_date or end_date or last_updated):
        msg = (
            "请给出 period、startDate/endDate 或 lastUpdated / give period, startDate/endDate "
            "or lastUpdated"
        )
        raise ImportFileError(msg)
    codes = [parse_period(dhis2.period_in(p)).code for p in period or []]
    day = max([parse_period(c).end for c in codes] + [end_date or dt.date.today()])
    units = _dhis2_units(store, user, org_unit or [], children, day)
    with store.begin() as conn:
        frame = dhis2_import.export_values(
            conn,
            options,
            periods=codes or None,
            start=start_date,
            end=end_date,
            units=units,
            data_elements=data_element,
            last_updated=last_updated,
        )
    if request.url.path.endswith(".csv"):
        return PlainTextResponse(dhis2.to_csv(frame, options), media_type="text/csv")
    return dhis2.to_data_value_set(frame, options)


@router.post("/dataValueSets")
@router.post("/dataValueSets.json")
async def import_dhis2(request: Request, store: StoreDep, user: Writer):
    """Import a DHIS2 dataValueSet (JSON, or CSV with ``Content-Type: text/csv``) with
    ``dryRun``, ``importStrategy`` and the id schemes; answers DHIS2's ImportSummary
    (409 with the conflicts, and then nothing is written)."""
    body = await request.body()
    if "csv" in request.headers.get("content-type", ""):
        payload, raw = {}, dhis2.from_csv(body.decode("utf-8-sig"))
    else:
        try:
            payload = json.loads(body or b"{}")
        except ValueError as exc:
            raise ImportFileError(f"JSON 无法解析 / the JSON cannot be read: {exc}") from None
        except RecursionError:
            msg = "JSON 嵌套过深 / the JSON is nested too deeply"
            raise ImportFileError(msg) from None
        raw = dhis2.from_data_value_set(payload)
    options = dhis2.options_from(dict(request.query_params), payload)
    allowed = user.scope_of_period(store)
    summary = await run_in_threadpool(
        dhis2_import.import_value_set,
        store,
        raw,
        request.app.state.plan,
        allowed,
        options,
        actor=user.username,
    )
    return JSONResponse(summary, status_code=409 if summary["conflicts"] else 200)

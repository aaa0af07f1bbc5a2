"""Data values over the API: read, bulk write (all or nothing, by the import rules), and
DHIS2 dataValueSets JSON in and out."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ...framework.periods import parse_period
from ...store import values as store_values
from .. import dhis2, values
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
    org_unit: str | None = None,
    data_element: str | None = None,
) -> list[dict]:
    """Stored values of a period in the user's subtree (or of one unit / data element)."""
    return _read(store, user, period, org_unit, data_element).to_dict("records")


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


@router.get("/dataValueSets")
def export_dhis2(
    store: StoreDep,
    user: Reader,
    period: str,
    org_unit: Annotated[str | None, Query(alias="orgUnit")] = None,
    data_element: Annotated[str | None, Query(alias="dataElement")] = None,
) -> dict:
    """Values as a DHIS2 dataValueSet (codes as ids, monthly periods as ``202507``)."""
    return dhis2.to_data_value_set(
        _read(store, user, dhis2.period_in(period), org_unit, data_element)
    )


@router.post("/dataValueSets")
def import_dhis2(request: Request, store: StoreDep, user: Writer, payload: dict[str, Any]):
    """Import a DHIS2 dataValueSet; answers a DHIS2-style import summary (409 on conflicts,
    and then nothing is written)."""
    raw = dhis2.from_data_value_set(payload)
    counts, problems = _write(request, store, user, raw)
    summary = dhis2.import_summary(counts, problems, len(raw))
    return JSONResponse(summary, status_code=409 if problems else 200)

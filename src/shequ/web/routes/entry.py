"""Data entry: a grid of data elements × communities for a period, checked as you type and
saved by the import rules (`web.values`, like the API's writes), and file uploads with the
quarantine report to download."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import select

from ...framework.periods import parse_period
from ...ingest.limits import Limits
from ...ingest.values import import_values
from ...store import accounts, approvals, orgunits
from ...store import values as store_values
from ...store.tables.core import ImportBatch
from .. import entry_grid, values, views
from ..deps import Principal, Reader, RowId, StoreDep, Writer, require_unit, sees_work_of
from ..pages import page
from ..schemas import CellBatch
from ..uploads import save_upload

router = APIRouter(tags=["entry"], include_in_schema=False)


def _grid_units(store, user: Principal, unit: str, period: str):
    """(the communities of the one street shown, that street, its pickers)."""
    day = parse_period(period).end
    require_unit(user, store, unit, day)
    units = views.units_of_day(store, day)
    allowed = user.units(store, day)
    shown, pickers = entry_grid.pick_street(units, allowed, user.scope, unit)
    with store.begin() as conn:
        below = set(orgunits.subtree(conn, shown, day))
    mine = units[units["code"].isin(below & allowed)]
    return mine[mine["level"] == "community"].reset_index(drop=True), shown, pickers


@router.get("/entry")
def grid(request: Request, store: StoreDep, user: Writer, period: str = "", unit: str = ""):
    period = parse_period(period or str(dt.date.today().year)).code
    communities, shown, pickers = _grid_units(store, user, unit or user.scope, period)
    plan = request.app.state.plan
    codes = set(communities["code"])
    with store.begin() as conn:
        stored = store_values.read(conn, periods=[period], org_units=codes, detail=True)
        pairs = pd.DataFrame({"org_unit": communities["code"], "period": period})
        locked = set(approvals.locked(conn, pairs)["org_unit"])
    stored = stored[stored["org_unit"].isin(codes)]
    totals = stored.groupby(["org_unit", "data_element"])["value"].sum()
    entered = {key: entry_grid.exact_text(v) for key, v in totals.items()}
    comments = {
        (r.org_unit, r.data_element): r.comment
        for r in stored.itertuples(index=False)
        if isinstance(r.comment, str) and r.comment
    }
    return page(
        request,
        "entry.html",
        {
            "period": period,
            "unit": shown,
            "pickers": pickers,
            "communities": communities.to_dict("records"),
            "elements": plan.data_elements,
            "values": entered,
            "comments": comments,
            "locked": locked,
        },
    )


@router.post("/entry/check")
def check(request: Request, store: StoreDep, user: Writer, batch: CellBatch):
    """Problems of typed cells by the import rules, and the validation-rule findings of
    the row being edited (``rules``); nothing is written."""
    allowed = user.units(store, _day(batch.period))
    plan = request.app.state.plan
    return values.check(store, values.grid_cells(batch), plan, allowed)


def _day(period: str) -> dt.date:
    try:
        return parse_period(period).end
    except ValueError:
        return dt.date.today()


@router.post("/entry/save")
def save(request: Request, store: StoreDep, user: Writer, batch: CellBatch):
    """Save typed cells: all of them in one transaction, or none when any is bad; a
    cleared cell (``deleted``) deletes its stored value, audited with the batch's reason."""
    allowed = user.units(store, _day(batch.period))
    if problems := values.deletion_problems(batch):
        return JSONResponse({"saved": 0, "problems": problems}, status_code=422)
    counts, problems = values.save(
        store,
        values.grid_cells(batch),
        request.app.state.plan,
        allowed,
        actor=user.username,
        reason=batch.reason.strip() or None,
    )
    if problems:
        return JSONResponse({"saved": 0, "problems": problems}, status_code=422)
    return {"saved": counts["inserted"] + counts["updated"], **counts, "problems": []}


@router.get("/imports")
def imports_page(request: Request, store: StoreDep, user: Writer):
    return page(request, "imports.html", {"report": None, "batches": _batches(store, user)})


def _batches(store, user: Principal) -> list[dict[str, Any]]:
    query = select(ImportBatch.__table__).order_by(ImportBatch.id.desc()).limit(200)
    if user.role != accounts.ADMINISTRATOR:
        query = query.where(ImportBatch.actor == user.username)
    with store.begin() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return [r for r in rows if sees_work_of(user, store, r["actor"])][:20]


@router.post("/imports")
async def upload(
    request: Request,
    store: StoreDep,
    user: Writer,
    file: Annotated[UploadFile, File()],
    strict: Annotated[bool, Form()] = False,
):
    name = Path(file.filename or "upload.csv").name
    folder = request.app.state.settings.data_dir / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / name
    limits = Limits.from_env()
    await save_upload(file, path, limits)
    from starlette.concurrency import run_in_threadpool

    report = await run_in_threadpool(
        import_values,
        store,
        path,
        plan=request.app.state.plan,
        actor=user.username,
        strict=strict,
        allowed_units=user.scope_of_period(store),
    )
    return page(request, "imports.html", {"report": report, "batches": _batches(store, user)})


@router.get("/imports/{import_id}/quarantine")
def quarantine(store: StoreDep, user: Reader, import_id: RowId):
    with store.begin() as conn:
        batch = conn.execute(
            select(ImportBatch.__table__).where(ImportBatch.id == import_id)
        ).first()
    if batch is None or not sees_work_of(user, store, batch.actor):
        raise HTTPException(404, "找不到该导入记录 / no such import")
    if not batch.quarantine_path or not Path(batch.quarantine_path).exists():
        raise HTTPException(404, "该导入没有隔离文件 / this import has no quarantine file")
    path = Path(batch.quarantine_path)
    return FileResponse(path, filename=path.name, media_type="text/csv")

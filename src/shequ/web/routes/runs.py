"""Evaluation runs started from the browser, and report downloads.

Both run in the worker process (see `web.worker`); the page polls the job's status.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import select

from ...framework.periods import parse_period
from ...report.formats import FORMATS, SUFFIX
from ...store import jobs as store_jobs
from ...store.tables.core import EvaluationRun
from ..deps import Evaluator, Reader, ReportReader, RowId, StoreDep, require_unit, sees_work_of
from ..pages import page
from ..worker import evaluate_job, report_job

router = APIRouter(tags=["runs"])


@router.get("/runs", include_in_schema=False)
def runs_page(request: Request, store: StoreDep, user: Reader):
    columns = [c for c in EvaluationRun.__table__.columns if c.name != "plan_json"]
    query = select(*columns).where(EvaluationRun.complete.is_(True))  # issue 13 #13
    query = query.order_by(EvaluationRun.id.desc()).limit(20)
    with store.begin() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        jobs = store_jobs.recent_jobs(conn)
    mine = [j for j in jobs if sees_work_of(user, store, j["actor"])]
    return page(
        request,
        "runs.html",
        {"runs": rows, "jobs": mine, "formats": list(FORMATS), "year": dt.date.today().year},
    )


@router.post("/runs", include_in_schema=False)
def start_run(request: Request, store: StoreDep, user: Evaluator, period: Annotated[str, Form()]):
    """Start an evaluation of ``period`` (all units, with composite scores) in the worker."""
    period = parse_period(period).code
    settings = request.app.state.settings
    with store.begin() as conn:
        job_id = store_jobs.create_job(conn, "evaluate", {"period": period}, actor=user.username)
    request.app.state.worker.submit(evaluate_job, settings.store_url, settings.plan, job_id, period)
    return RedirectResponse(f"/runs?job={job_id}", status_code=303)


@router.get("/api/jobs/{job_id}", tags=["jobs"])
def job_status(store: StoreDep, user: Reader, job_id: RowId) -> dict:
    """The status of a background job (queued, running, done, failed) and its run id."""
    with store.begin() as conn:
        job = store_jobs.get_job(conn, job_id)
    if job is None or not sees_work_of(user, store, job["actor"]):
        raise HTTPException(404, "找不到该任务 / no such job")
    return {
        k: job[k]
        for k in ("id", "kind", "status", "run_id", "message", "created_at", "finished_at")
    }


@router.post("/reports", include_in_schema=False)
def start_report(
    request: Request,
    store: StoreDep,
    user: ReportReader,
    run_id: Annotated[int, Form()],
    fmt: Annotated[str, Form()],
    unit: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "zh",
):
    """Write a report of ``unit`` (default: the user's scope) in the worker."""
    if fmt not in FORMATS:
        raise HTTPException(400, f"未知的报告格式 {fmt} / unknown report format {fmt}")
    unit = unit or user.scope
    require_unit(user, store, unit)
    settings = request.app.state.settings
    with store.begin() as conn:
        job_id = store_jobs.create_job(
            conn, "report", {"run_id": run_id, "unit": unit, "fmt": fmt}, actor=user.username
        )
    folder = settings.data_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"report_{job_id}_{unit}_{run_id}{SUFFIX[fmt]}"
    request.app.state.worker.submit(
        report_job,
        settings.store_url,
        job_id,
        run_id,
        unit,
        fmt,
        str(path),
        "en" if lang == "en" else "zh",
    )
    return RedirectResponse(f"/runs?job={job_id}", status_code=303)


@router.get("/reports/{job_id}", include_in_schema=False)
def download_report(
    store: StoreDep, user: ReportReader, job_id: RowId, inline: Annotated[bool, Query()] = False
):
    with store.begin() as conn:
        job = store_jobs.get_job(conn, job_id)
    if (
        job is None
        or job["kind"] != "report"
        or not sees_work_of(user, store, job["actor"])
        or not user.sees(store, json.loads(job["params"] or "{}").get("unit", ""))
    ):
        raise HTTPException(404, "找不到该报告 / no such report")
    if job["status"] != "done" or not job["output"] or not Path(job["output"]).exists():
        raise HTTPException(409, "报告尚未生成 / the report is not ready yet")
    path = Path(job["output"])
    return FileResponse(
        path, filename=path.name, content_disposition_type="inline" if inline else "attachment"
    )

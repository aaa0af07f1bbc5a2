"""Scenarios in the browser: the list, create from proposed sites, facilities or values,
evaluate beside the baseline (on a copy of the store) and the comparison table."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ...framework import labels
from ...ingest.limits import Limits
from ...scenario import actions
from ...scenario.compare import FLIP_HEADERS, evaluate_scenario
from ...store import scenarios as store_scenarios
from .. import i18n
from ..deps import Evaluator, Reader, StoreDep
from ..pages import page
from ..uploads import save_upload

router = APIRouter(tags=["scenarios"], include_in_schema=False)


@router.get("/scenarios")
def scenarios_page(request: Request, store: StoreDep, user: Reader):
    return _page(request, store)


@router.post("/scenarios")
async def create_scenario(
    request: Request,
    store: StoreDep,
    user: Evaluator,
    name: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
    site_type: Annotated[str, Form()] = "",
    facilities: Annotated[str, Form()] = "",
    values: Annotated[str, Form()] = "",
    sites: Annotated[UploadFile | None, File()] = None,
):
    """Create a scenario: sites file (as ``shequ site`` writes it), facility and value lines."""
    plan = request.app.state.plan
    rows: list[dict] = []
    if sites is not None and sites.filename:
        folder = request.app.state.settings.data_dir / "uploads" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        path = folder / Path(sites.filename).name
        await save_upload(sites, path, Limits.from_env())
        rows += actions.from_sites(plan, path, facility_type=site_type or None)
    rows += [actions.facility(plan, line) for line in _lines(facilities)]
    rows += [actions.value(plan, line) for line in _lines(values)]
    with store.begin() as conn:
        store_scenarios.create(conn, name, actions.frame(rows), description=description,
                               actor=user.username)  # fmt: skip
    return RedirectResponse("/scenarios", status_code=303)


@router.post("/scenarios/evaluate")
async def evaluate_page(
    request: Request,
    store: StoreDep,
    user: Evaluator,
    name: Annotated[str, Form()],
    period: Annotated[str, Form()],
):
    """Evaluate a scenario beside the baseline (seconds on a city; real data untouched)."""
    plan = request.app.state.plan
    comparison = await run_in_threadpool(evaluate_scenario, store, plan, name, period=period)
    return _page(request, store, comparison)


@router.post("/scenarios/delete")
def delete_scenario(store: StoreDep, user: Evaluator, name: Annotated[str, Form()]):
    with store.begin() as conn:
        store_scenarios.remove(conn, name, actor=user.username)
    return RedirectResponse("/scenarios", status_code=303)


def _page(request: Request, store, comparison=None):
    with store.begin() as conn:
        listing = store_scenarios.listing(conn).to_dict("records")
    lang = i18n.lang_of(request)
    words = {k: labels.pick(v, lang) for k, v in labels.section("scenario").items()}
    context = {"scenarios": listing, "w": words, "comparison": comparison}
    if comparison is not None:
        plan = request.app.state.plan
        context["summary"] = comparison.summary().to_dict("records")
        context["flips"] = comparison.flip_rows(plan, lang)
        context["flip_headers"] = [words[k] for k in FLIP_HEADERS]
        context["cost"] = comparison.cost_lines(plan, lang)
        context["levels"] = {k: labels.pick(v, lang) for k, v in labels.LEVEL.items()}
    return page(request, "scenarios.html", context)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]

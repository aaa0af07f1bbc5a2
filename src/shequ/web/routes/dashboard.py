"""Overview, ranking, unit scorecard and map pages (read-only, scoped)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request

from ...errors import EvaluationError
from ...framework import labels
from ...framework.periods import parse_period
from ...report.rows import indicator_rows
from ...store import audit
from .. import paging, views
from ..deps import Principal, Reader, StoreDep, require_unit, units_within
from ..pages import download, page

router = APIRouter(tags=["pages"], include_in_schema=False)
LEVELS = ("district", "street", "community")
DIMENSIONS = ("overall", "infrastructure", "public_services", "governance", "culture", "safety")


def _run(store) -> tuple[int, str] | None:
    return views.latest_run(store)


def _context(request: Request, user: Principal, unit: str | None):
    store = request.app.state.store
    found = _run(store)
    if found is None:
        return None, None
    run_id, period = found
    unit = unit or user.scope
    require_unit(user, store, unit, parse_period(period).end)
    try:
        context = views.stored_context(store, request.app.state.cache, run_id, unit)
    except EvaluationError as exc:
        raise HTTPException(404, str(exc)) from None
    return context, period


@router.get("/")
def overview(
    request: Request,
    user: Reader,
    unit: str | None = None,
    indicator: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=10**6)] = 1,
    size: paging.PageSize = paging.DEFAULT_SIZE,
):
    context, _period = _context(request, user, unit)
    if context is None:
        return page(request, "overview.html", {"context": None})
    lang = page_lang(request)
    key = ("overview", context.run_id, context.unit, lang)
    data = request.app.state.cache.get(key, lambda: _overview_data(context, lang))
    pager = paging.paginate(data["children"], page_no, size)
    params = {"unit": unit or "", "indicator": indicator}
    return page(
        request, "overview.html", {**data, "indicator": indicator, "pager": pager, "params": params}
    )


def _overview_data(context, lang: str) -> dict:
    """What the overview shows of a unit, computed once per run, unit and language."""
    return {
        "context": context,
        "rows": indicator_rows(context.indicators, lang),
        "indicator_head": views.indicator_head(lang),
        "dimensions": views.dimension_summary(context, lang),
        "gaps": views.urgent_gaps(context, lang),
        "indicators": context.plan.indicators,
        "subunits": _subunit_names(context),
        "children": _children(context, lang),
    }


def page_lang(request: Request) -> str:
    from ..i18n import lang_of

    return lang_of(request)


def _children(context, lang: str) -> list[dict]:
    """The unit's direct sub-units, each with its targets met of those judged and its
    overall score and rank (when scored), in rank order, then by code."""
    sub = context.subunits[context.subunits["depth"] == 1]
    judged = sub[sub["status"].isin(["met", "not_met"])]
    met = judged[judged["status"] == "met"].groupby("org_unit").size()
    judged_n = judged.groupby("org_unit").size()
    ranks = context.rankings.set_index("org_unit") if len(context.rankings) else None
    rows = []
    for code, name, level in dict.fromkeys(
        zip(sub["org_unit"], sub["org_unit_name"], sub["level"], strict=True)
    ):
        scored = ranks is not None and code in ranks.index
        rows.append(
            {
                "code": code,
                "name": name,
                "level": labels.pick(labels.LEVEL[level], lang) if level in labels.LEVEL else level,
                "met": int(met.get(code, 0)),
                "judged": int(judged_n.get(code, 0)),
                "score": _number(ranks.at[code, "score"]) if scored else None,
                "rank": _number(ranks.at[code, "rank"]) if scored else None,
            }
        )
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _subunit_names(context) -> list[tuple[str, str]]:
    sub = context.subunits[context.subunits["depth"] == 1]
    return list(dict.fromkeys(zip(sub["org_unit"], sub["org_unit_name"], strict=True)))


@router.get("/ranking")
def ranking(
    request: Request,
    store: StoreDep,
    user: Reader,
    level: str = "street",
    dimension: str = "overall",
    q: str = "",
    unit: str = "",
    format: Annotated[str, Query(pattern="^(html|csv|xlsx)$")] = "html",
    page_no: Annotated[int, Query(alias="page", ge=1, le=10**6)] = 1,
    size: paging.PageSize = paging.DEFAULT_SIZE,
):
    latest, found = _run(store), views.scored_run(store)
    if found is None:
        return page(request, "ranking.html", {"rows": None, "latest": latest})
    run_id, period = found
    day = parse_period(period).end
    allowed = units_within(user, store, unit, day)
    key = ("ranking", run_id, level, dimension, user.scope, unit)  # q filters the cached one
    ranked = request.app.state.cache.get(
        key,
        lambda: views.ranking(
            store, run_id, allowed=allowed, level=level, day=day, dimension=dimension
        ),
    )
    frame = views.matching(ranked, q)
    lang = page_lang(request)
    if format != "html":
        return _export(frame, format, lang, f"ranking_{level}_{dimension}_{period}")
    pager = paging.paginate(frame, page_no, size)
    shown = pd.DataFrame(pager.rows, columns=frame.columns)
    return page(
        request,
        "ranking.html",
        {
            "rows": shown.to_dict("records"),
            "pager": pager,
            "params": {"level": level, "dimension": dimension, "q": q, "unit": unit},
            "unit": unit,
            "chart": _ranking_chart(shown),
            "run_id": run_id,
            "latest": latest,
            "level": level,
            "dimension": dimension,
            "q": q,
            "levels": [(lv, labels.pick(labels.LEVEL[lv], lang)) for lv in LEVELS],
            "dimension_choices": _dimension_choices(request, lang),
            "period": period,
        },
    )


def _ranking_chart(frame: pd.DataFrame) -> list[dict]:
    """The dot-and-interval chart's points: a unit's score rank and its 90 % interval,
    labelled with name and code, grouped by district."""
    keep = frame[frame["rank"].notna()]
    return [
        {
            "label": f"{r['name']} {r['org_unit']}",
            "rank": int(r["rank"]),
            "low": None if pd.isna(r["rank_low"]) else int(r["rank_low"]),
            "high": None if pd.isna(r["rank_high"]) else int(r["rank_high"]),
            "district": r["district_name"] if isinstance(r["district_name"], str) else "",
        }
        for r in keep.to_dict("records")
    ]


def _dimension_choices(request: Request, lang: str) -> list[tuple[str, str]]:
    plan = request.app.state.plan
    names = {d.code: (d.name if lang == "zh" else d.name_en) for d in plan.dimensions}
    return [("overall", "综合" if lang == "zh" else "Overall"), *names.items()]


def _export(frame: pd.DataFrame, fmt: str, lang: str, stem: str):
    zh = lang == "zh"
    columns = {
        "rank": "名次" if zh else "rank",
        "org_unit": "编码" if zh else "code",
        "name": "名称" if zh else "name",
        "district_name": "所属区县" if zh else "district",
        "score": "得分" if zh else "score",
        "rank_low": "排名区间下限" if zh else "rank low (90%)",
        "rank_high": "排名区间上限" if zh else "rank high (90%)",
    }
    table = frame.reindex(columns=list(columns)).rename(columns=columns)
    return download(table, fmt, stem)


#: what a scorecard shows besides its run: units' names and tree, and follow-up tasks (a
#: survey answer or a login moves the store's data version but changes no scorecard)
SCORECARD_DATA = ("org_unit", "follow_up_task")


@router.get("/units/{code}")
def scorecard(request: Request, store: StoreDep, user: Reader, code: str):
    found = _run(store)
    if found is None:
        return page(request, "scorecard.html", {"context": None})
    run_id, period = found
    require_unit(user, store, code, parse_period(period).end)
    with store.begin() as conn:  # the run is fixed; only names, the tree and tasks change
        version = audit.data_version(conn, SCORECARD_DATA)
    try:
        context, history = views.full_context(store, request.app.state.cache, run_id, code, version)
    except EvaluationError as exc:
        raise HTTPException(404, str(exc)) from None
    lang = page_lang(request)
    key = ("scorecard", run_id, code, version, lang)
    data = request.app.state.cache.get(key, lambda: _scorecard_data(context, history, lang))
    peers = [p for p in data["all_peers"] if user.sees(store, p["org_unit"])]
    hidden = len(data["all_peers"]) - len(peers)
    return page(
        request,
        "scorecard.html",
        {**data, "peers": peers, "hidden_peers": hidden, "period": period},
    )


def _scorecard_data(context, history, lang: str) -> dict:
    """What the scorecard shows of a unit, computed once per run, unit and language."""
    names = {i.code: (i.name if lang == "zh" else i.name_en) for i in context.plan.indicators}
    series = views.trend_panels(context, history, lang)
    return {
        "context": context,
        "rows": indicator_rows(context.indicators, lang),
        "indicator_head": views.indicator_head(lang),
        "series": series,
        "diagnoses": context.diagnoses,
        "tasks": context.tasks.to_dict("records"),
        "all_peers": views.peer_rows(context),
        "dimensions": views.dimension_summary(context, lang),
        "indicator_names": names,
    }


@router.get("/map")
def map_page(request: Request, user: Reader, unit: str | None = None, indicator: str = ""):
    context, _period = _context(request, user, unit)
    return page(
        request,
        "map.html",
        {
            "context": context,
            "indicator": indicator,
            "indicators": context.plan.indicators if context else [],
        },
    )

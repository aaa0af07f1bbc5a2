"""The analytics page (`/analytics`) and its JSON API (`/api/analytics`): the same query
string selects the same cells, so a page's URL is a shareable analysis and its API twin
returns the cells as data; both download CSV/XLSX."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from ...framework import labels
from ...framework.levels import LEVELS
from ...store import analytics as store_analytics
from .. import analytics
from ..deps import Reader, StoreDep
from ..i18n import lang_of
from ..pages import download, page

router = APIRouter(tags=["analytics"])
Many = Annotated[list[str], Query(max_length=64)]
Format = Annotated[str, Query(pattern="^(json|csv|xlsx)$")]


def _select(request: Request, store, user, indicator, unit, level, units, period, rows, chart):
    return analytics.resolve(
        store,
        user,
        request.app.state.plan,
        indicators=indicator,
        unit=unit,
        level=level,
        units=units,
        periods=period,
        rows=rows,
        chart=chart,
    )


@router.get("/api/analytics")
def analytics_api(
    request: Request,
    store: StoreDep,
    user: Reader,
    indicator: Many = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    unit: Annotated[str | None, Query(max_length=64)] = None,
    level: Annotated[str, Query(max_length=16)] = analytics.CHILDREN,
    units: Annotated[str, Query(max_length=20_000)] = "",
    period: Many = [],  # noqa: B006
    format: Format = "json",
):
    """Cells of indicators × units × periods from the newest stored run holding each:
    ``{"selection", "rows": [{indicator, org_unit, period, value, target, status, …}]}``.
    ``level``: ``self``, ``children`` or a level name (descendants of ``unit`` at it);
    ``units``: comma-separated codes instead. At most 30 indicators, 500 units, 20
    periods, 50 000 cells (413 beyond, with the reason)."""
    lang = lang_of(request)
    selection = _select(
        request, store, user, indicator, unit, level, units, period, "org_unit", "table"
    )
    frame = analytics.table(store, user, request.app.state.plan, selection, lang)
    if format != "json":
        return download(analytics.export_frame(frame, lang), format, "analytics")
    return {"selection": selection.query(), "rows": analytics.records(frame)}


@router.get("/analytics", include_in_schema=False)
def analytics_page(
    request: Request,
    store: StoreDep,
    user: Reader,
    indicator: Many = [],  # noqa: B006
    unit: Annotated[str | None, Query(max_length=64)] = None,
    level: Annotated[str, Query(max_length=16)] = analytics.CHILDREN,
    units: Annotated[str, Query(max_length=20_000)] = "",
    period: Many = [],  # noqa: B006
    rows: Annotated[str, Query(max_length=16)] = "org_unit",
    chart: Annotated[str, Query(max_length=16)] = "table",
    format: Annotated[str, Query(pattern="^(html|csv|xlsx)$")] = "html",
):
    plan = request.app.state.plan
    lang = lang_of(request)
    try:
        selection = _select(
            request, store, user, indicator, unit, level, units, period, rows, chart
        )
        frame = analytics.table(store, user, plan, selection, lang)
    except HTTPException as exc:
        if exc.status_code == 403:
            raise
        return page(
            request,
            "analytics.html",
            {**_choices(request, store, lang), "error": exc.detail},
            status=exc.status_code,
        )
    if format != "html":
        return download(analytics.export_frame(frame, lang), format, "analytics")
    chart_data = analytics.chart_series(frame, chart) if chart != "table" else None
    return page(
        request,
        "analytics.html",
        {
            **_choices(request, store, lang),
            "error": None,
            "selection": selection,
            "query": selection.query(),
            "table": analytics.pivot(frame, selection.rows),
            "chart": chart_data,
            "unit_name": frame["org_unit_name"].iloc[0] if len(frame) else "",
        },
    )


def _choices(request: Request, store, lang: str) -> dict:
    """What the picker offers: the plan's indicators, the stored periods, the levels."""
    plan = request.app.state.plan
    with store.begin() as conn:
        stored = store_analytics.periods(conn, plan.code)
    zh = lang == "zh"
    level_choices = [
        (analytics.SELF, "本单位" if zh else "the unit itself"),
        (analytics.CHILDREN, "直属下级" if zh else "direct children"),
        *[(lv, labels.pick(labels.LEVEL[lv], lang)) for lv in LEVELS],
    ]
    rows_choices = [
        ("org_unit", "单位" if zh else "units"),
        ("period", "期间" if zh else "periods"),
        ("indicator", "指标" if zh else "indicators"),
    ]
    chart_choices = [
        ("table", "透视表" if zh else "pivot table"),
        ("line", "折线图" if zh else "line chart"),
        ("bar", "柱状图" if zh else "bar chart"),
    ]
    indicators = [(i.code, i.name if zh else i.name_en) for i in plan.indicators]
    return {
        "indicator_choices": indicators,
        "period_choices": stored,
        "level_choices": level_choices,
        "rows_choices": rows_choices,
        "chart_choices": chart_choices,
    }

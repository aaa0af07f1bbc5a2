"""Analytics: pick indicators × units × periods, see a pivot table or a chart, share the
URL, download CSV/XLSX; the same selection as a JSON API (DHIS2's Data Visualizer is the
anchor).

A `Selection` is what the query string says (so a URL is the shareable analysis); `resolve`
checks it against the plan, the stored periods and the user's scope, and refuses a
selection larger than `LIMITS` with the reason (no response is unbounded). `table` gives
one long row per cell: value, target, status, labelled and formatted with the indicator's
decimals and unit; `pivot` lays it out with units, periods or indicators down the side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import HTTPException

from ..framework import labels
from ..framework.levels import LEVELS
from ..framework.models import Plan
from ..framework.periods import parse_period
from ..report.rows import value_text
from ..store import analytics as store_analytics
from ..store.db import Store
from . import paging
from .deps import Principal, require_unit

LIMITS = {"indicators": 30, "units": 500, "periods": 20, "cells": 50_000}
ROWS = ("org_unit", "period", "indicator")
CHARTS = ("table", "line", "bar")
#: ``level`` values besides a level name: the unit itself, or its direct children
SELF, CHILDREN = "self", "children"


@dataclass(frozen=True)
class Selection:
    indicators: tuple[str, ...]
    unit: str
    level: str
    units: tuple[str, ...]
    periods: tuple[str, ...]
    rows: str = "org_unit"
    chart: str = "table"

    def query(self) -> str:
        """The query string that reproduces this selection (the shareable URL)."""
        pairs: list[tuple[str, str]] = [("indicator", i) for i in self.indicators]
        pairs += [("unit", self.unit), ("level", self.level)]
        if self.units:
            pairs.append(("units", ",".join(self.units)))
        pairs += [("period", p) for p in self.periods]
        pairs += [("rows", self.rows), ("chart", self.chart)]
        return urlencode(pairs)


def _refuse(zh: str, en: str, status: int = 400) -> HTTPException:
    return HTTPException(status, f"{zh} / {en}")


def resolve(
    store: Store,
    user: Principal,
    plan: Plan,
    *,
    indicators: list[str],
    unit: str | None,
    level: str,
    units: str,
    periods: list[str],
    rows: str,
    chart: str,
) -> Selection:
    """The checked selection; defaults: the plan's first three indicators, the user's
    scope and its children, the newest stored period."""
    known = [i.code for i in plan.indicators]
    chosen = tuple(dict.fromkeys(indicators)) or tuple(known[:3])
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise _refuse(f"未知指标 {', '.join(unknown)}", f"unknown indicator {', '.join(unknown)}")
    with store.begin() as conn:
        stored = store_analytics.periods(conn, plan.code)
    asked = tuple(dict.fromkeys(periods)) or tuple(stored[-1:])
    missing = [p for p in asked if p not in stored]
    if missing:
        have = ", ".join(stored) or "—"
        raise _refuse(
            f"期间 {', '.join(missing)} 尚无评估结果（已有：{have}）",
            f"no evaluation of period {', '.join(missing)} (stored: {have})",
        )
    if level not in (SELF, CHILDREN, *LEVELS):
        raise _refuse(f"未知层级 {level}", f"unknown level {level}")
    if rows not in ROWS or chart not in CHARTS:
        raise _refuse(
            f"rows 应为 {'/'.join(ROWS)}，chart 应为 {'/'.join(CHARTS)}",
            f"rows must be one of {'/'.join(ROWS)}, chart one of {'/'.join(CHARTS)}",
        )
    listed = tuple(dict.fromkeys(c.strip() for c in units.split(",") if c.strip()))
    selection = Selection(chosen, unit or user.scope, level, listed, asked, rows, chart)
    _check_size(selection)
    return selection


def _check_size(selection: Selection) -> None:
    sizes = {
        "indicators": len(selection.indicators),
        "units": len(selection.units),
        "periods": len(selection.periods),
    }
    for name, size in sizes.items():
        if size > LIMITS[name]:
            raise _refuse(
                f"所选{ {'indicators': '指标', 'units': '单位', 'periods': '期间'}[name] }过多"
                f"（{size} > {LIMITS[name]}），请缩小范围",
                f"too many {name} ({size} > {LIMITS[name]}): narrow the selection",
                413,
            )


def day_of(selection: Selection) -> dt.date:
    """The tree is the one of the newest asked period's last day."""
    return (
        max(parse_period(p).end for p in selection.periods)
        if selection.periods
        else (dt.date.today())
    )


def chosen_units(store: Store, user: Principal, selection: Selection) -> pd.DataFrame:
    """The units of the selection (code, name, level), each in the user's scope."""
    day = day_of(selection)
    limit = LIMITS["units"]
    with store.begin() as conn:
        if selection.units:
            for code in selection.units:
                require_unit(user, store, code, day)
            return store_analytics.units_named(conn, selection.units, day)
        require_unit(user, store, selection.unit, day)
        depth = {SELF: 0, CHILDREN: 1}.get(selection.level)
        level = None if depth is not None else selection.level
        found = store_analytics.units_below(
            conn, selection.unit, day, depth=depth, level=level, limit=limit
        )
    if len(found) > limit:
        raise _refuse(
            f"该范围内的单位超过 {limit} 个，请选择更小的范围或更高的层级",
            f"more than {limit} units in this selection: pick a smaller unit or a higher level",
            413,
        )
    return found


def table(
    store: Store, user: Principal, plan: Plan, selection: Selection, lang: str
) -> pd.DataFrame:
    """One row per indicator × unit × period of the selection (cells without a stored
    result show as no data), labelled in ``lang``."""
    units = chosen_units(store, user, selection)
    cells = len(units) * len(selection.indicators) * len(selection.periods)
    if cells > LIMITS["cells"]:
        raise _refuse(
            f"所选单元格过多（{cells:,} > {LIMITS['cells']:,}），请缩小范围",
            f"too many cells ({cells:,} > {LIMITS['cells']:,}): narrow the selection",
            413,
        )
    with store.begin() as conn:
        found = store_analytics.cells(
            conn, plan.code, selection.indicators, list(units["code"]), selection.periods
        )
    grid = pd.MultiIndex.from_product(
        [list(selection.indicators), list(units["code"]), list(selection.periods)],
        names=["indicator", "org_unit", "period"],
    ).to_frame(index=False)
    frame = grid.merge(found, on=["indicator", "org_unit", "period"], how="left")
    frame = frame.merge(
        units.rename(columns={"code": "org_unit", "name": "org_unit_name"}), on="org_unit"
    )
    return _label(frame, plan, lang)


def _label(frame: pd.DataFrame, plan: Plan, lang: str) -> pd.DataFrame:
    by_code = {i.code: i for i in plan.indicators}
    zh = lang == "zh"
    ind = frame["indicator"].map(by_code)
    frame["indicator_name"] = ind.map(lambda i: i.name if zh else i.name_en)
    frame["unit"] = ind.map(lambda i: (i.unit if zh else (i.unit_en or i.unit)) or "")
    frame["decimals"] = ind.map(lambda i: i.decimals)
    frame["level_name"] = frame["level"].map(lambda lv: labels.pick(labels.LEVEL[lv], lang))
    status = frame["status"].fillna("no_data")
    frame["status"] = status
    frame["status_name"] = status.map(lambda s: labels.pick(labels.STATUS[s], lang))
    frame["value_text"] = [
        value_text(v, d, u)
        for v, d, u in zip(frame["value"], frame["decimals"], frame["unit"], strict=True)
    ]
    frame["target_text"] = [
        labels.target_text(c, t, d) if isinstance(c, str) else "—"
        for c, t, d in zip(frame["comparator"], frame["target"], frame["decimals"], strict=True)
    ]
    return frame


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The long rows as JSON-able dicts (NaN as null, full precision)."""
    keep = [
        "indicator", "indicator_name", "unit", "org_unit", "org_unit_name", "level", "period",
        "value", "target", "comparator", "status", "numerator", "denominator",
        "reporting_units", "expected_units", "run_id",
    ]  # fmt: skip
    part = frame.reindex(columns=keep)
    return paging.records(part)


def pivot(frame: pd.DataFrame, rows: str) -> dict[str, Any]:
    """The pivot table: ``rows`` down the side, the other two dimensions across.

    Returns ``{"columns": [(label, sublabel)...], "body": [(label, code, [cell...])...]}``,
    each cell ``{"text", "status"}``."""
    names = {
        "org_unit": dict(zip(frame["org_unit"], frame["org_unit_name"], strict=False)),
        "indicator": dict(zip(frame["indicator"], frame["indicator_name"], strict=False)),
        "period": {p: p for p in frame["period"]},
    }
    across = [d for d in ("indicator", "period", "org_unit") if d != rows]
    heads = frame[across].drop_duplicates().itertuples(index=False, name=None)
    columns = list(heads)
    cells = {
        (r[rows], *(r[a] for a in across)): {"text": r["value_text"], "status": r["status"]}
        for r in frame.to_dict("records")
    }
    body = []
    for key in dict.fromkeys(frame[rows]):
        row = [cells.get((key, *col), {"text": "—", "status": "no_data"}) for col in columns]
        body.append((names[rows][key], key, row))
    labelled = [(names[across[0]][a], names[across[1]][b]) for a, b in columns]
    return {"columns": labelled, "body": body}


def chart_series(frame: pd.DataFrame, kind: str) -> list[dict[str, Any]]:
    """What the charts draw: one panel per indicator (its own axis, decimals and unit).
    ``line``: periods along the axis, a series per unit; ``bar``: units along the axis
    (name and code: names repeat), a series per period. Values at full precision."""
    periods = sorted(frame["period"].unique())
    units = frame.drop_duplicates("org_unit")
    unit_labels = [
        f"{n} {c}" for n, c in zip(units["org_unit_name"], units["org_unit"], strict=True)
    ]
    panels = []
    for _code, part in frame.groupby("indicator", sort=False):
        first = part.iloc[0]
        cell = {(r["org_unit"], r["period"]): r["value"] for r in part.to_dict("records")}
        if kind == "line":
            categories = periods
            series = [
                {"name": label, "data": [_num(cell.get((code, p))) for p in periods]}
                for code, label in zip(units["org_unit"], unit_labels, strict=True)
            ]
        else:
            categories = unit_labels
            series = [
                {"name": p, "data": [_num(cell.get((code, p))) for code in units["org_unit"]]}
                for p in periods
            ]
        panels.append(
            {
                "title": first["indicator_name"],
                "unit": first["unit"],
                "decimals": int(first["decimals"]),
                "kind": kind,
                "categories": categories,
                "series": series,
            }
        )
    return panels


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def export_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The long table as a download: labelled columns, stored floats at full precision."""
    zh = lang == "zh"
    columns = {
        "indicator": "指标编码" if zh else "indicator",
        "indicator_name": "指标" if zh else "indicator name",
        "org_unit": "单位编码" if zh else "org unit",
        "org_unit_name": "单位" if zh else "org unit name",
        "level_name": "层级" if zh else "level",
        "period": "期间" if zh else "period",
        "value": "数值" if zh else "value",
        "unit": "计量单位" if zh else "unit",
        "target_text": "目标" if zh else "target",
        "status_name": "状态" if zh else "status",
        "reporting_units": "已报单位" if zh else "reporting units",
        "expected_units": "应报单位" if zh else "expected units",
    }
    return frame.reindex(columns=list(columns)).rename(columns=columns)

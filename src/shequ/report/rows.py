"""Indicator rows as every page and document prints them: the one home of "a value shown
with its indicator's decimals and unit".

`indicator_rows` labels a frame of indicator results (from `report.context`) for the
shared partial ``templates/_indicators.html``: the report, the scorecards and the web
pages all print the same text. Numbers are formatted here only; CSV/XLSX exports keep
the stored floats at full precision.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..framework import labels

#: the decimals of an indicator whose plan says nothing (framework default)
DEFAULT_DECIMALS = 1


def decimals_of(value: Any) -> int:
    """An indicator's decimals as stored in a frame: 0 stays 0 (a count never prints a
    decimal), a missing entry is the framework default."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DEFAULT_DECIMALS
    return int(value)


def clean(value: Any) -> Any:
    """NaN as None (no data is never a number)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def value_text(value: float | None, decimals: int, unit: str = "") -> str:
    """A value with its indicator's decimals and, when given, its unit: ``12 个``,
    ``38.5 %``, ``—`` for no data."""
    shown = labels.number(clean(value), decimals)
    return f"{shown} {unit}".rstrip() if unit and shown != "—" else shown


def signed(value: float | None, decimals: int) -> str:
    """A change with its sign, e.g. ``+1.5``; no data is a dash."""
    return "—" if value is None or pd.isna(value) else f"{value:+,.{decimals}f}"


def indicator_rows(frame: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """Rows of an indicator table: name, value, target, status, change, trend, projection
    and reporting, each printed with the indicator's decimals, labelled in ``lang``."""
    rows = []
    for r in frame.to_dict("records"):
        decimals = decimals_of(r.get("decimals"))
        trend = r.get("trend_status")
        reporting, expected = clean(r.get("reporting_units")), clean(r.get("expected_units"))
        rows.append(
            {
                "indicator": r["indicator"],
                "name": r["indicator_name"] if lang == "zh" else r["indicator_name_en"],
                "dimension": r.get("dimension"),
                "value": labels.number(clean(r["value"]), decimals),
                "raw_value": clean(r["value"]),
                "decimals": decimals,
                "unit": clean(r.get("unit") if lang == "zh" else r.get("unit_en")) or "",
                "target": labels.target_text(r.get("comparator"), clean(r.get("target")), decimals),
                "raw_target": clean(r.get("target")),
                "status": r["status"],
                "status_label": labels.pick(labels.STATUS.get(r["status"], ("", "")), lang),
                "change": signed(r.get("change_vs_baseline"), decimals),
                "trend": labels.pick(labels.TREND[trend], lang)
                if isinstance(trend, str) and trend in labels.TREND
                else "—",
                "projection": labels.number(clean(r.get("projected_value")), decimals),
                "reporting": "—"
                if reporting is None or expected is None
                else f"{int(reporting)}/{int(expected)}",
                "org_unit": r["org_unit"],
                "org_unit_name": r.get("org_unit_name"),
            }
        )
    return rows

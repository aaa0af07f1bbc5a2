"""The pandas peer: the same semantics written as a pandas user would write them.

`read` loads the three tables from the SQLite file (``pd.read_sql`` over ``sqlite3``);
`compute` pivots the values to one row per unit and period, computes each indicator's
numerator, denominator and "reports?" per unit, merges with the closure table filtered by
date and sums per ancestor with one ``groupby``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from formulas import ACCUMULATE_FROM, ACCUMULATED, AT_LEAST_ONE, FORMULAS, elements

from shequ.framework.periods import Period

KEY = ["org_unit", "period"]


@dataclass
class Tables:
    """The store's tables as DataFrames (dates stay ISO strings, which sort as dates)."""

    values: pd.DataFrame
    units: pd.DataFrame
    paths: pd.DataFrame


def read(path: Path, periods: Sequence[Period]) -> Tables:
    """Read the values of the data periods needed, every unit version and every path."""
    needed = sorted({e for code in FORMULAS for e in elements(code)})
    last = max(p.year for p in periods)
    data_periods = sorted(
        {p.code for p in periods} | {str(y) for y in range(ACCUMULATE_FROM, last + 1)}
    )
    marks = ", ".join("?" * len(needed))
    period_marks = ", ".join("?" * len(data_periods))
    with sqlite3.connect(path) as con:
        values = pd.read_sql(
            "SELECT data_element, org_unit, period, value FROM data_value "
            f"WHERE data_element IN ({marks}) AND period IN ({period_marks})",
            con,
            params=[*needed, *data_periods],
        )
        units = pd.read_sql("SELECT code, parent_code, valid_from, valid_to FROM org_unit", con)
        paths = pd.read_sql(
            "SELECT ancestor_code, descendant_code, depth, valid_from, valid_to FROM org_unit_path",
            con,
        )
    return Tables(values, units, paths)


def _on_day(frame: pd.DataFrame, calendar: pd.DataFrame) -> pd.DataFrame:
    """Rows valid on each period's last day, with that period."""
    both = frame.merge(calendar, how="cross")
    valid = (both["valid_from"] <= both["ref_date"]) & (both["valid_to"] > both["ref_date"])
    return both[valid].drop(columns=["valid_from", "valid_to", "ref_date"])


def _pivot(values: pd.DataFrame, calendar: pd.DataFrame) -> pd.DataFrame:
    """One row per (org_unit, period), one column per data element, plus ``opened_since``."""
    accumulated = FORMULAS[ACCUMULATED][0]
    plain = values[values["data_element"] != accumulated]
    wide = plain.set_index([*KEY, "data_element"])["value"].unstack("data_element")
    opened = values[values["data_element"] == accumulated]
    window = opened.merge(
        calendar[["period"]].rename(columns={"period": "eval_period"}), how="cross"
    )
    window = window[
        (window["period"] >= str(ACCUMULATE_FROM)) & (window["period"] <= window["eval_period"])
    ]
    since = window.groupby(["org_unit", "eval_period"])["value"].sum()
    since.index.names = KEY
    return wide.join(since.rename("opened_since"), how="outer")


def _per_unit(wide: pd.DataFrame) -> pd.DataFrame:
    """Per unit and period: ``<code>|n``, ``<code>|d`` (0 unless reporting), ``<code>|r``."""
    columns = {}
    for code, (numerator, denominator, _) in FORMULAS.items():
        if code == ACCUMULATED:
            num = wide["opened_since"]
            den = pd.Series(np.nan, index=wide.index)
            reports = num.notna()
        else:
            element = numerator.removesuffix(AT_LEAST_ONE)
            num = wide[element]
            if numerator.endswith(AT_LEAST_ONE):
                num = (num >= 1).astype(float)
            den = 1.0 if denominator == "1" else wide[denominator]
            reports = wide[list(elements(code))].notna().all(axis=1)
            den = pd.Series(den, index=wide.index)
        columns[f"{code}|n"] = num.where(reports, 0.0)
        columns[f"{code}|d"] = den.where(reports, 0.0)
        columns[f"{code}|r"] = reports.astype(np.int64)
    return pd.DataFrame(columns, index=wide.index)


def compute(tables: Tables, periods: Sequence[Period]) -> pd.DataFrame:
    """Indicator × unit × period rows (columns as `shequ.evaluate.indicators.OUTPUT`)."""
    calendar = pd.DataFrame(
        {"period": [p.code for p in periods], "ref_date": [p.end.isoformat() for p in periods]}
    )
    paths = _on_day(tables.paths, calendar)
    units = _on_day(tables.units, calendar)
    per_unit = _per_unit(_pivot(tables.values, calendar)).reset_index()

    joined = paths.merge(per_unit, left_on=["descendant_code", "period"], right_on=KEY)
    rolled = (
        joined.drop(columns=["descendant_code", "depth", "org_unit"])
        .groupby(["ancestor_code", "period"])
        .sum()
    )
    rolled.index.names = KEY

    parents = set(zip(units["parent_code"], units["period"], strict=True))
    is_leaf = [(c, p) not in parents for c, p in zip(units["code"], units["period"], strict=True)]
    leaves = units.loc[is_leaf, ["code", "period"]]
    expected = (
        paths.merge(leaves, left_on=["descendant_code", "period"], right_on=["code", "period"])
        .groupby(["ancestor_code", "period"])
        .size()
        .rename("expected_units")
    )
    expected.index.names = KEY

    grid = units[["code", "period"]].rename(columns={"code": "org_unit"}).set_index(KEY)
    grid = grid.join(rolled, how="left").join(expected, how="left")
    parts = []
    for code, (_, denominator, factor) in FORMULAS.items():
        count = grid[f"{code}|r"].fillna(0).astype(np.int64)
        numerator = grid[f"{code}|n"].where(count > 0)
        out = pd.DataFrame({"indicator": code, "numerator": numerator}, index=grid.index)
        if denominator is None:
            out["denominator"] = np.nan
            out["value"] = factor * numerator
        else:
            den = grid[f"{code}|d"].where(count > 0)
            out["denominator"] = den
            out["value"] = (factor * numerator / den).where(den != 0)
        out["reporting_units"] = count
        out["expected_units"] = grid["expected_units"].fillna(0).astype(np.int64)
        parts.append(out)
    return pd.concat(parts).reset_index()

"""Checking data values against a plan's validation rules and outlier settings.

Pure computation on pandas frames of values in long form (``org_unit, period,
data_element, value``); the store (`shequ.store.validation`), the importers and the web
entry grid feed it. Every finding is one row of `COLUMNS`: the unit, period, rule id,
importance, the two sides' values, the operator, the data elements read and a message in
Chinese and English. A rule's sides are evaluated per (unit, period) with the plan's
expression language (`shequ.framework.expressions`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from . import leave_one_out
from .validation import OutlierSettings, ValidationRule

COLUMNS = [
    "org_unit", "period", "rule", "importance", "left", "operator", "right",
    "data_elements", "message_zh", "message_en",
]  # fmt: skip
_COMPARE = {  # on arrays; the tolerance is relative to the right side (at least 1)
    "==": lambda a, b: np.abs(a - b) <= 1e-9 * np.maximum(1.0, np.abs(b)),
    "!=": lambda a, b: np.abs(a - b) > 1e-9 * np.maximum(1.0, np.abs(b)),
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b + 1e-9 * np.maximum(1.0, np.abs(b)),
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a + 1e-9 * np.maximum(1.0, np.abs(b)) >= b,
}
MODIFIED_Z_CONSTANT = 0.6745  # Iglewicz & Hoaglin: 0.6745 (x − median) / MAD


def empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Findings of several checks in one frame of `COLUMNS`."""
    found = [f for f in frames if not f.empty]
    return pd.concat(found, ignore_index=True) if found else empty()


def rule_violations(values: pd.DataFrame, rules: Iterable[ValidationRule]) -> pd.DataFrame:
    """Every (unit, period, rule) where the rule does not hold, as rows of `COLUMNS`.

    Vectorised: each rule's two sides are built once over all (unit, period) rows as NumPy
    arrays (`_ArrayBuilder`), with the missing-value strategy applied as masks; only the
    violating rows are turned into messages (a national file has millions of rows)."""
    rules = tuple(rules)
    if values.empty or not rules:
        return empty()
    units, periods, columns = _wide(values)
    found = []
    for rule in rules:
        left, right, checked, holds = _judged(rule, columns, len(units))
        for k in np.flatnonzero(checked & ~holds):
            found.append(_violation(rule, units[k], periods[k], _at(left, k), _at(right, k)))
    return pd.DataFrame(found, columns=COLUMNS)


def _wide(values: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One row per (unit, period) holding a value, in sorted order: units, periods and a
    column of values per data element (NaN where none; the first of repeated keys): what
    ``pivot_table(aggfunc="first")`` makes, built on codes instead of a frame."""
    x = pd.to_numeric(values["value"], errors="coerce").to_numpy(dtype=float)
    known = ~np.isnan(x)
    if not known.any():
        return np.array([], dtype=object), np.array([], dtype=object), {}
    units_in = values["org_unit"].astype(str).to_numpy()[known]
    periods_in = values["period"].astype(str).to_numpy()[known]
    unit_codes, unit_names = pd.factorize(units_in, sort=True)
    period_codes, period_names = pd.factorize(periods_in, sort=True)
    element_codes, element_names = pd.factorize(values["data_element"].to_numpy()[known], sort=True)
    pair = unit_codes.astype(np.int64) * len(period_names) + period_codes
    pairs, row = np.unique(pair, return_inverse=True)
    cell = row.astype(np.int64) * len(element_names) + element_codes
    cell, first = np.unique(cell, return_index=True)  # the first value of each cell
    grid = np.full(len(pairs) * len(element_names), np.nan)
    grid[cell] = x[known][first]
    grid = grid.reshape(len(pairs), len(element_names))
    units = np.asarray(unit_names, dtype=object)[pairs // len(period_names)]
    periods = np.asarray(period_names, dtype=object)[pairs % len(period_names)]
    columns = {str(e): grid[:, j] for j, e in enumerate(element_names)}
    return units, periods, columns


class _ArrayBuilder:
    """Builds an expression over whole columns (a missing element counts as 0)."""

    def __init__(self, columns: Mapping[str, np.ndarray], n: int) -> None:
        self.columns, self.n = columns, n

    def column(self, code: str) -> np.ndarray:
        found = self.columns.get(code)
        return np.zeros(self.n) if found is None else np.nan_to_num(found, nan=0.0)

    def number(self, value: float) -> np.ndarray:
        return np.full(self.n, float(value))

    def truth_as_number(self, condition) -> np.ndarray:
        return np.asarray(condition, dtype=float)

    def least(self, args: list) -> np.ndarray:
        return np.minimum.reduce(args)

    def greatest(self, args: list) -> np.ndarray:
        return np.maximum.reduce(args)


def _side(expression, columns: Mapping[str, np.ndarray], n: int, strategy: str):
    """(value, none, skip) arrays: ``none`` where no element of the side has a value,
    ``skip`` where some are missing and the strategy skips such rows."""
    names = expression.elements
    value = np.asarray(expression.build(_ArrayBuilder(columns, n)), dtype=float)
    if not names:
        return value, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    have = np.array([~np.isnan(columns[m]) if m in columns else np.zeros(n, bool) for m in names])
    none = ~have.any(axis=0)
    skip = ~none & ~have.all(axis=0) & (strategy == "skip_if_any_value_missing")
    return value, none, skip


def _judged(rule: ValidationRule, columns: Mapping[str, np.ndarray], n: int):
    """Both sides (NaN where a side has no value), the rows the rule applies to, and
    whether it holds there."""
    strategy = rule.missing_value_strategy
    lv, l_none, l_skip = _side(rule.left_expr, columns, n, strategy)
    rv, r_none, r_skip = _side(rule.right_expr, columns, n, strategy)
    if rule.operator in ("compulsory_pair", "exclusive_pair"):
        has_left, has_right = ~l_none, ~r_none  # a skipped side still has a value
        holds = (
            has_left == has_right if rule.operator == "compulsory_pair" else ~(has_left & has_right)
        )
        left = np.where(l_none | l_skip, np.nan, lv)
        right = np.where(r_none | r_skip, np.nan, rv)
        return left, right, np.ones(n, dtype=bool), holds
    checked = ~(l_skip | r_skip)
    if strategy != "never_skip":
        checked &= ~(l_none & r_none)
        if strategy == "skip_if_any_value_missing":
            checked &= ~(l_none | r_none)
    left, right = np.where(l_none, 0.0, lv), np.where(r_none, 0.0, rv)
    with np.errstate(invalid="ignore"):
        holds = _COMPARE[rule.operator](left, right)
    return left, right, checked, holds


def _at(side: np.ndarray, k: int) -> float | None:
    value = float(side[k])
    return None if math.isnan(value) else value


def _violation(rule: ValidationRule, unit: str, period: str, left, right) -> list:
    shown = [None if v is None or math.isnan(v) else round(v, 6) for v in (left, right)]
    needs = f"{rule.left_side} {rule.operator} {rule.right_side}"
    actual = f"{_fmt(shown[0])} : {_fmt(shown[1])}"
    return [
        unit, period, rule.id, rule.importance, shown[0], rule.operator, shown[1],
        ",".join(rule.elements), f"{rule.message}（应满足 {needs}，实为 {actual}）",
        f"{rule.message_en} (needs {needs}; is {actual})",
    ]  # fmt: skip


def _fmt(value: float | None) -> str:
    if value is None:
        return "空/none"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def outliers(
    checked: pd.DataFrame,
    context: pd.DataFrame,
    parents: Mapping[str, str | None],
    settings: OutlierSettings,
) -> pd.DataFrame:
    """Outliers among ``checked`` values, compared with the rest of ``context``.

    *History*: a value against the same unit's values of the other periods in
    ``context``. *Peers*: against the values of the other units with the same parent
    (``parents``) in the same period. Both leave the checked value out of the reference,
    so one wild value cannot hide itself; z = (x − mean) / sample standard deviation,
    modified z = 0.6745 (x − median) / MAD. Fewer than ``settings.min_values`` reference
    values, or a zero spread, means no verdict. Bounds per unit are checked as given.
    """
    if checked.empty:
        return empty()
    if settings.data_elements is not None:
        checked = checked[checked["data_element"].isin(settings.data_elements)]
    checked = checked.reset_index(drop=True)
    keys = ["data_element", "org_unit", "period"]
    # the checked values first, so each is in the reference frame exactly once (its own
    # row is what "leave one out" leaves out)
    frame = pd.concat([checked[[*keys, "value"]], context[[*keys, "value"]]], ignore_index=True)
    frame = frame.drop_duplicates(keys, keep="first").reset_index(drop=True)
    frame["parent"] = frame["org_unit"].map(parents)
    x = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    mine = frame.index[: len(checked.drop_duplicates(keys))]
    units, periods, elements = (frame[k].to_numpy() for k in ("org_unit", "period", "data_element"))
    found: list[tuple[int, int, list]] = []
    for grouping, methods in (
        (["org_unit", "data_element"], [m for m in settings.methods if m.startswith("history")]),
        (["parent", "period", "data_element"], [m for m in settings.methods if m.startswith("peer")]),
    ):  # fmt: skip
        if not methods:
            continue
        codes = frame.groupby(grouping, dropna=False, sort=False).ngroup().to_numpy()
        stats = leave_one_out.others(codes, x)
        for method in methods:
            for i, centre, score, limit in _flagged(method, x[mine], stats, mine, settings):
                order = settings.methods.index(method)
                found.append((i, order, _outlier(
                    method, units[i], periods[i], elements[i], x[i], centre, score, limit,
                    settings,
                )))  # fmt: skip
    found.sort(key=lambda item: item[:2])
    return pd.DataFrame([f for *_, f in found] + _bounds(checked, settings), columns=COLUMNS)


def _flagged(method, x, stats, positions, settings):
    """(position, centre, score, limit) of the checked values beyond the method's limit."""
    enough = stats.count[positions] >= settings.min_values
    with np.errstate(invalid="ignore", divide="ignore"):
        if method.endswith("modified_z"):
            centre, spread = stats.median[positions], stats.mad[positions]
            score = MODIFIED_Z_CONSTANT * (x - centre) / spread
            limit = settings.modified_z_score
        else:
            centre, spread = stats.mean[positions], stats.std[positions]
            score = (x - centre) / spread
            limit = settings.z_score
        beyond = enough & (spread > 0) & (np.abs(score) > limit)
    for k in np.flatnonzero(beyond):
        yield int(positions[k]), float(centre[k]), float(score[k]), limit


_METHOD_WORDS = {
    "history_z": ("自身历史 z 分数", "z-score against its own history"),
    "history_modified_z": ("自身历史修正 z 分数", "modified z-score against its own history"),
    "peer_z": ("同级单位 z 分数", "z-score against its peers"),
    "peer_modified_z": ("同级单位修正 z 分数", "modified z-score against its peers"),
}


def _outlier(method, unit, period, element, x, centre, score, limit, settings) -> list:
    zh, en = _METHOD_WORDS[method]
    centre_word = ("中位数", "median") if method.endswith("modified_z") else ("均值", "mean")
    return [
        unit, period, method, settings.importance, x, f"|z|={abs(score):.2f}>{limit:g}",
        round(centre, 6), element,
        f"{element} = {_fmt(x)} 疑似异常值：{zh} {score:.2f}（{centre_word[0]} {_fmt(centre)}）",
        f"{element} = {_fmt(x)} may be an outlier: {en} {score:.2f} ({centre_word[1]} {_fmt(centre)})",
    ]  # fmt: skip


def _bounds(checked: pd.DataFrame, settings: OutlierSettings) -> list[list]:
    found: list[list] = []
    limits = {(b.org_unit, b.data_element): b for b in settings.bounds}
    if not limits:
        return found
    bounded = checked.set_index(["org_unit", "data_element"]).index.isin(list(limits))
    for row in checked[bounded].itertuples(index=False):
        bound = limits.get((row.org_unit, row.data_element))
        if bound is None:
            continue
        x = float(row.value)
        for side, limit, op, bad in (("min", bound.min, ">=", x < (bound.min or 0)),
                                     ("max", bound.max, "<=", x > (bound.max or 0))):  # fmt: skip
            if limit is not None and bad:
                found.append([
                    row.org_unit, row.period, f"bounds_{side}", settings.importance, x, op, limit,
                    row.data_element,
                    f"{row.data_element} = {_fmt(x)} 超出该单位的范围（{side} {_fmt(limit)}）",
                    f"{row.data_element} = {_fmt(x)} is outside the unit's range ({side} {_fmt(limit)})",
                ])  # fmt: skip
    return found

"""Trends: is a unit that has not met its target yet on course to meet it by the target date?

For each evaluated row (indicator × org unit × period) the unit's own history of that
indicator is fitted with a Theil–Sen line (the median of the slopes between every pair of
points; one outlier barely moves it) and the line is projected to the target period:

* the points are the unit's non-missing values at periods of the same type as the evaluated
  one (years with years, quarters with quarters, months with months), up to and including
  it; x is the time in years at the period's midpoint (2023 → 2023.5, 2023Q1 → 2023.125,
  2023-07 → 2023 + 6.5/12), so slopes are per year;
* the projection is the line's value at the last period of that type inside the target
  period (a yearly series with target 2025 → x = 2025.5; a quarterly one → 2025Q4); the
  line is anchored at the medians of x and y (the same line as scipy's ``intercept``, which
  is ``median(y) − slope·median(x)``, but without the cancellation of an intercept at year 0);
* ``on_track`` when the projection meets the target (the comparator exactly as in
  `attainment`, after rounding to 9 decimals); ``at_risk`` when only the projection with the
  favourable end of the slope's confidence interval (upper end when higher is better,
  lower end for ``<=``, ``<`` and ``reduce_by``), pivoting on the same anchor, meets it;
  ``off_track`` otherwise, and whenever the target period has ended by the end of the
  evaluated period without the target being met (this is decided before the number of
  points is looked at: a passed date needs no trend).

Statuses, in order of precedence: ``no_target`` (no comparator or target period),
``no_data`` (no value this period, or a ``reduce_by`` target whose baseline is missing),
``met``, ``off_track`` (target date passed), ``insufficient_data`` (fewer than
``min_points`` points), then ``on_track`` / ``at_risk`` / ``off_track`` from the projection.
Slope, interval and projection are given whenever there are at least ``min_points`` points
(and a target period, for the projection), whatever the status.

Cost: every pair of points is used, O(n²) per series, but series are short. Series are
batched by their number of points and the slopes computed as numpy arrays (the same
arithmetic as `scipy.stats.theilslopes`, which would cost ~0.2 ms per series called one by
one); 20 000 units × 13 indicators × 6 years take a few seconds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..framework.periods import midpoint_years, period_facts
from ._theil_sen import theil_sen as theil_sen
from ._theil_sen import theil_sen_rows
from .attainment import COMPARATORS

TREND_STATUSES = (
    "met",
    "on_track",
    "at_risk",
    "off_track",
    "insufficient_data",
    "no_data",
    "no_target",
)
TREND_COLUMNS = [
    "indicator",
    "org_unit",
    "period",
    "value",
    "previous_period",
    "previous_value",
    "change_vs_previous",
    "baseline_value",
    "change_vs_baseline",
    "n_points",
    "slope",
    "slope_low",
    "slope_high",
    "projected_value",
    "trend_status",
    "note_zh",
    "note_en",
]
CURRENT_COLUMNS = [
    "indicator",
    "org_unit",
    "period",
    "value",
    "target",
    "comparator",
    "target_period",
    "baseline_value",
    "status",
]
HIGHER_IS_BETTER = (">=", ">")
_SYMBOL_ZH = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "reduce_by": "≤"}
_SYMBOL_EN = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "reduce_by": "<="}


def assess_trends(
    history: pd.DataFrame,
    current: pd.DataFrame,
    *,
    min_points: int = 3,
    alpha: float = 0.90,
) -> pd.DataFrame:
    """One row per row of ``current`` (same index), with `TREND_COLUMNS`.

    ``history`` has indicator, org_unit, period, value for earlier periods (it may also hold
    the evaluated ones; ``current``'s value wins); ``current`` is the evaluation's rows for
    the evaluated period(s), with `CURRENT_COLUMNS` (see `attainment.assess`: for
    ``reduce_by`` the ``target`` is already the absolute threshold). ``alpha`` is the
    confidence level of the slope's interval, ``min_points`` the fewest points (≥ 2) a trend
    is judged on. See the module docstring for the rules and the cost.
    """
    if min_points < 2:
        msg = f"min_points 至少为 2，得到 {min_points} / min_points must be at least 2, got {min_points}"
        raise ValueError(msg)
    if not 0 < alpha < 1:
        msg = f"alpha 应在 0 与 1 之间，得到 {alpha} / alpha must be between 0 and 1, got {alpha}"
        raise ValueError(msg)
    missing = [c for c in CURRENT_COLUMNS if c not in current.columns]
    missing += [f"history.{c}" for c in CURRENT_COLUMNS[:4] if c not in history.columns]
    if missing:
        msg = f"缺少列：{', '.join(missing)} / missing columns: {', '.join(missing)}"
        raise ValueError(msg)

    cur = current[CURRENT_COLUMNS].reset_index(drop=True)
    size = len(cur)
    value = pd.to_numeric(cur["value"], errors="coerce").to_numpy(dtype=float)
    now = _periods(cur["period"])
    kind, x_now = now["kind"].to_numpy(), now["x"].to_numpy(dtype=float)

    points = _points(history, cur, kind, x_now)
    rid = points["rid"].to_numpy()
    n_points = np.bincount(rid, minlength=size)

    earlier = points[points["x"].to_numpy() < x_now[rid]]
    previous = earlier.drop_duplicates("rid", keep="last")
    previous_period = np.full(size, None, dtype=object)
    previous_value = np.full(size, np.nan)
    previous_period[previous["rid"].to_numpy()] = previous["code"].to_numpy()
    previous_value[previous["rid"].to_numpy()] = previous["value"].to_numpy()

    fit = _fit_all(points, n_points, min_points, alpha)
    slope, low, high, mid_x, mid_y = fit

    comparator = cur["comparator"].where(cur["comparator"].isin(list(COMPARATORS)))
    target_period = cur["target_period"]
    has_target = comparator.notna().to_numpy() & target_period.notna().to_numpy()
    x_end, passed = _target_positions(target_period, kind, now["end"], has_target)
    projected = mid_y + slope * (x_end - mid_x)
    higher = comparator.isin(HIGHER_IS_BETTER).to_numpy()
    favourable = mid_y + np.where(higher, high, low) * (x_end - mid_x)
    target = pd.to_numeric(cur["target"], errors="coerce").to_numpy(dtype=float)

    status = _status(
        has_target=has_target,
        value=value,
        target=target,
        met=(cur["status"] == "met").to_numpy(),
        passed=passed,
        enough=n_points >= min_points,
        on_track=_meets(projected, comparator, target),
        at_risk=_meets(favourable, comparator, target),
    )
    notes = [
        _note(*row, min_points)
        for row in zip(
            status,
            passed,
            n_points,
            target_period,
            comparator,
            target,
            projected,
            favourable,
            value,
            strict=True,
        )
    ]
    baseline = pd.to_numeric(cur["baseline_value"], errors="coerce").to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "indicator": cur["indicator"].to_numpy(),
            "org_unit": cur["org_unit"].to_numpy(),
            "period": cur["period"].to_numpy(),
            "value": value,
            "previous_period": previous_period,
            "previous_value": previous_value,
            "change_vs_previous": value - previous_value,
            "baseline_value": baseline,
            "change_vs_baseline": value - baseline,
            "n_points": n_points,
            "slope": slope,
            "slope_low": low,
            "slope_high": high,
            "projected_value": projected,
            "trend_status": status,
            "note_zh": [zh for zh, _ in notes],
            "note_en": [en for _, en in notes],
        },
        index=current.index,
    )
    return out[TREND_COLUMNS]


def _periods(codes: pd.Series) -> pd.DataFrame:
    """kind, x, end (datetime64) and normalised code of each period code (same index)."""
    unique = pd.unique(codes)
    info = [period_facts(c) for c in unique]
    table = pd.DataFrame(
        {
            "kind": [i[0] for i in info],
            "x": [i[1] for i in info],
            "end": np.array([i[2] for i in info], dtype="datetime64[D]"),
            "code": [i[3] for i in info],
        }
    )
    rows = pd.Index(unique).get_indexer(codes)
    return table.iloc[rows].set_axis(codes.index)


def _points(
    history: pd.DataFrame, cur: pd.DataFrame, kind: np.ndarray, x_now: np.ndarray
) -> pd.DataFrame:
    """Each current row's points: rid (its row number), x, value, code; sorted by rid, x."""
    columns = ["indicator", "org_unit", "period", "value"]
    both = pd.concat([cur[columns], history[columns]], ignore_index=True)
    both = both.join(_periods(both["period"]))
    both["value"] = pd.to_numeric(both["value"], errors="coerce").astype(float)
    # current rows come first, so their value wins over a history row of the same period
    both = both.drop_duplicates(["indicator", "org_unit", "code"], keep="first")
    both = both[both["value"].notna()]
    rows = pd.DataFrame(
        {
            "rid": np.arange(len(cur)),
            "indicator": cur["indicator"].to_numpy(),
            "org_unit": cur["org_unit"].to_numpy(),
            "kind": kind,
            "x_now": x_now,
        }
    )
    keys = ["indicator", "org_unit", "kind"]
    merged = rows.merge(both[[*keys, "x", "value", "code"]], on=keys, how="inner")
    merged = merged[merged["x"] <= merged["x_now"]]
    return merged[["rid", "x", "value", "code"]].sort_values(["rid", "x"], kind="stable")


def _fit_all(
    points: pd.DataFrame, n_points: np.ndarray, min_points: int, alpha: float
) -> tuple[np.ndarray, ...]:
    """Slope, low, high, median x, median y per current row (NaN below ``min_points``)."""
    size = len(n_points)
    fit = tuple(np.full(size, np.nan) for _ in range(5))
    rid = points["rid"].to_numpy()
    x = points["x"].to_numpy(dtype=float)
    y = points["value"].to_numpy(dtype=float)
    count = n_points[rid]
    for n in np.unique(count[count >= min_points]):
        mine = count == n
        rows = rid[mine][:: int(n)]
        batch = theil_sen_rows(x[mine].reshape(-1, n), y[mine].reshape(-1, n), alpha)
        for column, values in zip(fit, batch, strict=True):
            column[rows] = values
    return fit


def _target_positions(
    target_period: pd.Series, kind: np.ndarray, end_now: pd.Series, has_target: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """x of the last period of each row's type inside its target period, and whether the
    target period has ended by the end of the row's period."""
    x_end = np.full(len(kind), np.nan)
    passed = np.zeros(len(kind), dtype=bool)
    rows = np.flatnonzero(has_target)
    pairs = pd.DataFrame({"target": target_period.to_numpy()[rows], "kind": kind[rows]})
    group = pairs.groupby(["target", "kind"], sort=False).ngroup().to_numpy()
    first = pairs.drop_duplicates()
    ends = [period_facts(t)[2] for t in first["target"]]
    x_end[rows] = np.array(
        [midpoint_years(k, e) for k, e in zip(first["kind"], ends, strict=True)]
    )[group]
    passed[rows] = np.array(ends, dtype="datetime64[D]")[group] <= end_now.to_numpy()[rows]
    return x_end, passed


def _meets(values: np.ndarray, comparator: pd.Series, target: np.ndarray) -> np.ndarray:
    """Whether each value meets its target, as `attainment` compares (9 decimals)."""
    left, right = np.round(values, 9), np.round(target, 9)
    met = np.zeros(len(values), dtype=bool)
    for name, compare in COMPARATORS.items():
        rows = (comparator == name).to_numpy()
        with np.errstate(invalid="ignore"):
            met[rows] = np.asarray(compare(left[rows], right[rows]), dtype=bool)
    return met


def _status(
    *,
    has_target: np.ndarray,
    value: np.ndarray,
    target: np.ndarray,
    met: np.ndarray,
    passed: np.ndarray,
    enough: np.ndarray,
    on_track: np.ndarray,
    at_risk: np.ndarray,
) -> np.ndarray:
    conditions = [
        ~has_target,
        np.isnan(value) | np.isnan(target),
        met,
        passed,
        ~enough,
        on_track,
        at_risk,
    ]
    choices = [
        "no_target",
        "no_data",
        "met",
        "off_track",
        "insufficient_data",
        "on_track",
        "at_risk",
    ]
    return np.select(conditions, choices, default="off_track").astype(object)


def _number(value: float) -> str:
    """Short display of a value: two decimals at most (three significant digits below 1)."""
    if math.isnan(value):
        return "—"
    if abs(value) < 1:
        return f"{value:.3g}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _note(
    status: str,
    passed: bool,
    n_points: int,
    target_period: object,
    comparator: object,
    target: float,
    projected: float,
    favourable: float,
    value: float,
    min_points: int,
) -> tuple[str, str]:
    """(Chinese, English) explanation of one row's trend status."""
    if status == "no_target":
        return "无目标，不判断趋势", "no target; trend not assessed"
    if status == "no_data":
        if math.isnan(value):
            return "本期无数据", "no data for this period"
        return "缺少基期值，目标无法确定", "no baseline value, so the target is unknown"
    shown = _number(target)
    goal_zh, goal_en = f"{_SYMBOL_ZH[comparator]}{shown}", f"{_SYMBOL_EN[comparator]} {shown}"
    kind, _, _, code = period_facts(target_period)
    when_zh = f"{code}年" if kind == "year" else code
    if status == "met":
        return f"本期已达标（目标{goal_zh}）", f"target met this period (target {goal_en})"
    if status == "insufficient_data":
        return (
            f"仅有{n_points}期数据，判断趋势至少需要{min_points}期",
            f"only {n_points} period(s) of data; at least {min_points} are needed to judge a trend",
        )
    if status == "off_track" and passed:  # decided before any projection
        return (
            f"目标期限{when_zh}已过，未达标（目标{goal_zh}）",
            f"the target date ({code}) has passed and the target ({goal_en}) is not met",
        )
    ahead = _number(projected)
    trend_zh = f"按近{n_points}期趋势，预计{when_zh}"
    trend_en = f"on the trend of the last {n_points} periods, projected {ahead} by {code}"
    if status == "on_track":
        return (
            f"{trend_zh}达到{ahead}（目标{goal_zh}）",
            f"{trend_en} (target {goal_en})",
        )
    best = _number(favourable)
    end_zh = "上限" if comparator in HIGHER_IS_BETTER else "下限"
    end_en = "upper" if comparator in HIGHER_IS_BETTER else "lower"
    if status == "at_risk":
        return (
            f"{trend_zh}为{ahead}，未达目标{goal_zh}；按趋势区间{end_zh}可达{best}",
            f"{trend_en}, short of the target ({goal_en}); the {end_en} end of the trend range reaches {best}",
        )
    return (
        f"{trend_zh}为{ahead}，未达目标{goal_zh}；按趋势区间{end_zh}也仅为{best}",
        f"{trend_en}, short of the target ({goal_en}); even the {end_en} end of the trend range gives only {best}",
    )

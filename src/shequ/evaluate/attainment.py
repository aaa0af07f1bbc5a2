"""Attainment: compare each indicator value with the target that applies to it.

Which target applies to unit U in period P: among the plan's targets for the indicator
whose scope is the whole plan or an ancestor of U (or U itself) on P's last day, take the
nearest target period not before P (else the latest one), then the most specific scope.

Status: ``no_target`` when none applies, ``no_data`` when the value (or, for ``reduce_by``,
the baseline) is missing, else ``met`` / ``not_met`` with the comparator exactly as the
plan says (``>`` 35 is not met by 35.0). ``reduce_by`` X is met when the value is at most
(100 − X) % of the same unit's value in the baseline period. Values are compared after
rounding to 9 decimals, so that binary floating point does not flip a boundary case.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from ..framework.models import Plan, Target
from ..framework.periods import parse_period

STATUSES = ("met", "not_met", "no_data", "no_target")
_COMPARE: dict[str, Callable[[object, object], object]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "reduce_by": operator.le,
}
ScopeDepths = Mapping[tuple[str, str], Mapping[str, int]]  # (scope, period) -> {unit: depth}


def assess(
    values: pd.DataFrame,
    plan: Plan,
    *,
    baselines: pd.DataFrame,
    scope_depths: ScopeDepths,
) -> pd.DataFrame:
    """Add ``target, comparator, target_period, baseline_value, status`` to ``values``.

    ``values`` has indicator, org_unit, period, level, value; ``baselines`` those for the
    baseline periods; ``scope_depths`` the members of each scoped target's subtree.
    """
    chosen = _choose_targets(values, plan, scope_depths)
    out = values.merge(chosen, on=["indicator", "org_unit", "period"], how="left")
    base = baselines.rename(columns={"period": "baseline_period", "value": "baseline_value"})
    out = out.merge(
        base[["indicator", "org_unit", "baseline_period", "baseline_value"]],
        on=["indicator", "org_unit", "baseline_period"],
        how="left",
    )
    reduce = out["comparator"] == "reduce_by"
    out["target"] = np.where(
        reduce, out["baseline_value"] * (1 - out["target_value"] / 100), out["target_value"]
    )
    out["status"] = _status(out)
    return out.drop(columns=["target_value", "baseline_period"])


def _choose_targets(values: pd.DataFrame, plan: Plan, scope_depths: ScopeDepths) -> pd.DataFrame:
    keys = values[["indicator", "org_unit", "period", "level"]].drop_duplicates()
    rows = []
    for target in plan.targets:
        mine = keys[keys["indicator"] == target.indicator]
        if target.level is not None:
            mine = mine[mine["level"] == target.level]
        if target.scope is not None:
            depth = mine.apply(
                lambda r, t=target: scope_depths.get((t.scope, r["period"]), {}).get(r["org_unit"]),
                axis=1,
            )
            mine = mine.assign(scope_rank=depth).dropna(subset=["scope_rank"])
        else:
            mine = mine.assign(scope_rank=np.inf)
        rows.append(_with_target(mine, target))
    if not rows:
        return pd.DataFrame(columns=["indicator", "org_unit", "period", *_TARGET_COLUMNS])
    candidates = pd.concat(rows, ignore_index=True)
    candidates = candidates.sort_values(["period_rank", "scope_rank"])
    best = candidates.drop_duplicates(["indicator", "org_unit", "period"], keep="first")
    return best[["indicator", "org_unit", "period", *_TARGET_COLUMNS]]


_TARGET_COLUMNS = ["target_value", "comparator", "target_period", "baseline_period"]


def _with_target(rows: pd.DataFrame, target: Target) -> pd.DataFrame:
    target_end = parse_period(target.period).end
    ends = rows["period"].map(lambda p: parse_period(p).end)
    gap = ends.map(lambda end: (target_end - end).days)
    # targets at or after the period first (nearest first), then past ones (latest first)
    period_rank = gap.where(gap >= 0, 1_000_000 - gap)
    return rows.assign(
        target_value=float(target.value),
        comparator=target.comparator,
        target_period=target.period,
        baseline_period=target.baseline_period,
        period_rank=period_rank,
    )


def _status(frame: pd.DataFrame) -> pd.Series:
    status = pd.Series("no_target", index=frame.index, dtype=object)
    has_target = frame["comparator"].notna()
    status[has_target] = "no_data"
    value = frame["value"].astype(float).round(9)
    target = frame["target"].astype(float).round(9)
    for comparator, compare in _COMPARE.items():
        rows = has_target & (frame["comparator"] == comparator) & value.notna() & target.notna()
        met = compare(value[rows], target[rows])
        status[rows] = np.where(met, "met", "not_met")
    return status

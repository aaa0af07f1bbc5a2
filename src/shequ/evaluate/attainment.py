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
COMPARATORS: dict[str, Callable[[object, object], object]] = {
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
    """The applicable target of every (indicator, unit, period).

    Plan-wide targets depend only on (indicator, period, level), so they are chosen on
    those few combinations and joined; scoped targets are resolved for the units in their
    subtrees only, against the plan-wide choice.
    """
    keys = ["indicator", "org_unit", "period"]
    combos = values[["indicator", "period", "level"]].drop_duplicates()
    wide = [_with_target(_for_target(combos, t), t) for t in plan.targets if t.scope is None]
    chosen = _best(wide, ["indicator", "period", "level"])
    best = values[[*keys, "level"]].merge(chosen, on=["indicator", "period", "level"])
    scoped = [t for t in plan.targets if t.scope is not None]
    if scoped:
        best = _apply_scoped(values, best, scoped, scope_depths)
    return best[[*keys, *_TARGET_COLUMNS]]


def _for_target(rows: pd.DataFrame, target: Target) -> pd.DataFrame:
    mine = rows[rows["indicator"] == target.indicator]
    return mine if target.level is None else mine[mine["level"] == target.level]


def _best(candidates: list[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    columns = [*by, *_TARGET_COLUMNS, "period_rank", "scope_rank"]
    if not candidates:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(candidates, ignore_index=True).sort_values(["period_rank", "scope_rank"])
    return frame.drop_duplicates(by, keep="first")[columns]


def _apply_scoped(
    values: pd.DataFrame, best: pd.DataFrame, scoped: list[Target], scope_depths: ScopeDepths
) -> pd.DataFrame:
    keys = ["indicator", "org_unit", "period"]
    candidates = []
    for target in scoped:
        members = pd.DataFrame(
            [
                (period, unit, depth)
                for (scope, period), depths in scope_depths.items()
                if scope == target.scope
                for unit, depth in depths.items()
            ],
            columns=["period", "org_unit", "scope_rank"],
        )
        rows = _for_target(values[[*keys, "level"]], target).merge(
            members, on=["period", "org_unit"]
        )
        candidates.append(_with_target(rows, target, scope_rank=None))
    touched = pd.concat(candidates)[keys].drop_duplicates()
    plan_wide = best.merge(touched, on=keys)
    resolved = _best([*candidates, plan_wide], keys)
    rest = best.merge(touched, on=keys, how="left", indicator=True)
    rest = rest[rest["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([rest, resolved], ignore_index=True)


_TARGET_COLUMNS = ["target_value", "comparator", "target_period", "baseline_period"]


def _with_target(
    rows: pd.DataFrame, target: Target, scope_rank: float | None = np.inf
) -> pd.DataFrame:
    """Candidate rows for ``target``, ranked: targets at or after the period first (nearest
    first), then past ones (latest first); plan-wide scopes rank after any subtree."""
    target_end = parse_period(target.period).end
    gaps = {p: (target_end - parse_period(p).end).days for p in rows["period"].unique()}
    gap = rows["period"].map(gaps)
    out = rows.assign(
        target_value=float(target.value),
        comparator=target.comparator,
        target_period=target.period,
        baseline_period=target.baseline_period,
        period_rank=gap.where(gap >= 0, 1_000_000 - gap),
    )
    return out if scope_rank is None else out.assign(scope_rank=scope_rank)


def _status(frame: pd.DataFrame) -> pd.Series:
    status = pd.Series("no_target", index=frame.index, dtype=object)
    has_target = frame["comparator"].notna()
    status[has_target] = "no_data"
    value = frame["value"].astype(float).round(9)
    target = frame["target"].astype(float).round(9)
    for comparator, compare in COMPARATORS.items():
        rows = has_target & (frame["comparator"] == comparator) & value.notna() & target.notna()
        met = compare(value[rows], target[rows])
        status[rows] = np.where(met, "met", "not_met")
    return status

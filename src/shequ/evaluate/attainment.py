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
import pyarrow as pa

from .. import progress
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
    values: pa.Table | pd.DataFrame,
    plan: Plan,
    *,
    baselines: pa.Table | pd.DataFrame,
    scope_depths: ScopeDepths,
) -> pa.Table:
    """``values`` with ``target, comparator, target_period, baseline_value, status`` added.

    ``values`` has indicator, org_unit, period, level, value (other columns pass through);
    ``baselines`` indicator, org_unit, period, value for the baseline periods;
    ``scope_depths`` the members of each scoped target's subtree."""
    with progress.quiet_duckdb() as con:
        con.register("v", values)
        con.register("b", baselines)
        return con.execute(assessed_sql(con, plan, scope_depths=scope_depths)).to_arrow_table()


def assessed_sql(con, plan: Plan, *, scope_depths: ScopeDepths) -> str:
    """The query of `assess` over the relations ``v`` (values) and ``b`` (baselines) of the
    DuckDB connection ``con``. The targets are chosen on the few (indicator, period, level)
    combinations (and, for scoped targets, on their subtrees' units) in pandas and
    registered in ``con``; the millions of rows are joined and compared by DuckDB, never as
    pandas rows (a national run keeps them in DuckDB tables: `results.assemble`)."""
    combos = con.execute("SELECT DISTINCT indicator, period, level FROM v").df()
    wide = [_with_target(_for_target(combos, t), t) for t in plan.targets if t.scope is None]
    con.register("w", _typed(_best(wide, _WIDE_KEYS)))
    scoped = _scoped(con, plan, scope_depths)
    if scoped is not None:
        con.register("s", _typed(scoped))
    return _sql(scoped is not None)


_WIDE_KEYS = ["indicator", "period", "level"]
_KEYS = ["indicator", "org_unit", "period"]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Target columns with fixed types (DuckDB cannot type an empty object column)."""
    out = frame.copy()
    out["target_value"] = out["target_value"].astype(float)
    for column in [c for c in out.columns if c != "target_value"]:
        if column != "scope_rank" and column != "period_rank":
            out[column] = out[column].astype("string")
    return out


def _sql(with_scoped: bool) -> str:
    """Choose each row's target (scoped over plan-wide), join its baseline, compare."""
    chosen = [
        f"CASE WHEN s.indicator IS NULL THEN w.{c} ELSE s.{c} END AS {c}"
        if with_scoped
        else f"w.{c}"
        for c in _TARGET_COLUMNS
    ]
    scoped = (
        "LEFT JOIN s ON s.indicator = v.indicator AND s.org_unit = v.org_unit"
        " AND s.period = v.period"
        if with_scoped
        else ""
    )
    compare = " ".join(
        f"WHEN '{c}' THEN round(value, 9) {'<=' if c == 'reduce_by' else c} round(target, 9)"
        for c in COMPARATORS
    )
    return f"""
    WITH t AS (
        SELECT v.*, {", ".join(chosen)} FROM v {scoped}
        LEFT JOIN w ON w.indicator = v.indicator AND w.period = v.period AND w.level = v.level
    ), based AS (
        SELECT t.* EXCLUDE (target_value, baseline_period), b.value AS baseline_value,
               CASE WHEN t.comparator = 'reduce_by'
                    THEN b.value * (1 - t.target_value / 100) ELSE t.target_value END AS target
        FROM t LEFT JOIN b ON b.indicator = t.indicator AND b.org_unit = t.org_unit
                          AND b.period = t.baseline_period
    )
    SELECT *, CASE WHEN comparator IS NULL THEN 'no_target'
                   WHEN value IS NULL OR isnan(value) OR target IS NULL OR isnan(target)
                        THEN 'no_data'
                   WHEN CASE comparator {compare} END THEN 'met'
                   ELSE 'not_met' END AS status
    FROM based
    """


def _scoped(con, plan: Plan, scope_depths: ScopeDepths) -> pd.DataFrame | None:
    """The resolved target of every (indicator, unit, period) inside a scoped target's
    subtree (nearest period first, then the most specific scope, the plan-wide target
    competing as the least specific), or None when the plan has no scoped target."""
    scoped = [t for t in plan.targets if t.scope is not None]
    if not scoped:
        return None
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
        ).astype({"period": "string", "org_unit": "string", "scope_rank": float})
        con.register("m", members)
        level = "" if target.level is None else "AND v.level = $level"
        params = {"indicator": target.indicator}
        if target.level is not None:
            params["level"] = target.level
        rows = con.execute(
            "SELECT v.indicator, v.org_unit, v.period, v.level, m.scope_rank FROM v"
            f" JOIN m ON m.period = v.period AND m.org_unit = v.org_unit"
            f" WHERE v.indicator = $indicator {level}",
            params,
        ).df()
        con.unregister("m")
        candidates.append(_with_target(rows, target, scope_rank=None))
    touched = pd.concat(candidates)[[*_KEYS, "level"]].drop_duplicates()
    wide = [_with_target(_for_target(touched, t), t) for t in plan.targets if t.scope is None]
    resolved = _best([*candidates, *wide], _KEYS)
    return resolved[[*_KEYS, *_TARGET_COLUMNS]]


def _for_target(rows: pd.DataFrame, target: Target) -> pd.DataFrame:
    mine = rows[rows["indicator"] == target.indicator]
    return mine if target.level is None else mine[mine["level"] == target.level]


def _best(candidates: list[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    columns = [*by, *_TARGET_COLUMNS, "period_rank", "scope_rank"]
    if not candidates:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(candidates, ignore_index=True).sort_values(["period_rank", "scope_rank"])
    return frame.drop_duplicates(by, keep="first")[columns]


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

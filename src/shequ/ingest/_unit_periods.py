"""The checks of an imported value against the store: its org unit exists, is open in the
value's period, and the (unit, period) is not approved and locked."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from ..framework.periods import parse_period
from ..store import approvals as store_approvals
from ..store import orgunits as store_orgunits
from .pipeline import check_known_units
from .report import Problems


def check_units_and_periods(conn: Connection, cells: pd.DataFrame, problems: Problems) -> None:
    """Report unknown units, units closed in the period and locked (unit, period) pairs."""
    problems.add(
        cells,
        cells["period"].isna(),
        "period",
        "期间“{v}”无效（应为 2025、2025Q3 或 2025-07）",
        "period '{v}' is not valid (use 2025, 2025Q3 or 2025-07)",
        v="period_raw",
    )
    versions = store_orgunits.versions(conn, pd.unique(cells["org_unit"]))
    known = check_known_units(conn, cells, problems, required=True, versions=versions)
    periods = cells.loc[known & cells["period"].notna(), ["org_unit", "period"]].drop_duplicates()
    closed = _closed_in_period(periods, versions)
    pairs = cells.set_index(["org_unit", "period"]).index if len(closed) else None
    problems.add(
        cells,
        pairs.isin(closed) if pairs is not None else False,
        "org_unit",
        "单位 {u} 在期间 {p} 不存在（未启用或已停用）",
        "org unit {u} does not exist in period {p} (not yet opened or already closed)",
        u="org_unit",
        p="period",
    )
    locks = store_approvals.locked(conn, periods)
    if locks.empty:
        return
    lookup = locks.set_index(["org_unit", "period"])["approved_unit"]
    approver = lookup.reindex(pd.MultiIndex.from_frame(cells[["org_unit", "period"]].astype(str)))
    approved = pd.Series(approver.to_numpy(), index=cells.index)
    problems.add(
        cells.assign(approved_unit=approved),
        approved.notna(),
        "period",
        "单位 {u} 的期间 {p} 已由 {a} 审核锁定，不能修改",
        "period {p} of org unit {u} is approved and locked by {a} against edits",
        u="org_unit",
        p="period",
        a="approved_unit",
    )


def _closed_in_period(pairs: pd.DataFrame, versions: pd.DataFrame) -> pd.MultiIndex:
    bounds = {p: parse_period(p) for p in pairs["period"].unique()}
    merged = pairs.merge(versions, left_on="org_unit", right_on="code")
    start = merged["period"].map({p: b.start for p, b in bounds.items()})
    end = merged["period"].map({p: b.end for p, b in bounds.items()})
    merged["open"] = (merged["valid_from"] <= end) & (merged["valid_to"] > start)
    open_any = merged.groupby(["org_unit", "period"])["open"].any()
    return open_any[~open_any].index

"""Data availability (数据可得性) before anything is scored, in the manner of COINr's
``dat_thresh``: a dimension or a unit with too little data is left out with its reason,
instead of being filled in by imputation and weighed as if it had been measured.

With the plan's ``composite.data_threshold`` t (default 2/3), for one level and period:

1. a dimension is left out when the share of its (unit, indicator) cells that hold a value
   is below t — in particular when no unit has any data for it; the remaining dimensions'
   weights are then computed over what is left, so they sum to 1;
2. a unit is not scored when the share of the kept indicators it reports is below t; it
   keeps a row in the availability table with the share and the reason;
3. every scored unit's imputation share (imputed cells / kept indicators) is recorded, so a
   score that is half imputed says so.

Cost: a few passes over the units × indicators matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...framework.models import Plan
from .matrix import DecisionMatrix

DIMENSION_COLUMNS = ["dimension", "data_share", "reason", "reason_zh", "reason_en"]
UNIT_COLUMNS = [
    "org_unit",
    "org_unit_name",
    "indicators",
    "present",
    "data_share",
    "imputed_share",
    "scored",
    "reason",
    "reason_zh",
    "reason_en",
]


@dataclass
class Screening:
    """What one level and period keeps: dimension codes, indicator columns and unit rows."""

    dimensions: list[str]
    columns: np.ndarray  # bool, per indicator of the matrix
    rows: np.ndarray  # bool, per unit of the matrix
    left_out: pd.DataFrame  # DIMENSION_COLUMNS, one row per dimension left out
    units: pd.DataFrame  # UNIT_COLUMNS, one row per unit (scored or not)


def screen(m: DecisionMatrix, plan: Plan, dim_of: np.ndarray, imputation: str) -> Screening:
    """Apply the data threshold of ``plan`` to the matrix ``m`` of one level and period.

    ``dim_of`` names each column's dimension. Dimensions first (a dimension no unit
    reports, or whose share of cells with a value is below the threshold, is left out), then
    units over the indicators of the kept dimensions. No data is never zero: a cell without
    a value counts as missing, whatever the imputation later does with it.
    """
    threshold = plan.composite.data_threshold
    present = ~np.isnan(m.raw)
    kept, left = [], []
    for dim in [d.code for d in plan.dimensions if (dim_of == d.code).any()]:
        share = float(present[:, dim_of == dim].mean())
        if share > 0 and share >= threshold:
            kept.append(dim)
        else:
            left.append(_dimension_reason(dim, share, threshold))
    columns = np.isin(dim_of, kept)
    rows = _units_passing(present[:, columns], threshold)
    units = _unit_table(m, present[:, columns], rows, threshold, imputation)
    return Screening(kept, columns, rows, pd.DataFrame(left, columns=DIMENSION_COLUMNS), units)


def _units_passing(present: np.ndarray, threshold: float) -> np.ndarray:
    counts = present.sum(axis=1)
    n = present.shape[1]
    return (counts > 0) & (counts >= threshold * n) if n else np.zeros(len(present), bool)


def _unit_table(
    m: DecisionMatrix, present: np.ndarray, rows: np.ndarray, threshold: float, imputation: str
) -> pd.DataFrame:
    counts = present.sum(axis=1)
    n = present.shape[1]
    shares = counts / n if n else np.zeros(len(m.units))
    imputed = 0.0 if imputation == "none" else (n - counts) / max(n, 1)
    units = pd.DataFrame(
        {
            "org_unit": m.units,
            "org_unit_name": m.names,
            "indicators": n,
            "present": counts,
            "data_share": shares,
            "imputed_share": np.where(rows, imputed, np.nan),
            "scored": rows,
        }
    )
    reasons = [_unit_reason(s, threshold, n) for s in shares]
    for k, column in enumerate(["reason", "reason_zh", "reason_en"]):
        units[column] = [None if ok else r[k] for r, ok in zip(reasons, rows, strict=True)]
    return units


def _dimension_reason(dim: str, share: float, threshold: float) -> list[object]:
    if share == 0:
        return [dim, share, "no_data", "任何单位均无该维度数据", "no unit has data for it"]
    return [
        dim,
        share,
        "below_threshold",
        f"仅 {share:.0%} 的数据可得，低于阈值 {threshold:.0%}",
        f"only {share:.0%} of its values present, below the threshold {threshold:.0%}",
    ]


def _unit_reason(share: float, threshold: float, n: int) -> tuple[str, str, str]:
    if n == 0:
        return ("no_dimension", "没有可评价的维度", "no dimension left to score")
    return (
        "below_threshold",
        f"数据可得率 {share:.0%} 低于阈值 {threshold:.0%}，不计分",
        f"data share {share:.0%} below the threshold {threshold:.0%}: not scored",
    )

"""Statistical audit of a composite (统计检验), COINr-style: does each dimension hang together?

For every level, period and dimension, on the 0–100 indicator scores the composite used
(imputed cells included, units not scored left out):

* Pearson correlations between the dimension's indicators (a negative one means two
  indicators pull the dimension apart);
* Cronbach's α = k/(k−1) · (1 − Σ var(xᵢ) / var(Σ xᵢ)) over the k indicators (≥ 0.7 is the
  usual bar for "measures one thing"; undefined for k < 2 or no variance);
* the share of variance explained by the first principal component of the standardised
  indicators (one dominant component supports adding them up).

The same three are given for the ``overall`` row over the dimension scores. Works from
`CompositeResult.indicator_scores` and ``scores``, which a stored run keeps, so reports can
audit a past run. Cost: a k × k covariance per dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...framework.models import Plan

OVERALL = "overall"


@dataclass
class Audit:
    """``correlations``: level, period, dimension, indicator_a, indicator_b, r;
    ``dimensions``: level, period, dimension, items, units, cronbach_alpha, pca_first_share."""

    correlations: pd.DataFrame
    dimensions: pd.DataFrame


def audit(indicator_scores: pd.DataFrame, scores: pd.DataFrame, plan: Plan) -> Audit:
    """Correlations, Cronbach's α and first-component share per dimension (see module doc)."""
    dim_of = {i.code: i.dimension for i in plan.indicators}
    pairs, rows = [], []
    if indicator_scores.empty:
        return Audit(pd.DataFrame(columns=_PAIR_COLUMNS), pd.DataFrame(columns=_DIM_COLUMNS))
    frame = indicator_scores.assign(dimension=indicator_scores["indicator"].map(dim_of))
    dims = scores[scores["dimension"] != OVERALL] if "dimension" in scores else None
    for (level, period), group in frame.groupby(["level", "period"], sort=False):
        blocks = {
            dim: part.pivot_table(index="org_unit", columns="indicator", values="score")
            for dim, part in group.groupby("dimension", sort=False)
        }
        mine = None if dims is None else dims[(dims["level"] == level) & (dims["period"] == period)]
        if mine is not None and not mine.empty:
            blocks[OVERALL] = mine.pivot_table(
                index="org_unit", columns="dimension", values="score"
            )
        for dim, wide in blocks.items():
            wide = wide.dropna()
            pairs += [(level, period, dim, a, b, r) for a, b, r in _correlations(wide)]
            rows.append(
                (
                    level,
                    period,
                    dim,
                    wide.shape[1],
                    len(wide),
                    cronbach_alpha(wide.to_numpy()),
                    first_component_share(wide.to_numpy()),
                )
            )
    return Audit(
        pd.DataFrame(pairs, columns=_PAIR_COLUMNS), pd.DataFrame(rows, columns=_DIM_COLUMNS)
    )


_PAIR_COLUMNS = ["level", "period", "dimension", "indicator_a", "indicator_b", "r"]
_DIM_COLUMNS = [
    "level",
    "period",
    "dimension",
    "items",
    "units",
    "cronbach_alpha",
    "pca_first_share",
]


def cronbach_alpha(x: np.ndarray) -> float:
    """Cronbach's α of the columns of ``x`` (units × items); NaN for < 2 items or no variance."""
    k = x.shape[1] if x.ndim == 2 else 0
    if k < 2 or len(x) < 2:
        return float("nan")
    total = x.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


def first_component_share(x: np.ndarray) -> float:
    """Share of the variance of the standardised columns explained by the first principal
    component (the largest eigenvalue of the correlation matrix / k); NaN if undefined."""
    if x.ndim != 2 or x.shape[1] < 2 or len(x) < 2:
        return float("nan")
    sd = x.std(axis=0, ddof=1)
    if (sd == 0).any():
        return float("nan")
    eigen = np.linalg.eigvalsh(np.corrcoef(x, rowvar=False))
    return float(eigen.max() / x.shape[1])


def _correlations(wide: pd.DataFrame) -> list[tuple[str, str, float]]:
    if wide.shape[1] < 2 or len(wide) < 2:
        return []
    r = wide.corr()
    cols = list(wide.columns)
    return [(a, b, float(r.loc[a, b])) for i, a in enumerate(cols) for b in cols[i + 1 :]]

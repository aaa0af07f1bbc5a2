"""Aggregation (集成): weighted scores → one composite score per unit, and ranks.

`AGGREGATORS` holds the methods that combine 0–100 scores ``S`` (units, items) with
weights ``w`` (items,) into a 0–100 score per unit, called ``f(S, w)``: `arithmetic`
(compensatory: a surplus on one item makes up for a deficit on another) and `geometric`
(less compensatory: imbalance is penalised). `topsis` works on the raw values instead and
returns closeness coefficients in [0, 1], so it is not in the registry. `ranks` turns any
score vector into ranks.

Weights must be non-negative; they are rescaled to sum to 1. Cost: one matrix–vector
product, O(units × items); `topsis` a few more passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.stats import rankdata

from ._registry import registrar

Aggregator = Callable[[np.ndarray, np.ndarray], np.ndarray]

AGGREGATORS: dict[str, Aggregator] = {}
"""Aggregation methods by name, each ``f(S, w) -> scores (units,)`` on the 0–100 scale."""

register = registrar(AGGREGATORS)

GEOMETRIC_FLOOR = 1.0
"""Scores below this (on 0–100) count as this in `geometric`, so that one 0 does not zero the
whole product."""


def _scores_and_weights(
    s: np.ndarray, w: np.ndarray | Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(s, dtype=float)
    w = np.asarray(w, dtype=float)
    if s.ndim != 2 or w.shape != (s.shape[1],):
        raise ValueError(
            f"得分矩阵 {s.shape} 与权重 {w.shape} 的形状不匹配 / scores of shape {s.shape} do not match weights of shape {w.shape}"
        )
    if np.isnan(s).any():
        raise ValueError(
            "得分中有缺失值，请先插补（或去掉该指标的权重）/ the scores contain NaN: impute first (or drop the indicator's weight)"
        )
    return s, _unit_weights(w)


def _unit_weights(w: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError(
            f"权重须为非负且不全为 0：{w.tolist()} / weights must be non-negative and not all 0: {w.tolist()}"
        )
    return w / w.sum()


@register("arithmetic")
def arithmetic(s: np.ndarray, w: np.ndarray | Sequence[float]) -> np.ndarray:
    """Weighted arithmetic mean ``Σ_j w_j s_ij`` (加权算术平均).

    Parameters
    ----------
    s : array_like, shape (units, items)
        The score matrix S, on 0–100, without NaN (impute first).
    w : array_like, shape (items,)
        Non-negative weights, rescaled to sum 1.

    Returns
    -------
    np.ndarray, shape (units,)
        Composite scores on 0–100. Fully compensatory: [100, 0] and [50, 50] both give 50
        with equal weights.
    """
    s, w = _scores_and_weights(s, w)
    return s @ w


@register("geometric")
def geometric(s: np.ndarray, w: np.ndarray | Sequence[float]) -> np.ndarray:
    """Weighted geometric mean ``Π_j s_ij ^ w_j`` (加权几何平均).

    Parameters
    ----------
    s : array_like, shape (units, items)
        The score matrix S, on 0–100, without NaN (impute first). Scores below `GEOMETRIC_FLOOR` (1 point)
        are raised to it first: a single 0 would otherwise make the whole product 0, and a
        unit failing one indicator completely would be ranked with a unit failing all.
    w : array_like, shape (items,)
        Non-negative weights, rescaled to sum 1.

    Returns
    -------
    np.ndarray, shape (units,)
        Composite scores on 0–100 (between 1 and 100 because of the floor), never above the
        arithmetic mean: imbalance is penalised. With equal weights, [100, 0] gives
        sqrt(100 · 1) = 10 while [50, 50] gives 50.
    """
    s, w = _scores_and_weights(s, w)
    return np.exp(np.log(np.maximum(s, GEOMETRIC_FLOOR)) @ w)


def _vector(x: np.ndarray) -> np.ndarray:
    norm = np.sqrt((x**2).sum(axis=0))
    return x / np.where(norm > 0, norm, 1.0)


def _minmax(x: np.ndarray) -> np.ndarray:
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    return np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 1.0)


_TOPSIS_NORMALISATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "vector": _vector,
    "minmax": _minmax,
}


def topsis(
    x: np.ndarray,
    w: np.ndarray | Sequence[float],
    *,
    higher_is_better: np.ndarray | Sequence[bool],
    normalisation: str = "vector",
) -> np.ndarray:
    """TOPSIS closeness coefficients (逼近理想解排序法).

    Parameters
    ----------
    x : array_like, shape (units, items)
        The decision matrix X of raw values in each indicator's own unit, without NaN (impute first). With
        ``"vector"`` normalisation the values should be non-negative.
    w : array_like, shape (items,)
        Non-negative weights (rescaled to sum 1; the result does not depend on the scale).
    higher_is_better : array_like of bool, shape (items,)
        False for cost indicators.
    normalisation : {"vector", "minmax"}
        ``"vector"``: ``r = x / sqrt(Σ x²)`` per column (a zero column stays 0);
        ``"minmax"``: ``r = (x − min) / (max − min)`` per column (a constant column is 1).

    Returns
    -------
    np.ndarray, shape (units,)
        ``C = d⁻ / (d⁺ + d⁻)`` in [0, 1] (1 = the ideal unit), where d⁺ and d⁻ are the
        Euclidean distances of the unit's weighted normalised row ``v = w · r`` to the ideal
        (best value of each column: max for benefit, min for cost) and anti-ideal (worst)
        rows. When every unit is identical on every weighted column, all get 0.5.

    Notes
    -----
    Agrees with ``pymcdm.methods.TOPSIS`` given ``vector_normalization`` or
    ``minmax_normalization`` and types 1 / −1. pymcdm turns cost columns into benefit
    columns inside the normalisation (``1 − r`` for vector, ``(max − x)/(max − min)`` for
    min–max) and then takes the column maximum as ideal; here ``r`` is direction-free and
    the ideal is the column min for cost. Both give the same distances, because shifting a
    column by a constant and flipping its sign leaves |v − v*| unchanged. Cost:
    O(units × items).
    """
    x = np.asarray(x, dtype=float)
    higher = np.asarray(higher_is_better, dtype=bool)
    w = np.asarray(w, dtype=float)
    if x.ndim != 2 or w.shape != (x.shape[1],) or higher.shape != (x.shape[1],):
        raise ValueError(
            f"TOPSIS 输入形状不匹配：X {x.shape}、权重 {w.shape}、方向 {higher.shape} / TOPSIS inputs do not match: X {x.shape}, weights {w.shape}, directions {higher.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(
            "TOPSIS 输入中有缺失值，请先插补 / the TOPSIS input contains NaN: impute first"
        )
    if normalisation not in _TOPSIS_NORMALISATIONS:
        raise ValueError(
            f"未知的 TOPSIS 标准化方法 {normalisation!r}（可选：vector, minmax）/ unknown TOPSIS normalisation {normalisation!r} (choose from: vector, minmax)"
        )
    v = _TOPSIS_NORMALISATIONS[normalisation](x) * _unit_weights(w)
    best = np.where(higher, v.max(axis=0), v.min(axis=0))
    worst = np.where(higher, v.min(axis=0), v.max(axis=0))
    d_plus = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = d_plus + d_minus
    return np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)


def ranks(scores: np.ndarray | Sequence[float], *, higher_is_better: bool = True) -> np.ndarray:
    """Competition ranks of a score vector: 1 = best, ties share the best (minimum) rank.

    Parameters
    ----------
    scores : array_like, shape (units,)
        Any scores; NaN = not scored.
    higher_is_better : bool, keyword-only
        True (default) ranks the highest score first.

    Returns
    -------
    np.ndarray of float, shape (units,)
        Ranks 1, 2, 2, 4 … for the scored units; NaN where the score is NaN (the scored
        units are ranked among themselves).
    """
    s = np.asarray(scores, dtype=float)
    key = -s if higher_is_better else s
    out = rankdata(np.where(np.isnan(s), np.inf, key), method="min").astype(float)
    out[np.isnan(s)] = np.nan
    return out

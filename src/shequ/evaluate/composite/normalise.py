"""Normalisation (标准化): raw indicator values → direction-aware scores on 0–100.

Every method works column by column on a decision matrix ``X`` of shape
(units, indicators), in the indicator's own unit (per cent, m², yuan per resident …).
After normalisation 100 is always the good end and 0 the bad end, whatever the
indicator's direction, so that scores of different indicators can be weighted together.

Outliers. With ``cap=True`` (the default) each column is first winsorised by
`cap_outliers` and the column statistics (floor, minimum, maximum, mean, standard
deviation) are taken from the capped column. Each unit's score is then computed from its
own *uncapped* value and clipped to [0, 100]: a single extreme unit therefore cannot
squash the scores of its peers, and it still keeps its place at the end of the scale (a
unit beyond its target still scores 100).

Missing values. NaN means "no value": it is ignored by the column statistics (np.nan*
functions) and stays NaN in the result. Imputation is the caller's business.

Cost: a few vectorised passes over the matrix, O(units × indicators); two medians per
column when capping.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from ._registry import lookup, registrar

MAD_SCALE = 1.4826
"""Consistency constant: 1.4826 × MAD estimates the standard deviation of a normal sample."""

CAP_K = 3.0
"""Values farther than ``CAP_K`` robust standard deviations from the median are capped."""

Normaliser = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]

NORMALISERS: dict[str, Normaliser] = {}
"""Normalisation methods by name. Each is called ``f(x, ref, higher_is_better, targets)``:
``x`` the values to score, ``ref`` the matrix the column statistics come from (``x`` after
capping), and returns scores in [0, 100] with NaN where ``x`` is NaN."""

register = registrar(NORMALISERS)


def cap_outliers(x: np.ndarray) -> np.ndarray:
    """Winsorise each column at median ± 3 × 1.4826 × MAD.

    Parameters
    ----------
    x : array_like, shape (units, indicators) or (units,)
        The decision matrix X: raw indicator values in the indicator's unit; NaN = missing.

    Returns
    -------
    np.ndarray
        A float copy of ``x`` in which, per column, values below ``median − b`` are raised
        to that bound and values above ``median + b`` lowered to it, with
        ``b = CAP_K × MAD_SCALE × MAD`` and MAD = median(|x − median(x)|), both medians over
        the non-missing values. ``1.4826 × MAD`` is a robust estimate of the standard
        deviation, so the rule is "3 sigma" that the outliers themselves cannot inflate.
        A column whose MAD is 0 (more than half of the units share one value) is left
        alone, since any bound would flatten all its other values. NaN stays NaN.

    Examples
    --------
    Column [10, 11, 12, 13, 100]: median 12, MAD = median(2, 1, 0, 1, 88) = 1,
    bound 3 × 1.4826 × 1 = 4.4478, so 100 becomes 16.4478 and the rest are kept.
    """
    x = np.array(x, dtype=float)
    with warnings.catch_warnings():  # an all-NaN column has no median: it stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(x, axis=0)
        mad = np.nanmedian(np.abs(x - median), axis=0)
    bound = np.where(mad > 0, CAP_K * MAD_SCALE * mad, np.inf)
    return np.clip(x, median - bound, median + bound)


def normalise(
    x: np.ndarray,
    *,
    method: str = "target",
    higher_is_better: np.ndarray,
    targets: np.ndarray | None = None,
    cap: bool = True,
) -> np.ndarray:
    """Scores on 0–100 (100 = good end) for every cell of a decision matrix.

    Parameters
    ----------
    x : array_like, shape (units, indicators)
        The decision matrix X: raw indicator values; NaN = missing (stays NaN).
    method : str, keyword-only
        A key of `NORMALISERS`: ``"target"`` (distance to target, the default),
        ``"minmax"`` or ``"zscore"``; see the functions of the same name.
    higher_is_better : array_like of bool, shape (indicators,)
        Direction of each indicator; False for cost indicators (lower is better).
    targets : array_like, shape (indicators,), optional
        The target of each indicator in its own unit, NaN where there is none; only
        ``"target"`` uses it. None means no targets.
    cap : bool, keyword-only
        Take the column statistics from `cap_outliers` (default True); see the module
        docstring.

    Returns
    -------
    np.ndarray, shape (units, indicators)
        Scores in [0, 100]; NaN where ``x`` is NaN.

    Raises
    ------
    ValueError
        Unknown method, or ``higher_is_better`` / ``targets`` not one entry per column.
    """
    func = lookup(NORMALISERS, method, ("标准化", "normalisation"))
    x = np.array(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(
            f"决策矩阵应为二维（单位 × 指标），实际形状 {x.shape} / the decision matrix must be 2-D (units × indicators), got shape {x.shape}"
        )
    n = x.shape[1]
    higher = np.asarray(higher_is_better, dtype=bool)
    goals = np.full(n, np.nan) if targets is None else np.asarray(targets, dtype=float)
    if higher.shape != (n,) or goals.shape != (n,):
        raise ValueError(
            f"指标方向和目标值须各有 {n} 个 / higher_is_better and targets need {n} entries each, "
            f"got {higher.shape} and {goals.shape}"
        )
    ref = cap_outliers(x) if cap else x
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: NaN statistics
        scores = func(x, ref, higher, goals)
    return np.where(np.isnan(x), np.nan, scores + 0.0)  # + 0.0 turns -0.0 into 0.0


def _span(ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.nanmin(ref, axis=0), np.nanmax(ref, axis=0)


@register("minmax")
def minmax(
    x: np.ndarray, ref: np.ndarray, higher_is_better: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """Min–max: ``100 × (x − min) / (max − min)``, flipped for lower-is-better.

    ``min`` and ``max`` are the column's extremes in ``ref`` (after capping), so the best
    peer scores 100 and the worst 0; values outside them (outliers) are clipped. A constant
    column scores 100 for every unit: nobody is behind anybody. ``targets`` is ignored.
    """
    lo, hi = _span(ref)
    span = hi - lo
    r = (x - lo) / np.where(span > 0, span, 1.0)
    r = np.where(higher_is_better, r, 1.0 - r)
    return np.where(span > 0, 100.0 * np.clip(r, 0.0, 1.0), 100.0)


@register("target")
def target(
    x: np.ndarray, ref: np.ndarray, higher_is_better: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """Distance to target: ``100 × clip((x − L) / (t − L), 0, 1)``.

    ``t`` is the indicator's target and ``L`` the floor: the column's worst value in
    ``ref`` (after capping) — its minimum for higher-is-better, its maximum for
    lower-is-better. A unit at or beyond the target scores 100, the worst peer 0, and the
    rest are placed linearly by how much of the gap from the worst peer to the target they
    have closed. For lower-is-better the formula is the mirror image
    ``(L − x) / (L − t)``, which is algebraically the same expression.

    If every unit meets the target (the floor is on the good side of the target, or equal
    to it) the column scores 100 for all; a constant column short of its target scores 0
    for all (every unit is the worst peer). A column without target (NaN) falls back to
    `minmax`.
    """
    lo, hi = _span(ref)
    floor = np.where(higher_is_better, lo, hi)
    gap = targets - floor
    all_met = np.where(higher_is_better, gap <= 0, gap >= 0)
    r = (x - floor) / np.where((gap != 0) & ~np.isnan(gap), gap, 1.0)
    scores = np.where(all_met, 100.0, 100.0 * np.clip(r, 0.0, 1.0))
    return np.where(np.isnan(targets), minmax(x, ref, higher_is_better, targets), scores)


@register("zscore")
def zscore(
    x: np.ndarray, ref: np.ndarray, higher_is_better: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """Z-score as a T-score: ``clip(50 + 10 z, 0, 100)`` with ``z = (x − mean) / std``.

    ``mean`` and ``std`` (population, ddof = 0) come from ``ref`` (after capping); ``z`` is
    negated for lower-is-better. The column mean scores 50 and each standard deviation is
    worth 10 points, so only units more than 5 standard deviations out are clipped. A
    constant column scores 50. ``targets`` is ignored.
    """
    mean = np.nanmean(ref, axis=0)
    std = np.nanstd(ref, axis=0)
    z = (x - mean) / np.where(std > 0, std, 1.0)
    z = np.where(higher_is_better, z, -z)
    return np.where(std > 0, np.clip(50.0 + 10.0 * z, 0.0, 100.0), 50.0)

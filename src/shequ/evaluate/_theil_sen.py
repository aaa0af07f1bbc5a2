"""Theil–Sen lines: one series (`theil_sen`, scipy) or many equal-length series at once
(`theil_sen_rows`, the same arithmetic vectorised in numpy batches)."""

from __future__ import annotations

import numpy as np
from scipy import stats

MAX_CELLS = 2_000_000  # numbers per batch of pairwise slopes (16 MB)


def theil_sen(x, y, *, alpha: float = 0.90) -> tuple[float, float, float, float]:
    """Theil–Sen fit of ``y`` on ``x``: ``(slope, intercept, low, high)``.

    A thin wrapper of ``scipy.stats.theilslopes(y, x, alpha=alpha)``: the slope is the
    median of the slopes between all pairs of points, the intercept
    ``median(y) − slope·median(x)``, and ``low``/``high`` bound the slope's two-sided
    ``alpha`` confidence interval (Sen 1968; with few points it is wide — with 4 points at
    0.90 it runs from the smallest pairwise slope to the largest). Needs at least 2 points
    with distinct x. O(n²) in time and memory.
    """
    result = stats.theilslopes(np.asarray(y, dtype=float), np.asarray(x, dtype=float), alpha=alpha)
    return (
        float(result.slope),
        float(result.intercept),
        float(result.low_slope),
        float(result.high_slope),
    )


def theil_sen_rows(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, ...]:
    """`theil_sen` of each row of ``x``, ``y`` (rows × n, x strictly increasing in a row).

    Returns slope, low, high, median x, median y per row, with the arithmetic of
    `scipy.stats.theilslopes` (pairwise slopes, their median, Sen's interval with ties in
    y), in batches of at most `MAX_CELLS` numbers.
    """
    rows, n = y.shape
    first, second = np.triu_indices(n, 1)
    pairs = len(first)
    level = 1.0 - alpha if alpha > 0.5 else alpha
    z = stats.norm.ppf(level / 2.0)
    out = tuple(np.empty(rows) for _ in range(5))
    step = max(1, MAX_CELLS // max(pairs, n * n))
    for start in range(0, rows, step):
        xs, ys = x[start : start + step], y[start : start + step]
        slopes = (ys[:, second] - ys[:, first]) / (xs[:, second] - xs[:, first])
        slopes.sort(axis=1)
        ties = (ys[:, :, None] == ys[:, None, :]).sum(axis=2)  # size of each value's tie group
        tie_term = ((ties - 1) * (2 * ties + 5)).sum(axis=1)  # = Σ over groups k(k−1)(2k+5)
        sigma = np.sqrt(1 / 18.0 * (n * (n - 1) * (2 * n + 5) - tie_term))
        upper = np.minimum(np.round((pairs - z * sigma) / 2.0).astype(int), pairs - 1)
        lower = np.maximum(np.round((pairs + z * sigma) / 2.0).astype(int) - 1, 0)
        index = np.arange(len(ys))
        part = slice(start, start + len(ys))
        out[0][part] = np.median(slopes, axis=1)
        out[1][part] = slopes[index, lower]
        out[2][part] = slopes[index, upper]
        out[3][part] = np.median(xs, axis=1)
        out[4][part] = np.median(ys, axis=1)
    return out

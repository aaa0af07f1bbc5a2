"""Weights (权重): non-negative vectors summing to 1, one entry per indicator or dimension.

Subjective weights come from people — `expert` (direct values) or `ahp` (Saaty's pairwise
comparisons, 层次分析法); objective weights come from the data — `entropy` (熵权法);
`combine` blends the two kinds. `WEIGHTINGS` holds the methods by name; each returns a
weight vector, but their inputs differ by nature:

=========  ==================================================
name       input
=========  ==================================================
equal      ``n``, the number of items
expert     one non-negative value per item
ahp        a square pairwise comparison matrix (`ahp_weights`)
entropy    the (units, items) matrix of 0–100 scores
=========  ==================================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ...errors import ShequError
from ._registry import registrar

WEIGHTINGS: dict[str, Callable[..., np.ndarray]] = {}
"""Weighting methods by name; each returns a weight vector summing to 1 (see module docs)."""

register = registrar(WEIGHTINGS)

RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
"""Saaty's random consistency index RI by matrix order n (mean CI of random matrices)."""

RECIPROCAL_TOL = 1e-6
"""Largest accepted |a_ji − 1/a_ij| and |a_ii − 1| in an AHP matrix."""


class AHPConsistencyError(ShequError, ValueError):
    """The AHP judgements are too inconsistent (CR above the limit).

    The message names CR and the most inconsistent judgements; ``.result`` keeps the full
    `AHPResult` (weights included) for callers that want to show or override it.
    """

    def __init__(self, message: str, result: AHPResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class AHPResult:
    """Outcome of `ahp`.

    Attributes
    ----------
    weights : np.ndarray, shape (n,)
        Priorities, summing to 1.
    lambda_max : float
        Principal eigenvalue of the matrix; ≥ n, equal to n when perfectly consistent.
    ci : float
        Consistency index (λmax − n) / (n − 1); 0 for n = 1.
    cr : float
        Consistency ratio CI / RI; 0 for n ≤ 2 (such matrices are always consistent).
        Saaty's rule of thumb accepts CR ≤ 0.1.
    ri : float
        The random index used (`RANDOM_INDEX`).
    n : int
        Matrix order.
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float
    ri: float
    n: int


@register("equal")
def equal(n: int) -> np.ndarray:
    """Equal weights ``1/n`` for ``n ≥ 1`` items."""
    if n < 1:
        raise ValueError(f"权重个数须至少为 1，实际 {n} / need at least one item, got {n}")
    return np.full(n, 1.0 / n)


@register("expert")
def expert(values: Sequence[float]) -> np.ndarray:
    """Expert (directly assigned) weights, rescaled to sum to 1.

    Parameters
    ----------
    values : sequence of float
        One non-negative value per item, on any scale (points, per cent, shares);
        only the proportions matter.

    Raises
    ------
    ValueError
        A value is negative or not finite, or all values are 0.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(
            f"专家权重应为非空一维序列 / expert weights must be a non-empty 1-D sequence, got shape {v.shape}"
        )
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ValueError(
            f"专家权重不能为负数或缺失：{v.tolist()} / expert weights must be finite and non-negative: {v.tolist()}"
        )
    total = v.sum()
    if total <= 0:
        raise ValueError("专家权重不能全为 0 / expert weights must not all be 0")
    return v / total


def ahp(
    matrix: np.ndarray | Sequence[Sequence[float]],
    *,
    labels: Sequence[str] | None = None,
    max_cr: float = 0.1,
) -> AHPResult:
    """Analytic hierarchy process: priorities from a pairwise comparison matrix.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Saaty-scale judgements: ``a_ij`` says how many times more important item i is than
        item j (1 equal … 9 extremely). Must be positive and reciprocal
        (``a_ji = 1/a_ij`` and ``a_ii = 1``, within `RECIPROCAL_TOL`); 1 ≤ n ≤ 15.
    labels : sequence of str, optional
        Item names used in error messages (default ``#1``, ``#2`` …).
    max_cr : float
        Largest accepted consistency ratio (default Saaty's 0.1); ``np.inf`` disables the
        check.

    Returns
    -------
    AHPResult
        Weights = the principal right eigenvector (`numpy.linalg.eig`; real part of the
        eigenvector of the largest real eigenvalue) rescaled to sum 1; λmax, CI, CR, RI.

    Raises
    ------
    ValueError
        The matrix is not square, not positive, or not reciprocal; the message names the
        offending cell.
    AHPConsistencyError
        CR > ``max_cr``; the message lists the three judgements (i < j) that disagree most
        with the weights, by |ln(a_ij · w_j / w_i)|, with the ratio w_i / w_j the weights
        imply. Cost: one dense eigendecomposition, O(n³).
    """
    a = _validated(matrix, labels)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    v = vectors[:, k].real
    w = v / v.sum()
    lam = float(values[k].real)
    ci = max((lam - n) / (n - 1), 0.0) if n > 1 else 0.0  # λmax ≥ n in exact arithmetic
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    result = AHPResult(weights=w, lambda_max=lam, ci=ci, cr=cr, ri=ri, n=n)
    if cr > max_cr:
        raise AHPConsistencyError(_inconsistency_message(a, result, labels, max_cr), result)
    return result


@register("ahp")
def ahp_weights(
    matrix: np.ndarray | Sequence[Sequence[float]],
    *,
    labels: Sequence[str] | None = None,
    max_cr: float = 0.1,
) -> np.ndarray:
    """Just the weights of `ahp` (same arguments and errors); the ``"ahp"`` registry entry."""
    return ahp(matrix, labels=labels, max_cr=max_cr).weights


def _name(i: int, labels: Sequence[str] | None) -> str:
    return str(labels[i]) if labels is not None else f"#{i + 1}"


def _cell(i: int, j: int, labels: Sequence[str] | None) -> str:
    where = f"a[{i + 1},{j + 1}]"
    return f"{where} ({_name(i, labels)} : {_name(j, labels)})" if labels is not None else where


def _validated(
    matrix: np.ndarray | Sequence[Sequence[float]], labels: Sequence[str] | None
) -> np.ndarray:
    a = np.array(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(
            f"AHP 判断矩阵必须是非空方阵，实际形状 {a.shape} / the AHP matrix must be a non-empty square matrix, got shape {a.shape}"
        )
    n = a.shape[0]
    if n not in RANDOM_INDEX:
        raise ValueError(
            f"AHP 判断矩阵最多 15 阶（随机一致性指标 RI 只到 15），实际 {n} / the AHP matrix may have at most 15 items (RI is tabulated to 15), got {n}"
        )
    if labels is not None and len(labels) != n:
        raise ValueError(
            f"标签数 {len(labels)} 与矩阵阶数 {n} 不符 / {len(labels)} labels for a matrix of order {n}"
        )
    bad = np.argwhere(~np.isfinite(a) | (a <= 0))
    if len(bad):
        i, j = bad[0]
        raise ValueError(
            f"判断矩阵元素 {_cell(i, j, labels)} = {a[i, j]} 必须为正数 / judgement {_cell(i, j, labels)} = {a[i, j]} must be a positive number"
        )
    off = np.flatnonzero(np.abs(np.diag(a) - 1.0) > RECIPROCAL_TOL)
    if len(off):
        i = int(off[0])
        raise ValueError(
            f"判断矩阵对角元 {_cell(i, i, labels)} = {a[i, i]} 必须为 1 / diagonal judgement {_cell(i, i, labels)} = {a[i, i]} must be 1"
        )
    bad = np.argwhere(np.triu(np.abs(a.T - 1.0 / a) > RECIPROCAL_TOL, 1))
    if len(bad):
        i, j = bad[0]
        raise ValueError(
            f"判断矩阵不互反：{_cell(j, i, labels)} = {a[j, i]:.6g}，应为 1/{a[i, j]:.6g} = {1 / a[i, j]:.6g} / "
            f"the matrix is not reciprocal: {_cell(j, i, labels)} = {a[j, i]:.6g} should be 1/{a[i, j]:.6g} = {1 / a[i, j]:.6g}"
        )
    return a


def _inconsistency_message(
    a: np.ndarray, result: AHPResult, labels: Sequence[str] | None, max_cr: float
) -> str:
    w = result.weights
    i, j = np.triu_indices(len(w), 1)
    implied = w[i] / w[j]
    deviation = np.abs(np.log(a[i, j] / implied))
    worst = np.argsort(-deviation, kind="stable")[:3]
    zh = "；".join(
        f"{_name(i[k], labels)} 对 {_name(j[k], labels)} 判断为 {a[i[k], j[k]]:.4g}，权重隐含 {implied[k]:.4g}"
        for k in worst
    )
    en = "; ".join(
        f"{_name(i[k], labels)} vs {_name(j[k], labels)} judged {a[i[k], j[k]]:.4g}, weights imply {implied[k]:.4g}"
        for k in worst
    )
    return (
        f"AHP 判断矩阵一致性不足：CR = {result.cr:.4f} > {max_cr:g}；最不一致的判断：{zh}；请修改这些判断 / "
        f"AHP judgements are inconsistent: CR = {result.cr:.4f} > {max_cr:g}; most inconsistent judgements: {en}; "
        f"please revise them"
    )


@register("entropy")
def entropy(x: np.ndarray) -> np.ndarray:
    """Entropy weight method (熵权法): more weight where the units differ more.

    Parameters
    ----------
    x : array_like, shape (units, items)
        The matrix X of non-negative benefit scores, e.g. the 0–100 normalised scores (higher = better for
        every column). Rows with any NaN are dropped first, so that every column is judged
        on the same units.

    Returns
    -------
    np.ndarray, shape (items,)
        With m units: ``p_ij = x_ij / Σ_i x_ij``, ``e_j = −(1/ln m) Σ_i p_ij ln p_ij``
        (0 · ln 0 = 0), ``d_j = 1 − e_j``, ``w = d / Σ d``. e is in [0, 1]: a column where all
        units are equal has e = 1 and weight 0; one unit holding the whole column has e = 0.
        A column of zeros counts as equal units (weight 0). When no column discriminates
        (all d = 0) or fewer than two complete rows remain, the weights are equal.

    Raises
    ------
    ValueError
        Negative or infinite values.

    Notes
    -----
    Equals ``pymcdm.weights.entropy_weights`` on strictly positive matrices. pymcdm sum-
    normalises with ``sum_normalization``, which rejects zeros, and sets a column's entropy
    to 0 (weight maximal) whenever it contains a zero share; here a zero share simply adds
    nothing to the sum, as the usual definition 0 · ln 0 = 0 has it. Cost: O(units × items).
    """
    x = np.array(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(
            f"熵权法需要二维矩阵，实际形状 {x.shape} / the entropy method needs a 2-D matrix, got shape {x.shape}"
        )
    x = x[~np.isnan(x).any(axis=1)]
    if np.any(~np.isfinite(x)) or np.any(x < 0):
        raise ValueError(
            "熵权法要求非负得分（请先标准化）/ the entropy method needs non-negative scores (normalise first)"
        )
    m, n = x.shape
    if m < 2:
        return equal(n)
    total = x.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / np.where(total > 0, total, 1.0)
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = np.where(total > 0, -plogp.sum(axis=0) / np.log(m), 1.0)
    d = np.clip(1.0 - e, 0.0, None)
    if d.sum() <= 0:
        return equal(n)
    return d / d.sum()


def combine(
    subjective: np.ndarray | Sequence[float],
    objective: np.ndarray | Sequence[float],
    *,
    alpha: float = 0.5,
    method: str = "linear",
) -> np.ndarray:
    """Blend subjective (expert, AHP) and objective (entropy) weights (组合赋权).

    Parameters
    ----------
    subjective, objective : array_like, shape (items,)
        Two weight vectors, each non-negative and summing to 1.
    alpha : float in [0, 1]
        Share of the subjective weights in ``"linear"``: ``α·s + (1 − α)·o``. Unused by
        ``"product"``.
    method : {"linear", "product"}
        ``"product"`` is the multiplicative synthesis ``s·o / Σ s·o``, which favours items
        both sources rate highly and zeroes an item either source zeroes.

    Returns
    -------
    np.ndarray
        The combined weights, summing to 1.
    """
    s = np.asarray(subjective, dtype=float)
    o = np.asarray(objective, dtype=float)
    if s.shape != o.shape or s.ndim != 1:
        raise ValueError(
            f"主观与客观权重长度不一致：{s.shape} 与 {o.shape} / subjective and objective weights differ in shape: {s.shape} vs {o.shape}"
        )
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(
            f"组合系数 alpha 应在 [0, 1] 内，实际 {alpha} / alpha must be in [0, 1], got {alpha}"
        )
    if method == "linear":
        w = alpha * s + (1.0 - alpha) * o
    elif method == "product":
        w = s * o
    else:
        raise ValueError(
            f"未知的组合方法 {method!r}（可选：linear, product）/ unknown combination method {method!r} (choose from: linear, product)"
        )
    total = w.sum()
    if not total > 0:
        raise ValueError(
            "组合后的权重全为 0（两组权重没有共同的正项）/ the combined weights are all 0 (the two vectors share no positive entry)"
        )
    return w / total

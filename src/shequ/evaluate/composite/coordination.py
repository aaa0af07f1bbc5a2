"""Coupling coordination degree (耦合协调度) of a unit's subsystems (e.g. the five dimensions).

A community can score well overall while one dimension lags far behind; the coupling
coordination degree measures how evenly and how highly its subsystems develop together:

* coupling ``C = n · (Π U_i)^(1/n) / Σ U_i`` — the geometric over the arithmetic mean of
  the subsystem levels U_i ∈ [0, 1]; 1 when all are equal, towards 0 as they diverge
  (0 when any subsystem is 0; defined as 0 when all are 0);
* comprehensive development ``T = Σ α_i U_i`` (α equal by default);
* coordination ``D = sqrt(C · T)``, classified by `coordination_class` into the usual ten
  classes (`COORDINATION_CLASSES`). With equal α, C · T is the geometric mean of U, so D is
  its square root.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class CoordinationClass(NamedTuple):
    """One class of coordination degree: D in [lower, next lower)."""

    code: str
    lower: float
    name_zh: str
    name_en: str


COORDINATION_CLASSES: tuple[CoordinationClass, ...] = (
    CoordinationClass("extreme_imbalance", 0.0, "极度失调", "extreme imbalance"),
    CoordinationClass("serious_imbalance", 0.1, "严重失调", "serious imbalance"),
    CoordinationClass("moderate_imbalance", 0.2, "中度失调", "moderate imbalance"),
    CoordinationClass("mild_imbalance", 0.3, "轻度失调", "mild imbalance"),
    CoordinationClass("verge_of_imbalance", 0.4, "濒临失调", "on the verge of imbalance"),
    CoordinationClass("barely_coordinated", 0.5, "勉强协调", "barely coordinated"),
    CoordinationClass("primary_coordination", 0.6, "初级协调", "primary coordination"),
    CoordinationClass("intermediate_coordination", 0.7, "中级协调", "intermediate coordination"),
    CoordinationClass("good_coordination", 0.8, "良好协调", "good coordination"),
    CoordinationClass("high_quality", 0.9, "优质协调", "high-quality coordination"),
)
"""The ten classes, worst first; intervals are closed on the left, the last is [0.9, 1.0]."""

_LOWER = np.array([c.lower for c in COORDINATION_CLASSES])
_CODES = np.array([c.code for c in COORDINATION_CLASSES], dtype=object)
_TOL = 1e-9  # rounding slack above 1 (and below 0) for D, C and U


@dataclass(frozen=True)
class CouplingResult:
    """Outcome of `coupling_coordination`, one entry per unit (NaN / None for NaN rows).

    Attributes
    ----------
    c : np.ndarray
        Coupling degree C in [0, 1].
    t : np.ndarray
        Comprehensive development index T in [0, 1].
    d : np.ndarray
        Coupling coordination degree D = sqrt(C · T) in [0, 1].
    classes : np.ndarray of object
        Class codes of `COORDINATION_CLASSES` (``"good_coordination"`` …), None for NaN.
    """

    c: np.ndarray
    t: np.ndarray
    d: np.ndarray
    classes: np.ndarray


def coupling_coordination(u: np.ndarray, *, weights: np.ndarray | None = None) -> CouplingResult:
    """Coupling C, development T and coordination D of every unit's subsystems.

    Parameters
    ----------
    u : array_like, shape (units, n)
        The matrix U: level of each of n ≥ 1 subsystems in [0, 1] (e.g. dimension scores / 100). A row
        with any NaN gets NaN and class None.
    weights : array_like, shape (n,), optional, keyword-only
        Contributions α of the subsystems to T; non-negative, rescaled to sum 1. Equal by
        default.

    Returns
    -------
    CouplingResult
        ``c``, ``t``, ``d`` (units,) and ``classes`` (units,) of class codes.

    Raises
    ------
    ValueError
        ``u`` not 2-D, values outside [0, 1], or weights of the wrong length / negative.

    Examples
    --------
    U = [0.6, 0.8]: C = 2 · sqrt(0.48) / 1.4 = 0.98974, T = 0.7, D = sqrt(0.69282) = 0.83236,
    "good_coordination" (良好协调).
    """
    u = np.asarray(u, dtype=float)
    if u.ndim != 2 or u.shape[1] == 0:
        raise ValueError(
            f"U 应为二维（单位 × 子系统），实际形状 {u.shape} / U must be 2-D (units × subsystems), got shape {u.shape}"
        )
    n = u.shape[1]
    if np.any((u < -_TOL) | (u > 1 + _TOL)):
        raise ValueError(
            "子系统发展水平须在 [0, 1] 内（得分请先除以 100）/ subsystem levels must lie in [0, 1] (divide 0–100 scores by 100)"
        )
    alpha = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=float)
    if alpha.shape != (n,) or np.any(alpha < 0) or not alpha.sum() > 0:
        raise ValueError(
            f"子系统权重须为 {n} 个非负数且不全为 0 / subsystem weights must be {n} non-negative numbers, not all 0"
        )
    alpha = alpha / alpha.sum()
    u = np.clip(u, 0.0, 1.0)
    total = u.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(
            total > 0, n * np.prod(u, axis=1) ** (1.0 / n) / np.where(total > 0, total, 1.0), 0.0
        )
    c = np.minimum(c, 1.0)  # the AM–GM inequality, up to rounding
    t = u @ alpha
    d = np.sqrt(c * t)
    missing = np.isnan(u).any(axis=1)
    c, t, d = (np.where(missing, np.nan, x) for x in (c, t, d))
    return CouplingResult(c=c, t=t, d=d, classes=_classes(d))


def _classes(d: np.ndarray) -> np.ndarray:
    d = np.asarray(d, dtype=float)
    if np.any((d < -_TOL) | (d > 1 + _TOL)):
        raise ValueError("协调度 D 须在 [0, 1] 内 / the coordination degree D must lie in [0, 1]")
    index = np.searchsorted(_LOWER, np.clip(np.nan_to_num(d), 0.0, 1.0), side="right") - 1
    return np.where(np.isnan(d), None, _CODES[index])


def coordination_class(d: float) -> str | None:
    """Class code of one coordination degree D in [0, 1]; None for NaN.

    Intervals are closed on the left: 0.5 is "barely_coordinated" (勉强协调), 0.4999 is
    "verge_of_imbalance" (濒临失调); 1.0 is "high_quality" (优质协调). Look the names up in
    `COORDINATION_CLASSES` (or with `class_names`).
    """
    return _classes(np.array([d]))[0]


def class_names(code: str) -> tuple[str, str]:
    """(Chinese, English) name of a class code, e.g. ("良好协调", "good coordination")."""
    for c in COORDINATION_CLASSES:
        if c.code == code:
            return c.name_zh, c.name_en
    raise ValueError(f"未知的协调等级 {code!r} / unknown coordination class {code!r}")

"""Facility siting on a coverage matrix: maximal covering (MCLP) and set covering (LSCP).

``cover`` is a sparse boolean matrix, demand points × candidate sites (True where the
site is within the walking radius of the point); ``weight`` is each point's population,
usually only the points not yet covered by existing facilities. Points with identical
coverage sets are merged first (their weights added), which often halves the rows.

Both problems start from the greedy answer (each step adds the site covering the most
uncovered weight; for MCLP within 1 - 1/e of the optimum) and are then solved exactly by
HiGHS under a wall-clock limit; if HiGHS cannot improve in time, the greedy answer is kept
and the proven gap reported.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..errors import MissingExtraError

_POLL_S = 0.05


@dataclass
class SitingResult:
    """Chosen sites, ranked by the population each adds in turn, and how good that is.

    ``objective`` is the covered weight (MCLP) or the number of sites (LSCP); ``bound``
    the best bound HiGHS proved; ``gap`` the relative gap between them (0 = optimal);
    ``status`` ``optimal``, ``time_limit`` (best found when time ran out),
    ``greedy`` (HiGHS gave nothing better in time) or ``unreachable`` (LSCP target
    above what all candidates together can cover; then the fewest sites covering all
    that can be covered are chosen, and ``notes`` says how far the target is).
    """

    chosen: list[int]
    added: list[float]
    objective: float
    bound: float
    gap: float
    greedy_objective: float
    status: str
    seconds: float
    covered_weight: float = 0.0
    merged_rows: int = 0
    notes: list[str] = field(default_factory=list)


def merge_rows(cover: sp.csr_matrix, weight: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Merge demand rows with identical coverage sets (weights added); drop empty rows."""
    cover = sp.csr_matrix(cover, dtype=bool)
    cover.sum_duplicates()
    cover.sort_indices()
    weight = np.asarray(weight, float)
    keep = (np.diff(cover.indptr) > 0) & (weight > 0)
    cover, weight = cover[keep], weight[keep]
    if cover.shape[0] == 0:
        return cover, weight
    rng = np.random.default_rng(12345)
    keys = cover.astype(float) @ rng.random((cover.shape[1], 2))
    stacked = np.c_[keys, np.diff(cover.indptr)]
    _, first, group = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    merged = np.bincount(group.ravel(), weights=weight)
    return cover[first], merged


def _greedy(cover_csc: sp.csc_matrix, weight: np.ndarray, stop) -> list[int]:
    """Add the site covering the most uncovered weight until ``stop(chosen, covered)``."""
    uncovered = weight.copy()
    chosen: list[int] = []
    covered = 0.0
    while True:
        gains = cover_csc.T @ uncovered
        if chosen:
            gains[chosen] = -1.0
        best = int(np.argmax(gains)) if gains.size else -1
        if best < 0 or gains[best] <= 0 or stop(chosen, covered):
            return chosen
        chosen.append(best)
        hit = cover_csc.indices[cover_csc.indptr[best] : cover_csc.indptr[best + 1]]
        covered += float(uncovered[hit].sum())
        uncovered[hit] = 0.0


def rank_sites(cover: sp.csr_matrix, weight: np.ndarray, sites: list[int]) -> tuple[list, list]:
    """Order ``sites`` by marginal weight added (greedily) and give each one's addition."""
    csc = sp.csc_matrix(cover)[:, sites]
    uncovered = np.asarray(weight, float).copy()
    left, order, added = list(range(len(sites))), [], []
    while left:
        gains = csc[:, left].T @ uncovered
        i = int(np.argmax(gains))
        j = left.pop(i)
        order.append(sites[j])
        added.append(float(gains[i]))
        uncovered[csc.indices[csc.indptr[j] : csc.indptr[j + 1]]] = 0.0
    return order, added


def maximal_covering(cover, weight, p: int, *, time_limit: float = 60) -> SitingResult:
    """Choose at most ``p`` sites covering the most weight (MCLP, Church & ReVelle 1974).

    max Σ w_i y_i  s.t.  y_i ≤ Σ_j a_ij x_j,  Σ_j x_j ≤ p,  x binary, 0 ≤ y ≤ 1.
    """
    started = time.perf_counter()
    full = sp.csr_matrix(cover, dtype=bool)
    a, w = merge_rows(full, weight)
    n_rows, n_sites = a.shape
    p = min(int(p), n_sites)
    greedy = _greedy(sp.csc_matrix(a), w, lambda chosen, _: len(chosen) >= p)
    greedy_value = _covered(a, w, greedy)
    if p <= 0 or n_rows == 0:
        return _result(full, weight, greedy, greedy_value, greedy_value, "optimal", started, a)
    # columns: x_0..x_{s-1}, y_0..y_{r-1}; rows: y_i - Σ a_ij x_j <= 0, then Σ x <= p
    coupling = sp.hstack([-a.astype(float), sp.identity(n_rows)], format="csr")
    budget = sp.csr_matrix(np.r_[np.ones(n_sites), np.zeros(n_rows)][None, :])
    matrix = sp.vstack([coupling, budget], format="csr")
    start = np.r_[_indicator(greedy, n_sites), _covered_rows(a, greedy)]
    solved = _solve(
        matrix,
        cost=np.r_[np.zeros(n_sites), w],
        row_bounds=(np.full(n_rows + 1, -np.inf), np.r_[np.zeros(n_rows), p]),
        integer=n_sites,
        maximise=True,
        start=start,
        time_limit=max(time_limit - (time.perf_counter() - started), 0.1),
    )
    sites, value, bound, status = _pick(solved, greedy, greedy_value, n_sites, maximise=True)
    return _result(full, weight, sites, value, greedy_value, status, started, a, bound)


def set_covering(cover, weight, *, share: float = 1.0, time_limit: float = 60) -> SitingResult:
    """The fewest sites covering ``share`` of the total weight (LSCP, Toregas et al. 1971).

    With ``share`` = 1 every row must be covered (Σ_j a_ij x_j ≥ 1); below 1 the covered
    weight must reach ``share × Σ w`` (partial covering). If even all candidates cannot
    reach the target, the fewest sites covering all that can be covered are chosen and
    the status is ``unreachable``.
    """
    started = time.perf_counter()
    full = sp.csr_matrix(cover, dtype=bool)
    total = float(np.asarray(weight, float).sum())
    a, w = merge_rows(full, weight)
    n_rows, n_sites = a.shape
    target = share * total
    reachable = float(w.sum())
    unreachable = reachable < target - 1e-9 * max(total, 1.0)
    need = min(target, reachable) * (1 - 1e-12)
    greedy = _greedy(sp.csc_matrix(a), w, lambda chosen, covered: covered >= need)
    if n_rows == 0 or need <= 0:
        return _result(full, weight, [], 0.0, 0.0, "optimal", started, a, 0.0)
    if share >= 1.0:
        matrix = a.astype(float).tocsr()
        cost, bounds = np.ones(n_sites), (np.ones(n_rows), np.full(n_rows, np.inf))
        start = _indicator(greedy, n_sites)
    else:
        coupling = sp.hstack([-a.astype(float), sp.identity(n_rows)], format="csr")
        target_row = sp.csr_matrix(np.r_[np.zeros(n_sites), w][None, :])
        matrix = sp.vstack([coupling, target_row], format="csr")
        cost = np.r_[np.ones(n_sites), np.zeros(n_rows)]
        bounds = (np.r_[np.full(n_rows, -np.inf), need], np.r_[np.zeros(n_rows), np.inf])
        start = np.r_[_indicator(greedy, n_sites), _covered_rows(a, greedy)]
    solved = _solve(
        matrix,
        cost=cost,
        row_bounds=bounds,
        integer=n_sites,
        maximise=False,
        start=start,
        time_limit=max(time_limit - (time.perf_counter() - started), 0.1),
    )
    sites, value, bound, status = _pick(solved, greedy, float(len(greedy)), n_sites, maximise=False)
    result = _result(full, weight, sites, value, float(len(greedy)), status, started, a, bound)
    if unreachable:
        result.status = "unreachable"
        result.notes.append(
            f"目标 {share:.0%} 不可达：全部候选点最多覆盖 {reachable / total:.1%} / target "
            f"{share:.0%} unreachable: all candidates together cover {reachable / total:.1%}"
        )
    return result


def _indicator(sites: list[int], n: int) -> np.ndarray:
    x = np.zeros(n)
    x[sites] = 1.0
    return x


def _covered_rows(a: sp.csr_matrix, sites: list[int]) -> np.ndarray:
    if not sites:
        return np.zeros(a.shape[0])
    return (np.asarray(a[:, sites].sum(axis=1)).ravel() > 0).astype(float)


def _covered(a: sp.csr_matrix, w: np.ndarray, sites: list[int]) -> float:
    return float(w[_covered_rows(a, sites) > 0].sum())


def _solve(matrix, *, cost, row_bounds, integer, maximise, start, time_limit) -> dict:
    """Solve the MIP with HiGHS under a wall-clock limit; columns < ``integer`` are binary."""
    try:
        import highspy
    except ImportError:
        raise MissingExtraError("highspy", "spatial") from None
    h = _quiet_highs(highspy)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_lp_solver", "ipm")  # the default dual simplex root LP stalls here
    lp = highspy.HighsLp()
    n_cols = matrix.shape[1]
    lp.num_col_, lp.num_row_ = n_cols, matrix.shape[0]
    lp.col_cost_ = np.asarray(cost, float)
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.ones(n_cols)
    lp.row_lower_, lp.row_upper_ = (np.asarray(b, float) for b in row_bounds)
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    csc = sp.csc_matrix(matrix)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * integer + [
        highspy.HighsVarType.kContinuous
    ] * (n_cols - integer)
    h.passModel(lp)
    solution = highspy.HighsSolution()
    solution.col_value = list(np.asarray(start, float))
    solution.value_valid = True
    h.setSolution(solution)
    _run_with_deadline(h, time_limit)
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    values = np.asarray(h.getSolution().col_value, float)
    return {
        "status": status,
        "x": values[:integer] if values.size >= integer else None,
        "objective": float(info.objective_function_value),
        "bound": float(info.mip_dual_bound),
        "gap": float(info.mip_gap),
    }


def _quiet_highs(highspy):
    """A Highs instance without the banner its constructor prints to file descriptor 1."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _run_with_deadline(h, time_limit: float) -> None:
    """HiGHS has overrun its own time limit on large instances: enforce the wall clock."""
    h.HandleUserInterrupt = True
    h.startSolve()
    deadline = time.perf_counter() + time_limit + 1.0
    while True:
        done, _ = h.wait(_POLL_S)
        if done:
            return
        if time.perf_counter() > deadline:
            h.cancelSolve()
            h.wait(30.0)
            return


def _pick(solved: dict, greedy: list[int], greedy_value: float, n_sites: int, *, maximise: bool):
    x = solved["x"]
    found = [] if x is None or x.size != n_sites else [int(j) for j in np.flatnonzero(x > 0.5)]
    value = solved["objective"]
    better = (value > greedy_value + 1e-9) if maximise else (value < greedy_value - 1e-9)
    optimal = solved["status"] == "Optimal"
    if found and (better or optimal):
        status = "optimal" if optimal else "time_limit"
        return found, value, solved["bound"], status
    bound = solved["bound"] if np.isfinite(solved["bound"]) else np.nan
    return greedy, greedy_value, bound, "optimal" if optimal else "greedy"


def _result(full, weight, sites, value, greedy_value, status, started, merged, bound=None):
    order, added = rank_sites(full, weight, sites) if sites else ([], [])
    bound = value if bound is None else bound
    gap = abs(bound - value) / max(abs(value), 1e-12) if np.isfinite(bound) else np.nan
    if status == "optimal":
        gap = min(gap, 0.0) if np.isfinite(gap) and gap < 1e-9 else gap
    return SitingResult(
        chosen=order,
        added=added,
        objective=float(value),
        bound=float(bound),
        gap=float(gap),
        greedy_objective=float(greedy_value),
        status=status,
        seconds=time.perf_counter() - started,
        covered_weight=float(sum(added)),
        merged_rows=int(merged.shape[0]),
    )

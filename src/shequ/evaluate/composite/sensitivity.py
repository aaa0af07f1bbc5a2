"""Monte Carlo sensitivity of the ranks to the method choices (不确定性与敏感性分析).

Each draw perturbs the weights (Dirichlet around the plan's weights: ``alpha = c · k · w``
with c = ``weight_concentration``, so larger c means smaller perturbations) and picks a
normalisation, an aggregation and an imputation from the plan's lists at random. The
overall score of every unit is recomputed for every draw and ranked; each unit gets its
median rank and a 90 % interval (5th and 95th percentiles).

Which choice moves ranks most is measured one choice at a time: vary only that choice
(everything else as the plan says) and report the mean absolute rank change against the
plan's ranking, in ranks and as a share of the number of units.

Vectorised: draws that share a (normalisation, imputation, aggregation) are scored by one
matrix product (``S @ W`` for the arithmetic mean, ``exp(log S @ W)`` for the geometric);
memory is about 16 bytes × units × draws.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ...framework.scoring import CompositeSettings
from . import normalise
from .aggregate import GEOMETRIC_FLOOR
from .matrix import DecisionMatrix

OVERALL = "overall"


def rank_intervals(
    m: DecisionMatrix, base_weights: np.ndarray, settings: CompositeSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Median rank and 90 % interval per unit, and the rank shift each choice causes."""
    s = settings.sensitivity
    rng = np.random.default_rng(s.seed)
    matrices = _normalised_matrices(m, settings)
    choices = list(itertools.product(s.normalisations, s.imputations, s.aggregations))
    pick = rng.integers(len(choices), size=s.draws)
    drawn = _dirichlet(rng, base_weights, s.weight_concentration, s.draws)
    ranks = _ranks_for(matrices, choices, pick, drawn)
    low, median, high = np.nanpercentile(ranks, [5, 50, 95], axis=1)
    intervals = pd.DataFrame(
        {
            "org_unit": m.units,
            "dimension": OVERALL,
            "rank_median": median,
            "rank_low": np.floor(low),
            "rank_high": np.ceil(high),
        }
    )
    return intervals, _choice_effects(m, matrices, settings, base_weights, rng)


def _normalised_matrices(
    m: DecisionMatrix, settings: CompositeSettings
) -> dict[tuple[str, str], np.ndarray]:
    s = settings.sensitivity
    methods = set(s.normalisations) | {settings.normalisation}
    imputations = set(s.imputations) | {settings.imputation}
    return {
        (method, imp): normalise.normalise(
            m.values(imp), method=method, higher_is_better=m.higher_is_better, targets=m.targets
        )
        for method in methods
        for imp in imputations
    }


def _dirichlet(rng: np.random.Generator, w: np.ndarray, concentration: float, n: int) -> np.ndarray:
    alpha = np.maximum(concentration * len(w) * w, 1e-6)
    return rng.dirichlet(alpha, size=n)  # (draws, k)


def _scores(matrix: np.ndarray, w: np.ndarray, aggregation: str) -> np.ndarray:
    """Scores of every unit for every weight vector (rows of ``w``): (units, draws).

    Missing cells (imputation ``none``) drop out and the remaining weights are rescaled.
    """
    present = ~np.isnan(matrix)
    share = present.astype(float) @ w.T  # weight each unit actually has, per draw
    with np.errstate(divide="ignore", invalid="ignore"):
        if aggregation == "geometric":
            logs = np.log(np.maximum(np.where(present, matrix, 1.0), GEOMETRIC_FLOOR))
            return np.exp((logs @ w.T) / share)
        return (np.where(present, matrix, 0.0) @ w.T) / share


def _rank_columns(scores: np.ndarray) -> np.ndarray:
    """Rank each column, 1 = best; ties share the best rank; NaN stays NaN."""
    filled = np.where(np.isnan(scores), -np.inf, scores)
    ranks = rankdata(-filled, method="min", axis=0).astype(float)
    ranks[np.isnan(scores)] = np.nan
    return ranks


def _ranks_for(matrices, choices, pick, drawn) -> np.ndarray:
    units = next(iter(matrices.values())).shape[0]
    ranks = np.full((units, len(pick)), np.nan, dtype=np.float32)
    for c, (method, imp, agg) in enumerate(choices):
        cols = np.flatnonzero(pick == c)
        if len(cols):
            ranks[:, cols] = _rank_columns(_scores(matrices[(method, imp)], drawn[cols], agg))
    return ranks


def _choice_effects(
    m: DecisionMatrix,
    matrices,
    settings: CompositeSettings,
    w: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    base_key = (settings.normalisation, settings.imputation)
    base = _rank_columns(_scores(matrices[base_key], w[None, :], settings.aggregation))[:, 0]
    s = settings.sensitivity
    variants = {
        "weights": [
            _scores(
                matrices[base_key],
                _dirichlet(rng, w, s.weight_concentration, 200),
                settings.aggregation,
            )
        ],
        "normalisation": [
            _scores(matrices[(n, settings.imputation)], w[None, :], settings.aggregation)
            for n in s.normalisations
            if n != settings.normalisation
        ],
        "aggregation": [
            _scores(matrices[base_key], w[None, :], a)
            for a in s.aggregations
            if a != settings.aggregation
        ],
        "imputation": [
            _scores(matrices[(settings.normalisation, i)], w[None, :], settings.aggregation)
            for i in s.imputations
            if i != settings.imputation
        ],
    }
    rows = []
    for choice, scored in variants.items():
        if not scored:
            continue
        ranks = _rank_columns(np.hstack(scored))
        shift = np.nanmean(np.abs(ranks - base[:, None]))
        rows.append(
            {
                "choice": choice,
                "mean_rank_shift": float(shift),
                "share_of_units": float(shift / len(m.units)),
            }
        )
    return pd.DataFrame(rows).sort_values("mean_rank_shift", ascending=False, ignore_index=True)

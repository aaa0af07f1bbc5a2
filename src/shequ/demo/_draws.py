"""Random draws shared by the sample city's simulation: ramps towards the last year, counts
that keep their rate within bounds, and facility openings."""

from __future__ import annotations

import numpy as np


def ramp(
    rng: np.random.Generator,
    last: np.ndarray,
    back: np.ndarray,
    lo_step: float,
    hi_step: float,
    lo: float,
    hi: float,
) -> np.ndarray:
    """Values that reach ``last`` in the final year, lower by a per-community step per year."""
    step = rng.uniform(lo_step, hi_step, last.size)
    return np.clip(last[:, None] - step[:, None] * back[None, :], lo, hi)


def count(pop: np.ndarray, rate: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Whole-number counts ``pop * rate`` whose realised rate stays within [lo, hi]."""
    return np.clip(np.round(pop * rate), np.ceil(pop * lo), np.floor(pop * hi))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def facilities(
    rng: np.random.Generator, p_last: np.ndarray, n_years: int, n_gain: int, n_first: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Centre counts (0-2) per community and year, and the openings.

    ``n_gain`` communities that have a centre in the last year opened their first one in
    a year drawn from the second year on, ``n_first`` more in the first year. Returns
    (counts, opened), both of shape (community, year).
    """
    n = p_last.size
    has = rng.random(n) < p_last
    counts = np.repeat((np.where(rng.random(n) < 0.1, 2, 1) * has)[:, None], n_years, axis=1)
    candidates = np.flatnonzero(has)
    total = min(n_gain + n_first, candidates.size)
    gainers = np.sort(rng.choice(candidates, total, replace=False))
    start = np.concatenate([rng.integers(1, n_years, total - n_first), np.zeros(n_first, int)])
    opened = np.zeros((n, n_years))
    for c, y in zip(gainers, rng.permutation(start), strict=False):
        counts[c, :y] = 0
        counts[c, y:] = 1
        opened[c, y] = 1
    return counts, opened

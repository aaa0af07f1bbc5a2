"""Leave-one-out statistics of groups of values, vectorised with numpy.

For each value, the count, mean, sample standard deviation, median and median absolute
deviation (MAD) of the *other* values of its group: what an outlier check compares a value
with, so that one wild value cannot hide itself. pandas' groupby gives whole-group
statistics only, and a Python loop per value took minutes on a city of 2 000 communities,
hence this module. Groups of one size are stacked into a matrix and each row's
"everyone but me" is gathered with one index array (``n × (n - 1)`` per group), in chunks
of bounded memory; a group too large for that (more than `MATRIX_LIMIT` cells) is worked
value by value, which keeps memory at O(n).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MATRIX_LIMIT = 4_000_000  # cells of one gathered chunk (32 MB of float64)


@dataclass(frozen=True)
class Others:
    """Per value: statistics of the other values of its group (NaN where undefined)."""

    count: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    median: np.ndarray
    mad: np.ndarray


def others(groups: np.ndarray, values: np.ndarray) -> Others:
    """Statistics of the other values of each value's group.

    ``groups`` holds an integer group code (≥ 0) per value. NaN values are left out of
    every reference and get no statistics themselves (count 0).
    """
    n_all = len(values)
    values = np.asarray(values, dtype=float)
    count = np.zeros(n_all, dtype=np.int64)
    out = {k: np.full(n_all, np.nan) for k in ("mean", "std", "median", "mad")}
    known = ~np.isnan(values)
    keyed = np.where(known, groups, -1)  # NaN values out of every group
    order = np.argsort(keyed, kind="stable")
    codes, starts, sizes = np.unique(keyed[order], return_index=True, return_counts=True)
    for size in np.unique(sizes[codes >= 0]):
        picked = starts[(sizes == size) & (codes >= 0)]
        _same_size(picked, int(size), order, values, count, out)
    return Others(count, out["mean"], out["std"], out["median"], out["mad"])


def _same_size(starts, size, order, values, count, out) -> None:
    members = order[starts[:, None] + np.arange(size)]  # groups × size, positions
    count[members.ravel()] = size - 1
    if size < 2:
        return
    if size * (size - 1) > MATRIX_LIMIT:
        for row in members:
            _one_by_one(row, values, out)
        return
    leave = np.array([[j for j in range(size) if j != k] for k in range(size)], dtype=np.int64)
    chunk = max(1, MATRIX_LIMIT // (size * (size - 1)))
    for first in range(0, len(members), chunk):
        block = members[first : first + chunk]
        reference = values[block][:, leave]  # groups × size × (size - 1)
        _store(out, block, _statistics(reference))


def _one_by_one(row, values, out) -> None:
    group = values[row]
    for k, position in enumerate(row):
        reference = np.delete(group, k)[None, None, :]
        _store(out, np.array([[position]]), _statistics(reference))


def _statistics(reference: np.ndarray) -> dict[str, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        median = np.median(reference, axis=-1)
        stats = {
            "mean": reference.mean(axis=-1),
            "std": reference.std(axis=-1, ddof=1)
            if reference.shape[-1] > 1
            else np.full(reference.shape[:-1], np.nan),
            "median": median,
            "mad": np.median(np.abs(reference - median[..., None]), axis=-1),
        }
    return stats


def _store(out, block, stats) -> None:
    flat = block.ravel()
    for key, array in stats.items():
        out[key][flat] = array.ravel()

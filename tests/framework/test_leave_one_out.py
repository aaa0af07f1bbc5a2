"""Leave-one-out statistics against a plain loop over each value's other values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.framework import leave_one_out


def loop(groups, values):
    """The definition, one value at a time: statistics of the other known values of its group."""
    rows = []
    for i, (g, v) in enumerate(zip(groups, values, strict=True)):
        if np.isnan(v):
            rows.append((0, np.nan, np.nan, np.nan, np.nan))
            continue
        ref = np.array([w for j, (h, w) in enumerate(zip(groups, values, strict=True))
                        if h == g and j != i and not np.isnan(w)])  # fmt: skip
        if len(ref) == 0:
            rows.append((0, np.nan, np.nan, np.nan, np.nan))
            continue
        med = float(np.median(ref))
        std = float(np.std(ref, ddof=1)) if len(ref) > 1 else np.nan
        rows.append((len(ref), ref.mean(), std, med, float(np.median(np.abs(ref - med)))))
    return rows


def check(groups, values):
    got = leave_one_out.others(np.array(groups), np.array(values, dtype=float))
    for i, (n, mean, std, med, mad) in enumerate(loop(groups, values)):
        assert got.count[i] == n
        for have, want in ((got.mean, mean), (got.std, std), (got.median, med), (got.mad, mad)):
            assert have[i] == pytest.approx(want, nan_ok=True, rel=1e-9, abs=1e-9)


def test_a_worked_group():
    # group 0 = 10, 12, 11, 13, 50; the others of 50 are 10..13: mean 11.5, median 11.5,
    # |dev| 1.5, 0.5, 0.5, 1.5 → MAD 1; sample sd = sqrt((2.25+0.25+0.25+2.25)/3) = 1.291
    got = leave_one_out.others(np.array([0, 0, 0, 0, 0, 1]), np.array([10, 12, 11, 13, 50, 7.0]))
    assert got.count.tolist() == [4, 4, 4, 4, 4, 0]
    assert (got.mean[4], got.median[4], got.mad[4]) == (11.5, 11.5, 1.0)
    assert got.std[4] == pytest.approx(1.2910, abs=1e-4)
    assert np.isnan(got.mean[5])  # alone in its group: nothing to compare with


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.one_of(st.floats(-1e6, 1e6), st.just(float("nan")))),
        max_size=40,
    )
)
def test_agrees_with_the_loop(pairs):
    check([g for g, _ in pairs], [v for _, v in pairs])


def test_a_group_too_large_for_one_matrix_is_worked_value_by_value(monkeypatch):
    monkeypatch.setattr(leave_one_out, "MATRIX_LIMIT", 10)  # a group of 5 needs 20 cells
    rng = np.random.default_rng(7)
    check([0] * 5 + [1] * 3, list(rng.normal(size=8)))

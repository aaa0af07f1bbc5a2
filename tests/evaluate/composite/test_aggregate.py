"""Arithmetic vs geometric aggregation, TOPSIS by hand and against pymcdm, ranks."""

import math

import numpy as np
import pytest
from pymcdm.methods import TOPSIS
from pymcdm.normalizations import minmax_normalization, vector_normalization

from shequ.evaluate.composite import aggregate as ag


def test_registry():
    assert set(ag.AGGREGATORS) == {"arithmetic", "geometric"}


def test_arithmetic_compensates_geometric_punishes_imbalance():
    s = np.array([[100.0, 0.0], [50.0, 50.0]])
    w = np.array([0.5, 0.5])
    # arithmetic: 0.5 · 100 + 0.5 · 0 = 50 and 0.5 · 50 + 0.5 · 50 = 50
    assert ag.arithmetic(s, w) == pytest.approx([50, 50])
    # geometric, 0 floored at 1: sqrt(100 · 1) = 10; sqrt(50 · 50) = 50
    assert ag.geometric(s, w) == pytest.approx([10, 50])


def test_weighted_means_by_hand():
    s = np.array([[80.0, 20.0, 50.0]])
    w = np.array([2.0, 1.0, 1.0])  # rescaled to (0.5, 0.25, 0.25)
    # 0.5 · 80 + 0.25 · 20 + 0.25 · 50 = 40 + 5 + 12.5 = 57.5
    assert ag.arithmetic(s, w) == pytest.approx([57.5])
    # 80^0.5 · 20^0.25 · 50^0.25 = 8.94427 · 2.11474 · 2.65915 = 50.2973
    assert ag.geometric(s, w) == pytest.approx([80**0.5 * 20**0.25 * 50**0.25])
    assert ag.geometric(s, w)[0] < ag.arithmetic(s, w)[0]  # AM–GM


def test_nan_and_bad_weights_rejected():
    with pytest.raises(ValueError, match="impute first"):
        ag.arithmetic(np.array([[1.0, np.nan]]), np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="impute first"):
        ag.geometric(np.array([[1.0, np.nan]]), np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="non-negative"):
        ag.arithmetic(np.array([[1.0, 2.0]]), np.array([1.5, -0.5]))
    with pytest.raises(ValueError, match="do not match"):
        ag.arithmetic(np.array([[1.0, 2.0]]), np.array([1.0]))


def test_topsis_by_hand():
    x = np.array([[3.0, 0.0], [4.0, 3.0], [0.0, 4.0]])
    # vector normalisation, both column norms are 5: r = [[.6, 0], [.8, .6], [0, .8]]
    # weights (.5, .5): v = [[.3, 0], [.4, .3], [0, .4]]
    # column 1 benefit: ideal .4, anti-ideal 0; column 2 cost: ideal 0, anti-ideal .4
    # unit 1: d+ = sqrt(.1² + 0²) = .1,            d− = sqrt(.3² + .4²) = .5 → C = .5 / .6
    # unit 2: d+ = sqrt(0² + .3²) = .3,            d− = sqrt(.4² + .1²) = sqrt(.17) = .41231
    #         → C = .41231 / .71231 = .57884
    # unit 3: d+ = sqrt(.4² + .4²) = .56569,       d− = 0 → C = 0
    c = ag.topsis(x, [0.5, 0.5], higher_is_better=[True, False])
    s17 = math.sqrt(0.17)
    assert c == pytest.approx([0.5 / 0.6, s17 / (0.3 + s17), 0.0], abs=1e-12)
    assert c == pytest.approx([0.83333, 0.57884, 0.0], abs=1e-5)


def test_topsis_identical_units_get_half():
    x = np.ones((3, 2))
    assert ag.topsis(x, [0.5, 0.5], higher_is_better=[True, False]) == pytest.approx([0.5] * 3)


@pytest.mark.parametrize(
    ("ours", "theirs"), [("vector", vector_normalization), ("minmax", minmax_normalization)]
)
@pytest.mark.parametrize("seed", range(5))
def test_topsis_agrees_with_pymcdm(ours, theirs, seed):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(3, 25)), int(rng.integers(2, 7))
    x = rng.uniform(1.0, 1000.0, size=(m, n))
    w = rng.dirichlet(np.ones(n))
    higher = rng.random(n) < 0.5
    higher[0], higher[-1] = True, False  # always mixed benefit / cost
    types = np.where(higher, 1, -1)
    expected = TOPSIS(normalization_function=theirs)(x.copy(), w, types)
    got = ag.topsis(x, w, higher_is_better=higher, normalisation=ours)
    assert got == pytest.approx(expected, abs=1e-9)


def test_topsis_pymcdm_docstring_example():
    # pymcdm's own example (min–max, cost then benefit): [0.5, 0.617, 0.5]
    x = np.array([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]])
    got = ag.topsis(x, [0.5, 0.5], higher_is_better=[False, True], normalisation="minmax")
    assert got == pytest.approx([0.5, 0.617, 0.5], abs=1e-3)


def test_topsis_rejects_nan_and_unknown_normalisation():
    with pytest.raises(ValueError, match="impute first"):
        ag.topsis(np.array([[1.0, np.nan], [2.0, 3.0]]), [0.5, 0.5], higher_is_better=[True, True])
    with pytest.raises(ValueError, match="unknown TOPSIS normalisation"):
        ag.topsis(np.ones((2, 2)), [0.5, 0.5], higher_is_better=[True, True], normalisation="sum")


def test_ranks():
    scores = np.array([70.0, 90.0, np.nan, 70.0, 10.0])
    # 90 first; the two 70s share rank 2; 10 is fourth; NaN is not ranked
    assert ag.ranks(scores) == pytest.approx([2, 1, np.nan, 2, 4], nan_ok=True)
    assert ag.ranks(scores, higher_is_better=False) == pytest.approx(
        [2, 4, np.nan, 2, 1], nan_ok=True
    )

"""Weights: equal, expert, AHP (hand-worked and textbook matrices), entropy, combine."""

import math

import numpy as np
import pytest
from pymcdm.weights import entropy_weights

from shequ.evaluate.composite import weights as wt


def test_equal_and_expert():
    assert wt.equal(4) == pytest.approx([0.25] * 4)
    assert wt.expert([2, 1, 1]) == pytest.approx([0.5, 0.25, 0.25])
    with pytest.raises(ValueError, match="non-negative"):
        wt.expert([1, -1])
    with pytest.raises(ValueError, match="must not all be 0"):
        wt.expert([0, 0])


def test_registry():
    assert set(wt.WEIGHTINGS) == {"equal", "expert", "ahp", "entropy"}
    assert wt.WEIGHTINGS["ahp"]([[1, 2], [0.5, 1]]) == pytest.approx([2 / 3, 1 / 3])


def test_ahp_consistent_matrix():
    # a_ij = w_i / w_j for w ∝ (4, 2, 1): A w = 3 w, so λmax = n = 3, CI = CR = 0
    w = np.array([4.0, 2.0, 1.0])
    r = wt.ahp(w[:, None] / w[None, :])
    assert r.weights == pytest.approx([4 / 7, 2 / 7, 1 / 7], abs=1e-12)
    assert r.lambda_max == pytest.approx(3.0, abs=1e-12)
    assert r.ci == pytest.approx(0.0, abs=1e-12) and r.cr == pytest.approx(0.0, abs=1e-12)
    assert (r.n, r.ri) == (3, 0.58)


def test_ahp_saaty_3x3():
    # Textbook matrix [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]].
    # For n = 3 the principal eigenvector is the row geometric mean:
    #   (15^(1/3), 1, 15^(-1/3)) = (2.46621, 1, 0.40548), sum 3.87169
    #   → w = (0.6370, 0.2583, 0.1047)
    # and λmax = 1 + c^(1/3) + c^(-1/3) with c = a12 · a23 / a13 = 3 · 3 / 5 = 1.8:
    #   1 + 1.21644 + 0.82207 = 3.0385; CI = 0.0385 / 2 = 0.01926; CR = 0.01926 / 0.58 = 0.0332
    r = wt.ahp([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert r.weights == pytest.approx([0.6370, 0.2583, 0.1047], abs=1e-4)
    g = np.array([15 ** (1 / 3), 1.0, 15 ** (-1 / 3)])
    assert r.weights == pytest.approx(g / g.sum(), abs=1e-12)
    assert r.lambda_max == pytest.approx(1 + 1.8 ** (1 / 3) + 1.8 ** (-1 / 3), abs=1e-12)
    assert r.lambda_max == pytest.approx(3.0385, abs=1e-4)
    assert r.ci == pytest.approx(0.01926, abs=1e-5)
    assert r.cr == pytest.approx(0.0332, abs=1e-4)


FIVE = np.array(
    [
        [1, 2, 3, 5, 7],
        [1 / 2, 1, 2, 3, 5],
        [1 / 3, 1 / 2, 1, 2, 3],
        [1 / 5, 1 / 3, 1 / 2, 1, 2],
        [1 / 7, 1 / 5, 1 / 3, 1 / 2, 1],
    ]
)


def test_ahp_5x5_against_power_iteration():
    r = wt.ahp(FIVE, labels=["经济", "社会", "文化", "生态", "治理"])
    # independent check: power iteration converges to the same principal eigenpair
    v = np.ones(5)
    for _ in range(200):
        v = FIVE @ v
        v /= v.sum()
    lam = (FIVE @ v)[0] / v[0]
    assert r.weights == pytest.approx(v, abs=1e-10)
    assert r.lambda_max == pytest.approx(lam, abs=1e-10)
    assert FIVE @ r.weights == pytest.approx(r.lambda_max * r.weights, abs=1e-12)
    # CI = (λmax − 5) / 4, CR = CI / RI with RI(5) = 1.12
    assert r.ri == 1.12
    assert r.ci == pytest.approx((r.lambda_max - 5) / 4)
    assert r.cr == pytest.approx(r.ci / 1.12)
    # this near-consistent matrix: λmax = 5.0280, CI = 0.0280 / 4 = 0.00701,
    # CR = 0.00701 / 1.12 = 0.0063 (well under 0.1)
    assert r.lambda_max == pytest.approx(5.0280, abs=1e-4)
    assert r.ci == pytest.approx(0.00701, abs=1e-5)
    assert r.cr == pytest.approx(0.0063, abs=1e-4)
    assert r.weights == pytest.approx([0.4446, 0.2619, 0.1524, 0.0887, 0.0524], abs=1e-4)


def test_ahp_inconsistent_names_the_pair():
    # consistent for w ∝ (8, 4, 2, 1) except that A : D is turned round (1/8 instead of 8)
    w = np.array([8.0, 4.0, 2.0, 1.0])
    a = w[:, None] / w[None, :]
    a[0, 3], a[3, 0] = 1 / 8, 8.0
    with pytest.raises(wt.AHPConsistencyError) as info:
        wt.ahp(a, labels=["economy", "society", "culture", "ecology"])
    message = str(info.value)
    assert "CR = 1.0128 > 0.1" in message
    # the worst judgement is listed first, with the ratio the weights imply
    assert "economy vs ecology judged 0.125, weights imply 0.6597" in message
    assert "economy 对 ecology 判断为 0.125" in message
    assert message.index("economy vs ecology") < message.index("society vs ecology")
    assert info.value.result.cr == pytest.approx(1.0128, abs=1e-4)
    assert isinstance(info.value, ValueError)
    # max_cr=inf accepts it
    assert wt.ahp(a, max_cr=math.inf).cr > 1


@pytest.mark.parametrize(
    ("matrix", "pattern"),
    [
        ([[1, 2, 3], [0.5, 1, 2]], "square"),
        ([[1, -2], [-0.5, 1]], r"a\[1,2\] = -2.0 must be a positive"),
        ([[2, 2], [0.5, 1]], r"diagonal judgement a\[1,1\]"),
        (
            [[1, 2, 3], [0.5, 1, 2], [1 / 3, 0.4, 1]],
            r"not reciprocal: a\[3,2\] = 0.4 should be 1/2",
        ),
    ],
)
def test_ahp_validation(matrix, pattern):
    with pytest.raises(ValueError, match=pattern):
        wt.ahp(matrix)


def test_ahp_validation_uses_labels():
    with pytest.raises(ValueError, match=r"a\[2,1\] \(B : A\)"):
        wt.ahp([[1, 2], [0.4, 1]], labels=["A", "B"])


def test_entropy_by_hand():
    # m = 3 units, ln 3 = 1.098612
    x = np.array([[5.0, 2.0, 0.0], [5.0, 4.0, 1.0], [5.0, 2.0, 1.0]])
    # column 1 constant: p = (1/3, 1/3, 1/3), e = ln 3 / ln 3 = 1, d = 0
    # column 2: p = (2, 4, 2) / 8 = (0.25, 0.5, 0.25)
    #   Σ p ln p = 2 · 0.25 ln 0.25 + 0.5 ln 0.5 = −1.5 ln 2 = −1.039721
    #   e = 1.039721 / 1.098612 = 0.946395, d = 0.053605
    # column 3: p = (0, 0.5, 0.5), 0 · ln 0 = 0: Σ p ln p = −ln 2 = −0.693147
    #   e = 0.693147 / 1.098612 = 0.630930, d = 0.369070
    # Σ d = 0.422675 → w = (0, 0.126823, 0.873177)
    d = np.array([0.0, 1 - 1.5 * math.log(2) / math.log(3), 1 - math.log(2) / math.log(3)])
    assert wt.entropy(x) == pytest.approx(d / d.sum(), abs=1e-12)
    assert wt.entropy(x) == pytest.approx([0, 0.126823, 0.873177], abs=1e-6)


def test_entropy_drops_rows_with_nan():
    x = np.array([[1.0, 2.0], [3.0, np.nan], [2.0, 5.0], [4.0, 1.0]])
    assert wt.entropy(x) == pytest.approx(wt.entropy(x[[0, 2, 3]]))


def test_entropy_degenerate_cases_are_equal():
    assert wt.entropy(np.full((4, 3), 2.0)) == pytest.approx([1 / 3] * 3)
    assert wt.entropy(np.array([[1.0, 2.0]])) == pytest.approx([0.5, 0.5])
    with pytest.raises(ValueError, match="non-negative"):
        wt.entropy(np.array([[1.0, -2.0], [1.0, 2.0]]))


@pytest.mark.parametrize("seed", range(5))
def test_entropy_agrees_with_pymcdm(seed):
    # pymcdm sum-normalises the columns first (p_ij = x_ij / Σ x_ij, as here) and rejects
    # zeros, so both get the same strictly positive 0–100 matrix
    rng = np.random.default_rng(seed)
    x = rng.uniform(1.0, 100.0, size=(int(rng.integers(3, 30)), int(rng.integers(2, 8))))
    assert wt.entropy(x) == pytest.approx(entropy_weights(x.copy()), abs=1e-9)


def test_combine():
    s, o = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    # linear, α = 0.5: (0.35, 0.25, 0.40)
    assert wt.combine(s, o) == pytest.approx([0.35, 0.25, 0.40])
    assert wt.combine(s, o, alpha=1.0) == pytest.approx(s)
    # product: (0.10, 0.06, 0.12) / 0.28
    assert wt.combine(s, o, method="product") == pytest.approx(
        [0.10 / 0.28, 0.06 / 0.28, 0.12 / 0.28]
    )
    with pytest.raises(ValueError, match="alpha must be in"):
        wt.combine(s, o, alpha=1.5)
    with pytest.raises(ValueError, match="unknown combination"):
        wt.combine(s, o, method="max")

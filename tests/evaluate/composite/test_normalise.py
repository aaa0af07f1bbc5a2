"""Normalisation on tiny columns worked by hand; outlier capping; NaN handling."""

import numpy as np
import pytest

from shequ.evaluate.composite import normalise as nm

COLUMN = np.array([[20.0], [30.0], [40.0], [50.0]])
# Capping leaves COLUMN alone: median 35, MAD = median(15, 5, 5, 15) = 10,
# bound 3 × 1.4826 × 10 = 44.478 > 15.


def score(x, method, higher=True, target=np.nan, cap=True):
    return nm.normalise(
        x, method=method, higher_is_better=np.array([higher]), targets=np.array([target]), cap=cap
    ).ravel()


def test_target_higher_is_better():
    # floor L = min = 20, target 40: 100 × clip((x − 20) / 20, 0, 1)
    # 20 → 0, 30 → 50, 40 → 100 (at target), 50 → 100 (beyond, clipped)
    assert score(COLUMN, "target", target=40.0) == pytest.approx([0, 50, 100, 100])


def test_target_lower_is_better_mirrors():
    # floor L = max = 50, target 30: 100 × clip((50 − x) / (50 − 30), 0, 1)
    # 20 → 150 % clipped to 100, 30 → 100, 40 → 50, 50 → 0
    assert score(COLUMN, "target", higher=False, target=30.0) == pytest.approx([100, 100, 50, 0])


def test_target_all_met_scores_100():
    # higher-is-better, target 15 below the worst value 20: every unit meets it
    assert score(COLUMN, "target", target=15.0) == pytest.approx([100] * 4)
    # floor equal to the target (L == t) also counts as all met
    assert score(COLUMN, "target", target=20.0) == pytest.approx([100] * 4)
    # lower-is-better, target 60 above the worst value 50
    assert score(COLUMN, "target", higher=False, target=60.0) == pytest.approx([100] * 4)


def test_target_without_target_falls_back_to_minmax():
    assert score(COLUMN, "target") == pytest.approx(score(COLUMN, "minmax"))


def test_minmax_and_its_mirror():
    # (x − 20) / (50 − 20): 0, 1/3, 2/3, 1
    assert score(COLUMN, "minmax") == pytest.approx([0, 100 / 3, 200 / 3, 100])
    assert score(COLUMN, "minmax", higher=False) == pytest.approx([100, 200 / 3, 100 / 3, 0])


def test_zscore_t_scores():
    # mean 35; population variance (225 + 25 + 25 + 225) / 4 = 125, std = sqrt(125) = 11.1803
    # z = ∓15 / 11.1803 = ∓1.34164, ∓5 / 11.1803 = ∓0.44721; T = 50 + 10 z
    expected = [36.58359214, 45.52786405, 54.47213595, 63.41640786]
    assert score(COLUMN, "zscore") == pytest.approx(expected, abs=1e-8)
    assert score(COLUMN, "zscore", higher=False) == pytest.approx(expected[::-1], abs=1e-8)


def test_constant_columns():
    x = np.full((3, 1), 7.0)
    assert score(x, "minmax") == pytest.approx([100] * 3)
    assert score(x, "zscore") == pytest.approx([50] * 3)
    assert score(x, "target", target=7.0) == pytest.approx([100] * 3)  # L == t: all met


def test_cap_outliers_mad_bound():
    # median 12, |x − 12| = 2, 1, 0, 1, 88 → MAD 1; bound 3 × 1.4826 × 1 = 4.4478
    # → 100 is lowered to 12 + 4.4478 = 16.4478; nothing is below 12 − 4.4478 = 7.5522
    x = np.array([[10.0, 5.0], [11.0, 5.0], [12.0, 5.0], [13.0, 5.0], [100.0, 900.0]])
    capped = nm.cap_outliers(x)
    assert capped[:, 0] == pytest.approx([10, 11, 12, 13, 16.4478])
    # second column: MAD = median(0, 0, 0, 0, 895) = 0 → left alone
    assert capped[:, 1] == pytest.approx(x[:, 1])
    assert x[4, 0] == 100.0  # the input is not modified


def test_capping_protects_the_scale_of_the_others():
    x = np.array([[10.0], [11.0], [12.0], [13.0], [100.0]])
    # with capping, max = 16.4478: 11 → 100 × 1 / 6.4478 = 15.509; the outlier still 100
    capped = score(x, "minmax")
    assert capped == pytest.approx([0, 15.5091, 31.0183, 46.5274, 100], abs=1e-4)
    # without capping, max = 100: 11 → 100 × 1 / 90 = 1.111
    assert score(x, "minmax", cap=False)[1] == pytest.approx(100 / 90)


def test_target_outlier_beyond_target_keeps_100():
    # target 15: the capped max 16.4478 is irrelevant, the raw 100 is beyond the target
    x = np.array([[10.0], [11.0], [12.0], [13.0], [100.0]])
    assert score(x, "target", target=15.0) == pytest.approx([0, 20, 40, 60, 100])


@pytest.mark.parametrize("method", sorted(nm.NORMALISERS))
def test_nan_preserved_and_ignored(method):
    x = np.array([[20.0, np.nan], [np.nan, np.nan], [40.0, np.nan], [50.0, np.nan], [30.0, np.nan]])
    out = nm.normalise(
        x, method=method, higher_is_better=np.array([True, True]), targets=np.array([40.0, 1.0])
    )
    assert np.isnan(out[1, 0]) and np.isnan(out[:, 1]).all()
    full = score(COLUMN, method, target=40.0)
    assert out[[0, 4, 2, 3], 0] == pytest.approx(full)  # NaN does not move the others


@pytest.mark.parametrize("method", sorted(nm.NORMALISERS))
def test_range_and_direction_on_random_data(method):
    rng = np.random.default_rng(7)
    x = rng.lognormal(3, 1, size=(50, 4))
    higher = np.array([True, False, True, False])
    out = nm.normalise(
        x, method=method, higher_is_better=higher, targets=np.array([30.0, 10.0, np.nan, np.nan])
    )
    assert out.shape == x.shape and (out >= 0).all() and (out <= 100).all()
    for j in range(4):  # scores are monotone in the value, in the indicator's direction
        order = np.argsort(x[:, j] if higher[j] else -x[:, j])
        assert (np.diff(out[order, j]) >= -1e-12).all()


def test_registry_and_errors():
    assert set(nm.NORMALISERS) == {"target", "minmax", "zscore"}
    with pytest.raises(ValueError, match="unknown normalisation method 'rank'"):
        score(COLUMN, "rank")
    with pytest.raises(ValueError, match="need 1 entries"):
        nm.normalise(COLUMN, higher_is_better=np.array([True, False]), targets=np.array([1.0]))

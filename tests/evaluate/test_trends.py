"""Trends on hand-made series: Theil–Sen by hand, changes, every trend status, quarters.

Unless a test says otherwise the series are yearly, so x = year + 0.5, and the target
period is 2025, so the projection is read at x = 2025.5. The projection line goes through
(median x, median y) with the Theil–Sen slope.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from shequ.evaluate.trends import (
    TREND_COLUMNS,
    TREND_STATUSES,
    assess_trends,
    theil_sen,
)
from shequ.framework.periods import period_position


def history(values: dict[str, float], indicator: str = "green_coverage", unit: str = "A"):
    return pd.DataFrame(
        {
            "indicator": indicator,
            "org_unit": unit,
            "period": list(values),
            "value": [float(v) for v in values.values()],
        }
    )


def current(
    period: str,
    value: float,
    comparator: str | None = ">=",
    target: float = 40.0,
    *,
    target_period: str | None = "2025",
    status: str = "not_met",
    baseline: float = math.nan,
    indicator: str = "green_coverage",
    unit: str = "A",
):
    return pd.DataFrame(
        {
            "indicator": [indicator],
            "org_unit": [unit],
            "period": [period],
            "value": [float(value)],
            "target": [target],
            "comparator": [comparator],
            "target_period": [target_period],
            "baseline_value": [baseline],
            "status": [status],
        }
    )


def one(past: dict[str, float], period: str, value: float, *args, **kwargs) -> pd.Series:
    out = assess_trends(history(past), current(period, value, *args, **kwargs))
    assert len(out) == 1
    return out.iloc[0]


# --- Theil–Sen ------------------------------------------------------------------------


def test_theil_sen_by_hand_and_robust_to_an_outlier():
    x = [0, 1, 2, 3, 4]
    y = [1, 2, 3, 4, 20]  # a straight line of slope 1, except the last point
    # pairwise slopes (j > i): (0,1) 1, (0,2) 1, (0,3) 1, (0,4) 19/4 = 4.75,
    # (1,2) 1, (1,3) 1, (1,4) 18/3 = 6, (2,3) 1, (2,4) 17/2 = 8.5, (3,4) 16
    # sorted: 1 1 1 1 1 1 4.75 6 8.5 16 → median (1 + 1)/2 = 1
    # intercept = median(y) − slope · median(x) = 3 − 1·2 = 1
    # interval (Sen 1968) at 0.90: N = 10 slopes, σ² = 5·4·15/18 = 16.67, σ = 4.082,
    # z = 1.645, zσ = 6.716 → upper index round((10 + 6.716)/2) = round(8.36) = 8 → 8.5,
    # lower index round((10 − 6.716)/2) − 1 = round(1.64) − 1 = 1 → 1
    slope, intercept, low, high = theil_sen(x, y)
    assert slope == pytest.approx(1.0)
    assert intercept == pytest.approx(1.0)
    assert (low, high) == pytest.approx((1.0, 8.5))
    # least squares: mean x 2, mean y 30/5 = 6,
    # Sxy = (−2)(−5) + (−1)(−4) + 0·(−3) + 1·(−2) + 2·14 = 10 + 4 + 0 − 2 + 28 = 40,
    # Sxx = 4 + 1 + 0 + 1 + 4 = 10 → slope 4: the outlier quadruples it
    assert stats.linregress(x, y).slope == pytest.approx(4.0)


def test_assess_trends_uses_the_same_fit_as_scipy_on_yearly_x():
    # 10, 13, 12 at 2020.5, 2021.5, 2022.5: slopes 3, 1, −1 → median 1 per year
    row = one({"2020": 10, "2021": 13}, "2022", 12)
    assert row["slope"] == pytest.approx(1.0)
    assert row["n_points"] == 3
    # 3 points: N = 3, σ² = 3·2·11/18 = 3.67, σ = 1.915, zσ = 3.150 → upper index
    # min(round(3.07), 2) = 2 → 3, lower max(round(−0.07) − 1, 0) = 0 → −1
    assert (row["slope_low"], row["slope_high"]) == pytest.approx((-1.0, 3.0))


def test_batched_fit_matches_scipy_on_random_series_with_ties_and_gaps():
    rng = np.random.default_rng(7)
    past, rows = [], []
    for u in range(300):
        n = int(rng.integers(3, 10))
        years = [str(2010 + i) for i in range(n)]
        values = np.round(rng.normal(30, 3, n), 0)  # whole numbers: many ties
        values[rng.random(n) < 0.15] = np.nan  # gaps
        values[-1] = rng.normal(30, 3)
        past.append(history(dict(zip(years[:-1], values[:-1], strict=True)), unit=f"U{u}"))
        rows.append(current(years[-1], values[-1], target_period="2030", unit=f"U{u}"))
    out = assess_trends(pd.concat(past), pd.concat(rows, ignore_index=True))
    for (_, row), past_rows in zip(out.iterrows(), past, strict=True):
        points = past_rows.dropna(subset=["value"])
        x = [period_position(p) for p in points["period"]] + [period_position(row["period"])]
        y = [*points["value"], row["value"]]
        if len(y) < 3:
            assert math.isnan(row["slope"])
            continue
        slope, intercept, low, high = theil_sen(x, y)
        assert row["n_points"] == len(y)
        assert [row["slope"], row["slope_low"], row["slope_high"]] == pytest.approx(
            [slope, low, high], rel=1e-12, abs=1e-12
        )
        assert row["projected_value"] == pytest.approx(intercept + slope * 2030.5, abs=1e-8)


# --- changes --------------------------------------------------------------------------


def test_change_vs_previous_skips_periods_without_data_and_vs_baseline():
    row = one({"2020": 30, "2023": 35, "2024": math.nan}, "2025", 38, baseline=30.0)
    assert row["previous_period"] == "2023"  # 2024 has no value: the latest earlier with one
    assert row["previous_value"] == 35.0
    assert row["change_vs_previous"] == pytest.approx(3.0)  # 38 − 35
    assert row["baseline_value"] == 30.0
    assert row["change_vs_baseline"] == pytest.approx(8.0)  # 38 − 30


def test_no_previous_and_no_baseline_give_nan_changes():
    row = one({}, "2025", 38)
    assert row["previous_period"] is None
    assert math.isnan(row["previous_value"])
    assert math.isnan(row["change_vs_previous"])
    assert math.isnan(row["change_vs_baseline"])
    assert row["n_points"] == 1


def test_current_value_wins_over_history_and_later_periods_are_ignored():
    past = {"2021": 30, "2022": 32, "2023": 99, "2024": 50}  # 2023 also in current; 2024 later
    row = one(past, "2023", 34)
    # points 30, 32, 34 at 2021.5 … 2023.5 → slope 2, the stale 99 and the later 50 unused
    assert row["n_points"] == 3
    assert row["slope"] == pytest.approx(2.0)
    assert row["previous_period"] == "2022"
    assert row["change_vs_previous"] == pytest.approx(2.0)


# --- statuses -------------------------------------------------------------------------


def test_on_track():
    row = one({"2020": 30, "2021": 32, "2022": 34}, "2023", 36, ">=", 40.0)
    # slope 2/yr (every pair); median x = (2021.5 + 2022.5)/2 = 2022, median y = 33
    # projected at 2025.5: 33 + 2 · (2025.5 − 2022) = 33 + 7 = 40 ≥ 40
    assert row["slope"] == pytest.approx(2.0)
    assert row["projected_value"] == pytest.approx(40.0)
    assert row["trend_status"] == "on_track"
    assert row["note_zh"] == "按近4期趋势，预计2025年达到40（目标≥40）"
    assert (
        row["note_en"] == "on the trend of the last 4 periods, projected 40 by 2025 (target >= 40)"
    )


def test_at_risk_when_only_the_upper_end_of_the_interval_reaches_the_target():
    row = one({"2020": 30, "2021": 31, "2022": 32}, "2023", 36, ">=", 40.0)
    # slopes: (0,1) 1, (0,2) 1, (0,3) 6/3 = 2, (1,2) 1, (1,3) 5/2 = 2.5, (2,3) 4
    # sorted 1 1 1 2 2.5 4 → median 1.5; median y (31 + 32)/2 = 31.5, median x 2022
    # projected 31.5 + 1.5 · 3.5 = 36.75 < 40
    # interval, 4 points: N = 6, σ² = 4·3·13/18 = 8.67, σ = 2.944, zσ = 4.842 →
    # upper index round(5.42) = 5 → 4, lower round(0.58) − 1 = 0 → 1
    # upper end: 31.5 + 4 · 3.5 = 45.5 ≥ 40
    assert row["slope"] == pytest.approx(1.5)
    assert (row["slope_low"], row["slope_high"]) == pytest.approx((1.0, 4.0))
    assert row["projected_value"] == pytest.approx(36.75)
    assert row["trend_status"] == "at_risk"
    assert "45.5" in row["note_zh"] and "上限" in row["note_zh"]
    assert "36.75" in row["note_en"] and "upper end" in row["note_en"]


def test_off_track_even_at_the_upper_end_with_ties_in_y():
    row = one({"2020": 30, "2021": 31, "2022": 30}, "2023", 31, ">=", 40.0)
    # slopes: (0,1) 1, (0,2) 0, (0,3) 1/3, (1,2) −1, (1,3) 0, (2,3) 1
    # sorted −1 0 0 1/3 1 1 → median (0 + 1/3)/2 = 1/6
    # ties: 30 twice and 31 twice → σ² = (156 − 2·(2·1·9))/18 = 120/18 = 6.67,
    # σ = 2.582, zσ = 4.247 → upper index round(5.12) = 5 → 1, lower round(0.88) − 1 = 0 → −1
    # projected 30.5 + 3.5/6 = 31.083; upper end 30.5 + 1 · 3.5 = 34 < 40
    assert row["slope"] == pytest.approx(1 / 6)
    assert (row["slope_low"], row["slope_high"]) == pytest.approx((-1.0, 1.0))
    assert row["projected_value"] == pytest.approx(30.5 + 3.5 / 6)
    assert row["trend_status"] == "off_track"
    assert "也仅为34" in row["note_zh"]
    assert "gives only 34" in row["note_en"]


def test_met_wins_over_a_falling_trend():
    row = one({"2020": 50, "2021": 46, "2022": 43}, "2023", 41, ">=", 40.0, status="met")
    assert row["slope"] < 0
    assert row["trend_status"] == "met"
    assert "已达标" in row["note_zh"]
    assert "target met" in row["note_en"]


def test_insufficient_data_with_two_points():
    row = one({"2022": 30}, "2023", 32)
    assert row["n_points"] == 2
    assert row["trend_status"] == "insufficient_data"
    assert math.isnan(row["slope"]) and math.isnan(row["projected_value"])
    assert row["note_zh"] == "仅有2期数据，判断趋势至少需要3期"
    assert "only 2 period(s)" in row["note_en"] and "at least 3" in row["note_en"]
    # the same two points are enough when min_points = 2: slope 2, projected 32 + 2·2 = 36
    out = assess_trends(history({"2022": 30}), current("2023", 32), min_points=2)
    assert out["slope"].iloc[0] == pytest.approx(2.0)
    assert out["projected_value"].iloc[0] == pytest.approx(36.0)


def test_no_data_when_the_value_is_missing():
    row = one({"2020": 30, "2021": 32, "2022": 34}, "2023", math.nan)
    assert row["trend_status"] == "no_data"
    assert row["n_points"] == 3  # the earlier points still count
    assert math.isnan(row["change_vs_previous"])
    assert row["note_zh"] == "本期无数据"


def test_no_data_when_a_reduce_by_baseline_is_missing():
    row = one({"2021": 9, "2022": 8}, "2023", 7, "reduce_by", math.nan, status="no_data")
    assert row["trend_status"] == "no_data"
    assert "baseline" in row["note_en"]


def test_no_target():
    row = one({"2020": 30, "2021": 32, "2022": 34}, "2023", 36, None, math.nan, target_period=None)
    assert row["trend_status"] == "no_target"
    assert row["slope"] == pytest.approx(2.0)  # described all the same
    assert math.isnan(row["projected_value"])
    assert row["note_en"] == "no target; trend not assessed"


def test_lower_is_better_strict_and_not():
    past = {"2020": 10, "2021": 9, "2022": 8}
    # slope −1 (every pair, so the interval is [−1, −1]); median y 8.5, median x 2022
    # projected 8.5 − 1 · 3.5 = 5
    at_most = one(past, "2023", 7, "<=", 5.0)
    assert at_most["projected_value"] == pytest.approx(5.0)
    assert at_most["trend_status"] == "on_track"  # 5 ≤ 5
    below = one(past, "2023", 7, "<", 5.0)
    assert below["trend_status"] == "off_track"  # 5 < 5 is false, and so is the lower end
    assert "下限" in below["note_zh"] and "lower end" in below["note_en"]


def test_lower_is_better_at_risk_uses_the_lower_end_of_the_interval():
    row = one({"2020": 10, "2021": 9, "2022": 9}, "2023", 7, "<", 5.5)
    # slopes: (0,1) −1, (0,2) −0.5, (0,3) −1, (1,2) 0, (1,3) −1, (2,3) −2
    # sorted −2 −1 −1 −1 −0.5 0 → median −1; median y 9 → projected 9 − 3.5 = 5.5, not < 5.5
    # ties: 9 twice → σ² = (156 − 18)/18 = 7.67, σ = 2.769, zσ = 4.554 → lower index
    # round(0.72) − 1 = 0 → −2; upper round(5.28) = 5 → 0
    # lower end: 9 − 2 · 3.5 = 2 < 5.5
    assert (row["slope_low"], row["slope_high"]) == pytest.approx((-2.0, 0.0))
    assert row["projected_value"] == pytest.approx(5.5)
    assert row["trend_status"] == "at_risk"


def test_reduce_by_projects_against_the_absolute_threshold():
    # criminal-case rate: 20 in 2020 (baseline), cut by 30 % → target 14 (≤), 15 in 2023
    past = {"2020": 20, "2021": 18, "2022": 17}
    row = one(past, "2023", 15, "reduce_by", 14.0, baseline=20.0)
    # slopes: (0,1) −2, (0,2) −1.5, (0,3) −5/3, (1,2) −1, (1,3) −1.5, (2,3) −2
    # sorted −2 −2 −5/3 −1.5 −1.5 −1 → median (−5/3 − 1.5)/2 = −19/12
    # median y (18 + 17)/2 = 17.5 → projected 17.5 − 19/12 · 3.5 = 11.958 ≤ 14
    assert row["slope"] == pytest.approx(-19 / 12)
    assert row["projected_value"] == pytest.approx(17.5 - 19 / 12 * 3.5)
    assert row["change_vs_baseline"] == pytest.approx(-5.0)  # 15 − 20
    assert row["trend_status"] == "on_track"
    assert "≤14" in row["note_zh"] and "<= 14" in row["note_en"]


def test_projection_is_compared_after_rounding_to_9_decimals():
    # months 2024-01 … 2024-06 with values 1 … 6: 1 a month = 12 a year; the target period
    # 2024 ends in month 12: 3.5 + 12 · (11.5 − 3)/12 = 12, but x in twelfths is not exact
    # in binary and the projection comes out ~12.000000000001
    past = {f"2024-{m:02d}": m for m in range(1, 6)}
    row = one(past, "2024-06", 6, "<=", 12.0, target_period="2024")
    assert row["projected_value"] == pytest.approx(12.0)
    assert row["trend_status"] == "on_track"


def test_target_date_passed_is_off_track_whatever_the_trend():
    steep = {"2020": 10, "2021": 20, "2022": 30, "2023": 35}
    row = one(steep, "2025", 39, ">=", 40.0)  # target 2025 and evaluated 2025: no time left
    assert row["trend_status"] == "off_track"
    assert row["projected_value"] >= 40  # the line would get there, the calendar will not
    assert "已过" in row["note_zh"] and "has passed" in row["note_en"]
    later = one({}, "2026", 39, ">=", 40.0)  # one point only: the date decides first
    assert later["trend_status"] == "off_track"


# --- periods --------------------------------------------------------------------------


def test_x_positions_of_quarters_and_months():
    # quarter q of 2024 is centred at 2024 + (q − 0.5)/4
    assert [period_position(f"2024Q{q}") for q in range(1, 5)] == [
        2024.125,
        2024.375,
        2024.625,
        2024.875,
    ]
    assert period_position("2023") == 2023.5
    assert period_position("2024-07") == pytest.approx(2024 + 6.5 / 12)


def test_quarterly_series_projects_to_the_last_quarter_of_the_target_year():
    past = {"2024Q1": 10, "2024Q2": 10.5, "2024Q3": 11, "2023": 99}  # the year is not a point
    row = one(past, "2024Q4", 11.5, ">=", 13.0)
    # 0.5 a quarter = 2 a year; median x (2024.375 + 2024.625)/2 = 2024.5, median y 10.75
    # projected at 2025Q4 (2025.875): 10.75 + 2 · 1.375 = 13.5 ≥ 13
    assert row["n_points"] == 4
    assert row["previous_period"] == "2024Q3"
    assert row["slope"] == pytest.approx(2.0)
    assert row["projected_value"] == pytest.approx(13.5)
    assert row["trend_status"] == "on_track"
    assert "预计2025年达到13.5" in row["note_zh"]


# --- shape ----------------------------------------------------------------------------


def test_one_row_per_current_row_with_its_index_and_columns():
    past = pd.concat(
        [history({"2021": 1, "2022": 2}, unit="A"), history({"2021": 5, "2022": 4}, unit="B")]
    )
    rows = pd.concat([current("2023", 3, unit="A"), current("2023", 3, unit="B")])
    rows.index = [10, 20]
    out = assess_trends(past, rows)
    assert list(out.columns) == TREND_COLUMNS
    assert list(out.index) == [10, 20]
    assert list(out["org_unit"]) == ["A", "B"]
    # A: 1, 2, 3 → every pairwise slope is 1; B: 5, 4, 3 → every pairwise slope is −1
    assert out["slope"].tolist() == pytest.approx([1.0, -1.0])
    assert set(out["trend_status"]) <= set(TREND_STATUSES)


def test_empty_current_and_bad_arguments():
    empty = current("2023", 1).iloc[:0]
    out = assess_trends(history({"2022": 1}), empty)
    assert out.empty and list(out.columns) == TREND_COLUMNS
    with pytest.raises(ValueError, match="min_points"):
        assess_trends(history({}), current("2023", 1), min_points=1)
    with pytest.raises(ValueError, match="alpha"):
        assess_trends(history({}), current("2023", 1), alpha=1.5)
    with pytest.raises(ValueError, match="missing columns: status"):
        assess_trends(history({}), current("2023", 1).drop(columns="status"))

"""The composite pipeline on a hand-worked level of four communities."""

import numpy as np
import pandas as pd
import pytest

from shequ.evaluate.composite.run import composite
from shequ.framework.loader import load_plan
from shequ.framework.scoring import CompositeSettings, SensitivitySettings

# living area (target >= 40; higher is better), participation (target >= 80)
#   A: 44, 60    B: 30, 90    C: 35, 70    D: 40, (missing)
VALUES = {
    "living_area_per_capita": {"A": 44.0, "B": 30.0, "C": 35.0, "D": 40.0},
    "participation_rate": {"A": 60.0, "B": 90.0, "C": 70.0, "D": np.nan},
}
TARGETS = {"living_area_per_capita": 40.0, "participation_rate": 80.0}


def results() -> pd.DataFrame:
    rows = []
    for indicator, by_unit in VALUES.items():
        for unit, value in by_unit.items():
            rows.append(
                {
                    "indicator": indicator,
                    "org_unit": unit,
                    "org_unit_name": f"{unit}社区",
                    "level": "community",
                    "period": "2025",
                    "value": value,
                    "target": TARGETS[indicator],
                    "comparator": ">=",
                    "baseline_value": np.nan,
                    "status": _status(value, TARGETS[indicator]),
                }
            )
    return pd.DataFrame(rows)


def _status(value: float, target: float) -> str:
    if np.isnan(value):
        return "no_data"
    return "met" if value >= target else "not_met"


def plan(**settings):
    base = load_plan("national")
    # D reports 1 of the 2 indicators: a threshold of 1/2 keeps it scored (the default 2/3
    # would leave it out; see test_availability.py)
    settings = {"data_threshold": 0.5, **settings}
    chosen = CompositeSettings(
        indicators=tuple(VALUES), sensitivity=SensitivitySettings(draws=50), **settings
    )
    return base.model_copy(update={"composite": chosen})


UNITS = pd.DataFrame({"org_unit": list("ABCD"), "period": "2025", "parent_code": "S"})


def overall(result):
    scores = result.scores[result.scores["dimension"] == "overall"]
    return scores.set_index("org_unit")


def test_distance_to_target_scores_imputation_and_ranks():
    result = composite(results(), plan(), units=UNITS)
    # D's missing participation is the median of its street's A, B, C: median(60, 90, 70) = 70
    imputed = result.imputed.iloc[0]
    assert (imputed.org_unit, imputed.indicator, imputed.method, imputed.value) == (
        "D",
        "participation_rate",
        "peer_median",
        70.0,
    )
    scores = result.indicator_scores.set_index(["org_unit", "indicator"])["score"]
    # living: floor = worst peer 30, target 40: A 44 -> 100, B 30 -> 0, C (35-30)/(40-30) = 50, D 100
    assert [scores[(u, "living_area_per_capita")] for u in "ABCD"] == [100, 0, 50, 100]
    # participation: floor 60, target 80: A 0, B 100, C (70-60)/20 = 50, D 50
    assert [scores[(u, "participation_rate")] for u in "ABCD"] == [0, 100, 50, 50]
    o = overall(result)
    # one indicator per dimension, two dimensions with equal weights: A (100+0)/2 = 50,
    # B 50, C 50, D (100+50)/2 = 75 -> D first, the three others tie at rank 2
    assert list(o.loc[list("ABCD"), "score"]) == [50, 50, 50, 75]
    assert list(o.loc[list("ABCD"), "rank"]) == [2, 2, 2, 1]
    assert {"rank_median", "rank_low", "rank_high"} <= set(o.columns)


def test_geometric_mean_punishes_imbalance():
    o = overall(composite(results(), plan(aggregation="geometric"), units=UNITS))
    # A: 100^0.5 × 1^0.5 (0 floored at 1) = 10; C: 50^0.5 × 50^0.5 = 50; D: sqrt(100 × 50) = 70.71
    assert o.loc["A", "score"] == pytest.approx(10.0)
    assert o.loc["C", "score"] == pytest.approx(50.0)
    assert o.loc["D", "score"] == pytest.approx(np.sqrt(5000))
    assert o.loc["D", "rank"] == 1 and o.loc["C", "rank"] == 2


def test_coordination_flags_a_unit_strong_in_one_dimension_and_failing_another():
    coupling = composite(results(), plan(), units=UNITS).coordination.set_index("org_unit")
    # A: U = [1.00, 0.01] (0 floored at 1 point): C = 2·sqrt(0.01)/1.01 = 0.19802,
    #    T = 0.505, D = sqrt(0.19802 × 0.505) = sqrt(0.1) = 0.31623 -> 轻度失调
    assert coupling.loc["A", "coordination"] == pytest.approx(np.sqrt(0.1))
    assert coupling.loc["A", "class_zh"] == "轻度失调"
    # C: U = [0.5, 0.5]: C = 1, T = 0.5, D = 0.70711 -> 中级协调
    assert coupling.loc["C", "coordination"] == pytest.approx(np.sqrt(0.5))
    assert coupling.loc["C", "class_zh"] == "中级协调"


def test_without_imputation_the_weights_of_missing_values_move_to_the_rest():
    result = composite(results(), plan(imputation="none"), units=UNITS)
    o = overall(result)
    # D has only living area (100) in one of its two dimensions: its overall score is 100,
    # and the imputation log says the value was left out, not filled
    assert o.loc["D", "score"] == 100
    assert result.imputed.iloc[0].method == "none" and np.isnan(result.imputed.iloc[0].value)


def test_a_level_with_one_unit_is_not_scored():
    single = results()[results()["org_unit"] == "A"]
    assert composite(single, plan(), units=UNITS).scores.empty


def test_reduce_by_enters_as_the_reduction_achieved():
    rows = results()
    crime = pd.DataFrame(
        {
            "indicator": "criminal_case_rate",
            "org_unit": list("ABCD"),
            "org_unit_name": "x",
            "level": "community",
            "period": "2025",
            # baseline 200 for all; threshold (1 - 30 %) × 200 = 140
            "value": [140.0, 200.0, 170.0, 100.0],
            "target": 140.0,
            "comparator": "reduce_by",
            "baseline_value": 200.0,
        }
    )
    chosen = plan().composite.model_copy(update={"indicators": ("criminal_case_rate",)})
    p = plan().model_copy(update={"composite": chosen})
    result = composite(pd.concat([rows, crime]), p, units=UNITS)
    scores = result.indicator_scores.set_index("org_unit")["score"]
    # reductions: A 30 %, B 0 %, C 15 %, D 50 %; target 30 %, floor 0 %:
    # A 100, B 0, C 15/30 = 50, D 100
    assert list(scores.loc[list("ABCD")]) == [100, 0, 50, 100]

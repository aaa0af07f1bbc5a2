"""The data threshold: a city where two of five dimensions have no data ranks on the other
three, says why, and a unit with too little data gets no score instead of imputed ones."""

import numpy as np
import pandas as pd
import pytest

from shequ.evaluate.composite.run import composite
from shequ.framework.loader import load_plan
from shequ.framework.scoring import CompositeSettings, SensitivitySettings

NAN = np.nan
# one indicator per dimension; culture and safety have no value for any unit
#          living (>= 40)  radius (>= 100)  participation (>= 80)  culture  crime
VALUES = {
    "A": (44.0, 100.0, 60.0, NAN, NAN),
    "B": (30.0, 80.0, 90.0, NAN, NAN),
    "C": (NAN, 90.0, 75.0, NAN, NAN),  # 2 of 3 kept indicators = 2/3: scored, 1/3 imputed
    "D": (40.0, 100.0, 80.0, NAN, NAN),
    "E": (50.0, NAN, NAN, NAN, NAN),  # 1 of 3 = 1/3 < 2/3: not scored
    # E reports no radius and no participation
}
CODES = [
    "living_area_per_capita",
    "service_radius_coverage",
    "participation_rate",
    "culture_satisfaction",
    "criminal_case_rate",
]
TARGETS = [40.0, 100.0, 80.0, NAN, NAN]


def results() -> pd.DataFrame:
    rows = [
        {
            "indicator": code,
            "org_unit": unit,
            "org_unit_name": f"{unit}社区",
            "level": "community",
            "period": "2025",
            "value": values[j],
            "target": TARGETS[j],
            "comparator": ">=" if j < 3 else None,
            "baseline_value": NAN,
        }
        for unit, values in VALUES.items()
        for j, code in enumerate(CODES)
    ]
    return pd.DataFrame(rows)


def plan():
    chosen = CompositeSettings(indicators=tuple(CODES), sensitivity=SensitivitySettings(draws=50))
    return load_plan("national").model_copy(update={"composite": chosen})


UNITS = pd.DataFrame({"org_unit": list(VALUES), "period": "2025", "parent_code": "S"})


@pytest.fixture(scope="module")
def result():
    return composite(results(), plan(), units=UNITS)


def test_dimensions_without_data_are_left_out_with_the_reason(result):
    left = result.left_out.set_index("dimension")
    assert sorted(left.index) == ["culture", "safety"]
    assert set(left["reason"]) == {"no_data"}
    assert (left["reason_zh"] == "任何单位均无该维度数据").all()
    # the three kept dimensions weigh 1/3 each, and all weights sum to 1
    dims = result.weights.drop_duplicates("dimension").set_index("dimension")
    assert sorted(dims.index) == ["governance", "infrastructure", "public_services"]
    assert dims["dimension_weight"].to_list() == pytest.approx([1 / 3] * 3)
    assert result.weights["weight"].sum() == pytest.approx(1.0)
    assert (
        result.imputed["indicator"].isin(["culture_satisfaction", "criminal_case_rate"]).sum() == 0
    )


def test_units_rank_on_the_three_dimensions_that_have_data(result):
    overall = result.scores[result.scores["dimension"] == "overall"].set_index("org_unit")
    # every kept column has 4 of 5 values (4/5 >= 2/3); E is not scored. Among A-D, C's
    # living area is imputed by its street's median, E's real value included:
    # median(44, 30, 40, 50) = 42
    #   living  floor 30, target 40: A 100, B 0, C 42 -> 100 (capped), D 100
    #   radius  floor 80, target 100: A 100, B 0, C (90-80)/20 = 50, D 100
    #   partic. floor 60, target 80: A 0, B 100, C (75-60)/20 = 75, D 100
    # overall (1/3 each): A 200/3 = 66.67, B 100/3 = 33.33, C 225/3 = 75, D 100
    assert sorted(overall.index) == list("ABCD")
    assert overall.loc[list("ABCD"), "score"].to_list() == pytest.approx(
        [200 / 3, 100 / 3, 75.0, 100.0]
    )
    assert overall.loc[list("ABCD"), "rank"].to_list() == [3, 4, 2, 1]


def test_each_unit_keeps_its_data_and_imputation_share(result):
    shares = result.availability.set_index("org_unit")
    assert shares.loc["C", "data_share"] == pytest.approx(2 / 3)
    assert shares.loc["C", "imputed_share"] == pytest.approx(1 / 3)  # 1 of 3 cells imputed
    assert shares.loc["A", "imputed_share"] == 0
    assert not shares.loc["E", "scored"] and shares.loc["E", "data_share"] == pytest.approx(1 / 3)
    assert shares.loc["E", "reason"] == "below_threshold"
    assert "33%" in shares.loc["E", "reason_zh"] and "67%" in shares.loc["E", "reason_zh"]
    assert np.isnan(shares.loc["E", "imputed_share"])


def test_a_dimension_below_the_threshold_is_left_out_with_its_share():
    rows = results()
    # B loses its radius too: 3 of 5 units report it, 60 % < 2/3
    rows.loc[(rows["org_unit"] == "B") & (rows["indicator"] == CODES[1]), "value"] = NAN
    found = composite(rows, plan(), units=UNITS).left_out.set_index("dimension")
    assert found.loc["public_services", "reason"] == "below_threshold"
    assert found.loc["public_services", "data_share"] == pytest.approx(0.6)
    assert "60%" in found.loc["public_services", "reason_en"]


def test_a_threshold_of_zero_scores_every_unit_with_any_data():
    chosen = plan().composite.model_copy(update={"data_threshold": 0.0})
    found = composite(
        results(), plan().model_copy(update={"composite": chosen}), units=UNITS
    ).availability
    # still no score on the dimensions nobody measured, but E now ranks on imputed values
    assert found["scored"].all()

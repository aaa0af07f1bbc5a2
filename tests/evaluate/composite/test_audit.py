"""The statistical audit: correlations, Cronbach's α and the first component's share."""

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA

from shequ.evaluate.composite.audit import audit, first_component_share
from shequ.framework.loader import load_plan

# three communities, the two infrastructure indicators' scores:
#   living   0, 50, 100    green   0, 100, 50
SCORES = {"living_area_per_capita": [0.0, 50.0, 100.0], "green_coverage": [0.0, 100.0, 50.0]}


def indicator_scores() -> pd.DataFrame:
    rows = [
        {"org_unit": u, "indicator": code, "score": v, "level": "community", "period": "2025"}
        for code, values in SCORES.items()
        for u, v in zip("ABC", values, strict=True)
    ]
    return pd.DataFrame(rows)


def test_a_dimension_of_two_indicators_is_audited_by_hand():
    found = audit(indicator_scores(), pd.DataFrame(), load_plan("national"))
    row = found.dimensions.set_index("dimension").loc["infrastructure"]
    # var(living) = (50² + 0 + 50²)/2 = 2500, var(green) = 2500; sums 0, 150, 150 have mean
    # 100 and var (100² + 50² + 50²)/2 = 7500: α = 2/1 · (1 − 5000/7500) = 2/3
    assert row["cronbach_alpha"] == pytest.approx(2 / 3)
    # cov = ((−50)(−50) + 0·50 + 50·0)/2 = 1250, r = 1250/2500 = 0.5
    assert found.correlations["r"].to_list() == pytest.approx([0.5])
    # correlation matrix [[1, .5], [.5, 1]] has eigenvalues 1.5 and 0.5: first share 1.5/2
    assert row["pca_first_share"] == pytest.approx(0.75)
    assert (row["items"], row["units"]) == (2, 3)


def test_the_first_component_share_matches_scikit_learn_on_standardised_data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(40, 4)) @ rng.normal(size=(4, 4))
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    reference = PCA().fit(z).explained_variance_ratio_[0]
    assert first_component_share(x) == pytest.approx(reference)


def test_one_indicator_has_no_alpha_and_no_pairs():
    one = indicator_scores()
    one = one[one["indicator"] == "green_coverage"]
    found = audit(one, pd.DataFrame(), load_plan("national"))
    assert found.correlations.empty
    assert np.isnan(found.dimensions["cronbach_alpha"].iloc[0])

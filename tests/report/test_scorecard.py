"""The scorecard's rank line: a community ranked among its own street's communities."""

import re

import pandas as pd

from shequ.report.rows import indicator_rows, value_text
from shequ.report.scorecard import render_scorecards, sibling_rank


def _scores() -> tuple[pd.DataFrame, dict]:
    # Two streets S1 (a, b, c, d) and S2 (e, f); city-wide ranks are over all six.
    scores = pd.DataFrame(
        {
            "org_unit": ["a", "b", "c", "d", "e", "f"],
            "level": ["community"] * 6,
            "score": [61.0, 75.0, 75.0, 40.0, 90.0, 10.0],
        }
    )
    parents = {"a": "S1", "b": "S1", "c": "S1", "d": "S1", "e": "S2", "f": "S2"}
    return scores, parents


def test_rank_among_the_streets_communities_not_the_city():
    scores, parents = _scores()
    # In S1 the scores are b 75, c 75, a 61, d 40: a has two higher (b, c) → rank 3 of 4,
    # though it is 4th in the city (e 90, b 75, c 75 above it).
    assert sibling_rank(scores, "a", parents) == (3, 4)
    # ties share a rank: b and c each have no higher sibling → both 1 of 4
    assert sibling_rank(scores, "b", parents) == (1, 4)
    assert sibling_rank(scores, "c", parents) == (1, 4)
    # f is last of its street's two, whatever the other street scores
    assert sibling_rank(scores, "f", parents) == (2, 2)


def test_an_unscored_unit_has_no_rank_and_is_not_counted():
    scores, parents = _scores()
    scores.loc[scores["org_unit"] == "d", "score"] = float("nan")
    assert sibling_rank(scores, "d", parents) is None
    # a now has b, c above it among three scored siblings
    assert sibling_rank(scores, "a", parents) == (3, 3)


def test_the_demo_scorecard_states_the_street_rank(street_context):
    scores = street_context.overall_scores
    communities = street_context.subunits.loc[
        street_context.subunits["level"] == "community", "org_unit"
    ].unique()
    mine = scores[scores["org_unit"].isin(communities)].sort_values("score", ascending=False)
    best = mine["org_unit"].iloc[0]
    html = render_scorecards(street_context, units=[best])
    found = re.search(r"的 (\d+) 个同级单位中排名第 (\d+)；", html)
    assert found, html[:2000]
    # the street's best community is first among the street's scored communities
    assert found.groups() == (str(len(mine)), "1")


def test_counts_print_no_decimal_and_values_carry_the_unit():
    frame = pd.DataFrame(
        [
            {
                "indicator": "new_centres",
                "indicator_name": "新建社区服务中心",
                "indicator_name_en": "new centres",
                "value": 12.0,
                "decimals": 0,
                "unit": "个",
                "unit_en": "",
                "comparator": ">=",
                "target": 10.0,
                "status": "met",
                "org_unit": "x",
                "reporting_units": 3,
                "expected_units": 4,
            },
            {
                "indicator": "green",
                "indicator_name": "绿化覆盖率",
                "indicator_name_en": "green",
                "value": 38.456,
                "decimals": 1,
                "unit": "%",
                "unit_en": "%",
                "comparator": ">=",
                "target": 38.0,
                "status": "met",
                "org_unit": "x",
            },
        ]
    )
    count, share = indicator_rows(frame, "zh")
    assert (count["value"], count["target"], count["reporting"]) == ("12", "≥ 10", "3/4")
    assert (share["value"], share["target"], share["reporting"]) == ("38.5", "≥ 38.0", "—")
    assert value_text(6000.0, 0, "件") == "6,000 件"
    assert value_text(89.83739837398375, 1, "%") == "89.8 %"
    assert value_text(float("nan"), 1, "%") == "—"

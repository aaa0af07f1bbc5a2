"""Siting: maximal covering and set covering on an instance whose optimum is known."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from shequ.spatial import siting

# Six demand points, three candidate sites. Site 0 covers points 0-3 (4 residents of
# weight 1), site 1 covers 0, 1, 4 and site 2 covers 2, 3, 5 (points 4 and 5 weigh 1.5).
COVER = sp.csr_matrix(
    np.array(
        [
            [1, 1, 0],
            [1, 1, 0],
            [1, 0, 1],
            [1, 0, 1],
            [0, 1, 0],
            [0, 0, 1],
        ],
        dtype=bool,
    )
)
WEIGHT = np.array([1, 1, 1, 1, 1.5, 1.5])


def test_maximal_covering_beats_greedy_and_finds_the_known_optimum():
    # greedy takes site 0 (4) then site 1 (+1.5) = 5.5; the optimum is sites 1 + 2:
    # 1+1+1.5 + 1+1+1.5 = 7 (all six points)
    result = siting.maximal_covering(COVER, WEIGHT, 2, time_limit=10)
    assert result.greedy_objective == pytest.approx(5.5)
    assert result.objective == pytest.approx(7.0)
    assert sorted(result.chosen) == [1, 2]
    assert result.added == pytest.approx([3.5, 3.5])
    assert result.status == "optimal" and result.gap == pytest.approx(0.0)


def test_set_covering_needs_two_sites_where_greedy_takes_three():
    # covering all six points: greedy 0, then 1, then 2 (3 sites); optimum 1 + 2 (2 sites)
    result = siting.set_covering(COVER, WEIGHT, share=1.0, time_limit=10)
    assert result.greedy_objective == 3.0
    assert result.objective == 2.0 and sorted(result.chosen) == [1, 2]
    assert result.status == "optimal"


def test_a_partial_target_needs_fewer_sites():
    # 50 % of 7 = 3.5: any one site suffices (site 0 alone covers 4)
    result = siting.set_covering(COVER, WEIGHT, share=0.5, time_limit=10)
    assert result.objective == 1.0 and result.covered_weight >= 3.5


def test_an_unreachable_target_is_reported_with_what_can_be_reached():
    # add a point of weight 3 no site covers: at most 7 of 10 can be covered (70 %)
    cover = sp.vstack([COVER, sp.csr_matrix((1, 3), dtype=bool)]).tocsr()
    result = siting.set_covering(cover, np.r_[WEIGHT, 3.0], share=1.0, time_limit=10)
    assert result.status == "unreachable" and result.objective == 2.0
    assert "70.0%" in result.notes[0]


def test_points_with_identical_coverage_are_merged():
    # points 0 and 1 are both covered by sites 0 and 1, points 2 and 3 by 0 and 2:
    # 6 rows become 4 with weights 2, 2, 1.5, 1.5
    merged, weight = siting.merge_rows(COVER, WEIGHT)
    assert merged.shape == (4, 3)
    assert sorted(weight.tolist()) == [1.5, 1.5, 2.0, 2.0]

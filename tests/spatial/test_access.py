"""2SFCA and enhanced 2SFCA on a three-facility example worked by hand; catchment pairs."""

from __future__ import annotations

import numpy as np
import pytest

from shequ.spatial import access, coverage, network

from ._nets import line_city

# Facilities F1 (supply 10), F2 (20), F3 (5); points P1 (100 residents), P2 (200), P3 (50).
# Reachable pairs and walking metres: F1-P1 50, F1-P2 150, F2-P2 100, F2-P3 200, F3-P3 250.
F = [0, 0, 1, 1, 2]
P = [0, 1, 1, 2, 2]
D = [50.0, 150.0, 100.0, 200.0, 250.0]
SUPPLY = [10.0, 20.0, 5.0]
DEMAND = [100.0, 200.0, 50.0]


def test_two_step_fca_by_hand():
    # R1 = 10 / (100 + 200) = 1/30; R2 = 20 / (200 + 50) = 0.08; R3 = 5 / 50 = 0.1
    # A1 = R1 = 0.0333; A2 = R1 + R2 = 0.11333; A3 = R2 + R3 = 0.18
    a = access.two_step_fca(F, P, D, supply=SUPPLY, demand=DEMAND)
    assert a.tolist() == pytest.approx([1 / 30, 1 / 30 + 0.08, 0.18])


def test_enhanced_two_step_fca_with_distance_bands_by_hand():
    # bands: up to 100 m weight 1 (100 m exactly is inside), up to 200 m weight 0.5,
    # beyond 200 m nothing (F3-P3 at 250 m drops out).
    bands = [(100.0, 1.0), (200.0, 0.5)]
    # R1 = 10 / (100·1 + 200·0.5) = 0.05; R2 = 20 / (200·1 + 50·0.5) = 20/225; R3 = 5/0 → 0
    # A1 = 0.05; A2 = 0.05·0.5 + 20/225 = 0.113889; A3 = (20/225)·0.5 = 0.044444
    a = access.two_step_fca(F, P, D, supply=SUPPLY, demand=DEMAND, bands=bands)
    assert a.tolist() == pytest.approx([0.05, 0.025 + 20 / 225, 10 / 225])


def test_an_overcrowded_centre_counts_for_less_than_an_idle_one():
    # two centres of equal capacity 10; one serves 1 000 people, the other 10
    a = access.two_step_fca([0, 1], [0, 1], [0.0, 0.0], supply=[10, 10], demand=[1000, 10])
    assert a[0] == pytest.approx(0.01) and a[1] == pytest.approx(1.0)


def test_catchment_pairs_match_the_nearest_distance_of_each_single_facility():
    net = line_city()
    fac = network.snap(net, np.array([50.0, 300.0]), np.array([10.0, 5.0]))
    pts = network.snap(
        net, np.array([250.0, 60.0, 540.0, 1050.0]), np.array([-20.0, 5.0, 0.0, 3.0])
    )
    f, p, d = access.catchment_pairs(net, fac, pts, limit=500)
    got = {(int(a), int(b)): float(c) for a, b, c in zip(f, p, d, strict=True)}
    # F1 (50,10): A 230, B 25, E 500 (exactly the limit); F2 (300,5): A 75, B 5+250+...
    # B from F2: 5 + 200 (3→1 via 2) + 50 (1→ foot at 60? no: along 60 from node 0,
    #   i.e. 40 m from node 1) + 5 = 5 + 200 + 40 + 5 = 250; E from F2: 5 + 240 = 245
    assert got == pytest.approx(
        {(0, 0): 230.0, (0, 1): 25.0, (0, 2): 500.0, (1, 0): 75.0, (1, 1): 250.0, (1, 2): 245.0}
    )
    for j in range(2):
        single = coverage.nearest_distances(net, fac.subset([j]), pts, limit=500)
        mine = {pp: dd for (ff, pp), dd in got.items() if ff == j}
        assert {k: v for k, v in enumerate(single) if np.isfinite(v)} == pytest.approx(mine)


def test_default_bands_split_the_radius_in_thirds():
    # 900 m in thirds: 300 m (weight 1.00), 600 m (0.68), 900 m (0.22)
    bands = access.default_bands(900)
    assert [b[0] for b in bands] == pytest.approx([300, 600, 900])
    assert [b[1] for b in bands] == [1.0, 0.68, 0.22]

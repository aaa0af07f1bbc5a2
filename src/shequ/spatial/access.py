"""Capacity-aware accessibility: the two-step floating catchment area (2SFCA) and its
enhanced variant with distance-decay bands (E2SFCA, Luo & Qi 2009).

Step 1, per facility j: R_j = S_j / Σ_k P_k W(d_kj) over points k within reach.
Step 2, per point i:   A_i = Σ_j R_j W(d_ij) over facilities j within reach.
W = 1 inside the radius for plain 2SFCA; with bands ``[(upper_m, weight), ...]`` a pair
at distance d gets the weight of the first band whose upper bound is ≥ d (an upper bound
is inside its band), and pairs beyond the last band do not count. A_i is supply per
person (e.g. places per resident): an overcrowded centre counts for less than an idle one.

`catchment_pairs` finds every (facility, point) pair within the walking limit as sparse
arrays, one bounded search per facility over only the nodes that can be reached.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from ._paths import TOLERANCE_M, point_distances, with_sources, within
from .network import Snapped, WalkNetwork

#: default E2SFCA bands as shares of the radius, with Gaussian-like weights (Luo & Qi 2009)
DEFAULT_BAND_SHARES = ((1 / 3, 1.0), (2 / 3, 0.68), (1.0, 0.22))


def default_bands(radius: float) -> list[tuple[float, float]]:
    """Three distance-decay bands over ``radius``: weights 1.00, 0.68, 0.22."""
    return [(radius * share, weight) for share, weight in DEFAULT_BAND_SHARES]


def _foot(network: WalkNetwork, snapped: Snapped) -> np.ndarray:
    """Where snapped points meet their edges (metres), for Euclidean pre-filtering."""
    a, b = network.u[snapped.edge], network.v[snapped.edge]
    length = network.length[snapped.edge]
    t = np.divide(snapped.along, length, out=np.zeros_like(length), where=length > 0)
    return np.c_[
        network.x[a] + t * (network.x[b] - network.x[a]),
        network.y[a] + t * (network.y[b] - network.y[a]),
    ]


def catchment_pairs(
    network: WalkNetwork, facilities: Snapped, points: Snapped, *, limit: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (facility, point) pair within ``limit`` walking metres, as sparse arrays.

    Returns ``(facility_index, point_index, distance_m)``. Each facility searches only
    the nodes within ``limit`` of it in a straight line (no walk is shorter than the
    straight line when edge lengths are at least their segments; otherwise the whole
    graph is searched), so the cost grows with the catchment, not the city.
    """
    straight = np.hypot(
        network.x[network.v] - network.x[network.u], network.y[network.v] - network.y[network.u]
    )
    euclidean_ok = bool(np.all(network.length >= straight * (1 - 1e-9)))
    node_tree = cKDTree(np.c_[network.x, network.y]) if euclidean_ok else None
    point_tree = cKDTree(_foot(network, points)) if euclidean_ok else None
    feet = _foot(network, facilities)
    local = np.full(network.n_nodes, -1, np.int64)
    out_f, out_p, out_d = [], [], []
    for j in range(len(facilities)):
        one = facilities.subset([j])
        reach = limit - float(one.offset[0])
        if reach < 0:
            continue
        if euclidean_ok:
            nodes = np.asarray(node_tree.query_ball_point(feet[j], reach + TOLERANCE_M), np.int64)
            cand = np.asarray(point_tree.query_ball_point(feet[j], reach + TOLERANCE_M), np.int64)
        else:
            nodes = np.arange(network.n_nodes)
            cand = np.arange(len(points))
        if cand.size == 0:
            continue
        dist = _bounded_search(network, one, nodes, local, limit)
        d, _ = point_distances(
            network, dist, np.zeros(dist.size, np.int64), one, points.subset(cand)
        )
        ok = within(d, limit)
        out_f.append(np.full(int(ok.sum()), j, np.int64))
        out_p.append(cand[ok])
        out_d.append(d[ok])
    if not out_f:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(out_f), np.concatenate(out_p), np.concatenate(out_d)


def _bounded_search(
    network: WalkNetwork, one: Snapped, nodes: np.ndarray, local: np.ndarray, limit: float
) -> np.ndarray:
    """Distances from one snapped facility to every node (inf outside ``nodes`` or limit)."""
    full = np.full(network.n_nodes, np.inf)
    if nodes.size == network.n_nodes:
        graph = with_sources(network, one)
        d = dijkstra(graph, directed=True, indices=network.n_nodes, limit=limit + TOLERANCE_M)
        full[:] = d[: network.n_nodes]
        return full
    a, b = network.u[one.edge[0]], network.v[one.edge[0]]
    length = network.length[one.edge[0]]
    local[nodes] = np.arange(nodes.size)
    sub = network.graph[nodes][:, nodes].tocsr()
    starts = np.array(
        [
            (local[a], one.offset[0] + one.along[0]),
            (local[b], one.offset[0] + length - one.along[0]),
        ]
    )
    local[nodes] = -1
    starts = starts[starts[:, 0] >= 0]
    if starts.size == 0:
        return full
    n = nodes.size
    k = starts.shape[0]
    graph = sp.csr_matrix(
        (
            np.concatenate([sub.data, starts[:, 1]]),
            np.concatenate([sub.indices, starts[:, 0].astype(np.int64)]),
            np.concatenate([sub.indptr, [sub.indptr[-1] + k]]),
        ),
        shape=(n + 1, n + 1),
    )
    d = dijkstra(graph, directed=True, indices=n, limit=limit + TOLERANCE_M)
    full[nodes] = d[:n]
    return full


def band_weights(distance: np.ndarray, bands=None) -> np.ndarray:
    """Weight of each distance: 1 without bands, else the first band with upper ≥ d
    (0 beyond the last band)."""
    distance = np.asarray(distance, float)
    if not bands:
        return np.ones_like(distance)
    uppers = np.array([upper for upper, _ in bands], float)
    weights = np.array([w for _, w in bands] + [0.0], float)
    index = np.searchsorted(uppers + TOLERANCE_M, distance, side="left")
    return weights[index]


def two_step_fca(
    facility_index, point_index, distance, *, supply, demand, bands=None
) -> np.ndarray:
    """Accessibility per point (supply per person) by 2SFCA, or E2SFCA with ``bands``.

    ``facility_index, point_index, distance`` are the reachable pairs (see
    `catchment_pairs`); ``supply`` per facility (capacity, e.g. places or m²), ``demand``
    per point (residents). A point reaching no facility gets 0.
    """
    f = np.asarray(facility_index, np.int64)
    p = np.asarray(point_index, np.int64)
    supply, demand = np.asarray(supply, float), np.asarray(demand, float)
    w = band_weights(distance, bands)
    weighted_demand = np.bincount(f, weights=demand[p] * w, minlength=supply.size)
    ratio = np.divide(supply, weighted_demand, out=np.zeros_like(supply), where=weighted_demand > 0)
    return np.bincount(p, weights=ratio[f] * w, minlength=demand.size)


def accessibility_table(
    points: pd.DataFrame, score: np.ndarray, *, by: str = "org_unit"
) -> pd.DataFrame:
    """Population-weighted mean accessibility per org unit (Σ P_i A_i / Σ P_i)."""
    frame = points.assign(_weighted=points["population"] * score)
    table = frame.groupby(by, sort=True)[["population", "_weighted"]].sum().reset_index()
    table["accessibility"] = table["_weighted"] / table["population"].where(table["population"] > 0)
    return table.drop(columns="_weighted")

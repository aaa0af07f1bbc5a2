"""A minimal, independent reference for correctness checks only — NOT shequ's implementation.

Two plain computations with SciPy's ``csgraph.dijkstra`` (no shequ import), used by the
benchmarks to check shequ's answers where no peer computes the same thing:

* `node_distances` — multi-source Dijkstra from source nodes: the node-level distance a
  point placed exactly on a node has (what pandana/networkx compute).
* `split_graph_distances` — edge snapping done the textbook way: every snapped point
  becomes a node splitting its edge at ``along`` (its foot), joined to a point node by an
  edge of length ``offset``; then one multi-source Dijkstra from the sources' point nodes.
  Distances therefore count both walks to the street and the partial edges, as shequ's
  ``nearest_distances`` promises. Builds a graph of n + 2 k nodes: for checks on small and
  mid-size data.
* `two_step_fca_loops` — 2SFCA / E2SFCA written out pair by pair in plain Python (Luo &
  Wang's two steps), the peer of the quick runs when PySAL access is not installed.
* `best_sites_brute` / `fewest_sites_brute` — maximal covering and set covering by trying
  every set of sites: the peer of the quick runs (a dozen sites) when spopt is not installed.
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra


def _graph(a: np.ndarray, b: np.ndarray, w: np.ndarray, n: int) -> sp.csr_matrix:
    """Directed CSR with both directions; parallel edges keep the shortest; zero weights kept."""
    rows, cols, data = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([w, w])
    order = np.lexsort((data, cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    first = np.ones(rows.size, bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return sp.csr_matrix((data[first], (rows[first], cols[first])), shape=(n, n))


def node_distances(u, v, length, n: int, sources, limit: float) -> np.ndarray:
    """Walking distance (m) from every node to its nearest source node; inf beyond ``limit``."""
    graph = _graph(np.asarray(u), np.asarray(v), np.asarray(length, float), n)
    return dijkstra(graph, directed=True, indices=np.unique(sources), min_only=True, limit=limit)


def split_graph_distances(
    u, v, length, n: int, sources: tuple, targets: tuple, limit: float
) -> np.ndarray:
    """Distance (m) from each target to its nearest source along the network, snapped points
    inserted into their edges. ``sources``/``targets`` are ``(edge, along, offset)`` arrays."""
    u, v, length = np.asarray(u), np.asarray(v), np.asarray(length, float)
    edge = np.concatenate([sources[0], targets[0]]).astype(np.int64)
    along = np.concatenate([sources[1], targets[1]]).astype(float)
    offset = np.concatenate([sources[2], targets[2]]).astype(float)
    k = edge.size
    foot, point = n + np.arange(k), n + k + np.arange(k)
    order = np.lexsort((along, edge))
    e_sorted, a_sorted, f_sorted = edge[order], along[order], foot[order]
    first = np.r_[True, e_sorted[1:] != e_sorted[:-1]]
    last = np.r_[e_sorted[1:] != e_sorted[:-1], True]
    same = ~first  # consecutive feet on one edge
    a_parts = [
        u[e_sorted[first]],
        f_sorted[last],
        f_sorted[:-1][same[1:]],
        foot,
        np.delete(u, np.unique(edge)),
    ]
    b_parts = [
        f_sorted[first],
        v[e_sorted[last]],
        f_sorted[1:][same[1:]],
        point,
        np.delete(v, np.unique(edge)),
    ]
    w_parts = [
        a_sorted[first],
        length[e_sorted[last]] - a_sorted[last],
        np.diff(a_sorted)[same[1:]],
        offset,
        np.delete(length, np.unique(edge)),
    ]
    graph = _graph(
        np.concatenate(a_parts),
        np.concatenate(b_parts),
        np.maximum(np.concatenate(w_parts), 0.0),
        n + 2 * k,
    )
    n_src = len(sources[0])
    dist = dijkstra(graph, directed=True, indices=point[:n_src], min_only=True, limit=limit)
    return dist[point[n_src:]]


def nearest_segment_offset(x, y, u, v, px, py, *, chunk: int = 64) -> np.ndarray:
    """Brute force: metres from each point to its nearest straight edge (all edges tried)."""
    x, y, u, v = (np.asarray(a) for a in (x, y, u, v))
    ax, ay, bx, by = x[u], y[u], x[v], y[v]
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    out = np.empty(len(px))
    for start in range(0, len(px), chunk):
        qx = np.asarray(px[start : start + chunk])[:, None]
        qy = np.asarray(py[start : start + chunk])[:, None]
        t = np.divide(
            (qx - ax) * dx + (qy - ay) * dy,
            seg2,
            out=np.zeros((qx.size, seg2.size)),
            where=seg2 > 0,
        )
        t = np.clip(t, 0.0, 1.0)
        out[start : start + chunk] = np.hypot(ax + t * dx - qx, ay + t * dy - qy).min(axis=1)
    return out


def two_step_fca_loops(facility, point, distance, supply, demand, bands=None) -> np.ndarray:
    """Accessibility of every point, one pair at a time. Step 1: each facility's supply over
    the (band-weighted) residents that reach it; step 2: each point sums the (band-weighted)
    ratios of the facilities it reaches. ``bands`` = [(upper metres, weight), ...]; without
    bands every given pair weighs 1. Points reaching nothing get 0."""

    def weight(d: float) -> float:
        if not bands:
            return 1.0
        return next((w for upper, w in bands if d <= upper), 0.0)

    pairs = [
        (int(f), int(p), weight(float(d)))
        for f, p, d in zip(facility, point, distance, strict=True)
    ]
    reached = [0.0] * len(supply)
    for f, p, w in pairs:
        reached[f] += w * float(demand[p])
    out = np.zeros(len(demand))
    for f, p, w in pairs:
        if reached[f] > 0:
            out[p] += w * float(supply[f]) / reached[f]
    return out


def _covers(point, site, n_sites: int) -> list[set[int]]:
    """The points each site covers."""
    sets: list[set[int]] = [set() for _ in range(n_sites)]
    for p, s in zip(point, site, strict=True):
        sets[int(s)].add(int(p))
    return sets


def best_sites_brute(point, site, weight, n_sites: int, p: int) -> list[int]:
    """Maximal covering by enumeration: the ``p`` sites covering the most weight (the
    lexicographically first such set)."""
    sets = _covers(point, site, n_sites)
    best, best_weight = [], -1.0
    for chosen in itertools.combinations(range(n_sites), min(p, n_sites)):
        covered = set().union(*(sets[s] for s in chosen))
        total = float(sum(weight[i] for i in covered))
        if total > best_weight:
            best, best_weight = list(chosen), total
    return best


def fewest_sites_brute(point, site, n_points: int, n_sites: int) -> list[int]:
    """Set covering by enumeration: a smallest set of sites covering every point (each
    point must be coverable); sets of 1, 2, ... sites are tried in turn."""
    sets = _covers(point, site, n_sites)
    everyone = set(range(n_points))
    for k in range(1, n_sites + 1):
        for chosen in itertools.combinations(range(n_sites), k):
            if set().union(*(sets[s] for s in chosen)) >= everyone:
                return list(chosen)
    raise ValueError("some point is covered by no site")

"""Shortest walks from snapped points, on the network's CSR graph.

Each source (a facility snapped onto edge ``(a, b)`` at ``along`` metres from ``a``,
``offset`` metres off the street) becomes a virtual node with two directed edges:
to ``a`` weighing ``offset + along`` and to ``b`` weighing ``offset + length - along``.
scipy's Dijkstra then runs from all virtual nodes at once (``min_only=True``), and a
target point's distance is worked out arithmetically from its own edge's end nodes,
plus the direct walk along the edge when a source sits on the same edge.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from .network import Snapped, WalkNetwork

#: a distance within this many metres of the limit counts as within it (float rounding)
TOLERANCE_M = 1e-6


def with_sources(network: WalkNetwork, sources: Snapped) -> sp.csr_matrix:
    """The graph plus one virtual node per source (indices n_nodes ...), edges outgoing only."""
    g = network.graph
    a, b = network.u[sources.edge], network.v[sources.edge]
    length = network.length[sources.edge]
    cols = np.c_[a, b].ravel()
    data = np.c_[sources.offset + sources.along, sources.offset + length - sources.along].ravel()
    k, n = len(sources), network.n_nodes
    indptr = np.concatenate([g.indptr, g.indptr[-1] + 2 * np.arange(1, k + 1)])
    return sp.csr_matrix(
        (np.concatenate([g.data, data]), np.concatenate([g.indices, cols]), indptr),
        shape=(n + k, n + k),
    )


def node_distances(
    network: WalkNetwork, sources: Snapped, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per node: metres to the nearest source (inf beyond ``limit``) and that source's index
    (-1 where none is within reach)."""
    n, k = network.n_nodes, len(sources)
    graph = with_sources(network, sources)
    dist, _, origin = dijkstra(
        graph,
        directed=True,
        indices=np.arange(n, n + k),
        limit=limit + TOLERANCE_M,
        min_only=True,
        return_predecessors=True,
    )
    origin = np.where(origin >= n, origin - n, -1)
    return dist[:n], origin[:n]


def point_distances(
    network: WalkNetwork,
    node_dist: np.ndarray,
    node_origin: np.ndarray,
    sources: Snapped,
    targets: Snapped,
) -> tuple[np.ndarray, np.ndarray]:
    """Per target: metres to the nearest source through its edge's end nodes or along the
    shared edge, counting the target's own walk to the street; and that source's index."""
    a, b = network.u[targets.edge], network.v[targets.edge]
    length = network.length[targets.edge]
    via_a = node_dist[a] + targets.along
    via_b = node_dist[b] + (length - targets.along)
    best = np.minimum(via_a, via_b)
    origin = np.where(via_a <= via_b, node_origin[a], node_origin[b])
    _same_edge(sources, targets, best, origin)
    best = best + targets.offset
    origin = np.where(np.isfinite(best), origin, -1)
    return best, origin


def _same_edge(sources: Snapped, targets: Snapped, best: np.ndarray, origin: np.ndarray) -> None:
    """Lower ``best`` (in place) where a source on the target's own edge is nearer directly."""
    shared = np.isin(targets.edge, sources.edge)
    if not shared.any():
        return
    order = np.argsort(sources.edge, kind="stable")
    edges = sources.edge[order]
    for t in np.flatnonzero(shared):
        lo, hi = (
            np.searchsorted(edges, targets.edge[t], side="left"),
            np.searchsorted(edges, targets.edge[t], side="right"),
        )
        idx = order[lo:hi]
        direct = sources.offset[idx] + np.abs(sources.along[idx] - targets.along[t])
        j = int(np.argmin(direct))
        if direct[j] < best[t]:
            best[t], origin[t] = direct[j], idx[j]


def within(distance: np.ndarray, limit: float) -> np.ndarray:
    """True where ``distance <= limit`` (exactly the limit is within; float-rounding safe)."""
    return distance <= limit + TOLERANCE_M

"""Walking networks as sparse graphs, and snapping points to their nearest edge.

A `WalkNetwork` holds straight edges between nodes, in metres of a metric CRS (see
`shequ.spatial.crs.metric_crs`). Line layers and OpenStreetMap ways are split at every
vertex, so each edge is one straight segment and snapping onto it is exact. Walking is
undirected: one-way streets are walkable both ways.

Build one with `from_edges` (arrays) or `from_polylines` (lon/lat vertices); files are read
by `shequ.spatial.imports.networks.read_lines` (GeoPackage, GeoJSON, Shapefile, or a
GeoDataFrame) and `shequ.spatial.imports.osm.read_osm_pbf` (OpenStreetMap extracts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components

from . import crs as crs_mod
from ._snap import EdgeSampler

#: vertices closer than this (metres) are one node when lines are read from a layer
NODE_TOLERANCE = 0.001


@dataclass(frozen=True)
class WalkNetwork:
    """An undirected walking network: nodes in metres of ``crs`` and straight edges.

    Attributes
    ----------
    x, y : ndarray of float64
        Node coordinates, metres in ``crs``.
    u, v : ndarray of int64
        End nodes of each edge.
    length : ndarray of float64
        Edge length in metres (the straight segment unless given otherwise).
    crs : str
        The metric CRS, e.g. ``"EPSG:4548"`` (CGCS2000 Gauss-Krüger CM 117°E).
    component : ndarray of int64
        Connected component of each node; 0 is the largest, the others are fragments.
    """

    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    crs: str
    component: np.ndarray = field(repr=False)

    @property
    def n_nodes(self) -> int:
        return int(self.x.size)

    @property
    def n_edges(self) -> int:
        return int(self.u.size)

    @cached_property
    def graph(self) -> sp.csr_matrix:
        """Symmetric CSR adjacency (nodes × nodes) weighted by edge length, built once."""
        return _adjacency(self.u, self.v, self.length, self.n_nodes)

    @cached_property
    def segments(self) -> np.ndarray:
        """Shapely LineStrings of the edges (for snapping and output), built once."""
        coords = np.stack(
            [np.c_[self.x[self.u], self.y[self.u]], np.c_[self.x[self.v], self.y[self.v]]], axis=1
        )
        return shapely.linestrings(coords)

    @cached_property
    def edge_tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.segments)

    @cached_property
    def sampler(self) -> EdgeSampler:
        """KD-tree of points along the edges, for exact nearest-edge snapping."""
        u, v = self.u, self.v
        return EdgeSampler(self.x[u], self.y[u], self.x[v], self.y[v])

    @property
    def edge_component(self) -> np.ndarray:
        return self.component[self.u]

    def fragments(self) -> dict[str, float]:
        """Connected components besides the largest: count, nodes and metres of edges."""
        small = self.edge_component > 0
        return {
            "components": int(self.component.max(initial=0)),
            "fragment_nodes": int((self.component > 0).sum()),
            "fragment_edges": int(small.sum()),
            "fragment_length_m": float(self.length[small].sum()),
        }


@dataclass(frozen=True)
class Snapped:
    """Where points meet the network: one row per input point.

    Attributes
    ----------
    edge : ndarray of int64
        Index of the nearest edge (not node).
    along : ndarray of float64
        Metres along the edge from its ``u`` end to the foot of the perpendicular.
    offset : ndarray of float64
        Metres from the point to the edge: the walk to the street, counted in distances.
    """

    edge: np.ndarray
    along: np.ndarray
    offset: np.ndarray

    def __len__(self) -> int:
        return int(self.edge.size)

    def subset(self, index) -> Snapped:
        return Snapped(self.edge[index], self.along[index], self.offset[index])


def from_edges(x, y, u, v, length=None, *, crs: str) -> WalkNetwork:
    """A network from node coordinates (metres in ``crs``) and edge end nodes.

    ``length`` defaults to the straight segment between the end nodes. Self-loops are
    dropped. Components are numbered by size, largest first.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    u, v = np.asarray(u, np.int64), np.asarray(v, np.int64)
    straight = np.hypot(x[v] - x[u], y[v] - y[u])
    length = straight if length is None else np.asarray(length, np.float64)
    keep = u != v
    u, v, length = u[keep], v[keep], length[keep]
    return WalkNetwork(x, y, u, v, length, crs, _components(u, v, x.size))


def _adjacency(u: np.ndarray, v: np.ndarray, length: np.ndarray, n: int) -> sp.csr_matrix:
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    key = lo * np.int64(n) + hi
    order = np.lexsort((length, key))
    first = np.ones(order.size, bool)
    first[1:] = key[order][1:] != key[order][:-1]  # duplicated pairs keep the shortest edge
    keep = order[first]
    lo, hi, data = lo[keep], hi[keep], length[keep]
    rows, cols = np.concatenate([lo, hi]), np.concatenate([hi, lo])
    return sp.csr_matrix((np.concatenate([data, data]), (rows, cols)), shape=(n, n))


def _components(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    if n == 0:
        return np.zeros(0, np.int64)
    graph = sp.csr_matrix((np.ones(u.size), (u, v)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels)
    rank = np.empty_like(sizes)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(sizes.size)
    return rank[labels].astype(np.int64)


def snap(network: WalkNetwork, px, py) -> Snapped:
    """Snap points (metres in ``network.crs``) to their nearest edge, vectorised.

    Exact nearest edge through a KD-tree of points sampled along the edges (see
    `shequ.spatial._snap`): a few seconds per million points on a million-edge network.
    The walk from the point to the edge (``offset``) and the position of the foot along
    the edge (``along``, scaled to the edge's ``length``) are returned, so distances
    count the walk to the street and the partial edges.
    """
    px, py = np.asarray(px, np.float64), np.asarray(py, np.float64)
    if network.n_edges == 0:
        raise ValueError("网络没有边 / the network has no edges")
    edge, share, offset = network.sampler.nearest(px, py, lambda x, y: _tree_nearest(network, x, y))
    along = np.clip(share * network.length[edge], 0.0, network.length[edge])
    return Snapped(edge.astype(np.int64), along, offset)


def _tree_nearest(network: WalkNetwork, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    _, edge = network.edge_tree.query_nearest(shapely.points(px, py), all_matches=False)
    return edge


def from_polylines(lon, lat, parts, *, crs: str | None = None, node_key=None) -> WalkNetwork:
    """A network from polyline vertices in stored lon/lat, ``parts`` giving each vertex's line.

    Consecutive vertices of one line become an edge. Vertices are one node when their
    ``node_key`` is equal (OSM node ids), else when they lie within `NODE_TOLERANCE`.
    """
    lon, lat, parts = np.asarray(lon, float), np.asarray(lat, float), np.asarray(parts)
    target = crs or crs_mod.metric_crs(lon, lat)
    x, y = crs_mod.project(lon, lat, target)
    if node_key is None:
        keys = np.c_[np.round(x / NODE_TOLERANCE), np.round(y / NODE_TOLERANCE)]
        _, first, node = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    else:
        _, first, node = np.unique(np.asarray(node_key), return_index=True, return_inverse=True)
    node = node.ravel()
    same_line = parts[1:] == parts[:-1]
    u, v = node[:-1][same_line], node[1:][same_line]
    return from_edges(x[first], y[first], u, v, crs=target)


def save_arrays(network: WalkNetwork) -> dict[str, np.ndarray]:
    """The arrays that define a network (for `np.savez_compressed`)."""
    return {
        "x": network.x,
        "y": network.y,
        "u": network.u.astype(np.int32 if network.n_nodes < 2**31 else np.int64),
        "v": network.v.astype(np.int32 if network.n_nodes < 2**31 else np.int64),
        "length": network.length,
        "crs": np.array(network.crs),
    }


def load_arrays(arrays) -> WalkNetwork:
    """Rebuild a network saved with `save_arrays`."""
    return from_edges(
        arrays["x"], arrays["y"], arrays["u"], arrays["v"], arrays["length"], crs=str(arrays["crs"])
    )

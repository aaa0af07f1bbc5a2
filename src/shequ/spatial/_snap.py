"""Exact nearest-edge snapping through a KD-tree of points sampled along the edges.

Each edge of length L gets m = ceil(L / s) samples (s = the median edge length) at the middles of m equal pieces, so
every point of the edge lies within h = s / 2 of one of its samples. For a query point,
the edges of its k nearest samples are candidates; the nearest candidate at distance d
is the nearest edge of all whenever the k-th sample is farther than d + h (the true
nearest edge has a sample within d_true + h <= d + h). Points where that check fails
ask again with more neighbours, and the last few go to a shapely STRtree. So the answer
is exact, and the cost is a KD-tree query: a few seconds per million points.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

_K = (8, 32)


class EdgeSampler:
    """A KD-tree over points sampled along the edges, and exact projection onto edges."""

    def __init__(self, ax, ay, bx, by) -> None:
        self.ax, self.ay, self.bx, self.by = ax, ay, bx, by
        seg = np.hypot(bx - ax, by - ay)
        positive = seg[seg > 0]
        spacing = float(np.median(positive)) if positive.size else 1.0
        pieces = np.maximum(np.ceil(seg / spacing), 1).astype(np.int64)
        self.half = float((seg / pieces).max() / 2) if seg.size else 0.0
        edge = np.repeat(np.arange(seg.size), pieces)
        first = np.repeat(np.cumsum(pieces) - pieces, pieces)
        t = (np.arange(edge.size) - first + 0.5) / pieces[edge]
        sx = ax[edge] + t * (bx[edge] - ax[edge])
        sy = ay[edge] + t * (by[edge] - ay[edge])
        self.edge = edge
        self.spacing = spacing
        # an unbalanced tree builds ~3x faster and queries as fast on street samples
        self.tree = cKDTree(np.c_[sx, sy], balanced_tree=False, compact_nodes=False)

    def project(self, px, py, edge) -> tuple[np.ndarray, np.ndarray]:
        """Distance from points to edges (same shapes) and the foot's share along each.

        Written with in-place operations: it runs on (points × k) candidate arrays.
        """
        ax, ay = self.ax[edge], self.ay[edge]
        dx = self.bx[edge] - ax
        dy = self.by[edge] - ay
        rx = np.subtract(px, ax, out=ax)  # ax, ay are fresh copies: reuse them
        ry = np.subtract(py, ay, out=ay)
        seg2 = dx * dx
        seg2 += dy * dy
        t = rx * dx
        t += ry * dy
        np.divide(t, seg2, out=t, where=seg2 > 0)
        t[seg2 <= 0] = 0.0
        np.clip(t, 0.0, 1.0, out=t)
        dx *= t  # foot - a
        dy *= t
        np.subtract(rx, dx, out=rx)
        np.subtract(ry, dy, out=ry)
        return np.hypot(rx, ry, out=rx), t

    def nearest(self, px, py, fallback) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(edge, share along, distance) of the nearest edge to each point, exactly.

        Points are queried in the order of a coarse grid (cells of 8 sample spacings):
        neighbouring queries then walk the same tree nodes, about 3x faster on a million
        scattered points than their input order.
        """
        order = _grid_order(px, py, 8 * self.spacing)
        edge, share, dist = self._nearest(px[order], py[order], fallback)
        out_edge, out_share, out_dist = (
            np.empty_like(edge),
            np.empty_like(share),
            np.empty_like(dist),
        )
        out_edge[order], out_share[order], out_dist[order] = edge, share, dist
        return out_edge, out_share, out_dist

    def _nearest(self, px, py, fallback) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = px.size
        best_edge = np.full(n, -1, np.int64)
        best_d = np.full(n, np.inf)
        best_t = np.zeros(n)
        todo = np.arange(n)
        for k in _K:
            if todo.size == 0:
                break
            k = min(k, self.edge.size)
            dist, idx = self.tree.query(np.c_[px[todo], py[todo]], k=k, workers=-1)
            dist, idx = dist.reshape(todo.size, k), idx.reshape(todo.size, k)
            cand = self.edge[idx]
            d, t = self.project(px[todo, None], py[todo, None], cand)
            j = np.argmin(d, axis=1)
            rows = np.arange(todo.size)
            best_edge[todo], best_d[todo], best_t[todo] = cand[rows, j], d[rows, j], t[rows, j]
            sure = (dist[:, -1] > d[rows, j] + self.half) | (k >= self.edge.size)
            todo = todo[~sure]
        if todo.size:
            edge = fallback(px[todo], py[todo])
            d, t = self.project(px[todo], py[todo], edge)
            best_edge[todo], best_d[todo], best_t[todo] = edge, d, t
        return best_edge, best_t, best_d


def _grid_order(px: np.ndarray, py: np.ndarray, cell: float) -> np.ndarray:
    """A permutation visiting points cell by cell (rows of cells, snaking)."""
    if px.size < 2 or not cell > 0:
        return np.arange(px.size)
    cx = np.floor((px - px.min()) / cell).astype(np.int64)
    cy = np.floor((py - py.min()) / cell).astype(np.int64)
    snake = np.where(cy % 2 == 0, cx, cx.max() - cx)
    return np.lexsort((snake, cy))

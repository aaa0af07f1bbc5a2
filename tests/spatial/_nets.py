"""Small hand-drawn networks whose walking distances can be worked out on paper."""

from __future__ import annotations

from shequ.spatial.network import WalkNetwork, from_edges

# A street along y = 0: nodes 0 (0,0) - 1 (100,0) - 2 (200,0) - 3 (300,0) - 7 (600,0),
# a side street 2 - 4 (200,100), and a fragment 5 (1000,0) - 6 (1100,0) not connected.
X = [0.0, 100.0, 200.0, 300.0, 200.0, 1000.0, 1100.0, 600.0]
Y = [0.0, 0.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0]
U = [0, 1, 2, 2, 5, 3]
V = [1, 2, 3, 4, 6, 7]
EDGE_3_7 = 5


def line_city() -> WalkNetwork:
    return from_edges(X, Y, U, V, crs="EPSG:32650")

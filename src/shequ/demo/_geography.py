"""The sample city's shape: an irregular city outline cut by a meandering river, and one
irregular polygon per community (Voronoi cells of relaxed seed points, clipped to the
outline, the river taken out). Communities are laid out along a Hilbert curve in code order,
so that each street and each district is one contiguous group of cells, as in a real city.

Hand-written because no kept library draws a plausible fictional city; shapely does the
geometry (``voronoi_polygons``, ``intersection``, ``union_all``). All in metres, in the
demo's local metric frame (origin at the south-west corner of the bounding box).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

WIDTH, HEIGHT = 12_000.0, 9_000.0
RIVER_WIDTH = 60.0
RELAX = 4  # Lloyd iterations: cells of similar size, no slivers


@dataclass(frozen=True)
class Geography:
    outline: shapely.Polygon  # the city, without the river
    river: shapely.LineString  # the river's centre line
    cells: np.ndarray  # one polygon per community, in the order asked


def river_line() -> shapely.LineString:
    """West to east, meandering around y ≈ 4 275 m."""
    x = np.linspace(-500, WIDTH + 500, 240)
    y = 4_275 + 420 * np.sin(x / 1_700) + 160 * np.sin(x / 530 + 1.0)
    return shapely.LineString(np.c_[x, y])


def outline(rng: np.random.Generator) -> shapely.Polygon:
    """A lobed, irregular outline filling most of the bounding box."""
    theta = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    phase = rng.uniform(0, 2 * np.pi, 3)
    r = 1 + 0.10 * np.sin(3 * theta + phase[0]) + 0.06 * np.sin(5 * theta + phase[1])
    r += 0.03 * np.sin(9 * theta + phase[2])
    x = WIDTH / 2 + 0.47 * WIDTH * r * np.cos(theta)
    y = HEIGHT / 2 + 0.47 * HEIGHT * r * np.sin(theta)
    return shapely.Polygon(np.c_[x, y]).buffer(0)


def _hilbert(x: np.ndarray, y: np.ndarray, order: int = 10) -> np.ndarray:
    """Index of each point on a Hilbert curve over the bounding box (neighbours stay close)."""
    n = 2**order
    xi = np.clip((x / WIDTH * (n - 1)).astype(np.int64), 0, n - 1)
    yi = np.clip((y / HEIGHT * (n - 1)).astype(np.int64), 0, n - 1)
    d = np.zeros_like(xi)
    s = n // 2
    while s > 0:
        rx = (xi & s) > 0
        ry = (yi & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        flip = ~ry
        swap_x = np.where(flip & rx, s - 1 - xi, xi)
        swap_y = np.where(flip & rx, s - 1 - yi, yi)
        xi, yi = np.where(flip, swap_y, swap_x), np.where(flip, swap_x, swap_y)
        s //= 2
    return d


def _points_in(rng: np.random.Generator, area: shapely.Geometry, n: int) -> np.ndarray:
    x0, y0, x1, y1 = area.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        xy = np.c_[rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)]
        inside = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
        found = np.r_[found, xy[inside]]
    return found[:n]


def build(rng: np.random.Generator, n: int) -> Geography:
    """The outline, the river and ``n`` community cells along the Hilbert order."""
    river = river_line()
    city = outline(rng).difference(river.buffer(RIVER_WIDTH / 2))
    seeds = _points_in(rng, city, n)
    envelope = shapely.box(-WIDTH, -HEIGHT, 2 * WIDTH, 2 * HEIGHT)
    for _ in range(RELAX):
        cells = _voronoi(seeds, envelope, city)
        centroids = shapely.get_coordinates(shapely.centroid(cells))
        seeds = np.where(np.isfinite(centroids), centroids, seeds)
    cells = _voronoi(seeds, envelope, city)
    order = np.argsort(_hilbert(seeds[:, 0], seeds[:, 1]), kind="stable")
    return Geography(city, river, cells[order])


def _voronoi(seeds: np.ndarray, envelope, city) -> np.ndarray:
    """The Voronoi cell of each seed (in seed order), clipped to the city; a cell cut in
    two by the river keeps its larger part (a community is one polygon)."""
    points = shapely.points(seeds)
    regions = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=envelope)
    )
    tree = shapely.STRtree(regions)
    owner = tree.query(points, predicate="within")
    by_seed = np.empty(len(seeds), dtype=object)
    by_seed[owner[0]] = regions[owner[1]]
    clipped = shapely.intersection(by_seed, city)
    return np.array([_largest(c) for c in clipped], dtype=object)


def _largest(geometry) -> shapely.Polygon:
    parts = shapely.get_parts(geometry)
    polygons = [p for p in parts if isinstance(p, shapely.Polygon)]
    return max(polygons, key=lambda p: p.area) if polygons else shapely.Polygon()


def dissolve(cells: np.ndarray, groups: np.ndarray) -> dict[str, shapely.Geometry]:
    """The union of the cells of each group (a street, a district)."""
    return {
        g: shapely.union_all(cells[groups == g]).buffer(0.01).buffer(-0.01)
        for g in dict.fromkeys(groups)
    }

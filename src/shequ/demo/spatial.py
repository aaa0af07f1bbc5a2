"""The sample city's geometry: community boundaries, a walking network, residential
buildings, facilities and candidate sites, written as the files users bring and imported
through the same library functions as ``shequ import ...``; then the 2025 coverage of
service centres becomes data values, and ten new service-centre sites are proposed.

Layout (`_geography`): an irregular city outline around 117.2°E 31.8°N cut by a meandering
river; the 300 communities are irregular cells (Voronoi of relaxed seeds) laid out along a
Hilbert curve in code order, so streets and districts are contiguous groups; street and
district boundaries are the unions of their communities. The street grid (150 m blocks,
nodes jittered, 6 % of links missing) covers the city, crosses the river on three bridges,
and one block of streets in the north-east is cut off (a disconnected fragment). Files:
boundaries GeoPackage (every level), network GeoPackage (lines), population GeoJSON
(WGS-84), facilities CSV in GCJ-02 (as copied from Amap), candidate sites CSV (WGS-84).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ..framework.models import Plan
from ..framework.periods import parse_period
from ..ingest.report import ImportReport
from ..spatial import crs, layers
from ..spatial.imports.boundaries import import_boundaries
from ..spatial.imports.facilities import import_facilities
from ..spatial.imports.networks import NetworkImport, import_network
from ..spatial.imports.population import import_population
from ..spatial.run import CoverageRun, run_coverage
from ..spatial.sites import SiteProposal, propose_sites
from ..store import orgunits as store_orgunits
from ..store import values as store_values
from ..store.db import Store
from . import _geography as geography
from ._geography import HEIGHT, WIDTH, Geography, dissolve

ORIGIN = (117.20, 31.80)
METRIC = "EPSG:4548"  # CGCS2000 / 3-degree Gauss-Kruger CM 117E
MAX_COMMUNITIES = 300
BLOCK = 150.0
GAP_SHARE = 0.06
RADIUS = 500.0
NEW_SITES = 10
#: the data element the coverage supplies for the last year (city.py leaves it empty)
MEASURED = ("residents_within_500m_service_centre",)
OTHER_TYPES = (  # type, share of communities having one, capacity range
    ("culture_centre", 0.85, (200, 800)),
    ("sports_facility", 0.6, (100, 500)),
    ("clinic", 0.3, (20, 80)),
    ("elderly_care", 0.5, (30, 150)),
    ("kindergarten", 0.45, (90, 360)),
)


@dataclass
class SpatialDemo:
    """What the spatial part of the demo imported, measured and proposed."""

    imports: list[ImportReport]
    network: NetworkImport
    coverage: CoverageRun
    sites: SiteProposal
    files: list[Path] = field(default_factory=list)

    def describe(self, lang: str = "zh") -> str:
        c, s = self.coverage.result, self.sites
        frag = c.fragments
        if lang == "zh":
            return (
                f"服务中心 500 米步行覆盖（2025）：{c.covered_population:,.0f} / "
                f"{c.total_population:,.0f} 人（{c.share:.1%}）；"
                f"落在断开路网碎片上的居民 {frag.get('population_on_fragments', 0):,.0f} 人\n"
                f"建议新建 {len(s.sites)} 个社区服务中心：覆盖率 {s.covered_before / s.total_population:.1%}"
                f" → {s.covered_after / s.total_population:.1%}（{s.result.status}，间隙 {s.result.gap:.2%}）"
            )
        return (
            f"Service centres within 500 m walk (2025): {c.covered_population:,.0f} of "
            f"{c.total_population:,.0f} residents ({c.share:.1%}); residents on a disconnected "
            f"network fragment: {frag.get('population_on_fragments', 0):,.0f}\n"
            f"{len(s.sites)} proposed service centres: coverage {s.covered_before / s.total_population:.1%}"
            f" → {s.covered_after / s.total_population:.1%} ({s.result.status}, gap {s.result.gap:.2%})"
        )


def _to_lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    ox, oy = crs.project([ORIGIN[0]], [ORIGIN[1]], METRIC)
    return crs.unproject(np.asarray(x) + ox[0], np.asarray(y) + oy[0], METRIC)


def _inside(rng, polygon, n: int, margin: float) -> np.ndarray:
    """``n`` random points inside ``polygon`` kept ``margin`` m from its edge (when it can)."""
    area = polygon.buffer(-margin)
    area = area if not area.is_empty and area.area > 0 else polygon
    x0, y0, x1, y1 = area.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        xy = np.c_[rng.uniform(x0, x1, 4 * n + 8), rng.uniform(y0, y1, 4 * n + 8)]
        found = np.r_[found, xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]]
    return found[:n]


def _polygon_lonlat(polygon) -> shapely.Geometry:
    return shapely.transform(polygon, lambda xy: np.c_[_to_lonlat(xy[:, 0], xy[:, 1])])


def _boundaries(geo: Geography, units: pd.DataFrame, communities: list[str], folder: Path) -> Path:
    """Communities' cells, and their streets, districts and the city as the unions of them
    (so the map draws every level's outline)."""
    parent = dict(zip(units["code"], units["parent_code"], strict=True))
    codes, polygons = list(communities), list(geo.cells)
    level = np.asarray(communities, dtype=object)
    for _ in range(3):  # street, district, city
        level = np.array([parent.get(c) for c in level], dtype=object)
        if any(c is None for c in level):
            break
        for code, shape in dissolve(geo.cells, level).items():
            codes.append(code)
            polygons.append(shape)
    # one geometry type for the layer: a district across the river is two pieces
    shapes = np.array(
        [shapely.multipolygons(shapely.get_parts(_polygon_lonlat(p))) for p in polygons],
        dtype=object,
    )
    return layers.write_layer(
        folder / "boundaries.gpkg", shapes, {"org_unit": np.asarray(codes, dtype=object)}
    )


def _network(rng: np.random.Generator, geo: Geography, folder: Path) -> Path:
    """A jittered street grid over the city (150 m blocks), 6 % of links missing, cut by
    the river but for three bridges, and one 4 × 4 block of streets in the north-east cut
    off from the rest (a disconnected fragment); dangling pieces are dropped."""
    nx, ny = int(WIDTH / BLOCK) + 1, int(HEIGHT / BLOCK) + 1
    gx, gy = np.meshgrid(np.arange(nx) * BLOCK, np.arange(ny) * BLOCK, indexing="ij")
    x = (gx + rng.uniform(-15, 15, gx.shape)).ravel()
    y = (gy + rng.uniform(-15, 15, gy.shape)).ravel()
    idx = np.arange(nx * ny).reshape(nx, ny)
    u = np.r_[idx[:-1, :].ravel(), idx[:, :-1].ravel()]
    v = np.r_[idx[1:, :].ravel(), idx[:, 1:].ravel()]
    streets = shapely.linestrings(np.stack([np.c_[x[u], y[u]], np.c_[x[v], y[v]]], axis=1))
    served = geo.outline.buffer(BLOCK)
    keep = shapely.contains_xy(served, x[u], y[u]) & shapely.contains_xy(served, x[v], y[v])
    block = _fragment_block(geo, gx.ravel(), gy.ravel())
    keep &= block[u] == block[v]  # the fragment: no link leaves it
    keep &= (rng.random(u.size) > GAP_SHARE) | block[u]
    crosses = shapely.intersects(streets, geo.river.buffer(30))
    candidates = np.flatnonzero(crosses & keep)
    spread = np.quantile(x[u[candidates]], [0.2, 0.5, 0.8])
    bridges = [candidates[np.argmin(np.abs(x[u[candidates]] - s))] for s in spread]
    keep &= ~crosses | np.isin(np.arange(u.size), bridges)
    keep = _main_and_fragment(keep, u, v, x.size, block)
    lon, lat = _to_lonlat(x, y)
    lines = shapely.linestrings(
        np.stack([np.c_[lon[u[keep]], lat[u[keep]]], np.c_[lon[v[keep]], lat[v[keep]]]], axis=1)
    )
    return layers.write_layer(
        folder / "walk_network.gpkg", lines, {"highway": np.full(lines.size, "residential")}
    )


def _fragment_block(geo: Geography, gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """The 4 × 4 grid nodes of the most north-easterly block wholly inside the city."""
    inside = shapely.contains_xy(geo.outline, gx, gy)
    best, chosen = -np.inf, np.zeros(gx.size, dtype=bool)
    for x0 in np.unique(gx)[::2]:
        for y0 in np.unique(gy)[::2]:
            box = (gx >= x0) & (gx < x0 + 4 * BLOCK) & (gy >= y0) & (gy < y0 + 4 * BLOCK)
            if box.sum() == 16 and inside[box].all() and x0 + y0 > best:
                best, chosen = x0 + y0, box
    return chosen


def _main_and_fragment(keep, u, v, n: int, block: np.ndarray) -> np.ndarray:
    """Links of the largest connected piece and of the fragment block; others dropped."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(keep.sum()), (u[keep], v[keep])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    used = np.zeros(n, dtype=bool)
    used[u[keep]] = used[v[keep]] = True
    sizes = np.bincount(label[used], minlength=label.max() + 1)
    main = np.argmax(sizes)
    fragment = set(label[block])
    wanted = np.isin(label, [main, *fragment])
    return keep & wanted[u] & wanted[v]


def _buildings(rng, geo: Geography, communities, population: pd.Series, folder: Path) -> Path:
    rows = []
    for code, cell in zip(communities, geo.cells, strict=True):
        total = int(population.get(code, 0))
        n = int(rng.integers(12, 28))
        people = rng.multinomial(total, rng.dirichlet(np.full(n, 3.0)))
        xy = _inside(rng, cell, n, 20.0)
        rows += [(f"{code}-B{i + 1:02d}", *xy[i], int(people[i])) for i in range(n)]
    frame = pd.DataFrame(rows, columns=["id", "x", "y", "population"])
    lon, lat = _to_lonlat(frame["x"], frame["y"])
    return layers.write_geojson(
        folder / "population.geojson", shapely.points(lon, lat),
        frame[["id", "population"]],
    )  # fmt: skip


def _facilities(rng, geo: Geography, communities, counts: pd.DataFrame, folder: Path) -> Path:
    rows = []
    service = counts["service_centres"].reindex(communities).fillna(1).to_numpy()
    for code, cell, n_service in zip(communities, geo.cells, service, strict=True):
        for k in range(int(n_service)):
            rows.append((f"SC{code}-{k + 1}", "社区服务中心", code, cell, rng.uniform(150, 500)))
        for kind, share, (lo, hi) in OTHER_TYPES:
            if rng.random() < share:
                rows.append((f"{kind[:2].upper()}{code}", kind, code, cell, rng.uniform(lo, hi)))
    xy = np.array([_inside(rng, r[3], 1, 40.0)[0] for r in rows])
    lon, lat = crs.wgs84_to_gcj02(*_to_lonlat(xy[:, 0], xy[:, 1]))  # as copied from Amap
    frame = pd.DataFrame(
        {
            "编码": [r[0] for r in rows],
            "类型": [r[1] for r in rows],
            "名称": [f"{r[2][-3:]}号{r[1]}" for r in rows],
            "经度": np.round(lon, 7),
            "纬度": np.round(lat, 7),
            "容量": np.round([r[4] for r in rows]),
        }
    )
    path = folder / "facilities_gcj02.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _candidates(rng, geo: Geography, folder: Path) -> Path:
    n = 400
    xy = _inside(rng, geo.outline, n, 0.0)
    lon, lat = _to_lonlat(xy[:, 0], xy[:, 1])
    frame = pd.DataFrame(
        {"code": [f"K{i + 1:03d}" for i in range(n)], "name": "", "lon": lon, "lat": lat}
    )
    path = folder / "candidate_sites.csv"
    frame.to_csv(path, index=False, float_format="%.7f")
    return path


def build_spatial(
    store: Store, plan: Plan, folder: Path, *, period: str, seed: int = 2025, actor: str = "demo"
) -> SpatialDemo:
    """Write the sample city's geometry into ``folder``, import it, measure, propose."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + 3)
    with store.begin() as conn:
        stats = store_values.read(
            conn, periods=[period], data_elements=["resident_population", "service_centres"]
        )
    wide = stats.pivot(index="org_unit", columns="data_element", values="value")
    communities = sorted(wide.index[wide["resident_population"].notna()])[:MAX_COMMUNITIES]
    with store.begin() as conn:
        units = store_orgunits.units_on(conn, parse_period(period).end)
    geo = geography.build(rng, len(communities))
    files = [
        _boundaries(geo, units, communities, folder),
        _network(rng, geo, folder),
        _buildings(rng, geo, communities, wide["resident_population"], folder),
        _facilities(rng, geo, communities, wide, folder),
        _candidates(rng, geo, folder),
    ]
    imports = [import_boundaries(store, files[0], actor=actor)]
    network = import_network(store, files[1], actor=actor)
    imports.append(import_population(store, files[2], actor=actor))
    imports.append(import_facilities(store, files[3], plan=plan, crs="gcj02", actor=actor))
    layers = folder / "layers"
    coverage = run_coverage(
        store, plan, facility_type="service_centre", radius=RADIUS, period=period,
        out_dir=layers, actor=actor,
    )  # fmt: skip
    sites = propose_sites(
        store, plan, facility_type="service_centre", radius=RADIUS, new=NEW_SITES,
        candidates=files[4], period=period, out_dir=layers, time_limit=20,
    )  # fmt: skip
    return SpatialDemo(imports, network, coverage, sites, files)

"""The sample city's geometry: community boundaries, a walking network, residential
buildings, facilities and candidate sites, written as the files users bring and imported
through the same library functions as ``shequ import ...``; then the 2025 coverage of
service centres becomes data values, and ten new service-centre sites are proposed.

Layout: the 300 communities fill a 20 × 15 grid of 600 m squares (in code order, so streets
and districts are contiguous), around 117.2°E 31.8°N. The street grid (150 m blocks,
nodes jittered, 6 % of links missing) is cut by a river with three bridges, and one
block of streets in the north-east corner is cut off (a disconnected fragment). Files:
boundaries GeoPackage, network GeoPackage (lines), population GeoJSON (WGS-84),
facilities CSV in GCJ-02 (as copied from Amap), candidate sites CSV (WGS-84).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ..framework.models import Plan
from ..ingest.report import ImportReport
from ..spatial import crs, layers
from ..spatial.imports.boundaries import import_boundaries
from ..spatial.imports.facilities import import_facilities
from ..spatial.imports.networks import NetworkImport, import_network
from ..spatial.imports.population import import_population
from ..spatial.run import CoverageRun, run_coverage
from ..spatial.sites import SiteProposal, propose_sites
from ..store import values as store_values
from ..store.db import Store

ORIGIN = (117.20, 31.80)
METRIC = "EPSG:4548"  # CGCS2000 / 3-degree Gauss-Kruger CM 117E
CELL, COLS, ROWS = 600.0, 20, 15
BLOCK = 150.0
RIVER_Y = 4_275.0  # between two street rows
BRIDGES = 3
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


def _cells(communities: list[str]) -> pd.DataFrame:
    """Grid cell (column, row) of each community, snaking so neighbours share streets."""
    k = np.arange(len(communities))
    row = k // COLS
    col = np.where(row % 2 == 0, k % COLS, COLS - 1 - k % COLS)
    return pd.DataFrame({"org_unit": communities, "col": col, "row": row})


def _boundaries(cells: pd.DataFrame, folder: Path) -> Path:
    polys = []
    for c in cells.itertuples(index=False):
        x0, y0 = c.col * CELL, c.row * CELL
        xs = np.array([x0, x0 + CELL, x0 + CELL, x0, x0])
        ys = np.array([y0, y0, y0 + CELL, y0 + CELL, y0])
        polys.append(shapely.Polygon(np.c_[_to_lonlat(xs, ys)]))
    return layers.write_layer(
        folder / "boundaries.gpkg", np.array(polys, dtype=object),
        {"org_unit": cells["org_unit"].to_numpy()},
    )  # fmt: skip


def _network(rng: np.random.Generator, folder: Path) -> Path:
    nx, ny = int(COLS * CELL / BLOCK) + 1, int(ROWS * CELL / BLOCK) + 1
    gx, gy = np.meshgrid(np.arange(nx) * BLOCK, np.arange(ny) * BLOCK, indexing="ij")
    x = gx + rng.uniform(-15, 15, gx.shape)
    y = gy + rng.uniform(-15, 15, gy.shape)
    idx = np.arange(nx * ny).reshape(nx, ny)
    u = np.r_[idx[:-1, :].ravel(), idx[:, :-1].ravel()]
    v = np.r_[idx[1:, :].ravel(), idx[:, 1:].ravel()]
    x, y = x.ravel(), y.ravel()
    keep = rng.random(u.size) > GAP_SHARE
    crosses = (np.minimum(y[u], y[v]) < RIVER_Y) & (np.maximum(y[u], y[v]) > RIVER_Y)
    bridges = rng.choice(np.flatnonzero(crosses), BRIDGES, replace=False)
    keep &= ~crosses | np.isin(np.arange(u.size), bridges)
    corner = (gx.ravel() >= (nx - 4) * BLOCK) & (gy.ravel() >= (ny - 4) * BLOCK)
    keep &= corner[u] == corner[v]  # the north-east corner is cut off: a fragment
    lon, lat = _to_lonlat(x, y)
    lines = shapely.linestrings(
        np.stack([np.c_[lon[u[keep]], lat[u[keep]]], np.c_[lon[v[keep]], lat[v[keep]]]], axis=1)
    )
    return layers.write_layer(
        folder / "walk_network.gpkg", lines, {"highway": np.full(lines.size, "residential")}
    )


def _buildings(rng, cells: pd.DataFrame, population: pd.Series, folder: Path) -> Path:
    rows = []
    for c in cells.itertuples(index=False):
        total = int(population.get(c.org_unit, 0))
        n = int(rng.integers(12, 28))
        share = rng.dirichlet(np.full(n, 3.0))
        people = rng.multinomial(total, share)
        bx = c.col * CELL + rng.uniform(25, CELL - 25, n)
        by = c.row * CELL + rng.uniform(25, CELL - 25, n)
        by = np.where(np.abs(by - RIVER_Y) < 30, by + 60, by)  # nobody lives in the river
        for i in range(n):
            rows.append((f"{c.org_unit}-B{i + 1:02d}", bx[i], by[i], int(people[i])))
    frame = pd.DataFrame(rows, columns=["id", "x", "y", "population"])
    lon, lat = _to_lonlat(frame["x"], frame["y"])
    return layers.write_geojson(
        folder / "population.geojson", shapely.points(lon, lat),
        frame[["id", "population"]],
    )  # fmt: skip


def _facilities(rng, cells: pd.DataFrame, counts: pd.DataFrame, folder: Path) -> Path:
    rows = []
    service = counts["service_centres"].reindex(cells["org_unit"]).fillna(1).to_numpy()
    for c, n_service in zip(cells.itertuples(index=False), service, strict=True):
        for k in range(int(n_service)):
            rows.append((f"SC{c.org_unit}-{k + 1}", "社区服务中心", c, rng.uniform(150, 500)))
        for kind, share, (lo, hi) in OTHER_TYPES:
            if rng.random() < share:
                rows.append((f"{kind[:2].upper()}{c.org_unit}", kind, c, rng.uniform(lo, hi)))
    x = np.array([r[2].col * CELL + rng.uniform(60, CELL - 60) for r in rows])
    y = np.array([r[2].row * CELL + rng.uniform(60, CELL - 60) for r in rows])
    lon, lat = crs.wgs84_to_gcj02(*_to_lonlat(x, y))  # as copied from Amap
    frame = pd.DataFrame(
        {
            "编码": [r[0] for r in rows],
            "类型": [r[1] for r in rows],
            "名称": [f"{r[2].org_unit[-3:]}号{r[1]}" for r in rows],
            "经度": np.round(lon, 7),
            "纬度": np.round(lat, 7),
            "容量": np.round([r[3] for r in rows]),
        }
    )
    path = folder / "facilities_gcj02.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _candidates(rng, folder: Path) -> Path:
    n = 400
    x, y = rng.uniform(0, COLS * CELL, n), rng.uniform(0, ROWS * CELL, n)
    lon, lat = _to_lonlat(x, y)
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
    communities = sorted(wide.index[wide["resident_population"].notna()])[: COLS * ROWS]
    cells = _cells(communities)
    files = [
        _boundaries(cells, folder),
        _network(rng, folder),
        _buildings(rng, cells, wide["resident_population"], folder),
        _facilities(rng, cells, wide, folder),
        _candidates(rng, folder),
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

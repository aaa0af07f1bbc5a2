"""Coverage and accessibility as the CLI and the demo run them: load from the store,
compute, write data values (with provenance) and GeoJSON layers.

`run_coverage` writes ``residents_within_<R>m_<type>`` per community for a period when
the plan has that data element (the evaluation reads it, e.g. 服务半径覆盖率), recorded
as an import batch of kind ``coverage`` whose file name says type, radius and method.
Where a community has no ``resident_population`` value for the period (a fresh store with
only population points and facilities), the residents the points count are written as its
``resident_population`` in a batch of its own, and the run says so, so that the coverage
share (residents within reach / residents) has its denominator.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from .. import progress
from ..framework.models import Plan
from ..store import imports as store_imports
from ..store.db import Store
from . import access, cities, facility_types, layers
from .coverage import DEFAULT_DETOUR, CoverageResult, cover_points, coverage_result
from .inputs import SpatialInputError, SpatialInputs, load_inputs, lonlat
from .network import snap

POPULATION = "resident_population"
SEARCH_FACTOR = 4  # uncovered points' distances are searched up to 4 × the radius


@dataclass
class CoverageRun:
    """A coverage computation and what it wrote."""

    result: CoverageResult
    period: str | None
    element: str
    values_written: dict[str, int] = field(default_factory=dict)
    layers: list[Path] = field(default_factory=list)
    import_id: int | None = None
    note: str = ""
    population_written: int = 0  # communities given the counted residents as population


def check_type(plan: Plan | None, facility_type: str) -> str:
    types = facility_types.lookup(plan)
    code = types.get(facility_type.strip().lower())
    if code is None:
        known = ", ".join(sorted(facility_types.registry(plan)))
        msg = f"未知的设施类型“{facility_type}”（可用：{known}）/ unknown facility type '{facility_type}' (known: {known})"
        raise SpatialInputError(msg)
    return code


def run_coverage(
    store: Store,
    plan: Plan,
    *,
    facility_type: str,
    radius: float,
    period: str | None = None,
    out_dir: Path | None = None,
    detour: float = DEFAULT_DETOUR,
    network_name: str | None = "default",
    actor: str = "cli",
    inputs: SpatialInputs | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
) -> CoverageRun:
    """Coverage of ``facility_type`` at ``radius`` m; values for ``period``; layers to
    ``out_dir``. ``engine`` ``spark`` covers the points city by city on Spark
    (`shequ.spatial.cities`; ``spark_master``/``spark_remote`` say where), with the same
    values, layers and import batches as the default ``local`` run in this process."""
    facility_type = check_type(plan, facility_type)
    engine = cities.check_engine(engine)
    progress.phase("读取设施、人口与路网 / loading facilities, population, network")
    inputs = inputs or load_inputs(
        store, facility_type=facility_type, period=period, network_name=network_name
    )
    progress.phase(f"覆盖分析 / coverage {radius:g} m: {len(inputs.points):,} 个点 points")
    options = {"radius": radius, "detour": detour, "search_limit": SEARCH_FACTOR * radius}
    if engine == "spark":
        covered = cities.cover_by_city(
            store, inputs, master=spark_master, remote=spark_remote, **options
        )
    else:
        covered = cover_points(inputs.points, inputs.facilities, network=inputs.network, **options)
    result = coverage_result(
        covered, inputs.facilities, facility_type=facility_type, radius=radius,
        network=inputs.network, detour=detour,
    )  # fmt: skip
    run = CoverageRun(result, period, facility_types.coverage_element(facility_type, radius))
    progress.phase("写入数值与图层 / writing values and layers")
    if period is not None:
        _write_values(store, plan, run, actor)
        _write_counted_population(store, plan, run, actor)
    else:
        run.note = (
            "未指定 --period，未写入数据值，评估中的覆盖率仍无数据；加 --period（如 2025）写入 / "
            "no --period given: no data values written, so the evaluation's coverage stays "
            "without data; add --period (e.g. 2025) to write them"
        )
    if out_dir is not None:
        run.layers = write_layers(result, inputs, Path(out_dir), period)
    progress.end()
    return run


def _write_values(store: Store, plan: Plan, run: CoverageRun, actor: str) -> None:
    if run.element not in {e.code for e in plan.data_elements}:
        run.note = (
            f"方案中没有数据元素 {run.element}，未写入数据值 / the plan has no data element "
            f"{run.element}; no data values written"
        )
        return
    table = run.result.communities
    rows = pd.DataFrame(
        {
            "data_element": run.element,
            "org_unit": table["org_unit"].astype(str),
            "period": run.period,
            "value": np.round(table["covered_population"].to_numpy(float)),
        }
    )
    label = f"coverage:{run.result.facility_type}:{run.result.radius:g}m:{run.result.method}"
    digest = hashlib.sha256(rows.to_csv(index=False).encode()).hexdigest()
    with store.begin() as conn:
        written = store_imports.write_values(
            conn, rows, actor=actor, batch=store_imports.Batch("coverage", label, digest)
        )
    run.import_id = written.import_id
    run.values_written = written.counts()


def _write_counted_population(store: Store, plan: Plan, run: CoverageRun, actor: str) -> None:
    """The counted residents as ``resident_population`` where a community has none."""
    if POPULATION not in {e.code for e in plan.data_elements} or not run.values_written:
        return
    table = run.result.communities
    rows = pd.DataFrame(
        {
            "data_element": POPULATION,
            "org_unit": table["org_unit"].astype(str),
            "period": run.period,
            "value": np.round(table["population"].to_numpy(float)),
        }
    )
    digest = hashlib.sha256(rows.to_csv(index=False).encode()).hexdigest()
    batch = store_imports.Batch("coverage", f"coverage:{POPULATION}:counted", digest, always=False)
    with store.begin() as conn:  # update=False: a stored (statistical) value is kept
        written = store_imports.write_values(conn, rows, actor=actor, batch=batch, update=False)
    run.population_written = written.inserted


def write_layers(
    result: CoverageResult, inputs: SpatialInputs, out_dir: Path, period: str | None
) -> list[Path]:
    """GeoJSON (WGS-84): covered and uncovered points, and facility catchments (the hull
    of the points each facility is nearest to within the radius), labelled with the method."""
    stem = f"coverage_{result.facility_type}_{result.radius:g}m" + (f"_{period}" if period else "")
    points = result.points
    label = {"method": result.method, "detour": result.detour, "radius_m": result.radius}
    geoms = shapely.points(points["lon"].to_numpy(float), points["lat"].to_numpy(float))
    columns = ["point_id", "org_unit", "population", "distance_m", "facility", "covered"]
    paths = []
    for name, mask, shown in (
        ("covered", points["covered"], columns),
        ("uncovered", ~points["covered"], [*columns, "reason"]),  # why distance_m is null
    ):
        paths.append(
            layers.write_geojson(
                out_dir / f"{stem}_{name}.geojson",
                geoms[mask.to_numpy()],
                points.loc[mask, shown].assign(**label),
            )
        )
    hulls, rows = [], []
    catch = result.catchments.set_index("code")["population"]
    covered = points[points["covered"]]
    members = covered.groupby("facility").indices
    covered_xy = covered[["x", "y"]].to_numpy(float)
    for f in inputs.facilities.itertuples(index=False):
        xy = np.r_[[[f.x, f.y]], covered_xy[members.get(f.code, [])]]
        hulls.append(to_lonlat(shapely.convex_hull(shapely.multipoints(xy)), inputs.crs))
        rows.append({"code": f.code, "name": f.name, "population": float(catch.get(f.code, 0.0))})
    paths.append(
        layers.write_geojson(
            out_dir / f"{stem}_catchments.geojson",
            np.array(hulls, dtype=object),
            pd.DataFrame(rows, columns=["code", "name", "population"]).assign(**label),
        )
    )
    return paths


def to_lonlat(geom, metric: str):
    """A geometry in metres of ``metric`` back to WGS-84 lon/lat."""
    return shapely.transform(geom, lambda xy: np.c_[lonlat(xy[:, 0], xy[:, 1], metric)])


@dataclass
class AccessRun:
    """2SFCA accessibility per point and per community (supply per resident)."""

    facility_type: str
    radius: float
    bands: list | None
    method: str
    points: pd.DataFrame
    communities: pd.DataFrame


def run_access(
    store: Store,
    plan: Plan | None,
    *,
    facility_type: str,
    radius: float,
    enhanced: bool = False,
    period: str | None = None,
    detour: float = DEFAULT_DETOUR,
    network_name: str | None = "default",
) -> AccessRun:
    """2SFCA (or enhanced 2SFCA with three distance bands) for one facility type.

    Supply is the facility's ``capacity`` (1 where it is missing: then A is facilities per
    resident); demand is each point's population.
    """
    facility_type = check_type(plan, facility_type)
    inputs = load_inputs(
        store, facility_type=facility_type, period=period, network_name=network_name
    )
    f_idx, p_idx, dist, method = pairs(inputs, radius, detour)
    supply = inputs.facilities["capacity"].fillna(1.0).to_numpy(float)
    demand = inputs.points["population"].to_numpy(float)
    bands = access.default_bands(radius) if enhanced else None
    score = access.two_step_fca(f_idx, p_idx, dist, supply=supply, demand=demand, bands=bands)
    points = inputs.points.assign(accessibility=score)
    return AccessRun(
        facility_type, radius, bands, method, points, access.accessibility_table(points, score)
    )


def pairs(inputs: SpatialInputs, radius: float, detour: float, sites: pd.DataFrame | None = None):
    """(site, point, metres) pairs within ``radius``: along the network, or straight × detour."""
    sites = inputs.facilities if sites is None else sites
    if inputs.network is not None:
        net = inputs.network
        f_snap = snap(net, sites["x"].to_numpy(float), sites["y"].to_numpy(float))
        p_snap = snap(net, inputs.points["x"].to_numpy(float), inputs.points["y"].to_numpy(float))
        return (*access.catchment_pairs(net, f_snap, p_snap, limit=radius), "network")
    from scipy.spatial import cKDTree

    tree = cKDTree(inputs.points[["x", "y"]].to_numpy(float))
    found = tree.query_ball_point(sites[["x", "y"]].to_numpy(float), radius / detour + 1e-6)
    f_idx = np.repeat(np.arange(len(sites)), [len(h) for h in found])
    p_idx = (
        np.concatenate([np.asarray(h, np.int64) for h in found])
        if len(found)
        else np.zeros(0, np.int64)
    )
    d = (
        np.hypot(
            sites["x"].to_numpy(float)[f_idx] - inputs.points["x"].to_numpy(float)[p_idx],
            sites["y"].to_numpy(float)[f_idx] - inputs.points["y"].to_numpy(float)[p_idx],
        )
        * detour
    )
    keep = d <= radius + 1e-6
    return f_idx[keep], p_idx[keep], d[keep], "straight_line"

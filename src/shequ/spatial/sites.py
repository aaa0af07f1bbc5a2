"""Propose new facility sites from the store: candidates from a file or from network
nodes inside given areas; demand = residents not yet within the radius of an open facility
of the type; then maximal covering (``new`` sites) or set covering (``target`` share of
all residents). Output: ranked sites with the population each adds, as a table and GeoJSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from .. import progress
from ..framework.models import Plan
from ..store.db import Store
from . import layers, siting
from .areas import assign_org_units, load_boundaries
from .coverage import DEFAULT_DETOUR, compute_coverage
from .imports.candidates import read_candidates
from .inputs import SpatialInputError, SpatialInputs, facility_points, load_inputs, lonlat
from .run import check_type, pairs

DEFAULT_NODE_SPACING = 100.0


@dataclass
class SiteProposal:
    """Ranked proposed sites and the coverage before and after."""

    facility_type: str
    radius: float
    method: str
    sites: pd.DataFrame  # rank, code, name, lon, lat, org_unit, added, cumulative_share
    result: siting.SitingResult
    total_population: float
    covered_before: float
    candidates: int
    layers: list[Path] = field(default_factory=list)

    @property
    def covered_after(self) -> float:
        return self.covered_before + float(self.sites["added"].sum())


def candidates_from_network(
    inputs: SpatialInputs, store: Store, areas: list[str] | None, spacing: float
) -> pd.DataFrame:
    """Network nodes of the main component inside ``areas`` (org-unit boundaries; all
    when None), thinned to at most one per ``spacing`` × ``spacing`` metre cell."""
    net = inputs.network
    if net is None:
        msg = (
            "没有步行网络时需要候选点文件（--candidates）/ without a walking network, give a "
            "candidate file (--candidates)"
        )
        raise SpatialInputError(msg)
    keep = net.component == 0
    if areas:
        with store.begin() as conn:
            bounds = load_boundaries(conn)
        chosen = bounds[bounds["org_unit"].isin(areas)]
        if chosen.empty:
            raise SpatialInputError(f"这些区域没有边界 / no boundaries for areas {areas}")
        lon, lat = lonlat(net.x, net.y, net.crs)
        # nodes on (or within ~1 cm of) a border count for the areas on both sides
        area = shapely.union_all(chosen["geometry"].to_numpy()).buffer(1e-7)
        inside = shapely.intersects_xy(area, lon, lat)
        keep &= inside
    nodes = np.flatnonzero(keep)
    cell = np.c_[np.floor(net.x[nodes] / spacing), np.floor(net.y[nodes] / spacing)]
    _, first = np.unique(cell, axis=0, return_index=True)
    nodes = nodes[np.sort(first)]
    lon, lat = lonlat(net.x[nodes], net.y[nodes], net.crs)
    return pd.DataFrame(
        {"code": [f"N{n}" for n in nodes], "name": "", "lon": lon, "lat": lat,
         "x": net.x[nodes], "y": net.y[nodes]}
    )  # fmt: skip


def propose_sites(
    store: Store,
    plan: Plan | None,
    *,
    facility_type: str,
    radius: float,
    new: int | None = None,
    target: float | None = None,
    candidates: Path | pd.DataFrame | None = None,
    areas: list[str] | None = None,
    period: str | None = None,
    detour: float = DEFAULT_DETOUR,
    time_limit: float = 60.0,
    network_name: str | None = "default",
    out_dir: Path | None = None,
    node_spacing: float = DEFAULT_NODE_SPACING,
) -> SiteProposal:
    """Choose ``new`` sites (maximal covering) or the fewest reaching ``target`` (0-1 share
    of all residents, set covering) for ``facility_type`` at ``radius`` metres."""
    if (new is None) == (target is None):
        raise SpatialInputError("请给出 --new 或 --target 之一 / give either --new or --target")
    facility_type = check_type(plan, facility_type)
    progress.phase("读取设施、人口与路网 / loading facilities, population, network")
    inputs = load_inputs(
        store, facility_type=facility_type, period=period, network_name=network_name
    )
    progress.phase(f"现状覆盖 / coverage today at {radius:g} m")
    before = compute_coverage(
        inputs.points, inputs.facilities, facility_type=facility_type, radius=radius,
        network=inputs.network, detour=detour,
    )  # fmt: skip
    if candidates is None:
        cands = candidates_from_network(inputs, store, areas, node_spacing)
    else:
        frame = candidates if isinstance(candidates, pd.DataFrame) else read_candidates(candidates)
        cands = facility_points(frame, inputs.crs)
    uncovered = ~before.points["covered"].to_numpy()
    demand = inputs.points["population"].to_numpy(float) * uncovered
    progress.phase(f"候选点覆盖 / coverage of {len(cands):,} 个候选点 candidate sites")
    s_idx, p_idx, _, method = pairs(inputs, radius, detour, sites=cands)
    cover = sp.csr_matrix(
        (np.ones(s_idx.size, bool), (p_idx, s_idx)), shape=(len(inputs.points), len(cands))
    )
    total, covered = before.total_population, before.covered_population
    progress.phase("选址优化 / optimising the sites (HiGHS)")
    if new is not None:
        result = siting.maximal_covering(cover, demand, new, time_limit=time_limit)
    else:
        need = max(target * total - covered, 0.0)
        share = need / demand.sum() if demand.sum() > 0 else 0.0
        result = siting.set_covering(cover, demand, share=min(share, 1.0), time_limit=time_limit)
        if target * total > covered + demand.sum() + 1e-9:
            result.status = "unreachable"
    table = _ranked(cands, result, total, covered)
    table["org_unit"] = _units(store, table)
    proposal = SiteProposal(
        facility_type, radius, method, table, result, total, covered, len(cands)
    )
    if out_dir is not None:
        proposal.layers = [_write(proposal, Path(out_dir), period)]
    progress.end()
    return proposal


def _ranked(cands: pd.DataFrame, result: siting.SitingResult, total: float, covered: float):
    chosen = cands.iloc[result.chosen].reset_index(drop=True)
    added = np.asarray(result.added, float)
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(chosen) + 1),
            "code": chosen["code"].to_numpy(),
            "name": chosen["name"].to_numpy(),
            "lon": chosen["lon"].to_numpy(float),
            "lat": chosen["lat"].to_numpy(float),
            "added": added,
            "cumulative_share": (covered + np.cumsum(added)) / total if total else np.nan,
        }
    )


def _units(store: Store, table: pd.DataFrame) -> np.ndarray:
    with store.begin() as conn:
        unit, _ = assign_org_units(conn, table["lon"].to_numpy(float), table["lat"].to_numpy(float))
    return unit


def _write(proposal: SiteProposal, out_dir: Path, period: str | None) -> Path:
    stem = f"sites_{proposal.facility_type}_{proposal.radius:g}m" + (f"_{period}" if period else "")
    t = proposal.sites
    return layers.write_geojson(
        out_dir / f"{stem}.geojson",
        shapely.points(t["lon"].to_numpy(float), t["lat"].to_numpy(float)),
        t.drop(columns=["lon", "lat"]).assign(method=proposal.method, radius_m=proposal.radius),
    )

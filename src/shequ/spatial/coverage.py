"""Service coverage: which residents are within walking reach of a facility type.

`nearest_distances` is the array core (walking metres from each point to its nearest
facility); `compute_coverage` adds the community shares, the uncovered points and each
facility's catchment population, on a network or, without one, on straight lines times a
detour factor (labelled so in every output).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ._paths import node_distances, point_distances, within
from .network import Snapped, WalkNetwork, snap

DEFAULT_RADII = (300.0, 500.0, 1000.0)
DEFAULT_DETOUR = 1.3
METHOD_NETWORK = "network"
METHOD_STRAIGHT = "straight_line"
REASON_FRAGMENT = "fragment"  # the point's network component holds no facility
REASON_BEYOND = "beyond_limit"  # no facility within the search limit


def nearest_distances(
    network: WalkNetwork, sources: Snapped, targets: Snapped, *, limit: float
) -> np.ndarray:
    """Walking metres from each target to its nearest source, ``inf`` beyond ``limit``.

    Counts the walk from the source to its street, along edges (partial edges at both
    ends) and from the street to the target. Exactly ``limit`` counts as within. One
    Dijkstra from all sources at once, bounded by ``limit``: about a second on a
    million-node network.
    """
    distance, _ = nearest_sources(network, sources, targets, limit=limit)
    return distance


def nearest_sources(
    network: WalkNetwork, sources: Snapped, targets: Snapped, *, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Like `nearest_distances`, plus the index of the nearest source (-1 beyond reach)."""
    if len(sources) == 0:
        return np.full(len(targets), np.inf), np.full(len(targets), -1)
    node_dist, node_origin = node_distances(network, sources, limit)
    distance, origin = point_distances(network, node_dist, node_origin, sources, targets)
    reach = within(distance, limit)
    return np.where(reach, distance, np.inf), np.where(reach, origin, -1)


def straight_line_sources(
    fx, fy, px, py, *, limit: float, detour: float = DEFAULT_DETOUR
) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line metres × ``detour`` to the nearest facility (no network), ``inf``
    beyond ``limit``; and that facility's index (-1 beyond)."""
    px, py = np.asarray(px, float), np.asarray(py, float)
    if len(fx) == 0:
        return np.full(px.size, np.inf), np.full(px.size, -1)
    tree = cKDTree(np.c_[fx, fy])
    d, j = tree.query(np.c_[px, py], k=1)
    d = d * detour
    reach = within(d, limit)
    return np.where(reach, d, np.inf), np.where(reach, j, -1)


@dataclass
class CoverageResult:
    """Coverage of one facility type at one radius.

    ``points`` has one row per population point (id, org_unit, population, distance_m,
    facility, covered, reason): ``distance_m`` is the walk to the nearest facility up to
    the search limit (also for uncovered points), else NaN with ``reason`` ``fragment``
    (its network component holds no facility) or ``beyond_limit``; ``communities`` one row per org unit (population, covered,
    share); ``catchments`` one row per facility (code, population reached as nearest
    facility within the radius). ``method`` is ``network`` or ``straight_line`` (then
    ``detour`` is the factor used); ``fragments`` reports population snapped to network
    fragments that are not connected to the main network.
    """

    facility_type: str
    radius: float
    method: str
    detour: float | None
    points: pd.DataFrame
    communities: pd.DataFrame
    catchments: pd.DataFrame
    fragments: dict

    @property
    def label(self) -> str:
        if self.method == METHOD_NETWORK:
            return f"步行网络距离 / walking-network distance, {self.radius:g} m"
        return (
            f"直线距离×{self.detour:g}（无步行网络）/ straight line × {self.detour:g} "
            f"(no walking network), {self.radius:g} m"
        )

    @property
    def total_population(self) -> float:
        return float(self.points["population"].sum())

    @property
    def covered_population(self) -> float:
        return float(self.points.loc[self.points["covered"], "population"].sum())

    @property
    def share(self) -> float:
        total = self.total_population
        return self.covered_population / total if total else float("nan")

    def uncovered(self) -> pd.DataFrame:
        return self.points[~self.points["covered"]]


def compute_coverage(
    points: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    facility_type: str,
    radius: float,
    network: WalkNetwork | None = None,
    detour: float = DEFAULT_DETOUR,
    search_limit: float | None = None,
) -> CoverageResult:
    """Coverage of ``points`` (x, y in metres, population, org_unit[, id]) by
    ``facilities`` (x, y, code) within ``radius`` metres.

    With a network, distances are walked along it (`nearest_sources`); without, they
    are straight lines × ``detour``. Shares are ratios of sums: covered residents of a
    community / its residents. Distances are searched up to ``search_limit`` metres
    (default: the radius), so that an uncovered point says how far it is; a larger limit
    costs a longer bounded Dijkstra. The work per point is `cover_points` (a point's
    answer depends on the facilities and the network only, so points can be covered city
    by city, as `shequ.spatial.cities` does on Spark); `coverage_result` sums them up.
    """
    covered = cover_points(
        points, facilities, radius=radius, network=network, detour=detour,
        search_limit=search_limit,
    )  # fmt: skip
    return coverage_result(
        covered, facilities, facility_type=facility_type, radius=radius, network=network,
        detour=detour,
    )  # fmt: skip


#: the columns `cover_points` adds to each point
POINT_COLUMNS = ("distance_m", "facility", "covered", "reason", "on_fragment")


def cover_points(
    points: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    radius: float,
    network: WalkNetwork | None = None,
    detour: float = DEFAULT_DETOUR,
    search_limit: float | None = None,
) -> pd.DataFrame:
    """``points`` with `POINT_COLUMNS`: the distance to the nearest facility (up to the
    search limit), that facility when within ``radius``, covered or not, why a distance is
    missing, and whether the point is snapped onto a network fragment.

    On a network the Dijkstra starts only from facilities whose straight line to the
    points' bounding box is within the search limit (a walk is never shorter than the
    straight line), so covering one city's points costs that city's share of the work;
    whether a point's network component holds a facility is judged on all of them.
    """
    limit = max(float(radius), float(search_limit or radius))
    px, py = points["x"].to_numpy(float), points["y"].to_numpy(float)
    fx, fy = facilities["x"].to_numpy(float), facilities["y"].to_numpy(float)
    on_fragment = np.zeros(len(points), bool)
    stranded = np.zeros(len(points), bool)
    if network is not None and len(points):
        targets = snap(network, px, py)
        sources = snap(network, fx, fy) if len(facilities) else Snapped(*(np.zeros(0),) * 3)
        near = _near_box(fx, fy, px, py, limit)
        distance, origin = nearest_sources(network, sources.subset(near), targets, limit=limit)
        origin = np.where(origin >= 0, near[np.maximum(origin, 0)] if near.size else -1, -1)
        on_fragment = network.edge_component[targets.edge] > 0
        stranded = _stranded(network, sources, targets)
    elif network is not None:
        distance, origin = np.zeros(0), np.zeros(0, np.int64)
    else:
        distance, origin = straight_line_sources(fx, fy, px, py, limit=limit, detour=detour)
    covered = within(distance, radius)
    codes = facilities["code"].to_numpy(object)
    nearest = np.where(origin >= 0, codes[np.maximum(origin, 0)] if codes.size else None, None)
    reached = np.isfinite(distance)
    return points.assign(
        distance_m=np.where(reached, distance, np.nan),
        facility=np.where(covered, nearest, None),
        covered=covered,
        reason=np.where(reached, None, np.where(stranded, REASON_FRAGMENT, REASON_BEYOND)),
        on_fragment=on_fragment,
    )


def _near_box(fx: np.ndarray, fy: np.ndarray, px: np.ndarray, py: np.ndarray, limit: float):
    """Indices of the facilities within ``limit`` (straight line) of the points' box."""
    if not px.size:
        return np.zeros(0, np.int64)
    dx = np.maximum(np.maximum(px.min() - fx, fx - px.max()), 0.0)
    dy = np.maximum(np.maximum(py.min() - fy, fy - py.max()), 0.0)
    return np.flatnonzero(np.hypot(dx, dy) <= limit + 1.0)


def coverage_result(
    covered: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    facility_type: str,
    radius: float,
    network: WalkNetwork | None,
    detour: float = DEFAULT_DETOUR,
) -> CoverageResult:
    """The `CoverageResult` of points covered by `cover_points` (all of them, in order)."""
    frame = covered.drop(columns="on_fragment")
    fragments: dict = {}
    if network is not None:
        fragments = network.fragments()
        on_fragment = covered["on_fragment"].to_numpy(bool)
        fragments["points_on_fragments"] = int(on_fragment.sum())
        fragments["population_on_fragments"] = float(
            covered["population"].to_numpy(float)[on_fragment].sum()
        )
    return CoverageResult(
        facility_type,
        float(radius),
        METHOD_NETWORK if network is not None else METHOD_STRAIGHT,
        None if network is not None else detour,
        frame,
        community_shares(frame),
        _catchments(frame, facilities),
        fragments,
    )


def community_shares(points: pd.DataFrame) -> pd.DataFrame:
    """Residents and covered residents per org unit, and their ratio (a ratio of sums)."""
    covered = points["population"].where(points["covered"], 0.0)
    table = (
        points.assign(covered_population=covered)
        .groupby("org_unit", sort=True)[["population", "covered_population"]]
        .sum()
        .reset_index()
    )
    table["share"] = table["covered_population"] / table["population"].where(
        table["population"] > 0
    )
    return table


def _catchments(points: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    reached = points[points["covered"]].groupby("facility")["population"].sum()
    out = facilities[["code"]].copy()
    out["population"] = out["code"].map(reached).fillna(0.0)
    return out.reset_index(drop=True)


def _stranded(network: WalkNetwork, sources: Snapped, targets: Snapped) -> np.ndarray:
    """True for each target whose network component holds no source (facility)."""
    components = network.edge_component
    served = np.unique(components[sources.edge.astype(np.int64)]) if len(sources) else []
    return ~np.isin(components[targets.edge.astype(np.int64)], served)

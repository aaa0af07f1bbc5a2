"""Org-unit areas: stored boundaries, and which community a point lies in.

A point goes to the community whose boundary contains it (``boundary``), else to the
community with the nearest centroid (``nearest_centroid``). Only the finest level of the
stored boundaries is used (communities, or grids where those are stored).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from sqlalchemy import Connection, select

from ..framework.levels import LEVELS
from ..store.tables.core import OrgUnit, OrgUnitPath
from ..store.tables.spatial import OrgUnitBoundary


def load_boundaries(conn: Connection, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Stored org-unit boundaries (of ``codes``, else all): org_unit, wkt, geometry
    (shapely), centroid lon/lat, level."""
    query = select(
        OrgUnitBoundary.org_unit,
        OrgUnitBoundary.wkt,
        OrgUnitBoundary.centroid_lon,
        OrgUnitBoundary.centroid_lat,
    )
    if codes is not None:
        query = query.where(OrgUnitBoundary.org_unit.in_(list(codes)))
    rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["org_unit", "wkt", "lon", "lat"])
    frame["geometry"] = shapely.from_wkt(frame["wkt"].to_numpy()) if len(frame) else []
    frame["level"] = frame["org_unit"].map(_levels(conn, frame["org_unit"].unique()))
    return frame


def _levels(conn: Connection, codes) -> dict[str, str]:
    """The level of each of ``codes`` (its latest version), read for those codes only."""
    query = select(OrgUnit.code, OrgUnit.level).order_by(OrgUnit.valid_from)
    if len(codes) <= 5_000:
        query = query.where(OrgUnit.code.in_([str(c) for c in codes]))
    return {code: level for code, level in conn.execute(query)}


def boundaries_of(conn: Connection, codes: Iterable[str], day: dt.date) -> dict[str, object]:
    """A boundary for each of ``codes`` that has one: its own stored boundary, else the
    union of its descendants' finest stored boundaries on ``day`` (a city that imported
    community boundaries only still gets district and street outlines)."""
    codes = list(dict.fromkeys(codes))
    own = load_boundaries(conn, codes=codes)
    found = {c: g for c, g in zip(own["org_unit"], own["geometry"], strict=True) if g is not None}
    missing = [c for c in codes if c not in found]
    if not missing:
        return found
    below = conn.execute(
        select(OrgUnitPath.ancestor_code, OrgUnitBoundary.wkt, OrgUnitPath.depth)
        .join(OrgUnitBoundary, OrgUnitBoundary.org_unit == OrgUnitPath.descendant_code)
        .where(OrgUnitPath.ancestor_code.in_(missing), OrgUnitPath.depth > 0)
        .where(OrgUnitPath.valid_from <= day, OrgUnitPath.valid_to > day)
    ).all()
    parts = pd.DataFrame(below, columns=["code", "wkt", "depth"])
    for code, group in parts.groupby("code"):
        finest = group[group["depth"] == group["depth"].max()]
        shapes = shapely.from_wkt(finest["wkt"].to_numpy())
        found[str(code)] = shapely.union_all(shapes).buffer(0)
    return found


def assign_org_units(
    conn: Connection, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The community of each point: the one whose boundary contains it (``boundary``), else
    the one with the nearest centroid (``nearest_centroid``); None where no community
    boundaries are stored. Only the finest level of stored boundaries is used."""
    n = len(lon)
    unit = np.full(n, None, dtype=object)
    source = np.full(n, None, dtype=object)
    bounds = load_boundaries(conn)
    if bounds.empty or n == 0:
        return unit, source
    finest = bounds[bounds["level"] == _finest_level(bounds["level"])]
    finest = finest.reset_index(drop=True)
    points = shapely.points(lon, lat)
    tree = shapely.STRtree(finest["geometry"].to_numpy())
    pt, poly = tree.query(points, predicate="within")
    first = pd.Series(poly).groupby(pt).first()  # on a shared edge: the first polygon
    unit[first.index] = finest["org_unit"].to_numpy()[first.to_numpy()]
    source[first.index] = "boundary"
    rest = np.flatnonzero(source == None)  # noqa: E711
    if rest.size:
        scale = np.cos(np.radians(np.nanmean(lat)))
        centroids = cKDTree(np.c_[finest["lon"] * scale, finest["lat"]])
        _, j = centroids.query(np.c_[lon[rest] * scale, lat[rest]])
        unit[rest] = finest["org_unit"].to_numpy()[j]
        source[rest] = "nearest_centroid"
    return unit, source


def _finest_level(levels: pd.Series) -> str:
    present = [lvl for lvl in LEVELS if lvl in set(levels.dropna())]
    return present[-1] if present else "community"

"""Org-unit areas: stored boundaries, and which community a point lies in.

A point goes to the community whose boundary contains it (``boundary``), else to the
community with the nearest centroid (``nearest_centroid``). Only the finest level of the
stored boundaries is used (communities, or grids where those are stored).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from sqlalchemy import Connection, select

from ..framework.levels import LEVELS
from ..store import orgunits as store_orgunits
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
    levels = store_orgunits.versions(conn).drop_duplicates("code", keep="last")
    frame["level"] = frame["org_unit"].map(levels.set_index("code")["level"])
    return frame


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

"""Shared steps of the spatial imports: check and convert coordinates to the stored
system, and assign org units to points.

Tabular files (CSV/XLSX) carry ``lon,lat`` columns (经度,纬度 too); vector files
(GeoPackage, Shapefile, GeoJSON) carry geometries, read as cells by
`shequ.ingest.readers.read_cells` (a polygon feature becomes its representative point,
e.g. a building outline), the layer's CRS kept as ``attrs["declared_crs"]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from ...ingest.cells import text
from ...ingest.report import Problems
from .. import crs as crs_mod
from ..areas import assign_org_units

COORD_ALIASES = {
    **dict.fromkeys(["lon", "lng", "longitude", "x", "经度"], "lon"),
    **dict.fromkeys(["lat", "latitude", "y", "纬度"], "lat"),
    **dict.fromkeys(
        ["org_unit", "orgunit", "社区编码", "所属社区", "社区", "单位编码", "组织机构"], "org_unit"
    ),
}


def declared_crs(raw: pd.DataFrame, option: str | None) -> str:
    """The CRS to read coordinates in: the option, else the layer's own, else WGS-84."""
    return option or raw.attrs.get("declared_crs") or crs_mod.STORED_CRS


def coordinates(frame: pd.DataFrame, problems: Problems, crs: str) -> pd.DataFrame:
    """Parse ``lon``/``lat`` and convert them from ``crs`` to stored WGS-84; report bad ones."""
    x = pd.to_numeric(frame["lon"].map(text), errors="coerce")
    y = pd.to_numeric(frame["lat"].map(text), errors="coerce")
    for column, values in (("lon", x), ("lat", y)):
        problems.add(
            frame,
            values.isna() | ~np.isfinite(values.fillna(0)),
            column,
            "坐标“{v}”不是数值",
            "coordinate '{v}' is not a number",
            v=column,
        )
    ok = x.notna() & y.notna()
    lon, lat = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    if ok.any():
        lon[ok.to_numpy()], lat[ok.to_numpy()] = crs_mod.to_stored(x[ok], y[ok], crs)
    frame = frame.assign(lon_wgs84=lon, lat_wgs84=lat)
    bad = ok & ~((np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    problems.add(
        frame,
        bad,
        "lon",
        "坐标 ({x}, {y}) 超出经纬度范围（坐标系是否声明正确？用 --crs）",
        "coordinates ({x}, {y}) are outside longitude/latitude range (is --crs right?)",
        x="lon",
        y="lat",
    )
    return frame


def place(conn: Connection, good: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """``good`` with each row's ``org_unit`` and ``org_unit_source``: the given ``org_unit``
    cell ("given"), else the stored boundary the point lies in (`assign_org_units`). A row
    with neither is a problem (column ``org_unit``) and is left out."""
    given = good["org_unit"].map(text)
    unit, source = assign_org_units(
        conn, good["lon_wgs84"].to_numpy(float), good["lat_wgs84"].to_numpy(float)
    )
    good = good.assign(
        org_unit=np.where(given != "", given, unit),
        org_unit_source=np.where(given != "", "given", source),
    )
    unassigned = good["org_unit"].isna()
    problems.add(
        good,
        unassigned,
        "org_unit",
        "没有所属社区，且未导入社区边界（先 shequ import boundaries，或给出 org_unit 列）",
        "no org_unit and no community boundaries stored (import boundaries first, or add org_unit)",
    )
    return good[~unassigned]

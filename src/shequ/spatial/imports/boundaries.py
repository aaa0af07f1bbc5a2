"""Import org-unit boundaries: a polygon layer (GeoPackage, Shapefile, GeoJSON) with a
code column (``org_unit``, ``code``, 编码, 社区编码), or CSV/XLSX with ``org_unit`` and a
``wkt`` (or ``geojson``) column. Polygons are converted from ``crs`` to WGS-84 and stored
as WKT; an invalid ring (self-intersection) is repaired with shapely's ``make_valid``.
Population points and facilities without an org unit are assigned through these.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection

from ...errors import ImportFileError
from ...ingest.cells import text
from ...ingest.pipeline import Checked, Progress, check_known_units, run_import
from ...ingest.readers import ROW, read_cells, rename_columns
from ...ingest.report import ImportReport, Problems
from ...store.db import Store
from ...store.imports import upsert_rows
from ...store.tables.spatial import OrgUnitBoundary
from .. import crs as crs_mod
from . import _geo

ALIASES = {
    **dict.fromkeys(
        ["org_unit", "orgunit", "code", "编码", "社区编码", "单位编码", "区划代码"], "org_unit"
    ),
    **dict.fromkeys(["wkt", "geometry", "几何", "边界"], "wkt"),
    **dict.fromkeys(["geojson"], "geojson"),
}
POLYGONAL = (3, 6)  # Polygon, MultiPolygon


def import_boundaries(
    store: Store,
    path: str | Path,
    *,
    crs: str | None = None,
    actor: str = "cli",
    strict: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import boundaries from ``path``; see the module docstring for the rules."""
    return run_import(
        store,
        Path(path),
        kind="boundaries",
        validate=lambda conn, raw: _validate(conn, raw, crs),
        write=_write,
        actor=actor,
        strict=strict,
        progress=progress,
        read=partial(read_cells, sheet=sheet, geometry_column="wkt"),
    )


def _parse(frame: pd.DataFrame) -> np.ndarray:
    def one(row) -> object:
        try:
            if text(row.get("wkt", "")):
                return shapely.from_wkt(text(row["wkt"]))
            if text(row.get("geojson", "")):
                return shapely.from_geojson(text(row["geojson"]))
        except shapely.errors.ShapelyError:
            return None
        return None

    return np.array([one(r) for _, r in frame.iterrows()], dtype=object)


def _validate(conn: Connection, raw: pd.DataFrame, crs: str | None) -> Checked:
    frame = rename_columns(raw, ALIASES)
    if "org_unit" not in frame.columns or not ({"wkt", "geojson"} & set(frame.columns)):
        msg = (
            "缺少列：需要 org_unit（编码）和 wkt 或 geojson（或使用面图层）/ missing columns: "
            "need org_unit (code) and wkt or geojson (or a polygon layer)"
        )
        raise ImportFileError(msg)
    problems = Problems()
    geoms = _parse(frame)
    kinds = np.array([shapely.get_type_id(g) if g is not None else -1 for g in geoms])
    problems.add(
        frame,
        ~np.isin(kinds, POLYGONAL),
        "wkt",
        "不是有效的面（Polygon/MultiPolygon）",
        "not a valid polygon (Polygon/MultiPolygon)",
    )
    frame["org_unit"] = frame["org_unit"].map(text)
    check_known_units(conn, frame, problems)
    problems.add(
        frame,
        frame.duplicated("org_unit", keep=False),
        "org_unit",
        "单位 {v} 在文件中重复",
        "org unit {v} appears more than once",
        v="org_unit",
    )
    ok = ~frame[ROW].isin(problems.rows()).to_numpy()
    source = crs_mod.normalise(_geo.declared_crs(raw, crs))
    polygons = (
        shapely.transform(
            geoms[ok], lambda xy: np.c_[crs_mod.to_stored(xy[:, 0], xy[:, 1], source)]
        )
        if ok.any()
        else np.array([], dtype=object)
    )
    polygons = shapely.make_valid(polygons) if len(polygons) else polygons
    centroids = shapely.point_on_surface(polygons) if len(polygons) else polygons
    out = pd.DataFrame(
        {
            "org_unit": frame.loc[ok, "org_unit"].to_numpy(),
            "wkt": shapely.to_wkt(polygons, rounding_precision=8) if len(polygons) else [],
            "centroid_lon": shapely.get_x(centroids) if len(polygons) else [],
            "centroid_lat": shapely.get_y(centroids) if len(polygons) else [],
        }
    )
    return Checked(out, problems)


def _write(
    conn: Connection, good: pd.DataFrame, import_id: int, actor: str, progress: Progress | None
) -> dict[str, int]:
    return upsert_rows(
        conn,
        OrgUnitBoundary,
        good,
        key="org_unit",
        entity="org_unit_boundary",
        actor=actor,
        import_id=import_id,
    )

"""Import residential population points: ``lon,lat,population`` plus optional
``id,org_unit`` (经度,纬度,人口,编号,所属社区 too), from CSV/XLSX or a point layer
(buildings or grid cells; polygons become their representative points).

A point without ``org_unit`` is assigned to the community whose boundary contains it
(``boundary``), else to the community with the nearest centroid (``nearest_centroid``);
the store records which (``given`` otherwise). Without an ``id`` column a point's id is its
rounded WGS-84 position, so re-importing the same file changes nothing; two rows at the
same position then need ids.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from ...ingest.cells import text
from ...ingest.pipeline import Checked, Progress, check_known_units, run_import
from ...ingest.readers import ROW, read_cells, resolve_columns
from ...ingest.report import ImportReport, Problems
from ...store.db import Store
from ...store.imports import upsert_rows
from ...store.tables.spatial import PopulationPoint
from . import _geo

ALIASES = {
    **_geo.COORD_ALIASES,
    **dict.fromkeys(["id", "编号", "点编号", "建筑编号", "point_id"], "id"),
    **dict.fromkeys(["population", "人口", "人数", "居住人口", "常住人口", "pop"], "population"),
}


def import_population(
    store: Store,
    path: str | Path,
    *,
    crs: str | None = None,
    actor: str = "cli",
    strict: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import population points from ``path``; see the module docstring for the rules."""
    return run_import(
        store,
        Path(path),
        kind="population",
        validate=lambda conn, raw: _validate(conn, raw, crs),
        write=_write,
        actor=actor,
        strict=strict,
        progress=progress,
        read=partial(read_cells, sheet=sheet),
    )


def _validate(conn: Connection, raw: pd.DataFrame, crs: str | None) -> Checked:
    frame = resolve_columns(raw, ALIASES, ("lon", "lat", "population"), optional=("id", "org_unit"))
    problems = Problems()
    frame = _geo.coordinates(frame, problems, _geo.declared_crs(raw, crs))
    population = pd.to_numeric(frame["population"].map(text), errors="coerce")
    problems.add(
        frame,
        ~(population >= 0) | ~np.isfinite(population.fillna(0)),
        "population",
        "人口“{v}”应为非负数",
        "population '{v}' should be a number >= 0",
        v="population",
    )
    given_id = frame["id"].map(text)
    position = (
        frame["lon_wgs84"].map(lambda v: f"{v:.6f}")
        + ","
        + frame["lat_wgs84"].map(lambda v: f"{v:.6f}")
    )
    frame["point_id"] = given_id.where(given_id != "", "@" + position)
    problems.add(
        frame,
        given_id.str.len() > 64,
        "id",
        "编号过长（最多 64 个字符）",
        "id is longer than 64 characters",
    )
    dup = frame["lon_wgs84"].notna() & frame.duplicated("point_id", keep=False)
    problems.add(
        frame,
        dup,
        "id",
        "点 {v} 在文件中重复（同一位置的多行请给出 id 列）",
        "point {v} appears more than once (give an id column for rows at one position)",
        v="point_id",
    )
    check_known_units(conn, frame, problems)
    good = frame[~frame[ROW].isin(problems.rows())].copy()
    good = _geo.place(conn, good, problems)
    out = pd.DataFrame(
        {
            "point_id": good["point_id"],
            "lon": good["lon_wgs84"],
            "lat": good["lat_wgs84"],
            "population": pd.to_numeric(good["population"].map(text)),
            "org_unit": good["org_unit"],
            "org_unit_source": good["org_unit_source"],
        }
    )
    return Checked(out.reset_index(drop=True), problems)


def _write(
    conn: Connection, good: pd.DataFrame, import_id: int, actor: str, progress: Progress | None
) -> dict[str, int]:
    counts = upsert_rows(
        conn,
        PopulationPoint,
        good,
        key="point_id",
        entity="population_point",
        actor=actor,
        import_id=import_id,
    )
    if progress:
        progress(len(good), len(good))
    return counts

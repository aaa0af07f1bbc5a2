"""Writing GeoJSON and vector layers (GeoPackage, Shapefile, ...) with pyogrio.

Reading them is `shequ.ingest.readers.read_layer`, beside the other readers of files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely


def write_geojson(path: Path, geoms: np.ndarray, properties: dict | pd.DataFrame) -> Path:
    """Write a GeoJSON FeatureCollection (WGS-84 lon/lat, RFC 7946) with the properties."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(properties).reset_index(drop=True)
    geometries = shapely.to_geojson(np.asarray(geoms, dtype=object))
    features = []
    records = frame.to_dict("records")
    for geometry, props in zip(geometries, records, strict=True):
        clean = {k: _json_value(v) for k, v in props.items()}
        features.append(
            f'{{"type":"Feature","geometry":{geometry or "null"},"properties":'
            f"{json.dumps(clean, ensure_ascii=False)}}}"
        )
    path.write_text(
        '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n",
        encoding="utf-8",
    )
    return path


def _json_value(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def write_layer(
    path: Path,
    geoms: np.ndarray,
    properties: dict | pd.DataFrame,
    *,
    crs: str = "EPSG:4326",
    driver: str | None = None,
    encoding: str | None = None,
) -> Path:
    """Write a vector layer (GeoPackage, Shapefile, ...) with pyogrio; driver from suffix."""
    import pyogrio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(properties).reset_index(drop=True)
    geoms = np.asarray(geoms, dtype=object)
    kind = shapely.get_type_id(geoms[0]) if len(geoms) else 0
    names = {0: "Point", 1: "LineString", 3: "Polygon", 6: "MultiPolygon", 5: "MultiLineString"}
    pyogrio.raw.write(
        path,
        shapely.to_wkb(geoms),
        [frame[c].to_numpy() for c in frame.columns],
        list(frame.columns),
        driver=driver,
        geometry_type=names.get(int(kind), "Unknown"),
        crs=crs,
        encoding=encoding,
    )
    return path

"""Reading vector layers (GeoPackage, Shapefile, GeoJSON, FlatGeobuf) and writing GeoJSON.

Reading goes through pyogrio's raw reader (GDAL inside the wheel), so geopandas is not
needed. A Shapefile's ``.cpg`` names its text encoding (``UTF-8``, ``GBK``, ``936`` ...);
GDAL honours it, and without one we try UTF-8 then GB18030, as for CSV files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ..errors import ImportFileError

VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".fgb", ".zip")


def is_vector(path: Path) -> bool:
    return Path(path).suffix.lower() in VECTOR_SUFFIXES


def _encoding(path: Path) -> str | None:
    """The encoding a Shapefile declares in its .cpg (GDAL's code-page names too)."""
    if path.suffix.lower() != ".shp":
        return None
    cpg = path.with_suffix(".cpg")
    if not cpg.exists():
        cpg = path.with_suffix(".CPG")
    if not cpg.exists():
        return None
    name = cpg.read_text(encoding="ascii", errors="ignore").strip().upper()
    aliases = {"936": "GBK", "CP936": "GBK", "GB2312": "GBK", "54936": "GB18030"}
    return aliases.get(name, name) or None


def read_layer(path: Path, *, layer=None) -> tuple[np.ndarray, pd.DataFrame, str | None]:
    """Geometries (shapely array), attributes (one row per feature) and the declared CRS."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"找不到文件 {path} / file not found: {path}")
    encoding = _encoding(path)
    try:
        meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer, encoding=encoding)
    except (DataSourceError, DataLayerError, UnicodeDecodeError) as exc:
        msg = f"{path.name}：无法读取图层 / cannot read the layer: {exc}"
        raise ImportFileError(msg) from None
    if encoding is None and path.suffix.lower() == ".shp" and _mojibake(fields):
        meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer, encoding="GB18030")
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.full(len(fields[0]), None)
    names = [str(n) for n in meta["fields"]]
    attributes = pd.DataFrame(
        {n: np.asarray(v, dtype=object) for n, v in zip(names, fields, strict=True)}
    )
    return np.asarray(geoms, dtype=object), attributes, meta.get("crs")


def _mojibake(fields) -> bool:
    """Whether text read as UTF-8/Latin-1 looks like undeclared GBK bytes."""
    for column in fields:
        if getattr(getattr(column, "dtype", None), "kind", "") == "O":
            for value in column[:200]:
                if isinstance(value, str) and any("\x80" <= ch <= "\xff" for ch in value):
                    return True
    return False


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

"""Coordinate systems as Chinese users have them, and the metric CRS distances use.

Stored coordinates are longitude/latitude in one system: WGS-84, which PROJ treats as
identical to CGCS2000 (EPSG:4490) at the metre level that walking distances need. Files
may declare any of:

* ``wgs84`` (GPS, OpenStreetMap), ``cgcs2000`` (EPSG:4490, Chinese official maps);
* ``gcj02`` -- the offset system of Amap (高德) and Tencent maps, shifted by up to ~700 m
  by a published obfuscation formula; PROJ does not know it;
* ``bd09`` -- Baidu's system: GCJ-02 shifted again;
* ``EPSG:xxxx`` -- anything PROJ knows (projected coordinates in metres included).

The forward GCJ-02 and BD-09 formulas are public; their inverses are found by fixed-point
iteration until the round trip is within 1e-9° (about 0.1 mm). Outside China the GCJ-02
offset is not applied, as the Chinese map providers do.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer

from ..errors import ShequError

STORED_CRS = "EPSG:4326"
OFFSET_SYSTEMS = ("gcj02", "bd09")
_ALIASES = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490", "wgs-84": "EPSG:4326"}
_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses it
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
_TOLERANCE = 1e-9
_MAX_ITER = 30


class CrsError(ShequError, ValueError):
    """A coordinate system name PROJ does not know, or coordinates outside its range."""


def normalise(name: str) -> str:
    """The canonical name of a declared CRS: ``gcj02``, ``bd09`` or ``EPSG:xxxx``."""
    key = str(name).strip().lower().replace("_", "").replace(" ", "")
    if key in ("gcj02", "gcj-02", "amap", "gaode", "tencent"):
        return "gcj02"
    if key in ("bd09", "bd-09", "baidu", "bd09ll"):
        return "bd09"
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        crs = CRS.from_user_input(name)
    except Exception:  # pyproj raises CRSError and others for unknown text
        msg = (
            f"未知的坐标系“{name}”（可用 wgs84、cgcs2000、gcj02、bd09 或 EPSG:xxxx）/ unknown "
            f"coordinate system '{name}' (use wgs84, cgcs2000, gcj02, bd09 or EPSG:xxxx)"
        )
        raise CrsError(msg) from None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def outside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where the GCJ-02 offset is not applied (the providers' rough bounding box)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 longitude/latitude (degrees) to GCJ-02 (the public forward formula)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    dlon, dlat = _delta(lon, lat)
    out = outside_china(lon, lat)
    return np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 longitude/latitude (degrees) to BD-09 (Baidu's public forward formula)."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(forward, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Solve forward(x) = target by fixed-point iteration x <- x + (target - forward(x))."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    x, y = lon.copy(), lat.copy()
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        ex, ey = lon - fx, lat - fy
        x, y = x + ex, y + ey
        if np.all(np.abs(ex) < _TOLERANCE) and np.all(np.abs(ey) < _TOLERANCE):
            break
    return x, y


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 to WGS-84 by iterating the forward formula (round trip < 1e-9°)."""
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 to GCJ-02 by iterating the forward formula (round trip < 1e-9°)."""
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 to WGS-84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_stored(x, y, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates declared in ``crs`` to the stored system (WGS-84 longitude/latitude)."""
    name = normalise(crs)
    x, y = np.asarray(x, float), np.asarray(y, float)
    if name == "gcj02":
        return gcj02_to_wgs84(x, y)
    if name == "bd09":
        return bd09_to_wgs84(x, y)
    if name in (STORED_CRS, "EPSG:4490"):
        return x, y
    lon, lat = _transformer(name, STORED_CRS).transform(x, y)
    return np.asarray(lon, float), np.asarray(lat, float)


def metric_crs(lon, lat) -> str:
    """A metric CRS suited to the data: the CGCS2000 3-degree Gauss-Krüger zone of the
    data's central longitude inside China (EPSG:4534-4554, CM 75°E-135°E), else the UTM
    zone (EPSG:326xx north, 327xx south). Scale error stays under ~0.1 % within a city."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    if lon.size == 0:
        raise CrsError("没有坐标，无法选择投影 / no coordinates to choose a projection from")
    mid_lon, mid_lat = float(np.nanmedian(lon)), float(np.nanmedian(lat))
    central = round(mid_lon / 3.0) * 3
    if 75 <= central <= 135 and 15 <= mid_lat <= 55:
        return f"EPSG:{4534 + (central - 75) // 3}"
    zone = int((mid_lon + 180) // 6) % 60 + 1
    return f"EPSG:{32600 + zone if mid_lat >= 0 else 32700 + zone}"


@lru_cache(maxsize=64)
def _transformer(source: str, target: str) -> Transformer:
    """Transformers are costly to build (~40 ms each): build each pair once."""
    return Transformer.from_crs(source, target, always_xy=True)


def project(lon, lat, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Stored longitude/latitude (degrees) to metres in ``crs``."""
    t = _transformer(STORED_CRS, crs)
    x, y = t.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def unproject(x, y, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Metres in ``crs`` back to stored longitude/latitude (degrees)."""
    t = _transformer(crs, STORED_CRS)
    lon, lat = t.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)

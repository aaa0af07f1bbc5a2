"""Load what coverage, accessibility and siting need from the store: population points,
the facilities of one type open at the end of a period, and the walking network, all
projected to one metric CRS (the network's, else one chosen from the points)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from ..errors import ShequError
from ..framework.periods import parse_period
from ..store.db import Store
from ..store.tables.spatial import Facility, PopulationPoint, WalkNetworkRecord
from . import crs as crs_mod
from . import network as net_mod
from .network import WalkNetwork

FACILITY_COLUMNS = ("code", "type", "name", "lon", "lat", "capacity", "org_unit")


class SpatialInputError(ShequError, ValueError):
    """Nothing to compute: no population points, unknown type, or no network by that name."""


@dataclass
class SpatialInputs:
    """Points and facilities with metric ``x, y`` in ``crs``, and the network (or None)."""

    points: pd.DataFrame
    facilities: pd.DataFrame
    network: WalkNetwork | None
    crs: str
    day: dt.date | None


def period_end(period: str | None) -> dt.date | None:
    return parse_period(period).end if period else None


def load_inputs(
    store: Store,
    *,
    facility_type: str,
    period: str | None = None,
    network_name: str | None = "default",
) -> SpatialInputs:
    """Population points, the open facilities of ``facility_type`` on the last day of
    ``period`` (all stored ones without a period) and the network ``network_name``
    (None: straight lines)."""
    day = period_end(period)
    with store.begin() as conn:
        points = pd.DataFrame(
            conn.execute(
                select(
                    PopulationPoint.point_id,
                    PopulationPoint.lon,
                    PopulationPoint.lat,
                    PopulationPoint.population,
                    PopulationPoint.org_unit,
                ).order_by(PopulationPoint.id)
            ).all(),
            columns=["point_id", "lon", "lat", "population", "org_unit"],
        )
        facilities = pd.DataFrame(
            open_facilities(conn, day, facility_type=facility_type),
            columns=["code", "name", "lon", "lat", "capacity", "org_unit"],
        )
    if points.empty:
        msg = (
            "没有居民点：请先 shequ import population / no population points: run "
            "shequ import population first"
        )
        raise SpatialInputError(msg)
    network = load_network(store, network_name) if network_name else None
    if network_name and network_name != "default" and network is None:
        raise SpatialInputError(f"没有名为“{network_name}”的步行网络 / no network '{network_name}'")
    metric = (
        network.crs if network is not None else crs_mod.metric_crs(points["lon"], points["lat"])
    )
    for frame in (points, facilities):
        x, y = crs_mod.project(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float), metric)
        frame["x"], frame["y"] = x, y
    facilities["capacity"] = pd.to_numeric(facilities["capacity"], errors="coerce")
    return SpatialInputs(points, facilities, network, metric, day)


def open_facilities(
    conn: Connection,
    day: dt.date | None,
    *,
    facility_type: str | None = None,
    units: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Facilities open on ``day`` (every stored one when None), by code, optionally of one
    type and in ``units``: code, type, name, lon/lat (WGS-84 / CGCS2000), capacity, org unit."""
    query = select(*(getattr(Facility, c) for c in FACILITY_COLUMNS))
    if facility_type is not None:
        query = query.where(Facility.type == facility_type)
    if units is not None:
        query = query.where(Facility.org_unit.in_(sorted(units)))
    if day is not None:
        query = query.where(Facility.opened <= day, Facility.closed > day)
    return [dict(r) for r in conn.execute(query.order_by(Facility.code)).mappings()]


def facility_points(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Add metric ``x, y`` to a frame with ``lon, lat``."""
    x, y = crs_mod.project(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float), metric)
    return frame.assign(x=x, y=y)


def lonlat(x: np.ndarray, y: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray]:
    return crs_mod.unproject(x, y, metric)


def load_network(store: Store, name: str = "default") -> WalkNetwork | None:
    """The stored network ``name``, or None when none was imported."""
    with store.begin() as conn:
        blob = conn.execute(
            select(WalkNetworkRecord.arrays).where(WalkNetworkRecord.name == name)
        ).scalar_one_or_none()
    if blob is None:
        return None
    with np.load(io.BytesIO(blob)) as arrays:
        return net_mod.load_arrays(arrays)

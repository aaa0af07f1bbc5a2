"""Coverage city by city on Apache Spark: ``shequ coverage --engine spark``.

A point's coverage depends only on the facilities and the network, never on the other
points (`shequ.spatial.coverage.cover_points`), so a store of many cities is covered one
city at a time: the population points go to Spark as a DataFrame with their city (the
unit of level ``city`` above their community; a point outside any city is grouped under
the top unit it reaches), ``groupBy("city").applyInPandas`` runs `cover_points` on each
city's points, and the covered points come back to the driver, where `coverage_result`
sums them up exactly as in the single-process run. The Dijkstra of each city starts only
from the facilities within the search limit of its points (`cover_points`), so each task
does its city's share of the work.

The facilities of the type (a few thousand rows at most) and the walking network (its
arrays, uncompressed npz) travel inside the task function: PySpark broadcasts a function
over 1 MB once per executor instead of shipping it with every task, and each Python
worker decodes the network once (`_network` keeps the last one). The session is the
process's one (`shequ.spark`): ``local[2]`` by default, a cluster ``master``, or a Spark
Connect ``remote``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io

import numpy as np
import pandas as pd

from .. import spark as spark_session
from ..framework.levels import LEVELS
from ..store import orgunits
from ..store.db import Store
from . import network as net_mod
from .coverage import DEFAULT_DETOUR, POINT_COLUMNS, cover_points
from .inputs import SpatialInputError, SpatialInputs
from .network import WalkNetwork

CITY = "city"
ENGINES = ("local", "spark")
RESULT_SCHEMA = (
    "point_id string, distance_m double, facility string, covered boolean, "
    "reason string, on_fragment boolean"
)
_cache: dict[str, WalkNetwork] = {}


def check_engine(engine: str | None) -> str:
    """``engine`` in lower case if it is one coverage runs on; else a clear refusal."""
    chosen = (engine or "local").strip().lower()
    if chosen not in ENGINES:
        known = ", ".join(ENGINES)
        msg = (
            f"未知的计算引擎“{engine}”（可用：{known}）/ unknown engine '{engine}' (known: {known})"
        )
        raise SpatialInputError(msg)
    return chosen


def city_of_points(store: Store, org_units: pd.Series, day: dt.date | None) -> pd.Series:
    """The city of each point's org unit on ``day`` (today when None): its ancestor of
    level ``city``; a unit under no city gets the top unit it reaches (itself if unknown)."""
    day = day or dt.date.today()
    with store.begin() as conn:
        units = orgunits.units_on(conn, day)
    parent = dict(zip(units["code"], units["parent_code"], strict=True))
    level = dict(zip(units["code"], units["level"], strict=True))
    codes = sorted(set(org_units.astype(str)))
    city = {}
    for code in codes:
        current, seen = code, 0
        while level.get(current) != CITY and parent.get(current) and seen <= len(LEVELS):
            current, seen = parent[current], seen + 1
        city[code] = current
    return org_units.astype(str).map(city)


def cover_by_city(
    store: Store,
    inputs: SpatialInputs,
    *,
    radius: float,
    detour: float = DEFAULT_DETOUR,
    search_limit: float | None = None,
    master: str | None = None,
    remote: str | None = None,
) -> pd.DataFrame:
    """`cover_points` of ``inputs.points``, city by city on Spark; rows in input order."""
    points = inputs.points
    cities = city_of_points(store, points["org_unit"], inputs.day)
    session = spark_session.session(master, remote)
    shipped = pd.DataFrame(
        {
            "city": cities.to_numpy(object),
            "point_id": points["point_id"].astype(str).to_numpy(object),
            "x": points["x"].to_numpy(float),
            "y": points["y"].to_numpy(float),
        }
    )
    blob, digest = _pack(inputs.network)
    task = functools.partial(
        _cover_city,
        inputs.facilities[["code", "x", "y"]].reset_index(drop=True),
        blob,
        digest,
        float(radius),
        float(detour),
        search_limit,
    )
    frame = session.createDataFrame(shipped)
    covered = frame.groupBy("city").applyInPandas(task, schema=RESULT_SCHEMA).toPandas()
    if len(covered) != len(points) or covered["point_id"].duplicated().any():
        msg = (
            f"Spark 返回 {len(covered)} 个点，应为 {len(points)} 个 / Spark returned "
            f"{len(covered)} points for {len(points)}"
        )
        raise SpatialInputError(msg)
    found = covered.set_index("point_id").loc[points["point_id"].astype(str)]
    found["covered"] = found["covered"].astype(bool)
    found["on_fragment"] = found["on_fragment"].astype(bool)
    for column in ("facility", "reason"):
        values = found[column].to_numpy(object)
        found[column] = np.where(pd.isna(values), None, values)
    return points.assign(**{c: found[c].to_numpy() for c in POINT_COLUMNS})


def _pack(network: WalkNetwork | None) -> tuple[bytes | None, str | None]:
    if network is None:
        return None, None
    buffer = io.BytesIO()
    np.savez(buffer, **net_mod.save_arrays(network))
    blob = buffer.getvalue()
    return blob, hashlib.sha256(blob).hexdigest()


def _network(blob: bytes | None, digest: str | None) -> WalkNetwork | None:
    """The network of ``blob``, decoded once per Python worker."""
    if blob is None or digest is None:
        return None
    if digest not in _cache:
        _cache.clear()
        with np.load(io.BytesIO(blob)) as arrays:
            _cache[digest] = net_mod.load_arrays(arrays)
    return _cache[digest]


def _cover_city(
    facilities: pd.DataFrame,
    blob: bytes | None,
    digest: str | None,
    radius: float,
    detour: float,
    search_limit: float | None,
    points: pd.DataFrame,
) -> pd.DataFrame:
    """One city's points covered (runs in a Spark Python worker)."""
    covered = cover_points(
        points, facilities, radius=radius, network=_network(blob, digest), detour=detour,
        search_limit=search_limit,
    )  # fmt: skip
    return covered[["point_id", *POINT_COLUMNS]]

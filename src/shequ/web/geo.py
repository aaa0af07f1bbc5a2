"""Community boundaries as GeoJSON for the map, from whatever the store offers.

The spatial part of shequ stores org-unit boundaries; this module looks for a table with
an org-unit code column and a GeoJSON (or WKT) geometry column and turns its rows into a
FeatureCollection. Without such a table the map says "no geometry imported".
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import MetaData, Table, inspect, select

from ..store.db import Store

CODE_COLUMNS = ("org_unit", "code", "org_unit_code")
GEOMETRY_COLUMNS = ("geojson", "geometry_geojson", "geometry", "wkt", "geometry_wkt")


def boundary_table(store: Store) -> tuple[str, str, str] | None:
    """(table, code column, geometry column) of the first boundary-like table, or None."""
    inspector = inspect(store.engine)
    for name in sorted(inspector.get_table_names()):
        if "boundar" not in name:
            continue
        columns = {c["name"] for c in inspector.get_columns(name)}
        code = next((c for c in CODE_COLUMNS if c in columns), None)
        geometry = next((c for c in GEOMETRY_COLUMNS if c in columns), None)
        if code and geometry:
            return name, code, geometry
    return None


def _geometry(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if isinstance(raw, bytes | bytearray | memoryview):
        from shapely import wkb
        from shapely.geometry import mapping

        return dict(mapping(wkb.loads(bytes(raw))))
    text = str(raw).strip()
    if text.startswith("{"):
        found = json.loads(text)
        return found.get("geometry", found) if found.get("type") == "Feature" else found
    from shapely import wkt
    from shapely.geometry import mapping

    return dict(mapping(wkt.loads(text)))


def features(
    store: Store, values: dict[str, float | None], names: dict[str, str]
) -> dict[str, Any] | None:
    """A FeatureCollection of the units in ``values`` (their value as a property), or None
    when the store has no boundaries at all."""
    found = boundary_table(store)
    if found is None:
        return None
    name, code_col, geom_col = found
    table = Table(name, MetaData(), autoload_with=store.engine)
    query = select(table.c[code_col], table.c[geom_col]).where(table.c[code_col].in_(list(values)))
    with store.begin() as conn:
        rows = conn.execute(query).all()
    out = []
    for code, raw in rows:
        geometry = _geometry(raw)
        if geometry is None:
            continue
        properties = {"name": code, "label": names.get(code, code), "value": values.get(code)}
        out.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return {"type": "FeatureCollection", "features": out}


def facilities(
    store: Store, units: set[str], *, kind: str | None = None, day=None
) -> list[dict[str, Any]]:
    """Facilities of ``units`` open on ``day`` (default today): code, type, name, lon/lat
    (WGS-84 / CGCS2000), capacity, org unit. Empty when no facility registry is imported."""
    import datetime as dt

    from ..store.tables.spatial import Facility

    day = day or dt.date.today()
    columns = [
        Facility.code,
        Facility.type,
        Facility.name,
        Facility.lon,
        Facility.lat,
        Facility.capacity,
        Facility.org_unit,
    ]
    query = (
        select(*columns)
        .where(Facility.org_unit.in_(sorted(units)), Facility.opened <= day, Facility.closed > day)
        .order_by(Facility.code)
    )
    if kind:
        query = query.where(Facility.type == kind)
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]

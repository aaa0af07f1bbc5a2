"""The map's layers: community boundaries as GeoJSON and the facilities on top, both read
through `spatial` (`spatial.areas.load_boundaries`, `spatial.inputs.open_facilities`).

Without imported boundaries (``shequ import boundaries``) the collection is empty and the
map says "no geometry imported".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shapely.geometry import mapping

from ..spatial.areas import load_boundaries
from ..spatial.inputs import open_facilities
from ..store.db import Store


def features(
    store: Store, values: dict[str, float | None], names: dict[str, str]
) -> dict[str, Any]:
    """A FeatureCollection of the units in ``values`` that have a boundary, with their
    value and label as properties."""
    with store.begin() as conn:
        bounds = load_boundaries(conn, codes=values)
    out = []
    for code, geometry in zip(bounds["org_unit"], bounds["geometry"], strict=True):
        if geometry is None:
            continue
        properties = {"name": code, "label": names.get(code, code), "value": values.get(code)}
        out.append({"type": "Feature", "properties": properties, "geometry": mapping(geometry)})
    return {"type": "FeatureCollection", "features": out}


def facilities(
    store: Store, units: set[str], *, kind: str | None = None, day: dt.date | None = None
) -> list[dict[str, Any]]:
    """Facilities of ``units`` open on ``day`` (default today), optionally of one type.
    Empty when no facility registry is imported."""
    with store.begin() as conn:
        return open_facilities(
            conn, day or dt.date.today(), facility_type=kind or None, units=units
        )

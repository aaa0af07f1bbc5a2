"""The map's layers: community boundaries as GeoJSON and the facilities on top, both read
through `spatial` (`spatial.areas.boundaries_of`, `spatial.inputs.open_facilities`).

Without imported boundaries (``shequ import boundaries``) the collection is empty and the
map says "no geometry imported".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shapely.geometry import mapping

from ..framework.models import Plan
from ..spatial import facility_types
from ..spatial.areas import boundaries_of
from ..spatial.inputs import open_facilities
from ..store.db import Store


def features(
    store: Store,
    codes: list[str],
    values: dict[str, float | None],
    names: dict[str, str],
    day: dt.date,
) -> dict[str, Any]:
    """A FeatureCollection of ``codes`` that have a boundary (their own, or their
    communities' union: `spatial.areas.boundaries_of`), with value, label and centroid."""
    with store.begin() as conn:
        bounds = boundaries_of(conn, codes, day)
    out = []
    for code in codes:
        geometry = bounds.get(code)
        if geometry is None or geometry.is_empty:
            continue
        point = geometry.representative_point()
        properties = {
            "name": code,
            "label": names.get(code, code),
            "value": values.get(code),
            "centre": [round(point.x, 6), round(point.y, 6)],
        }
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


def type_names(plan: Plan, lang: str) -> dict[str, str]:
    """Facility type codes → names in ``lang`` (the map's layer switcher)."""
    return {
        code: (kind.name if lang == "zh" else kind.name_en)
        for code, kind in facility_types.registry(plan).items()
    }

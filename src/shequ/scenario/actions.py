"""Scenario actions from the planner's words: ``type,lon,lat[,name]`` for a new facility,
``element,unit,period,value`` for a changed value, and a file of proposed sites (the
GeoJSON ``shequ site --out`` writes, or CSV/XLSX with lon,lat), checked against the plan."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import ImportFileError
from ..framework.models import Plan
from ..spatial.imports.candidates import read_candidates
from ..spatial.run import check_type

COLUMNS = ["kind", "facility_type", "name", "lon", "lat", "data_element", "org_unit",
           "period", "value", "source"]  # fmt: skip


def facility(plan: Plan, text: str) -> dict:
    """A new facility from ``type,lon,lat[,name]`` (WGS-84 degrees)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (3, 4):
        msg = f"设施应写作 类型,经度,纬度[,名称]：“{text}” / facility must be type,lon,lat[,name]: '{text}'"
        raise ImportFileError(msg)
    lon, lat = _number(parts[1], text, "lon"), _number(parts[2], text, "lat")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ImportFileError(f"经纬度超出范围：“{text}” / lon/lat out of range: '{text}'")
    name = parts[3] if len(parts) == 4 else ""
    return {"kind": "facility", "facility_type": check_type(plan, parts[0]), "name": name,
            "lon": lon, "lat": lat, "source": "--facility"}  # fmt: skip


def value(plan: Plan, text: str) -> dict:
    """A changed data value from ``element,unit,period,value``."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        msg = f"数值应写作 数据元素,单位,期间,数值：“{text}” / value must be element,unit,period,value: '{text}'"
        raise ImportFileError(msg)
    element, unit, period, raw = parts
    known = {e.code for e in plan.data_elements}
    if element not in known:
        msg = f"方案中没有数据元素“{element}” / the plan has no data element '{element}'"
        raise ImportFileError(msg)
    return {"kind": "value", "data_element": element, "org_unit": unit, "period": period,
            "value": _number(raw, text, "value"), "source": "--value"}  # fmt: skip


def from_sites(plan: Plan, path: Path, *, facility_type: str | None = None) -> list[dict]:
    """New facilities at the sites of ``path``: the type from ``facility_type``, else from
    the file's ``facility_type`` column or its name (``sites_<type>_<R>m…``, as ``shequ
    site --out`` names it)."""
    path = Path(path)
    sites = read_candidates(path)
    chosen = facility_type or _type_from_name(path)
    if chosen is None:
        msg = (f"请用 --type 给出设施类型（{path.name}）/ give the facility type with --type "
               f"({path.name})")  # fmt: skip
        raise ImportFileError(msg)
    return from_table(plan, sites, chosen, source=path.name)


def from_table(plan: Plan, sites: pd.DataFrame, facility_type: str, *, source: str) -> list[dict]:
    """New facilities of ``facility_type`` at the rows (lon, lat[, code, name]) of ``sites``,
    e.g. the `SiteProposal.sites` that `shequ.spatial.sites.propose_sites` returns."""
    code = check_type(plan, facility_type)
    names = sites["name"].fillna("").astype(str) if "name" in sites else pd.Series("", sites.index)
    labels = names.where(names != "", sites["code"].astype(str)) if "code" in sites else names
    return [
        {"kind": "facility", "facility_type": code, "name": label, "lon": float(lon),
         "lat": float(lat), "source": source}
        for label, lon, lat in zip(labels, sites["lon"], sites["lat"], strict=True)
    ]  # fmt: skip


def frame(rows: list[dict]) -> pd.DataFrame:
    """Action rows as the store keeps them (in the order given)."""
    return pd.DataFrame(rows, columns=COLUMNS)


def _type_from_name(path: Path) -> str | None:
    stem = path.stem
    if not stem.startswith("sites_"):
        return None
    head = stem.removeprefix("sites_")
    # sites_<type>_<R>m[_<period>]: the type is everything before the radius part
    pieces = head.split("_")
    for i, piece in enumerate(pieces):
        if piece.endswith("m") and piece[:-1].replace(".", "", 1).isdigit():
            return "_".join(pieces[:i]) or None
    return None


def _number(raw: str, text: str, what: str) -> float:
    try:
        return float(raw)
    except ValueError:
        msg = f"“{raw}”不是数字（{what}，{text}）/ '{raw}' is not a number ({what}, {text})"
        raise ImportFileError(msg) from None

"""Import the facility registry: ``code,type,name,lon,lat`` plus optional
``capacity,opened,closed,org_unit`` (Chinese headers 编码,类型,名称,经度,纬度,容量,
启用日期,停用日期,所属社区 too), from CSV/XLSX or a point (or polygon) layer.

Types are codes or names of the built-in facility types or the plan's ``facility_types``.
Coordinates are converted from ``crs`` (wgs84, cgcs2000, gcj02, bd09, EPSG:xxxx) to
stored WGS-84. A facility without ``org_unit`` gets the community whose boundary holds it,
else the one with the nearest centroid, and the store records which. Re-importing a file
changes nothing; a changed row updates the facility with the same code (audited).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection

from ...framework.models import Plan
from ...ingest import cells
from ...ingest.cells import text
from ...ingest.pipeline import Checked, Progress, check_known_units, run_import
from ...ingest.readers import ROW, read_cells, resolve_columns
from ...ingest.report import ImportReport, Problems
from ...store.db import Store
from ...store.imports import upsert_rows
from ...store.tables.core import SINCE_EVER, UNTIL_FURTHER
from ...store.tables.spatial import Facility
from .. import facility_types
from . import _geo

ALIASES = {
    **_geo.COORD_ALIASES,
    **dict.fromkeys(["code", "编码", "设施编码", "代码"], "code"),
    **dict.fromkeys(["type", "类型", "设施类型", "类别"], "type"),
    **dict.fromkeys(["name", "名称", "设施名称"], "name"),
    **dict.fromkeys(["capacity", "容量", "规模", "服务能力"], "capacity"),
    **dict.fromkeys(["opened", "启用日期", "开放日期", "建成日期"], "opened"),
    **dict.fromkeys(["closed", "停用日期", "关闭日期"], "closed"),
}
REQUIRED = ("code", "type", "lon", "lat")


def import_facilities(
    store: Store,
    path: str | Path,
    *,
    plan: Plan | None = None,
    crs: str | None = None,
    actor: str = "cli",
    strict: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import facilities from ``path``; see the module docstring for the rules."""
    types = facility_types.lookup(plan)
    return run_import(
        store,
        Path(path),
        kind="facilities",
        validate=lambda conn, raw: _validate(conn, raw, types, crs),
        write=_write,
        actor=actor,
        strict=strict,
        progress=progress,
        read=partial(read_cells, sheet=sheet),
    )


def _validate(conn: Connection, raw: pd.DataFrame, types: dict[str, str], crs) -> Checked:
    frame = resolve_columns(
        raw,
        ALIASES,
        REQUIRED,
        optional=("name", "capacity", "opened", "closed", "org_unit"),
        need="code,type,name,lon,lat",
    )
    problems = Problems()
    frame["code_clean"] = frame["code"].map(cells.code)
    problems.add(
        frame, frame["code_clean"].isna(), "code", "编码“{v}”无效", "invalid code '{v}'", v="code"
    )
    frame["type_code"] = frame["type"].map(lambda v: types.get(text(v).lower()))
    problems.add(
        frame,
        frame["type_code"].isna(),
        "type",
        "未知的设施类型“{v}”（内置类型或方案 facility_types 中的类型）",
        "unknown facility type '{v}' (built-in or the plan's facility_types)",
        v="type",
    )
    frame = _geo.coordinates(frame, problems, _geo.declared_crs(raw, crs))
    _check_optional(frame, problems)
    check_known_units(conn, frame, problems)
    dup = frame["code_clean"].notna() & frame.duplicated("code_clean", keep=False)
    problems.add(
        frame, dup, "code", "编码 {v} 在文件中重复", "code {v} appears more than once", v="code"
    )
    good = frame[~frame[ROW].isin(problems.rows())].copy()
    good = _geo.place(conn, good, problems)
    out = pd.DataFrame(
        {
            "code": good["code_clean"],
            "type": good["type_code"],
            "name": good["name"].map(text),
            "lon": good["lon_wgs84"],
            "lat": good["lat_wgs84"],
            "capacity": good["capacity_value"],
            "opened": good["opened_date"],
            "closed": good["closed_date"],
            "org_unit": good["org_unit"],
            "org_unit_source": good["org_unit_source"],
        }
    )
    return Checked(out.reset_index(drop=True), problems)


def _check_optional(frame: pd.DataFrame, problems: Problems) -> None:
    capacity_text = frame["capacity"].map(text)
    capacity = pd.to_numeric(capacity_text, errors="coerce")
    problems.add(
        frame,
        (capacity_text != "") & ~(capacity >= 0),
        "capacity",
        "容量“{v}”应为非负数",
        "capacity '{v}' should be a number >= 0",
        v="capacity",
    )
    frame["capacity_value"] = capacity.where(capacity_text != "")
    for column, default in (("opened", SINCE_EVER), ("closed", UNTIL_FURTHER)):
        raw = frame[column].map(text)
        parsed = frame[column].map(cells.date)
        problems.add(
            frame,
            (raw != "") & parsed.isna(),
            column,
            "日期“{v}”无效（如 2023-01-01）",
            "date '{v}' is not valid (e.g. 2023-01-01)",
            v=column,
        )
        frame[f"{column}_date"] = parsed.where(raw != "", default)
    bad_order = frame["opened_date"].notna() & frame["closed_date"].notna()
    bad_order &= frame["closed_date"].fillna(UNTIL_FURTHER) <= frame["opened_date"].fillna(
        SINCE_EVER
    )
    problems.add(
        frame,
        bad_order,
        "closed",
        "停用日期不晚于启用日期",
        "closed is not after opened",
    )


def _write(
    conn: Connection, good: pd.DataFrame, import_id: int, actor: str, progress: Progress | None
) -> dict[str, int]:
    counts = upsert_rows(
        conn, Facility, good, key="code", entity="facility", actor=actor, import_id=import_id
    )
    if progress:
        progress(len(good), len(good))
    return counts

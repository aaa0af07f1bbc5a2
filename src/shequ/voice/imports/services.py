"""Import volunteer and social-organisation service records: ``shequ import services FILE``.

One row per service record: ``ref`` 编号, ``org_unit`` 社区编码, ``provider`` 服务主体,
``provider_kind`` 主体类型 (volunteer 志愿者 / social_org 社会组织), ``service`` 服务类型
(home_help 家政, elderly_care 养老, medical 医疗, other 其他), ``served_on`` 服务日期,
``hours`` 服务时长（小时）, ``people_served`` 服务人次. Idempotent by ``ref``: a changed row
updates the record with the same ref. `shequ.voice.services.totals` sums them for the feed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from ...ingest.cells import date, text
from ...ingest.pipeline import Checked, Progress, check_known_units, run_import
from ...ingest.readers import ROW, resolve_columns
from ...ingest.report import ImportReport, Problems
from ...store.db import Store
from ...store.tables.voice import ServiceRecord

ALIASES = {
    **dict.fromkeys(["ref", "编号", "记录编号"], "ref"),
    **dict.fromkeys(["org_unit", "社区编码", "单位编码", "社区"], "org_unit"),
    **dict.fromkeys(["provider", "服务主体", "服务组织", "志愿者"], "provider"),
    **dict.fromkeys(["provider_kind", "主体类型"], "provider_kind"),
    **dict.fromkeys(["service", "服务类型", "服务项目"], "service"),
    **dict.fromkeys(["served_on", "服务日期", "日期"], "served_on"),
    **dict.fromkeys(["hours", "服务时长", "时长", "服务时长（小时）"], "hours"),
    **dict.fromkeys(["people_served", "服务人次", "人次"], "people_served"),
}
SERVICES = {
    **dict.fromkeys(("home_help", "家政", "家政服务"), "home_help"),
    **dict.fromkeys(("elderly_care", "养老", "养老服务", "助老"), "elderly_care"),
    **dict.fromkeys(("medical", "医疗", "医疗服务", "义诊"), "medical"),
    **dict.fromkeys(("other", "其他"), "other"),
}
PROVIDERS = {
    **dict.fromkeys(("volunteer", "志愿者", "志愿服务队"), "volunteer"),
    **dict.fromkeys(("social_org", "社会组织"), "social_org"),
}
COLUMNS = [
    "ref",
    "org_unit",
    "provider",
    "provider_kind",
    "service",
    "served_on",
    "hours",
    "people_served",
]


def import_services(
    store: Store,
    path: str | Path,
    *,
    actor: str = "cli",
    strict: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import service records from ``path`` (CSV or XLSX); idempotent by ``ref``."""
    return run_import(
        store,
        Path(path),
        kind="service_records",
        validate=_validate,
        write=lambda c, g, i, a, p: _write(c, g, i),
        actor=actor,
        strict=strict,
        sheet=sheet,
        progress=progress,
    )


def _validate(conn: Connection, raw: pd.DataFrame) -> Checked:
    frame = resolve_columns(raw, ALIASES, COLUMNS)
    cells = pd.DataFrame({ROW: frame[ROW]})
    for column in ("ref", "org_unit", "provider"):
        cells[column] = frame[column].map(text)
    for column in ("provider_kind", "service", "served_on", "hours", "people_served"):
        cells[f"raw_{column}"] = frame[column].map(text)
    cells["provider_kind"] = cells["raw_provider_kind"].str.lower().map(PROVIDERS)
    cells["service"] = cells["raw_service"].str.lower().map(SERVICES)
    cells["served_on"] = frame["served_on"].map(date)
    cells["hours"] = pd.to_numeric(cells["raw_hours"], errors="coerce")
    cells["people_served"] = pd.to_numeric(cells["raw_people_served"], errors="coerce")
    p = Problems()
    p.add(
        cells,
        (cells["ref"] == "") | cells["ref"].duplicated(keep=False),
        "ref",
        "编号为空或在文件中重复",
        "ref empty or repeated in the file",
    )
    check_known_units(conn, cells, p, required=True)
    p.add(cells, cells["provider"] == "", "provider", "服务主体为空", "provider is empty")
    p.add(
        cells,
        cells["provider_kind"].isna(),
        "provider_kind",
        "主体类型“{v}”应为 志愿者/社会组织",
        "provider kind '{v}' must be volunteer or social_org",
        v="raw_provider_kind",
    )
    p.add(
        cells,
        cells["service"].isna(),
        "service",
        "未知服务类型“{v}”",
        "unknown service type '{v}'",
        v="raw_service",
    )
    p.add(
        cells,
        cells["served_on"].isna(),
        "served_on",
        "“{v}”不是日期",
        "'{v}' is not a date",
        v="raw_served_on",
    )
    p.add(
        cells,
        ~(cells["hours"] >= 0),
        "hours",
        "时长“{v}”应为非负数",
        "hours '{v}' must be a number ≥ 0",
        v="raw_hours",
    )
    whole = cells["people_served"].notna() & (cells["people_served"] % 1 == 0)
    p.add(
        cells,
        ~(whole & (cells["people_served"] >= 0)),
        "people_served",
        "人次“{v}”应为非负整数",
        "people served '{v}' must be a whole number ≥ 0",
        v="raw_people_served",
    )
    return Checked(cells[~cells[ROW].isin(p.rows())][COLUMNS], p)


def _write(conn: Connection, good: pd.DataFrame, import_id: int) -> dict[str, int]:
    stored = pd.read_sql(
        select(*(getattr(ServiceRecord, c) for c in COLUMNS)).where(
            ServiceRecord.ref.in_(good["ref"].tolist())
        ),
        conn,
    )
    merged = good.merge(stored, on="ref", how="left", suffixes=("", "_old"), indicator=True)
    new = merged[merged["_merge"] == "left_only"]
    old = merged[merged["_merge"] == "both"]
    differs = pd.Series(False, index=old.index)
    for c in COLUMNS[1:]:
        differs |= old[c].astype(str) != old[f"{c}_old"].astype(str)
    changed = old[differs]
    records = [
        {c: _plain(getattr(r, c)) for c in COLUMNS} | {"import_id": import_id}
        for r in pd.concat([new, changed]).itertuples()
    ]
    if len(new):
        conn.execute(insert(ServiceRecord), records[: len(new)])
    for record in records[len(new) :]:
        conn.execute(update(ServiceRecord).where(ServiceRecord.ref == record["ref"]).values(record))
    return {"inserted": len(new), "updated": len(changed), "unchanged": len(old) - len(changed)}


def _plain(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    return value

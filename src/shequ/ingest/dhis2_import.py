"""Import and export a DHIS2 dataValueSet the way DHIS2 does, on shequ's rules.

`import_value_set` answers DHIS2's ImportSummary (``status``, ``description``,
``importCount`` {imported, updated, ignored, deleted}, ``conflicts`` [{object, value}],
``importOptions``). Unlike DHIS2's default, a set with any conflict imports nothing
(shequ's promise: an import is one transaction), so then every value is ``ignored`` and
the status is ``ERROR``. ``dryRun`` runs every check and the diff and returns the same
summary, writing nothing. ``importStrategy``: ``CREATE_AND_UPDATE`` (default), ``CREATE``
(stored values are ignored), ``UPDATE`` (new values are ignored), ``DELETE`` (every value
of the set is deleted); a value with ``deleted: true`` is deleted under any strategy.
Values equal to the stored ones are ``ignored``, as DHIS2 counts them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from ..errors import ImportFileError
from ..framework.models import Plan
from ..framework.periods import parse_period
from ..store import dhis2_ids
from ..store import imports as store_imports
from ..store import values as store_values
from ..store.db import Store
from .dhis2 import Options, from_csv, from_data_value_set
from .pipeline import Scope
from .readers import ROW, read_table
from .values import check_values, split_deleted

_KIND_WORDS = {
    "data_element": ("数据元素", "data element"),
    "org_unit": ("单位", "org unit"),
    "category_option_combo": ("分类组合", "category option combo"),
}


def import_value_set(
    store: Store, raw: pd.DataFrame, plan: Plan, allowed: Scope, options: Options, *, actor: str
) -> dict[str, Any]:
    """Check and write the raw cells of a dataValueSet (from `shequ.ingest.dhis2`) in one
    transaction; returns DHIS2's ImportSummary. ``allowed``: the units the user may write."""
    raw = raw.reset_index(drop=True).assign(**{ROW: range(len(raw))})
    if "stored_by" in raw:  # DHIS2 records the importing user when storedBy is absent
        raw["stored_by"] = raw["stored_by"].where(raw["stored_by"].notna(), actor)
    with store.begin() as conn:
        raw, conflicts = _to_codes(conn, raw, options)
        conflicts += _unsupported(raw)
        checked = check_values(conn, raw, plan, allowed)
        conflicts += [
            _conflict(raw, p.row, p.column, p.reason_zh, p.reason_en)
            for p in checked.problems.items
        ]
        if conflicts:
            return summary(
                options, total=len(raw), conflicts=sorted(conflicts, key=lambda c: c["index"])
            )
        rows, deletes = split_deleted(checked.good)
        if options.strategy == "DELETE":
            rows, deletes = rows.iloc[0:0], pd.concat([rows, deletes])
        written = store_imports.write_values(
            conn,
            rows,
            actor=actor,
            deletes=deletes,
            create=options.strategy != "UPDATE",
            update=options.strategy != "CREATE",
            dry_run=options.dry_run,
        )
        return summary(options, total=len(raw), written=written, empty=checked.empty)


def summary(
    options: Options,
    *,
    total: int,
    written: store_imports.Written | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    empty: int = 0,
) -> dict[str, Any]:
    """DHIS2's ImportSummary of one import."""
    conflicts = conflicts or []
    w = written or store_imports.Written()
    counts = {"imported": w.inserted, "updated": w.updated, "deleted": w.deleted}
    counts["ignored"] = total - sum(counts.values())
    if conflicts:
        description = (
            f"导入有 {len(conflicts)} 处冲突，未写入任何数值 / the import has {len(conflicts)} "
            "conflicts; nothing was imported (shequ imports a set whole or not at all)"
        )
    elif options.dry_run:
        description = "试运行：未写入任何数值 / dry run: nothing was written"
    else:
        description = "导入完成 / Import process completed successfully"
    return {
        "responseType": "ImportSummary",
        "status": "ERROR" if conflicts else "SUCCESS",
        "description": description,
        "importOptions": options.public(),
        "importCount": {k: counts[k] for k in ("imported", "updated", "ignored", "deleted")},
        "conflicts": conflicts,
        "emptyValues": empty,
    }


def _conflict(raw: pd.DataFrame, row: int, column: str, zh: str, en: str) -> dict[str, Any]:
    cell = raw.at[row, column] if column in raw.columns and row in raw.index else column
    return {"object": str(cell), "value": f"{zh} / {en}", "index": int(row), "property": column}


def _unsupported(raw: pd.DataFrame) -> list[dict[str, Any]]:
    """Attribute option combos other than ``default`` are refused by name, never dropped."""
    aoc = (
        raw["attribute_option_combo"].fillna("").astype(str)
        if "attribute_option_combo" in raw
        else pd.Series(dtype=str)
    )
    bad = aoc[(aoc != "") & (aoc != "default")]
    return [
        _conflict(
            raw,
            int(i),
            "attribute_option_combo",
            f"shequ 不支持属性组合 {v}（仅 default）",
            f"attribute option combo {v} is not supported by shequ (only default)",
        )
        for i, v in bad.items()
    ]


def _to_codes(conn: Connection, raw: pd.DataFrame, options: Options) -> tuple[pd.DataFrame, list]:
    """UIDs → codes for each kind whose scheme is UID; an unmapped UID is a conflict."""
    conflicts = []
    for kind, scheme in options.schemes.items():
        if scheme != "UID" or kind not in raw:
            continue
        codes = dhis2_ids.codes_of(conn, kind)
        if kind == "category_option_combo":
            codes.setdefault(store_values.DEFAULT_COMBO, store_values.DEFAULT_COMBO)
        mapped = raw[kind].map(codes)
        zh, en = _KIND_WORDS[kind]
        for i in raw.index[mapped.isna() & (raw[kind].astype(str) != "")]:
            conflicts.append(
                _conflict(
                    raw,
                    int(i),
                    kind,
                    f"{zh} UID {raw.at[i, kind]} 没有对应的编码（用 shequ dhis2 map 导入映射）",
                    f"{en} UID {raw.at[i, kind]} has no mapping to a shequ code "
                    "(load one with shequ dhis2 map)",
                )
            )
        raw = raw.assign(**{kind: mapped.where(mapped.notna(), raw[kind])})
    return raw, conflicts


def export_values(
    conn: Connection,
    options: Options,
    *,
    periods: list[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    units: set[str],
    data_elements: list[str] | None = None,
    last_updated: dt.datetime | None = None,
) -> pd.DataFrame:
    """Stored values (one row per combo) of ``units`` in the periods named, or in the periods
    lying within [start, end], changed since ``last_updated``; ids in ``options``' schemes.

    A code with no UID under a UID scheme is refused by name (never left out)."""
    frame = store_values.read(conn, periods=periods, data_elements=data_elements, detail=True)
    frame = frame[frame["org_unit"].isin(units)]
    if start is not None or end is not None:
        bounds = frame["period"].map(parse_period)
        inside = bounds.map(
            lambda p: (start is None or p.start >= start) and (end is None or p.end <= end)
        )
        frame = frame[inside.astype(bool)]
    if last_updated is not None:
        since = pd.Timestamp(last_updated)
        if since.tzinfo is not None:  # the store keeps naive UTC
            since = since.tz_convert("UTC").tz_localize(None)
        frame = frame[pd.to_datetime(frame["updated_at"]) >= since]
    frame = frame.sort_values(["period", "org_unit", "data_element", "category_option_combo"])
    updated_by = store_values.updated_by(conn, frame["id"].tolist())
    frame = frame.assign(updated_by=frame["id"].map(updated_by))
    for kind, scheme in options.schemes.items():
        if scheme == "UID":
            uids = dhis2_ids.uids_of(conn, kind)
            if kind == "category_option_combo":
                uids.setdefault(store_values.DEFAULT_COMBO, store_values.DEFAULT_COMBO)
            missing = sorted(set(frame[kind]) - set(uids))
            if missing:
                zh, en = _KIND_WORDS[kind]
                msg = (
                    f"{zh} {', '.join(missing[:10])} 没有 DHIS2 UID（用 shequ dhis2 map 导入映射）/ "
                    f"{en} {', '.join(missing[:10])} has no DHIS2 UID (load one with shequ dhis2 map)"
                )
                raise ImportFileError(msg)
            frame = frame.assign(**{kind: frame[kind].map(uids)})
    return frame.reset_index(drop=True)


def read_mapping(path: Path) -> pd.DataFrame:
    """A UID mapping file (CSV, UTF-8 or GBK, columns ``kind,uid,code``; kind one of
    data_element, org_unit, category_option_combo). Every bad row is listed with its row,
    column and reason, and then nothing is loaded."""
    frame, _format = read_table(Path(path))
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in ("kind", "uid", "code") if c not in frame.columns]
    if missing:
        msg = f"映射文件缺少列 {', '.join(missing)} / the mapping file lacks columns {', '.join(missing)} (kind,uid,code)"
        raise ImportFileError(msg)
    rows = frame[["kind", "uid", "code"]].astype(str).apply(lambda s: s.str.strip())
    rows = rows.replace("nan", "").assign(line=frame[ROW])
    problems = []
    kinds = ", ".join(dhis2_ids.KINDS)
    for r in rows.to_dict("records"):
        if r["kind"] not in dhis2_ids.KINDS:
            problems.append(
                f"第 {r['line']} 行 kind：“{r['kind']}”不是 {kinds} / row {r['line']} kind: "
                f"'{r['kind']}' is not one of {kinds}"
            )
        problems += [
            f"第 {r['line']} 行 {c}：为空 / row {r['line']} {c}: empty"
            for c in ("uid", "code")
            if not r[c]
        ]
    for r in rows[rows.duplicated(["kind", "uid"], keep=False)].to_dict("records"):
        problems.append(
            f"第 {r['line']} 行 uid：{r['uid']} 重复 / row {r['line']} uid: {r['uid']} appears more than once"
        )
    if problems:
        raise ImportFileError("\n".join(problems))
    return rows[["kind", "uid", "code"]]


def read_value_set_file(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The raw cells and the set-level attributes of a DHIS2 JSON or CSV file."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if Path(path).suffix.lower() == ".json":
        try:
            payload = json.loads(text)
        except ValueError as exc:
            raise ImportFileError(
                f"{path}: JSON 无法解析 / the JSON cannot be read: {exc}"
            ) from None
        return from_data_value_set(payload), payload
    return from_csv(text), {}

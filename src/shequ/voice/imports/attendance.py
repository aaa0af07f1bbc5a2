"""Import sign-in sheets of governance activities: ``shequ import attendance FILE``.

One row per person per activity: ``activity`` 活动编号, ``kind`` 活动类型 (meeting 居民会议,
hearing 听证会, consultation 协商议事, vote 投票表决, volunteer 志愿服务), ``title`` 活动名称,
``org_unit`` 社区编码, ``held_on`` 活动日期, ``identifier`` 身份证号/手机号, and optionally
``adult`` 是否成年 (是/否; for a mobile number, where no birth date can be read; default
yes). A name column, if present, is ignored and never stored.

The identifier becomes a keyed pseudonym (`participation.pseudonym`) during validation and
is then dropped: neither the store, the quarantine file nor the log holds it (the
quarantine file shows it masked). The same person twice at one activity loads once.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, insert, select

from ...ingest.cells import date, text
from ...ingest.pipeline import Checked, Progress, check_known_units, run_import
from ...ingest.readers import ROW, resolve_columns
from ...ingest.report import ImportReport, Problems
from ...store.db import Store
from ...store.tables.voice import Activity, Attendance
from .. import masking
from ..participation import ACTIVITY_KINDS, adult_on, load_key, normalise_identifier, pseudonym

ALIASES = {
    **dict.fromkeys(["activity", "活动编号", "activity_ref"], "activity"),
    **dict.fromkeys(["kind", "活动类型", "类型"], "kind"),
    **dict.fromkeys(["title", "活动名称", "名称"], "title"),
    **dict.fromkeys(["org_unit", "社区编码", "单位编码", "社区"], "org_unit"),
    **dict.fromkeys(["held_on", "活动日期", "日期"], "held_on"),
    **dict.fromkeys(
        ["identifier", "身份证号", "手机号", "身份证号/手机号", "证件号码"], "identifier"
    ),
    **dict.fromkeys(["adult", "是否成年", "成年"], "adult"),
}
KIND_ALIASES = {
    **{k: k for k in ACTIVITY_KINDS},
    **dict.fromkeys(("居民会议", "居民代表会议", "议事会"), "meeting"),
    **dict.fromkeys(("听证会", "听证"), "hearing"),
    **dict.fromkeys(("协商议事", "协商", "恳谈会", "征求意见"), "consultation"),
    **dict.fromkeys(("投票表决", "投票", "表决"), "vote"),
    **dict.fromkeys(("志愿服务", "志愿活动"), "volunteer"),
}
_YES, _NO = {"", "是", "yes", "y", "1", "true"}, {"否", "no", "n", "0", "false"}


def import_attendance(
    store: Store,
    path: str | Path,
    *,
    key: bytes | None = None,
    actor: str = "cli",
    strict: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import sign-in sheets from ``path``; ``key`` defaults to `participation.load_key`."""
    key = load_key() if key is None else key
    return run_import(
        store,
        Path(path),
        kind="attendance",
        validate=lambda c, r: _validate(c, r, key),
        write=lambda c, g, i, a, p: _write(c, g, i),
        actor=actor,
        strict=strict,
        sheet=sheet,
        progress=progress,
    )


def _validate(conn: Connection, raw: pd.DataFrame, key: bytes) -> Checked:
    masking.mask_raw(raw, ALIASES, ("title",))  # stored and quarantined masked
    frame = resolve_columns(raw, ALIASES, ("activity", "kind", "org_unit", "held_on", "identifier"))
    ids = frame["identifier"].map(normalise_identifier)
    # the raw numbers never leave this function: the quarantine file gets them masked
    for column in [c for c in raw.columns if _alias(c) == "identifier"]:
        raw[column] = raw[column].map(_hide)
    cells = pd.DataFrame(
        {
            ROW: frame[ROW],
            "activity": frame["activity"].map(text),
            "raw_kind": frame["kind"].map(text),
            "kind": frame["kind"].map(lambda v: KIND_ALIASES.get(text(v).lower())),
            "title": frame["title"].map(text) if "title" in frame else "",
            "org_unit": frame["org_unit"].map(text),
            "held_on": frame["held_on"].map(date),
            "raw_held_on": frame["held_on"].map(text),
            "raw_adult": frame["adult"].map(lambda v: text(v).lower()) if "adult" in frame else "",
        }
    )
    p = Problems()
    p.add(cells, cells["activity"] == "", "activity", "活动编号为空", "activity ref is empty")
    p.add(
        cells,
        cells["kind"].isna(),
        "kind",
        "未知活动类型“{k}”",
        "unknown activity kind '{k}'",
        k="raw_kind",
    )
    check_known_units(conn, cells, p, required=True)
    p.add(
        cells,
        cells["held_on"].isna(),
        "held_on",
        "“{d}”不是日期",
        "'{d}' is not a date",
        d="raw_held_on",
    )
    p.add(
        cells,
        ids.isna(),
        "identifier",
        "不是有效的身份证号或手机号",
        "not a valid ID number (18 characters) or mobile number (11 digits)",
    )
    p.add(
        cells,
        ~cells["raw_adult"].isin(_YES | _NO),
        "adult",
        "是否成年应为 是/否",
        "adult must be yes or no",
    )
    per_activity = cells.groupby("activity")[["kind", "org_unit", "held_on"]].nunique()
    mixed = per_activity[(per_activity > 1).any(axis=1)].index
    p.add(
        cells,
        cells["activity"].isin(mixed),
        "activity",
        "同一活动编号的类型、社区或日期不一致",
        "one activity ref with different kind, unit or date",
    )
    ok = ~cells[ROW].isin(p.rows())
    from_id = [
        adult_on(i, d) if i and d else None for i, d in zip(ids, cells["held_on"], strict=True)
    ]
    stated = cells["raw_adult"].map(lambda v: v not in _NO)
    cells["adult"] = [s if a is None else a for a, s in zip(from_id, stated, strict=True)]
    cells["person"] = [pseudonym(i, key) if good else None for i, good in zip(ids, ok, strict=True)]
    good = cells[ok].drop_duplicates(["activity", "person"])
    return Checked(good[["activity", "kind", "title", "org_unit", "held_on", "person", "adult"]], p)


def _alias(column: object) -> str | None:
    return ALIASES.get(str(column).strip().lower().replace(" ", ""))


def _hide(value: object) -> str:
    raw = text(value)
    masked = masking.mask(raw)
    return masked if masked != raw else "*" * max(len(raw) - 2, 0) + raw[-2:]


def _write(conn: Connection, good: pd.DataFrame, import_id: int) -> dict[str, int]:
    activities = good.drop_duplicates("activity")
    stored = dict(
        conn.execute(
            select(Activity.ref, Activity.id).where(
                Activity.ref.in_(activities["activity"].tolist())
            )
        ).all()
    )
    fresh = activities[~activities["activity"].isin(stored)]
    if len(fresh):
        conn.execute(
            insert(Activity),
            [
                {
                    "ref": r.activity,
                    "kind": r.kind,
                    "title": r.title or r.activity,
                    "org_unit": r.org_unit,
                    "held_on": r.held_on,
                }
                for r in fresh.itertuples()
            ],
        )
        stored = dict(
            conn.execute(
                select(Activity.ref, Activity.id).where(
                    Activity.ref.in_(activities["activity"].tolist())
                )
            ).all()
        )
    rows = good.assign(activity_id=good["activity"].map(stored))
    seen = pd.read_sql(
        select(Attendance.activity_id, Attendance.person).where(
            Attendance.activity_id.in_(list(stored.values()))
        ),
        conn,
    )
    merged = rows.merge(seen, on=["activity_id", "person"], how="left", indicator=True)
    new = merged[merged["_merge"] == "left_only"]
    if len(new):
        conn.execute(
            insert(Attendance),
            [
                {
                    "activity_id": int(r.activity_id),
                    "person": r.person,
                    "adult": bool(r.adult),
                    "import_id": import_id,
                }
                for r in new.itertuples()
            ],
        )
    return {"inserted": len(new), "updated": 0, "unchanged": len(merged) - len(new)}

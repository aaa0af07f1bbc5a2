"""Import suggestions from Excel/CSV: ``shequ import suggestions FILE``.

One row per suggestion, keyed by its reference (工单号), with Chinese or English headers:
``ref`` 编号, ``text`` 内容, ``channel`` 渠道, ``org_unit`` 社区编码, ``received_at`` 受理时间,
and optionally ``location`` 楼栋, ``responsible_unit`` 责任单位, ``assigned_at`` 转办时间,
``responded_at`` 答复时间, ``reply`` 答复内容, ``resolved_at`` 办结时间, ``closed_at`` 关闭时间,
``rating`` 满意度评价 (1–5), ``category`` 类别 (a staff-confirmed label, code or Chinese name).

Each stage must not be earlier than the one before it, and needs it (no resolution without
a response). Bad rows are quarantined with row, column and reason; the rest load in one
transaction; texts are masked; re-importing the same file changes nothing, and a changed
row updates the suggestion and rebuilds its history.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from ...framework.loader import load_plan
from ...framework.models import Plan
from ...ingest.cells import optional_moment, text
from ...ingest.pipeline import Checked, Progress, check_known_units, run_import
from ...ingest.readers import ROW, resolve_columns
from ...ingest.report import ImportReport, Problems
from ...store.db import Store
from ...store.tables.core import utcnow
from ...store.tables.voice import Suggestion, SuggestionEvent
from .. import classify, masking
from ..suggestions import channel_code

ALIASES = {
    **dict.fromkeys(["ref", "编号", "工单号", "意见编号", "id"], "ref"),
    **dict.fromkeys(["text", "内容", "意见内容", "建议内容", "诉求内容"], "text"),
    **dict.fromkeys(["channel", "渠道", "来源", "受理渠道"], "channel"),
    **dict.fromkeys(["org_unit", "社区编码", "单位编码", "社区", "编码"], "org_unit"),
    **dict.fromkeys(["received_at", "受理时间", "提交时间", "反映时间"], "received_at"),
    **dict.fromkeys(["location", "楼栋", "位置", "地点"], "location"),
    **dict.fromkeys(["responsible_unit", "责任单位", "承办单位"], "responsible_unit"),
    **dict.fromkeys(["assigned_at", "转办时间", "派单时间"], "assigned_at"),
    **dict.fromkeys(["responded_at", "答复时间", "响应时间"], "responded_at"),
    **dict.fromkeys(["reply", "答复内容", "答复"], "reply"),
    **dict.fromkeys(["resolved_at", "办结时间", "解决时间"], "resolved_at"),
    **dict.fromkeys(["closed_at", "关闭时间", "结案时间"], "closed_at"),
    **dict.fromkeys(["rating", "满意度评价", "评价", "满意度"], "rating"),
    **dict.fromkeys(["category", "类别", "分类"], "category"),
}
REQUIRED = ("ref", "text", "channel", "org_unit", "received_at")
STAGES = ("received_at", "assigned_at", "responded_at", "resolved_at", "closed_at")
FIELDS = [
    "text",
    "channel",
    "org_unit",
    "location",
    "received_at",
    "responsible_unit",
    "assigned_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "rating",
    "staff_category",
]


def import_suggestions(
    store: Store,
    path: str | Path,
    *,
    plan: Plan | None = None,
    actor: str = "cli",
    strict: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import suggestions from ``path`` (CSV or XLSX); see the module docstring."""
    plan = plan or load_plan()
    return run_import(
        store,
        Path(path),
        kind="suggestions",
        validate=lambda c, r: _validate(c, r, plan),
        write=lambda c, g, i, a, p: _write(c, g, i, a, plan),
        actor=actor,
        strict=strict,
        sheet=sheet,
        progress=progress,
        free_text=[alias for alias, name in ALIASES.items() if name in ("text", "reply")],
    )


def _validate(conn: Connection, raw: pd.DataFrame, plan: Plan) -> Checked:
    masking.mask_raw(raw, ALIASES, ("text", "location", "reply"))  # quarantine file masked too
    frame = resolve_columns(raw, ALIASES, REQUIRED, optional=list(dict.fromkeys(ALIASES.values())))
    p = Problems()
    cells = pd.DataFrame({ROW: frame[ROW]})
    for column in ("ref", "text", "org_unit", "location", "responsible_unit", "reply"):
        cells[column] = frame[column].map(text)
    cells["raw_channel"] = frame["channel"].map(text)
    cells["channel"] = frame["channel"].map(channel_code)
    p.add(cells, cells["ref"] == "", "ref", "编号为空", "ref is empty")
    p.add(
        cells,
        (cells["ref"] != "") & cells["ref"].duplicated(keep=False),
        "ref",
        "编号“{r}”在文件中重复",
        "ref '{r}' appears more than once",
        r="ref",
    )
    p.add(cells, cells["text"] == "", "text", "内容为空", "text is empty")
    p.add(
        cells,
        cells["channel"].isna(),
        "channel",
        "未知渠道“{c}”（表单、热线、议事会、问卷、走访）",
        "unknown channel '{c}' (form, hotline, forum, questionnaire, visit)",
        c="raw_channel",
    )
    check_known_units(conn, cells, p, required=True)
    for stage in STAGES:
        parsed = frame[stage].map(optional_moment)
        cells[stage] = parsed.map(lambda x: x[0])
        cells[f"raw_{stage}"] = frame[stage].map(text)
        p.add(
            cells,
            ~parsed.map(lambda x: x[1]),
            stage,
            "“{v}”不是日期时间",
            "'{v}' is not a date or time",
            v=f"raw_{stage}",
        )
    p.add(
        cells,
        cells["received_at"].isna() & (cells["raw_received_at"] == ""),
        "received_at",
        "受理时间为空",
        "received_at is empty",
    )
    _check_order(cells, p)
    p.add(
        cells,
        cells["assigned_at"].notna() & (cells["responsible_unit"] == ""),
        "responsible_unit",
        "有转办时间但没有责任单位",
        "assigned_at needs a responsible unit",
    )
    rating = pd.to_numeric(frame["rating"].map(text), errors="coerce")
    cells["rating"] = rating
    bad_rating = (frame["rating"].map(text) != "") & ~rating.isin([1, 2, 3, 4, 5])
    p.add(cells, bad_rating, "rating", "评价应为1–5的整数", "rating must be a whole number 1–5")
    p.add(
        cells,
        rating.notna() & cells["closed_at"].isna(),
        "rating",
        "有评价但没有关闭时间",
        "a rating needs closed_at",
    )
    names = {c.name: c.code for c in plan.voice.taxonomy} | {
        c.code: c.code for c in plan.voice.taxonomy
    }
    raw_category = frame["category"].map(text)
    cells["staff_category"] = raw_category.map(names)
    cells["raw_category"] = raw_category
    p.add(
        cells,
        (raw_category != "") & cells["staff_category"].isna(),
        "category",
        "未知类别“{c}”",
        "unknown category '{c}'",
        c="raw_category",
    )
    good = cells[~cells[ROW].isin(p.rows())]
    return Checked(good, p)


def _check_order(cells: pd.DataFrame, p: Problems) -> None:
    needs = {
        "responded_at": "received_at",
        "resolved_at": "responded_at",
        "closed_at": "resolved_at",
        "assigned_at": "received_at",
    }
    for stage, before in needs.items():
        p.add(
            cells,
            cells[stage].notna() & cells[before].isna(),
            stage,
            f"有{stage}但缺少{before}",
            f"{stage} needs {before}",
        )
        p.add(
            cells,
            cells[stage].notna() & cells[before].notna() & (cells[stage] < cells[before]),
            stage,
            f"{stage} 早于 {before}",
            f"{stage} is earlier than {before}",
        )


def _status(frame: pd.DataFrame) -> pd.Series:
    status = pd.Series("received", index=frame.index)
    for stage in ("assigned", "responded", "resolved", "closed"):
        status = status.mask(frame[f"{stage}_at"].notna(), stage)
    return status


def _write(
    conn: Connection, good: pd.DataFrame, import_id: int, actor: str, plan: Plan
) -> dict[str, int]:
    good = masking.mask_columns(good, ("text", "reply", "location"))
    good["rating"] = good["rating"].astype(object).where(good["rating"].notna(), None)
    good["responsible_unit"] = good["responsible_unit"].where(good["responsible_unit"] != "", None)
    stored = pd.read_sql(
        select(
            Suggestion.id,
            Suggestion.ref,
            *(getattr(Suggestion, f) for f in FIELDS[:-1]),
            Suggestion.category,
            Suggestion.label_source,
        ),
        conn,
    )
    stored["staff_category"] = stored["category"].where(stored["label_source"] == "staff")
    merged = good.merge(stored, on="ref", how="left", suffixes=("", "_old"))
    is_new = merged["id"].isna()
    same = np.ones(len(merged), dtype=bool)
    for f in FIELDS:
        a, b = merged[f], merged[f"{f}_old"]
        same &= ((a == b) | (a.isna() & b.isna())).to_numpy()
    # a file without a category has no opinion: a label staff confirmed in the app stays
    given, stored_label = merged["staff_category"], merged["staff_category_old"]
    same |= (given.isna() & stored_label.notna()).to_numpy() & _same_except_label(merged)
    changed = merged[~is_new & ~same]
    new = merged[is_new]
    rows = pd.concat([new, changed])
    if rows.empty:
        return {"inserted": 0, "updated": 0, "unchanged": int((~is_new).sum())}
    values = _values(rows, plan, import_id)
    if len(new):
        conn.execute(insert(Suggestion), values[: len(new)])
    if len(changed):
        statement = update(Suggestion).where(Suggestion.ref == bindparam("key"))
        conn.execution_options(synchronize_session=False).execute(
            statement.values({k: bindparam(k) for k in values[0] if k != "ref"}),
            [{**v, "key": v["ref"]} for v in values[len(new) :]],
        )
    ids = dict(
        conn.execute(
            select(Suggestion.ref, Suggestion.id).where(Suggestion.ref.in_(rows["ref"].tolist()))
        ).all()
    )
    conn.execute(
        delete(SuggestionEvent).where(
            SuggestionEvent.suggestion_id.in_([ids[r] for r in changed["ref"]])
        )
    )
    conn.execute(insert(SuggestionEvent), list(_events(rows, ids, actor)))
    return {"inserted": len(new), "updated": len(changed), "unchanged": int((~is_new & same).sum())}


def _same_except_label(merged: pd.DataFrame) -> np.ndarray:
    same = np.ones(len(merged), dtype=bool)
    for f in FIELDS[:-1]:
        a, b = merged[f], merged[f"{f}_old"]
        same &= ((a == b) | (a.isna() & b.isna())).to_numpy()
    return same


def _values(rows: pd.DataFrame, plan: Plan, import_id: int) -> list[dict]:
    rules = classify.KeywordRules(plan.voice.taxonomy)
    labels, confidence, sources = classify.predict(rows["text"].tolist(), rules)
    dimension = {c.code: c.dimension for c in plan.voice.taxonomy}
    status = _status(rows)
    out = []
    for i, r in enumerate(rows.itertuples(index=False)):
        staff = next(
            (c for c in (r.staff_category, r.staff_category_old) if isinstance(c, str)), None
        )
        category = staff or labels[i]
        out.append(
            {
                "ref": r.ref,
                "text": r.text,
                "channel": r.channel,
                "org_unit": r.org_unit,
                "location": r.location,
                "received_at": r.received_at,
                "status": status.iloc[i],
                "responsible_unit": r.responsible_unit,
                **{
                    f"{s}_at": _py(getattr(r, f"{s}_at"))
                    for s in ("assigned", "responded", "resolved", "closed")
                },
                "rating": None if r.rating is None else int(r.rating),
                "category": category,
                "dimension": dimension.get(category) if category else None,
                "confidence": 1.0
                if staff
                else (None if labels[i] is None else float(confidence[i])),
                "label_source": "staff" if staff else sources[i],
                "import_id": import_id,
                "updated_at": utcnow(),
            }
        )
    return out


def _py(value: object) -> object:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _events(rows: pd.DataFrame, ids: dict[str, int], actor: str):
    steps = (
        ("received_at", "received", None, "received"),
        ("assigned_at", "assigned", "received", "assigned"),
        ("responded_at", "replied", "assigned", "responded"),
        ("resolved_at", "resolved", "responded", "resolved"),
        ("closed_at", "closed", "resolved", "closed"),
    )
    for r in rows.itertuples(index=False):
        before = None
        for column, action, _, after in steps:
            at = _py(getattr(r, column))
            if at is None:
                continue
            unit = r.responsible_unit if action == "assigned" else None
            note = r.reply if action == "replied" else ""
            yield {
                "suggestion_id": ids[r.ref],
                "at": at,
                "action": action,
                "from_status": before,
                "to_status": after,
                "unit": unit or None,
                "text": note,
                "actor": actor,
            }
            before = after

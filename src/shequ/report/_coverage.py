"""The coverage chapter of a report: residents within walking reach of each facility type
in the unit's subtree (ratio of sums over its communities), how it was measured (walking
network or straight line × detour, from the ``coverage`` import batches), and the least
covered communities. Nothing is said when no coverage was computed for the period."""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import select

from ..spatial import facility_types
from ..store import orgunits
from ..store.db import Store
from ..store.tables.core import DataValue, ImportBatch

_ELEMENT = re.compile(r"^residents_within_(\d+(?:\.\d+)?)m_(\w+)$")
LOWEST = 3


def coverage_finding(store: Store, period: str, units: dict[str, int]) -> tuple[str, str] | None:
    """A (Chinese, English) paragraph on coverage in ``units`` (a subtree), or None."""
    with store.begin() as conn:
        rows = conn.execute(
            select(DataValue.data_element, DataValue.org_unit, DataValue.value,
                   DataValue.import_id)
            .where(DataValue.period == period, DataValue.org_unit.in_(list(units)))
            .where(DataValue.data_element.like("residents_within_%")
                   | (DataValue.data_element == "resident_population"))
        ).all()  # fmt: skip
        frame = pd.DataFrame(rows, columns=["element", "org_unit", "value", "import_id"])
        batches = dict(
            conn.execute(
                select(ImportBatch.id, ImportBatch.file_name).where(ImportBatch.kind == "coverage")
            ).all()
        )
        names = orgunits.names(conn)
    residents = frame[frame["element"] == "resident_population"].set_index("org_unit")["value"]
    zh, en = [], []
    for element, part in frame[frame["element"] != "resident_population"].groupby("element"):
        match = _ELEMENT.match(str(element))
        measured = part[part["import_id"].isin(batches)]
        if not match or measured.empty:
            continue
        both = measured.assign(residents=measured["org_unit"].map(residents)).dropna()
        if both.empty or both["residents"].sum() <= 0:
            continue
        radius, kind = match[1], facility_types.registry().get(match[2])
        name_zh, name_en = (kind.name, kind.name_en) if kind else (match[2], match[2])
        share = both["value"].sum() / both["residents"].sum()
        method = str(batches[int(measured["import_id"].iloc[0])]).rsplit(":", 1)[-1]
        how_zh = "步行网络距离" if method == "network" else "直线距离×绕行系数（无步行网络）"
        how_en = (
            "walking-network distance"
            if method == "network"
            else "straight line × detour (no network)"
        )
        worst = both.assign(share=both["value"] / both["residents"]).nsmallest(LOWEST, "share")
        low = "、".join(
            f"{names.get(u, u)} {s:.1%}"
            for u, s in zip(worst["org_unit"], worst["share"], strict=True)
        )
        low_en = ", ".join(
            f"{names.get(u, u)} {s:.1%}"
            for u, s in zip(worst["org_unit"], worst["share"], strict=True)
        )
        zh.append(
            f"{name_zh} {radius} 米覆盖：{both['value'].sum():,.0f} / {both['residents'].sum():,.0f} 人"
            f"（{share:.1%}，{len(both)} 个社区，{how_zh}）；覆盖率最低：{low}。"
        )
        en.append(
            f"{name_en} within {radius} m: {both['value'].sum():,.0f} of "
            f"{both['residents'].sum():,.0f} residents ({share:.1%}, {len(both)} communities, "
            f"{how_en}); least covered: {low_en}."
        )
    return (" ".join(zh), " ".join(en)) if zh else None

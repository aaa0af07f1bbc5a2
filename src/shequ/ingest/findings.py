"""Validation-rule and outlier findings of the rows an import is about to write.

The rules themselves are checked by `shequ.store.validation.check_incoming` (against the
stored values and the file's own rows); this step ties each finding back to the file rows it
read, so that the import report can name them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from ..framework.models import Plan
from ..store import validation as store_validation
from .readers import ROW
from .report import RuleFinding


def rule_findings(conn: Connection, good: pd.DataFrame, plan: Plan) -> list[RuleFinding]:
    """Rule and outlier findings of the good rows, each with the file rows it read."""
    found = store_validation.check_incoming(
        conn, plan, good[["data_element", "org_unit", "period", "value"]]
    )
    if found.empty:
        return []
    rows = _rows_read(good, found.reset_index(drop=True))
    out = []
    for read, r in zip(rows, found.itertuples(index=False), strict=True):
        out.append(
            RuleFinding(
                read,
                r.org_unit,
                r.period,
                r.rule,
                r.importance,
                _number_or_none(r.left),
                str(r.operator),
                _number_or_none(r.right),
                r.message_zh,
                r.message_en,
            )
        )
    return out


def _rows_read(good: pd.DataFrame, found: pd.DataFrame) -> list[tuple[int, ...]]:
    """For each finding, the sorted file rows holding a value it read (its unit, period
    and one of its data elements)."""
    reads = found[["org_unit", "period"]].assign(
        finding=np.arange(len(found)), data_element=found["data_elements"].str.split(",")
    )
    reads = reads.explode("data_element")
    hit = reads.merge(good[["org_unit", "period", "data_element", ROW]])
    hit = hit[["finding", ROW]].drop_duplicates().sort_values(["finding", ROW])
    finding, row = hit["finding"].to_numpy(), hit[ROW].to_numpy(dtype=np.int64)
    numbers = np.arange(len(found))
    starts = np.searchsorted(finding, numbers)
    ends = np.searchsorted(finding, numbers, side="right")
    return [tuple(row[s:e].tolist()) for s, e in zip(starts, ends, strict=True)]


def _number_or_none(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)

"""Validation-rule and outlier findings of the rows an import is about to write.

The rules themselves are checked by `shequ.store.validation.check_incoming` (against the
stored values and the file's own rows); this step ties each finding back to the file rows it
read, so that the import report can name them.
"""

from __future__ import annotations

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
    rows_of: dict[tuple, set[int]] = {}
    if found.empty:
        return []
    named = good.merge(found[["org_unit", "period"]].drop_duplicates(), on=["org_unit", "period"])
    for key, row in zip(
        zip(named["org_unit"], named["period"], named["data_element"], strict=True),
        named[ROW], strict=True,
    ):  # fmt: skip
        rows_of.setdefault(key, set()).add(int(row))
    out = []
    for r in found.itertuples(index=False):
        read = set().union(
            *(rows_of.get((r.org_unit, r.period, e), ()) for e in r.data_elements.split(","))
        )
        out.append(
            RuleFinding(
                tuple(sorted(read)),
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


def _number_or_none(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)

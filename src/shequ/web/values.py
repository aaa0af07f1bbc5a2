"""Values written from the web: the data-entry grid, ``POST /api/values`` and DHIS2
dataValueSets all go one way. Raw cells (``data_element, org_unit, period, value``) are
checked by the import rules (`ingest.values.check_values`, so a value typed in the browser
meets exactly the rules of a file import) and written by the import's audited diff
(`ingest.values.write_checked`), in one transaction: all of them, or none when any is bad.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..framework.models import Plan
from ..ingest.pipeline import Scope
from ..ingest.readers import ROW
from ..ingest.values import check_values, write_checked
from ..store.db import Store
from .schemas import CellBatch, DataValuesIn

COLUMNS = ["data_element", "org_unit", "period", "value"]
Problems = list[dict[str, Any]]


def grid_cells(batch: CellBatch) -> pd.DataFrame:
    """The raw cells of a data-entry batch; ``deleted`` and ``comment`` columns only when
    some cell carries them (a comment of None keeps the stored one)."""
    raw = pd.DataFrame(
        {
            "data_element": [c.data_element for c in batch.cells],
            "org_unit": [c.org_unit for c in batch.cells],
            "period": batch.period,
            "value": [c.value for c in batch.cells],
        },
        columns=COLUMNS,
        dtype=object,
    )
    if any(c.deleted for c in batch.cells):
        raw["deleted"] = [c.deleted for c in batch.cells]
    if any(c.comment is not None for c in batch.cells):
        raw["comment"] = [c.comment for c in batch.cells]
    return raw


def deletion_problems(batch: CellBatch) -> Problems:
    """A cleared cell deletes a value only with a reason: one problem per such cell when
    the batch has none."""
    if batch.reason.strip():
        return []
    return [
        {
            "cell": k,
            "column": "value",
            "reason_zh": "删除数值须填写原因",
            "reason_en": "deleting a value needs a reason",
        }
        for k, c in enumerate(batch.cells)
        if c.deleted
    ]


def api_cells(body: DataValuesIn) -> pd.DataFrame:
    """The raw cells of an API write (numbers as text, like the cells of a file)."""
    raw = pd.DataFrame([v.model_dump() for v in body.values], columns=COLUMNS, dtype=object)
    raw["value"] = raw["value"].map(str)
    return raw


def check(store: Store, raw: pd.DataFrame, plan: Plan, allowed: Scope) -> dict[str, Problems]:
    """The problems of ``raw`` by the import rules (cells of units outside ``allowed`` are
    refused), and the validation-rule findings of its good cells read with the stored
    values of the same unit and period (``rules``: each names the ``cells`` it read, by
    index); nothing is written."""
    with store.begin() as conn:
        checked = check_values(conn, _numbered(raw), plan, allowed)
        return {"problems": _problems(checked), "rules": _findings(checked)}


def save(
    store: Store,
    raw: pd.DataFrame,
    plan: Plan,
    allowed: Scope,
    *,
    actor: str,
    reason: str | None = None,
) -> tuple[dict[str, int], Problems]:
    """Write ``raw`` in one transaction: (inserted/updated/unchanged/deleted counts, no
    problems), or (no counts, the problems) and nothing written when any cell is bad.
    Rows marked ``deleted`` delete their stored value, audited with ``reason``."""
    with store.begin() as conn:
        checked = check_values(conn, _numbered(raw), plan, allowed)
        if problems := _problems(checked):
            return {}, problems
        return write_checked(conn, checked.good, actor=actor, reason=reason), []


def _numbered(raw: pd.DataFrame) -> pd.DataFrame:
    """The cells with their index (the ``cell`` of a problem) as the row number."""
    return raw.assign(**{ROW: range(len(raw))})


def _findings(checked) -> Problems:
    return [
        {
            "cells": list(f.rows),
            "org_unit": f.org_unit,
            "period": f.period,
            "rule": f.rule,
            "importance": f.importance,
            "message_zh": f.message_zh,
            "message_en": f.message_en,
        }
        for f in checked.violations
    ]


def _problems(checked) -> Problems:
    return [
        {"cell": p.row, "column": p.column, "reason_zh": p.reason_zh, "reason_en": p.reason_en}
        for p in checked.problems.items
    ]

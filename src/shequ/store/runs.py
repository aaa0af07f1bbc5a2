"""Evaluation runs and their results, as persisted by ``shequ evaluate``."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Row, insert, select

from ..errors import EvaluationError
from .tables.core import CompositeScore, EvaluationResult, EvaluationRun

RESULT_COLUMNS = [
    "indicator",
    "org_unit",
    "period",
    "value",
    "numerator",
    "denominator",
    "target",
    "comparator",
    "target_period",
    "baseline_value",
    "status",
    "reporting_units",
    "expected_units",
]


def save(conn: Connection, meta: dict[str, Any], results: pd.DataFrame) -> int:
    """Persist a run (``meta`` = EvaluationRun fields) and its results; returns the run id."""
    run_id = conn.execute(
        insert(EvaluationRun).values(**meta, result_count=len(results)).returning(EvaluationRun.id)
    ).scalar_one()
    rows = results[RESULT_COLUMNS].astype(object).where(results[RESULT_COLUMNS].notna(), None)
    if len(rows):
        conn.execute(insert(EvaluationResult), rows.assign(run_id=run_id).to_dict("records"))
    return int(run_id)


def get(conn: Connection, run: int | str = "latest") -> Row:
    """One run by id, or the newest with ``"latest"``."""
    query = select(EvaluationRun)
    if run == "latest":
        query = query.order_by(EvaluationRun.id.desc()).limit(1)
    else:
        query = query.where(EvaluationRun.id == int(run))
    found = conn.execute(query).first()
    if found is None:
        msg = f"找不到评估运行 {run} / evaluation run {run} not found (run `shequ evaluate`)"
        raise EvaluationError(msg)
    return found


def results(conn: Connection, run_id: int) -> pd.DataFrame:
    """The results of a run, in `RESULT_COLUMNS` order."""
    query = select(*(getattr(EvaluationResult, c) for c in RESULT_COLUMNS)).where(
        EvaluationResult.run_id == run_id
    )
    return pd.read_sql(query.order_by(EvaluationResult.id), conn)


COMPOSITE_COLUMNS = [
    "org_unit",
    "period",
    "level",
    "dimension",
    "score",
    "rank",
    "rank_median",
    "rank_low",
    "rank_high",
    "label",
]


def save_composite(
    conn: Connection, run_id: int, scores: pd.DataFrame, coordination: pd.DataFrame
) -> int:
    """Persist composite scores and coordination degrees of a run; returns the row count."""
    coupling = coordination.rename(columns={"coordination": "score", "class": "label"}).assign(
        dimension="coordination"
    )
    frame = pd.concat([scores, coupling], ignore_index=True).reindex(columns=COMPOSITE_COLUMNS)
    rows = frame.astype(object).where(frame.notna(), None).assign(run_id=run_id)
    if len(rows):
        conn.execute(insert(CompositeScore), rows.to_dict("records"))
    return len(rows)


def composite_scores(conn: Connection, run_id: int) -> pd.DataFrame:
    query = select(*(getattr(CompositeScore, c) for c in COMPOSITE_COLUMNS)).where(
        CompositeScore.run_id == run_id
    )
    return pd.DataFrame(conn.execute(query).all(), columns=COMPOSITE_COLUMNS)

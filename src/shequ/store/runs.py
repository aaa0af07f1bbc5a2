"""Evaluation runs and their results, as persisted by ``shequ evaluate``.

A run's results are kept as Parquet parts in the store (`result_parts`); its trends,
scores and diagnosis inputs as rows."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Float, Integer, Row, Select, func, insert, select, update

from ..errors import EvaluationError
from . import bulk, result_parts
from .tables.core import (
    CompositeIndicatorScore,
    CompositeScore,
    CompositeWeight,
    EvaluationHistory,
    EvaluationRun,
    EvaluationTrend,
    UnitProfile,
)

RESULT_COLUMNS = result_parts.COLUMNS


def save(conn: Connection, meta: dict[str, Any], results: pd.DataFrame) -> int:
    """Persist a run (``meta`` = EvaluationRun fields) and its results; returns the run id.

    The run stays invisible to readers until `mark_complete`, which its writer calls in the
    same transaction after the run's last part (scores, trends, task reviews)."""
    run_id = conn.execute(
        insert(EvaluationRun)
        .values(**meta, result_count=len(results), complete=False)
        .returning(EvaluationRun.id)
    ).scalar_one()
    result_parts.write(conn, int(run_id), results)
    return int(run_id)


def mark_complete(conn: Connection, run_id: int) -> None:
    conn.execute(update(EvaluationRun).where(EvaluationRun.id == run_id).values(complete=True))


def visible() -> Select:
    """The complete runs (a run cut off by a crash never shows: issue 13 #13)."""
    return select(EvaluationRun).where(EvaluationRun.complete.is_(True))


def latest_id(conn: Connection) -> int | None:
    """The id of the newest complete run, or None."""
    query = select(func.max(EvaluationRun.id)).where(EvaluationRun.complete.is_(True))
    found = conn.execute(query).scalar()
    return None if found is None else int(found)


def get(conn: Connection, run: int | str = "latest") -> Row:
    """One complete run by id, or the newest complete one with ``"latest"``."""
    query = visible()
    if run == "latest":
        query = query.order_by(EvaluationRun.id.desc()).limit(1)
    else:
        query = query.where(EvaluationRun.id == int(run))
    found = conn.execute(query).first()
    if found is None:
        msg = f"找不到评估运行 {run} / evaluation run {run} not found (run `shequ evaluate`)"
        raise EvaluationError(msg)
    return found


def results(
    conn: Connection,
    run_id: int,
    *,
    org_units: Collection[str] | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """The results of a run (of ``org_units`` and ``period`` only, when given: a page reads
    a unit and its children, not a province), in result order, `RESULT_COLUMNS`."""
    found = result_parts.read(conn, run_id, org_units=org_units, period=period)
    return result_parts.to_frame(found)


FEW_UNITS = 2_000  # up to this many units are filtered in SQL (IN …); more, in the frame


def _of_units(query: Select, column, org_units: Collection[str] | None) -> Select:
    if org_units is None or len(org_units) > FEW_UNITS:
        return query
    return query.where(column.in_(sorted(org_units)))


def _keep_units(frame: pd.DataFrame, org_units: Collection[str] | None) -> pd.DataFrame:
    if org_units is None or len(org_units) <= FEW_UNITS:
        return frame
    return frame[frame["org_unit"].isin(set(org_units))].reset_index(drop=True)


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
    return _insert(conn, CompositeScore, run_id, frame, COMPOSITE_COLUMNS)


def latest_scored_run(conn: Connection) -> tuple[int, str] | None:
    """(id, last period) of the newest run that stored composite scores, or None (a run
    evaluated without ``--composite`` stores none)."""
    run_id = conn.execute(
        select(func.max(CompositeScore.run_id))
        .join(EvaluationRun, EvaluationRun.id == CompositeScore.run_id)
        .where(EvaluationRun.complete.is_(True))
    ).scalar()
    if run_id is None:
        return None
    return int(run_id), get(conn, int(run_id)).periods.split(",")[-1]


def composite_scores(
    conn: Connection,
    run_id: int,
    *,
    org_units: Collection[str] | None = None,
    level: str | None = None,
    dimension: str | None = None,
) -> pd.DataFrame:
    """The composite scores of a run (of ``org_units``, ``level``, ``dimension`` only,
    when given), `COMPOSITE_COLUMNS`."""
    c = CompositeScore
    query = select(*(getattr(c, k) for k in COMPOSITE_COLUMNS)).where(c.run_id == run_id)
    if level is not None:
        query = query.where(c.level == level)
    if dimension is not None:
        query = query.where(c.dimension == dimension)
    rows = conn.execute(_of_units(query, c.org_unit, org_units)).all()
    return _keep_units(pd.DataFrame(rows, columns=COMPOSITE_COLUMNS), org_units)


# --- trends, history and diagnosis inputs (migration 0007) ------------------------------

KEYS = ["indicator", "org_unit", "period"]
TREND_COLUMNS = [
    *KEYS,
    "previous_period",
    "previous_value",
    "n_points",
    "slope",
    "slope_low",
    "slope_high",
    "projected_value",
    "trend_status",
    "note_zh",
    "note_en",
]
HISTORY_COLUMNS = [*KEYS, "value"]
INDICATOR_SCORE_COLUMNS = ["org_unit", "indicator", "score", "period", "level"]
WEIGHT_COLUMNS = [
    "indicator",
    "dimension",
    "weight_in_dimension",
    "dimension_weight",
    "weight",
    "period",
    "level",
]
PROFILE_COLUMNS = ["org_unit", "period", "size", "area"]


def save_assessment(
    conn: Connection,
    run_id: int,
    *,
    trends: pd.DataFrame,
    history: pd.DataFrame,
    indicator_scores: pd.DataFrame,
    weights: pd.DataFrame,
    profile: pd.DataFrame,
) -> dict[str, int]:
    """Persist what a run's reports and pages show beyond its results and scores: the trend
    of every result, the earlier values they were fitted on (missing ones are not stored),
    and the diagnosis inputs. Call it in the transaction of `save`; returns row counts."""
    history = history[history["value"].notna()]
    return {
        "trends": _insert(conn, EvaluationTrend, run_id, trends, TREND_COLUMNS),
        "history": _insert(conn, EvaluationHistory, run_id, history, HISTORY_COLUMNS),
        "indicator_scores": _insert(
            conn, CompositeIndicatorScore, run_id, indicator_scores, INDICATOR_SCORE_COLUMNS
        ),
        "weights": _insert(conn, CompositeWeight, run_id, weights, WEIGHT_COLUMNS),
        "profile": _insert(conn, UnitProfile, run_id, profile, PROFILE_COLUMNS),
    }


def trends(
    conn: Connection, run_id: int, *, org_units: Collection[str] | None = None
) -> pd.DataFrame:
    """The stored trends of a run (of ``org_units`` only, when given) with the value and
    baseline of their result, in result order: `TREND_COLUMNS` plus ``value`` and
    ``baseline_value`` (empty when none stored)."""
    t = EvaluationTrend
    query = select(*(getattr(t, c) for c in TREND_COLUMNS)).where(t.run_id == run_id)
    stored = _keep_units(
        _frame(conn, _of_units(query, t.org_unit, org_units), TREND_COLUMNS), org_units
    )
    columns = [*TREND_COLUMNS, "value", "baseline_value"]
    if stored.empty:
        return stored.assign(value=pd.Series(dtype=float), baseline_value=pd.Series(dtype=float))
    of = result_parts.read(
        conn, run_id, org_units=set(stored["org_unit"]), columns=[*KEYS, "value", "baseline_value"]
    )
    # the results' order, as the join on the results' row ids gave it before 0021
    joined = result_parts.to_frame(of).merge(stored, on=KEYS, how="inner", validate="1:1")
    return joined[columns].reset_index(drop=True)


def history(conn: Connection, run_id: int, org_unit: str | None = None) -> pd.DataFrame:
    """The earlier values a run computed (of one unit, or all), `HISTORY_COLUMNS`."""
    h = EvaluationHistory
    query = select(*(getattr(h, c) for c in HISTORY_COLUMNS)).where(h.run_id == run_id)
    if org_unit is not None:
        query = query.where(h.org_unit == org_unit)
    return _frame(conn, query.order_by(h.id), HISTORY_COLUMNS)


def indicator_scores(
    conn: Connection, run_id: int, *, org_units: Collection[str] | None = None
) -> pd.DataFrame:
    """The indicator scores of a run (of ``org_units`` only, when given)."""
    t = CompositeIndicatorScore
    query = select(*(getattr(t, c) for c in INDICATOR_SCORE_COLUMNS)).where(t.run_id == run_id)
    query = _of_units(query, t.org_unit, org_units).order_by(t.id)
    return _keep_units(_frame(conn, query, INDICATOR_SCORE_COLUMNS), org_units)


def weights(conn: Connection, run_id: int) -> pd.DataFrame:
    return _read(conn, CompositeWeight, run_id, WEIGHT_COLUMNS)


def profile(
    conn: Connection, run_id: int, *, org_units: Collection[str] | None = None
) -> pd.DataFrame:
    """The units' size and area a run stored (of ``org_units`` only, when given)."""
    t = UnitProfile
    query = select(*(getattr(t, c) for c in PROFILE_COLUMNS)).where(t.run_id == run_id)
    query = _of_units(query, t.org_unit, org_units).order_by(t.id)
    return _keep_units(_frame(conn, query, PROFILE_COLUMNS), org_units)


def _insert(conn: Connection, table, run_id: int, frame: pd.DataFrame, columns: list[str]) -> int:
    """Insert ``frame[columns]`` as rows of ``table`` for run ``run_id`` (NaN → NULL) in bulk
    (`bulk.insert_rows`: COPY on PostgreSQL, executemany of plain tuples on SQLite, the run's
    id and any other one-value column written into the statement once), `bulk.CHUNK` rows
    at a time: a national run's 8.6 M rows are never copied whole."""
    for start in range(0, len(frame), bulk.CHUNK):
        part = _typed(frame.iloc[start : start + bulk.CHUNK], columns, table)
        bulk.insert_rows(conn, table.__table__, part.assign(run_id=run_id))
    return len(frame)


def _typed(part: pd.DataFrame, columns: list[str], table) -> pd.DataFrame:
    """``part`` with the column types of ``table``: integer columns as integers (a count
    that a merge made 3.0 is stored as 3), float columns as floats; text as it is."""
    out = {}
    for name in columns:
        kind = table.__table__.c[name].type
        column = part[name]
        if isinstance(kind, Integer):
            column = pd.to_numeric(column).round().astype("Int64")
        elif isinstance(kind, Float):
            column = pd.to_numeric(column).astype(float)
        out[name] = column
    return pd.DataFrame(out, index=part.index)


def _read(conn: Connection, table, run_id: int, columns: list[str]) -> pd.DataFrame:
    query = select(*(getattr(table, c) for c in columns)).where(table.run_id == run_id)
    return _frame(conn, query.order_by(table.id), columns)


def _frame(conn: Connection, query, columns: list[str]) -> pd.DataFrame:
    """The rows of ``query``; float columns stay float when every value is NULL."""
    frame = pd.DataFrame(conn.execute(query).all(), columns=columns)
    for name, column in zip(columns, query.selected_columns, strict=True):
        if isinstance(column.type, Float):
            frame[name] = frame[name].astype(float)
    return frame

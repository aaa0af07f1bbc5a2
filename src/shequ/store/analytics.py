"""The stored results an analyst picks: indicators × units × periods across runs.

Each (indicator, unit, period) cell comes from the newest complete run of the plan that
holds it, so a period evaluated long ago and one evaluated yesterday sit side by side (the
way DHIS2's analytics tables serve its Data Visualizer). Queries are bounded by the
selection: the caller passes the codes it wants, never "everything".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, select

from . import result_parts
from .runs import RESULT_COLUMNS
from .tables.core import EvaluationRun, OrgUnit, OrgUnitPath


def cells(
    conn: Connection,
    plan_code: str,
    indicators: Sequence[str],
    org_units: Sequence[str],
    periods: Sequence[str],
) -> pd.DataFrame:
    """The newest stored result of every asked (indicator, unit, period), with its run id;
    `RESULT_COLUMNS` + ``run_id``. Cells no run holds are absent."""
    if not (indicators and org_units and periods):
        return pd.DataFrame(columns=[*RESULT_COLUMNS, "run_id"])
    runs = _runs_with(conn, plan_code, periods)
    if not runs:
        return pd.DataFrame(columns=[*RESULT_COLUMNS, "run_id"])
    asked_indicators = pa.array(sorted(set(indicators)), pa.string())
    asked_periods = pa.array(sorted(set(periods)), pa.string())
    parts = []
    for run_id in runs:
        # each run's parts that hold an asked unit (`result_parts`), never the whole run
        rows = result_parts.read(conn, run_id, org_units=org_units)
        rows = rows.filter(
            pc.and_(
                pc.is_in(rows["indicator"], value_set=asked_indicators),
                pc.is_in(rows["period"], value_set=asked_periods),
            )
        )
        parts.append(result_parts.to_frame(rows).assign(run_id=run_id))
    found = pd.concat(parts, ignore_index=True)
    newest = found.groupby(["indicator", "org_unit", "period"])["run_id"].transform("max")
    return found[found["run_id"] == newest].reset_index(drop=True)


def _runs_with(conn: Connection, plan_code: str, asked: Sequence[str]) -> list[int]:
    """Ids of the complete runs of the plan that evaluated one of the ``asked`` periods."""
    query = select(EvaluationRun.id, EvaluationRun.periods).where(
        EvaluationRun.complete.is_(True), EvaluationRun.plan_code == plan_code
    )
    wanted = set(asked)
    return [int(i) for i, p in conn.execute(query) if wanted & set(p.split(","))]


def periods(conn: Connection, plan_code: str) -> list[str]:
    """Every period some complete run of the plan evaluated, oldest first."""
    query = select(EvaluationRun.periods).where(
        EvaluationRun.complete.is_(True), EvaluationRun.plan_code == plan_code
    )
    found = {p for row in conn.execute(query).scalars() for p in row.split(",") if p}
    return sorted(found)


def units_below(
    conn: Connection, code: str, day: dt.date, *, depth: int | None, level: str | None, limit: int
) -> pd.DataFrame:
    """Units of ``code``'s subtree on ``day`` (code, name, level), at ``depth`` below it
    and/or of ``level``, at most ``limit`` + 1 rows (the caller tells "too many" by the
    extra row); ordered by code."""
    query = (
        select(OrgUnit.code, OrgUnit.name, OrgUnit.level)
        .join(OrgUnitPath, OrgUnitPath.descendant_code == OrgUnit.code)
        .where(OrgUnitPath.ancestor_code == code)
        .where(OrgUnitPath.valid_from <= day, OrgUnitPath.valid_to > day)
        .where(OrgUnit.valid_from <= day, OrgUnit.valid_to > day)
    )
    if depth is not None:
        query = query.where(OrgUnitPath.depth == depth)
    if level is not None:
        query = query.where(OrgUnit.level == level)
    return pd.read_sql(query.order_by(OrgUnit.code).limit(limit + 1), conn)


def units_named(conn: Connection, codes: Sequence[str], day: dt.date) -> pd.DataFrame:
    """The units of ``codes`` that exist on ``day`` (code, name, level), in the given order."""
    query = select(OrgUnit.code, OrgUnit.name, OrgUnit.level).where(
        OrgUnit.code.in_(list(codes)), OrgUnit.valid_from <= day, OrgUnit.valid_to > day
    )
    found = pd.read_sql(query, conn).drop_duplicates("code").set_index("code")
    return found.reindex([c for c in codes if c in found.index]).reset_index()

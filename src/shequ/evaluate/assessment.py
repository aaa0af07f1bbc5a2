"""The whole evaluation step of the loop: indicator values and attainment, composite scores
with rank intervals and coordination, trends and projections, and the review of follow-up
tasks — what ``shequ evaluate --composite`` and ``make run`` show.

`assess` computes it and stores it as one run, in one transaction; `load` reads a stored
run back (no engine), which is what reports and pages show.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from .. import progress
from ..framework.models import Plan
from ..framework.periods import parse_period
from ..store import orgunits as store_orgunits
from ..store import runs as store_runs
from ..store.db import Store
from .composite.coordination import class_names
from .composite.run import CompositeResult, check_settings, composite
from .run import Evaluation, _order, evaluate, save
from .trends import TREND_COLUMNS, assess_trends

HISTORY_PERIODS = 5


@dataclass
class Assessment:
    evaluation: Evaluation
    composite: CompositeResult
    trends: pd.DataFrame


def assess(
    store: Store,
    plan: Plan,
    *,
    periods: Sequence[str],
    level: str | None = None,
    engine: str | None = None,
    persist: bool = True,
    actor: str = "cli",
    sensitivity: bool = True,
    unit: str | None = None,
) -> Assessment:
    """Evaluate ``periods`` with 5 earlier periods of history, then score and project.

    Composite scores compare units of the same level and period; with ``level`` only that
    level is scored; with ``unit`` only that unit's subtree is evaluated (so ranks are among
    its units). With ``persist`` the run is saved with its results, scores and
    coordination, trends, history and diagnosis inputs, all in one transaction.
    """
    check_settings(plan)
    evaluation = evaluate(
        store,
        plan,
        periods=periods,
        level=level,
        engine=engine,
        persist=False,
        history=HISTORY_PERIODS,
        unit=unit,
    )
    progress.phase("综合得分与排名区间 / composite scores and rank intervals")
    scores = composite(
        evaluation.results,
        plan,
        history=evaluation.history,
        units=evaluation.units,
        sensitivity=sensitivity,
    )
    history = pd.concat(
        [evaluation.history, evaluation.results[["indicator", "org_unit", "period", "value"]]]
    )
    progress.phase("趋势与预测 / trends and projections")
    trends = assess_trends(history, evaluation.results)
    result = Assessment(evaluation, scores, trends)
    if persist:
        save(
            store,
            evaluation,
            actor=actor,
            with_run=lambda conn, run_id: _save(conn, run_id, result),
        )
    return result


def _save(conn: Connection, run_id: int, result: Assessment) -> None:
    """What a run stores beside its results (see `load` for what it gives back)."""
    scores = result.composite
    store_runs.save_composite(conn, run_id, scores.scores, scores.coordination)
    store_runs.save_assessment(
        conn,
        run_id,
        trends=result.trends,
        history=result.evaluation.history,
        indicator_scores=scores.indicator_scores,
        weights=scores.weights,
        profile=result.evaluation.profile,
    )


def load(
    conn: Connection,
    run: int | str = "latest",
    *,
    history: bool = True,
    org_units: Collection[str] | None = None,
    trend_units: Collection[str] | None = None,
) -> Assessment:
    """The stored run ``run`` (an id, or ``"latest"``) as `assess` returned it, read from the
    store without an engine: results named as the units were on each period's last day,
    composite scores with ranks and coordination, weights and indicator scores, trends, the
    units' size and area, and (with ``history``) the earlier values.

    Not stored, so empty or absent: imputations, the sensitivity table, TOPSIS, coupling and
    development degrees, task reviews. A run evaluated without composite scores (or before
    trends were stored) gives empty scores and trends. With ``org_units`` only those units'
    results, scores and trends are read (a page's unit, its children and its peers), and
    with ``trend_units`` the trends of those units only (the ones a page shows).
    """
    row = store_runs.get(conn, run)
    plan = Plan.model_validate_json(row.plan_json)
    asked = [parse_period(p) for p in row.periods.split(",")]
    units = _units(conn, asked, org_units)
    named = units[["org_unit", "period", "org_unit_name", "level"]]
    results = store_runs.results(conn, row.id, org_units=org_units)
    results = results.merge(named, on=["org_unit", "period"], how="left")
    evaluation = Evaluation(
        row.id,
        plan,
        [p.code for p in asked],
        row.engine,
        _order(results, plan),
        {"compute": row.seconds},
        row.inputs_digest,
        history=store_runs.history(conn, row.id) if history else pd.DataFrame(),
        units=units,
        profile=store_runs.profile(conn, row.id, org_units=org_units),
        level=row.level,
    )
    trends = store_runs.trends(conn, row.id, org_units=trend_units or org_units)
    trends["change_vs_previous"] = trends["value"] - trends["previous_value"]
    trends["change_vs_baseline"] = trends["value"] - trends["baseline_value"]
    composite = _composite(conn, row.id, plan, named, org_units)
    return Assessment(evaluation, composite, trends[TREND_COLUMNS])


def _units(conn: Connection, asked: list, codes: Collection[str] | None) -> pd.DataFrame:
    """The units of each asked period (of ``codes`` only, when given) as they were on its
    last day, as `run.evaluate` had them (`indicators.units_on`), from the store."""
    frames = [
        store_orgunits.units_on(conn, p.end, codes=codes).assign(period=p.code) for p in asked
    ]
    named = pd.concat(frames, ignore_index=True)
    return named.rename(columns={"code": "org_unit", "name": "org_unit_name"})


def _composite(
    conn: Connection,
    run_id: int,
    plan: Plan,
    named: pd.DataFrame,
    org_units: Collection[str] | None = None,
) -> CompositeResult:
    stored = store_runs.composite_scores(conn, run_id, org_units=org_units)
    indicator_scores = store_runs.indicator_scores(conn, run_id, org_units=org_units)
    names = named[["org_unit", "period", "org_unit_name"]]
    coupled = stored["dimension"] == "coordination"
    scores = (
        stored[~coupled].drop(columns="label").merge(names, on=["org_unit", "period"], how="left")
    )
    coordination = (
        stored[coupled][["org_unit", "period", "level", "score", "label"]]
        .rename(columns={"score": "coordination", "label": "class"})
        .merge(names, on=["org_unit", "period"], how="left")
        .reset_index(drop=True)
    )
    labels = [class_names(c) if isinstance(c, str) else (None, None) for c in coordination["class"]]
    coordination["class_zh"] = [zh for zh, _ in labels]
    coordination["class_en"] = [en for _, en in labels]
    return CompositeResult(
        scores=scores.reset_index(drop=True),
        coordination=coordination,
        weights=store_runs.weights(conn, run_id),
        imputed=pd.DataFrame(
            columns=["org_unit", "indicator", "method", "value", "period", "level"]
        ),
        indicator_scores=indicator_scores.reset_index(drop=True),
        sensitivity=pd.DataFrame(
            columns=["choice", "mean_rank_shift", "share_of_units", "period", "level"]
        ),
        settings=plan.composite,
    )

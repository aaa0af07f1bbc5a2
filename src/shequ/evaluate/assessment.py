"""The whole evaluation step of the loop: indicator values and attainment, composite scores
with rank intervals and coordination, trends and projections, and the review of follow-up
tasks — what ``shequ evaluate --composite`` and ``make run`` show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..framework.models import Plan
from ..store import runs as store_runs
from ..store.db import Store
from .composite.run import CompositeResult, check_settings, composite
from .run import Evaluation, evaluate
from .trends import assess_trends

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
) -> Assessment:
    """Evaluate ``periods`` with 5 earlier periods of history, then score and project.

    Composite scores compare units of the same level and period; with ``level`` only that
    level is scored. Scores and coordination are saved with the evaluation run.
    """
    check_settings(plan)
    evaluation = evaluate(
        store,
        plan,
        periods=periods,
        level=level,
        engine=engine,
        persist=persist,
        actor=actor,
        history=HISTORY_PERIODS,
    )
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
    trends = assess_trends(history, evaluation.results)
    if persist and evaluation.run_id is not None:
        with store.begin() as conn:
            store_runs.save_composite(conn, evaluation.run_id, scores.scores, scores.coordination)
    return Assessment(evaluation, scores, trends)

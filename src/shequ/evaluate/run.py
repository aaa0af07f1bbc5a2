"""Run an evaluation: load → compute (Ibis) → compare with targets → persist.

``evaluate(store, plan, periods=["2025"])`` is what ``shequ evaluate`` and notebooks call.
Baseline periods of ``reduce_by`` targets are computed alongside, with the tree as it stood
then, so that a unit is compared with its own past.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection

from .. import progress
from ..errors import EvaluationError
from ..framework.levels import LEVEL_ORDER
from ..framework.loader import load_plan, plan_digest
from ..framework.models import Indicator, Plan
from ..framework.periods import Period, parse_period, shift
from ..store import orgunits as store_orgunits
from ..store import runs as store_runs
from ..store.db import Store
from . import attainment, backends
from .indicators import indicator_values, periods_read
from .tasks import review_tasks

RESULT_COLUMNS = [
    "indicator",
    "indicator_name",
    "dimension",
    "org_unit",
    "org_unit_name",
    "level",
    "period",
    "value",
    "unit",
    *store_runs.RESULT_COLUMNS[4:],  # numerator … expected_units, as stored
]


@dataclass
class Evaluation:
    """The outcome of a run: results (one row per indicator × unit × period) and metadata."""

    run_id: int | None
    plan: Plan
    periods: list[str]
    engine: str
    results: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)
    inputs_digest: str = ""
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    units: pd.DataFrame = field(default_factory=pd.DataFrame)
    task_reviews: pd.DataFrame = field(default_factory=pd.DataFrame)
    profile: pd.DataFrame = field(default_factory=pd.DataFrame)
    level: str | None = None  # only this level's results were kept

    def summary(self, org_unit: str | None = None) -> pd.DataFrame:
        """Results of ``org_unit`` (default: the units at the top level), per indicator."""
        frame = self.results
        if org_unit is not None:
            return frame[frame["org_unit"] == org_unit]
        ranks = frame["level"].map(LEVEL_ORDER)
        return frame[ranks == ranks.min()]


def evaluate(
    store: Store,
    plan: Plan | None = None,
    *,
    periods: Sequence[str],
    level: str | None = None,
    engine: str | None = None,
    persist: bool = True,
    actor: str = "cli",
    history: int = 0,
) -> Evaluation:
    """Evaluate every indicator of ``plan`` for every unit (or units of ``level``) and period.

    With ``history`` = k, the k periods before each asked one are computed too and returned
    as `Evaluation.history` (for trends and last-period imputation; `evaluate` does not
    persist them, `assessment.assess` stores them with its run).
    Cost: one query on the engine over the data values of the periods (and baselines);
    results are units × indicators × periods rows, persisted in one transaction.
    """
    plan = plan or load_plan()
    asked = [parse_period(p) for p in periods]
    if not asked:
        raise EvaluationError("至少需要一个期间 / give at least one period")
    computed = _with_baselines(asked, plan, history)
    clock = time.perf_counter()
    progress.phase(f"计算指标 / computing indicators: {', '.join(p.code for p in computed)}")
    with backends.connect(store, engine) as eng:
        chosen = [*plan.indicators, *profile_indicators(plan)]
        raw = (
            indicator_values(eng.tables, plan, computed, indicators=chosen).to_pyarrow().to_pandas()
        )
        profile = _profile(raw, asked)
        raw = raw[~raw["indicator"].isin(PROFILE)]
        digest = _inputs_digest(eng.tables, periods_read(plan.indicators, computed))
        engine_name = eng.name
    seconds = {"compute": time.perf_counter() - clock}
    progress.phase(f"对照目标 / comparing {len(raw):,} 个结果 results with targets")
    with store.begin() as conn:
        units = _units(conn, asked)
        results = _assess(conn, _describe(raw, units), raw, plan, asked)
        results = _order(results, plan)
    if level is not None:
        results = results[results["level"] == level]
    seconds["total"] = time.perf_counter() - clock
    earlier = raw[~raw["period"].isin([p.code for p in asked])]
    evaluation = Evaluation(
        None,
        plan,
        [p.code for p in asked],
        engine_name,
        results,
        seconds,
        digest,
        history=earlier[["indicator", "org_unit", "period", "value"]].reset_index(drop=True),
        units=units,
        profile=profile,
        level=level,
    )
    if persist:
        save(store, evaluation, actor=actor)
    return evaluation


def save(
    store: Store,
    evaluation: Evaluation,
    *,
    actor: str,
    with_run: Callable[[Connection, int], object] | None = None,
) -> int:
    """Persist ``evaluation`` as a new run, in one transaction: the run, its results, what
    ``with_run(conn, run_id)`` writes beside them (composite scores, trends), and the review
    of the open follow-up tasks; sets its ``run_id`` and ``task_reviews``, returns the id.
    A reader sees the whole run or none of it: the run is marked complete last, and every
    reader of runs (`store.runs.get`) sees complete runs only."""
    clock = time.perf_counter()
    progress.phase(f"保存运行 / saving the run: {len(evaluation.results):,} 行 rows")
    with store.begin() as conn:
        run_id = _persist(conn, evaluation, actor)
        if with_run is not None:
            with_run(conn, run_id)
        reviews = review_tasks(
            conn, evaluation.results, evaluation.plan, run_id=run_id, actor=actor
        )
        store_runs.mark_complete(conn, run_id)  # issue 13 #13: visible only once whole
    evaluation.run_id, evaluation.task_reviews = run_id, reviews
    progress.end()
    evaluation.seconds["total"] += time.perf_counter() - clock
    return run_id


PROFILE = {"profile__size": "size", "profile__area": "area"}


def profile_indicators(plan: Plan) -> list[Indicator]:
    """Size (population) and area of every unit, rolled up like any indicator, so that the
    diagnosis can find peers of similar size and density; computed in the same query."""
    settings, dimension = plan.composite, plan.dimensions[0].code
    return [
        Indicator(
            code=code,
            name=label,
            name_en=label,
            dimension=dimension,
            numerator=element,
            definition=label,
            definition_en=label,
        )
        for code, label, element in (
            ("profile__size", "size", settings.peer_size),
            ("profile__area", "area", settings.peer_area),
        )
    ]


def _profile(raw: pd.DataFrame, asked: list[Period]) -> pd.DataFrame:
    rows = raw[raw["indicator"].isin(PROFILE) & raw["period"].isin([p.code for p in asked])]
    wide = rows.pivot_table(index=["org_unit", "period"], columns="indicator", values="value")
    return wide.reindex(columns=list(PROFILE)).rename(columns=PROFILE).reset_index()


def _with_baselines(asked: list[Period], plan: Plan, history: int) -> list[Period]:
    codes = {p.code: p for p in asked}
    for period in asked:
        for step in range(1, history + 1):
            earlier = shift(period, -step)
            codes.setdefault(earlier.code, earlier)
    for target in plan.targets:
        if target.baseline_period:
            codes.setdefault(target.baseline_period, parse_period(target.baseline_period))
    return sorted(codes.values(), key=lambda p: (p.start, p.end))


def _assess(
    conn: Connection, wanted: pd.DataFrame, raw: pd.DataFrame, plan: Plan, asked: list[Period]
) -> pd.DataFrame:
    scopes: dict[tuple[str, str], dict[str, int]] = {}
    for target in plan.targets:
        if target.scope is not None:
            for p in asked:
                scopes[(target.scope, p.code)] = store_orgunits.subtree_depths(
                    conn, target.scope, p.end
                )
    return attainment.assess(wanted, plan, baselines=raw, scope_depths=scopes)


def _units(conn: Connection, asked: list[Period]) -> pd.DataFrame:
    """Units of each asked period as they were on its last day (name, level, parent)."""
    return pd.concat(
        [store_orgunits.units_on(conn, p.end).assign(period=p.code) for p in asked],
        ignore_index=True,
    ).rename(columns={"code": "org_unit", "name": "org_unit_name"})


def _describe(raw: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The asked periods' rows, with unit names and levels as they were in each period."""
    return raw.merge(
        units[["org_unit", "period", "org_unit_name", "level"]], on=["org_unit", "period"]
    )


def _order(out: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    by_code = {i.code: i for i in plan.indicators}
    out["indicator_name"] = out["indicator"].map({c: i.name for c, i in by_code.items()})
    out["dimension"] = out["indicator"].map({c: i.dimension for c, i in by_code.items()})
    out["unit"] = out["indicator"].map({c: i.unit for c, i in by_code.items()})
    dimensions = {d.code: i for i, d in enumerate(plan.dimensions)}
    order = {
        c: dimensions[ind.dimension] * 10_000 + i for i, (c, ind) in enumerate(by_code.items())
    }
    out = out.assign(_i=out["indicator"].map(order), _l=out["level"].map(LEVEL_ORDER)).sort_values(
        ["period", "_l", "org_unit", "_i"]
    )
    return out[RESULT_COLUMNS].reset_index(drop=True)


def _inputs_digest(tables: dict, periods: list[str]) -> str:
    """sha256 over the data values read (sorted) and the tree's closure rows."""
    values = tables["data_value"]
    rows = values.filter(values.period.isin(periods))
    frame = rows.select("data_element", "org_unit", "period", "value").to_pandas()
    paths = tables["org_unit_path"].to_pandas()
    digest = hashlib.sha256()
    for part in (frame, paths.astype(str)):
        part = part.sort_values(list(part.columns)).reset_index(drop=True)
        digest.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:32]


def _persist(conn: Connection, evaluation: Evaluation, actor: str) -> int:
    plan = evaluation.plan
    meta = {
        "actor": actor,
        "plan_code": plan.code,
        "plan_version": plan.version,
        "plan_digest": plan_digest(plan),
        "plan_json": plan.model_dump_json(),
        "periods": ",".join(evaluation.periods),
        "level": evaluation.level,
        "engine": evaluation.engine,
        "inputs_digest": evaluation.inputs_digest,
        "seconds": evaluation.seconds["compute"],
    }
    return store_runs.save(conn, meta, evaluation.results)

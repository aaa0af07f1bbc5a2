"""Run an evaluation: load → compute (Ibis) → compare with targets → persist.

``evaluate(store, plan, periods=["2025"])`` is what ``shequ evaluate`` and notebooks call.
Baseline periods of ``reduce_by`` targets are computed alongside, with the tree as it stood
then, so that a unit is compared with its own past.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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
from . import backends
from .digest import inputs_digest
from .indicators import cells_read, indicator_values, units_on
from .results import assemble, indicator_order
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
    unit: str | None = None  # only this unit's subtree was evaluated

    def summary(self, org_unit: str | None = None) -> pd.DataFrame:
        """Results of ``org_unit`` (default: the units at the top level), per indicator."""
        frame = self.results
        if org_unit is not None:
            return frame[frame["org_unit"] == org_unit]
        # the rank of each distinct level, then of each row (a map of every row's text took
        # a second for a national run); no level or an unknown one is never the top
        codes, levels = pd.factorize(frame["level"])
        ranks = np.append(pd.Index(levels).map(LEVEL_ORDER).to_numpy(dtype=float), np.nan)
        return frame[ranks[codes] == np.nanmin(ranks, initial=np.inf)]


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
    unit: str | None = None,
) -> Evaluation:
    """Evaluate every indicator of ``plan`` for every unit (or units of ``level``) and period.

    With ``history`` = k, the k periods before each asked one are computed too and returned
    as `Evaluation.history` (for trends and last-period imputation; `evaluate` does not
    persist them, `assessment.assess` stores them with its run).
    With ``unit``, only that unit and its descendants are evaluated (targets scoped to an
    ancestor still apply): their rows equal those of a full run.
    Cost: one query on the engine over the data values of the periods (and baselines);
    results are units × indicators × periods rows, persisted in one transaction.
    """
    plan = plan or load_plan()
    asked = [parse_period(p) for p in periods]
    if not asked:
        raise EvaluationError("至少需要一个期间 / give at least one period")
    computed = _with_baselines(asked, plan, history)
    if unit is not None:
        _check_unit(store, unit, asked)
    clock = time.perf_counter()
    chosen = [*plan.indicators, *profile_indicators(plan)]
    work = _work(plan, asked, computed, history)
    cells = cells_read(work, computed)
    reads = backends.Reads(tuple(sorted({p for _, p in cells})), unit, tuple(cells))
    progress.phase("读取数据 / reading the values", total=len(cells), unit="数据项·期间 cells")
    with backends.connect(store, engine, reads=reads) as eng:
        progress.phase(f"计算指标 / computing indicators: {', '.join(p.code for p in computed)}")
        expr = indicator_values(eng.tables, plan, computed, indicators=chosen, unit=unit, work=work)
        raw = eng.arrow(expr)
        profile = _profile(raw, asked)
        raw = raw.filter(pc.invert(pc.is_in(raw["indicator"], pa.array(list(PROFILE)))))
        progress.phase("输入摘要 / inputs digest")
        digest = inputs_digest(
            eng.tables, cells_read(_plain(work), computed), unit, batches=eng.batches
        )
        units = eng.arrow(units_on(eng.tables, asked, unit)).to_pandas()
        engine_name = eng.name
    seconds = {"compute": time.perf_counter() - clock}
    progress.phase(f"对照目标 / comparing {len(raw):,} 个结果 results with targets")
    codes = [p.code for p in asked]
    with store.begin() as conn:
        scopes = _scope_depths(conn, plan, asked)
    results = assemble(
        raw, units, plan, asked=codes, columns=RESULT_COLUMNS, scope_depths=scopes, level=level
    )
    seconds["total"] = time.perf_counter() - clock
    earlier = raw.filter(pc.invert(pc.is_in(raw["period"], pa.array(codes))))
    del raw
    evaluation = Evaluation(
        None,
        plan,
        [p.code for p in asked],
        engine_name,
        results,
        seconds,
        digest,
        history=earlier.select(["indicator", "org_unit", "period", "value"]).to_pandas(),
        units=units,
        profile=profile,
        level=level,
        unit=unit,
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


def _profile(raw: pa.Table, asked: list[Period]) -> pd.DataFrame:
    mask = pc.and_(
        pc.is_in(raw["indicator"], pa.array(list(PROFILE))),
        pc.is_in(raw["period"], pa.array([p.code for p in asked])),
    )
    rows = raw.filter(mask).select(["indicator", "org_unit", "period", "value"]).to_pandas()
    wide = rows.pivot_table(index=["org_unit", "period"], columns="indicator", values="value")
    return wide.reindex(columns=list(PROFILE)).rename(columns=PROFILE).reset_index()


def _check_unit(store: Store, unit: str, asked: list[Period]) -> None:
    with store.begin() as conn:
        if not any(store_orgunits.subtree(conn, unit, p.end) for p in asked):
            days = ", ".join(str(p.end) for p in asked)
            msg = (
                f"单位 {unit} 在 {days} 不存在 / org unit {unit} does not exist on {days}"
                " (see `shequ orgunits`)"
            )
            raise EvaluationError(msg)


def _work(
    plan: Plan, asked: list[Period], computed: list[Period], history: int
) -> dict[str, list[Indicator]]:
    """The indicators evaluated in each computed period: all of them (and the unit
    profile, in the asked periods) in the asked periods and their ``history``; in a
    baseline period only, those whose ``reduce_by`` target measures from it (so a national
    run reads the 2020 values of two data elements, not of all eighteen)."""
    full = {p.code for p in asked} | {
        shift(p, -step).code for p in asked for step in range(1, history + 1)
    }
    measured = {}
    for target in plan.targets:
        if target.baseline_period:
            measured.setdefault(target.baseline_period, set()).add(target.indicator)
    profile = profile_indicators(plan)
    work = {}
    for period in computed:
        if period.code in full:
            extra = profile if period.code in {p.code for p in asked} else []
            work[period.code] = [*plan.indicators, *extra]
        else:
            chosen = measured.get(period.code, set())
            work[period.code] = [i for i in plan.indicators if i.code in chosen]
    return work


def _plain(work: dict[str, list[Indicator]]) -> dict[str, list[Indicator]]:
    """``work`` without the unit profile (the digest folds what the plan's indicators read)."""
    return {code: [i for i in chosen if i.code not in PROFILE] for code, chosen in work.items()}


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


def _scope_depths(
    conn: Connection, plan: Plan, asked: list[Period]
) -> dict[tuple[str, str], dict[str, int]]:
    """The members of every scoped target's subtree, with their depth, per asked period."""
    scopes: dict[tuple[str, str], dict[str, int]] = {}
    for target in plan.targets:
        if target.scope is not None:
            for p in asked:
                scopes[(target.scope, p.code)] = store_orgunits.subtree_depths(
                    conn, target.scope, p.end
                )
    return scopes


def _order(out: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    by_code = {i.code: i for i in plan.indicators}
    out["indicator_name"] = out["indicator"].map({c: i.name for c, i in by_code.items()})
    out["dimension"] = out["indicator"].map({c: i.dimension for c, i in by_code.items()})
    out["unit"] = out["indicator"].map({c: i.unit for c, i in by_code.items()})
    order = indicator_order(plan)
    out = out.assign(_i=out["indicator"].map(order), _l=out["level"].map(LEVEL_ORDER)).sort_values(
        ["period", "_l", "org_unit", "_i"]
    )
    return out[RESULT_COLUMNS].reset_index(drop=True)


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
        "unit": evaluation.unit,
        "engine": evaluation.engine,
        "inputs_digest": evaluation.inputs_digest,
        "seconds": evaluation.seconds["compute"],
    }
    return store_runs.save(conn, meta, evaluation.results)

"""The approaches the benchmark times, each as ``run(path, periods) -> (frame, phases)``.

``phases`` maps a phase name to seconds; ``total`` is always there. Every approach opens
its own connection inside the timed region (connecting is milliseconds everywhere) and
ends with a pandas DataFrame of the columns of `shequ.evaluate.indicators.OUTPUT`.
"""

from __future__ import annotations

import importlib
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from shequ.framework.models import Indicator, Plan
from shequ.framework.periods import Period

Phases = dict[str, float]
Runner = Callable[[Path, Sequence[Period]], tuple[pd.DataFrame, Phases]]
APPROACHES = ("sql", "shequ", "shequ_sqlite", "evaluate", "pandas")


def _plan() -> tuple[Plan, list[Indicator]]:
    from formulas import check_plan

    from shequ.framework.loader import load_plan

    plan = load_plan()
    return plan, check_plan(plan)


def run_shequ(
    path: Path, periods: Sequence[Period], engine: str = "duckdb"
) -> tuple[pd.DataFrame, Phases]:
    """``indicator_values(...).to_pyarrow().to_pandas()`` on ``engine`` over the store (as `evaluate` fetches it)."""
    from shequ.evaluate import backends
    from shequ.evaluate.indicators import indicator_values
    from shequ.store.db import open_store

    plan, chosen = _plan()
    clock = time.perf_counter()
    store = open_store(path, migrate=False)
    try:
        with backends.connect(store, engine) as eng:
            expr = indicator_values(eng.tables, plan, periods, indicators=chosen)
            built = time.perf_counter()
            frame = expr.to_pyarrow().to_pandas()
    finally:
        store.close()
    end = time.perf_counter()
    return frame, {"build_expr": built - clock, "execute": end - built, "total": end - clock}


def run_shequ_sqlite(path: Path, periods: Sequence[Period]) -> tuple[pd.DataFrame, Phases]:
    return run_shequ(path, periods, engine="sqlite")


def run_evaluate(path: Path, periods: Sequence[Period]) -> tuple[pd.DataFrame, Phases]:
    """``evaluate(store, plan, engine="duckdb", persist=False)`` end to end, with the plan
    cut to the 13 indicators (every target of the default plan is on one of them)."""
    from shequ.evaluate.run import evaluate
    from shequ.store.db import open_store

    plan, chosen = _plan()
    plan = plan.model_copy(update={"indicators": tuple(chosen)})
    clock = time.perf_counter()
    store = open_store(path)
    try:
        result = evaluate(
            store, plan, periods=[p.code for p in periods], engine="duckdb", persist=False
        )
    finally:
        store.close()
    end = time.perf_counter()
    return result.results, {"compute": result.seconds["compute"], "total": end - clock}


def run_pandas(path: Path, periods: Sequence[Period]) -> tuple[pd.DataFrame, Phases]:
    import peer_pandas

    clock = time.perf_counter()
    tables = peer_pandas.read(path, periods)
    read = time.perf_counter()
    frame = peer_pandas.compute(tables, periods)
    end = time.perf_counter()
    return frame, {"read": read - clock, "compute": end - read, "total": end - clock}


def run_sql(path: Path, periods: Sequence[Period]) -> tuple[pd.DataFrame, Phases]:
    import peer_sql

    clock = time.perf_counter()
    frame = peer_sql.run(path, periods)
    return frame, {"total": time.perf_counter() - clock}


RUNNERS: dict[str, Runner] = {
    "sql": run_sql,
    "shequ": run_shequ,
    "shequ_sqlite": run_shequ_sqlite,
    "pandas": run_pandas,
    "evaluate": run_evaluate,
}


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(
    name: str, path: Path, periods: Sequence[Period], runs: int, *, warmup: bool = True
) -> tuple[pd.DataFrame, dict]:
    """One warm-up (unless ``warmup`` is False) and ``runs`` timed runs of approach ``name``.

    Returns the last result and ``{"runs": [phases...], "median": phases, "peak_mb",
    "baseline_mb"}``; ``baseline_mb`` is the peak before the first run (imports done).
    """
    runner = RUNNERS[name]
    baseline = peak_rss_mb()
    if warmup:
        runner(path, periods)
    timings = []
    frame = pd.DataFrame()
    for _ in range(runs):
        frame, phases = runner(path, periods)
        timings.append(phases)
    median = {k: statistics.median(t[k] for t in timings) for k in timings[0]}
    return frame, {
        "runs": timings,
        "median": median,
        "peak_mb": peak_rss_mb(),
        "baseline_mb": baseline,
        "rows": len(frame),
    }


PRELOAD = {
    "shequ": ("ibis", "shequ.evaluate.run", "duckdb_extensions"),
    "shequ_sqlite": ("ibis", "shequ.evaluate.run"),
    "evaluate": ("ibis", "shequ.evaluate.run", "duckdb_extensions"),
    "sql": ("duckdb_extensions", "peer_sql"),
    "pandas": ("peer_pandas",),
}


def preload(name: str) -> None:
    """Import what approach ``name`` needs, so the memory baseline includes its libraries."""
    for module in PRELOAD[name]:
        importlib.import_module(module)

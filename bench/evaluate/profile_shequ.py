"""Where does shequ's evaluation time go? Companion of bench_province.py (same store).

Sections (each prints medians of ``--runs`` runs after a warm-up):

1. fetch     — the shipped expression via ``to_pandas()``, via ``to_pyarrow().to_pandas()``,
               and its compiled SQL (``ibis.to_sql``) run directly in DuckDB;
2. scan      — the sqlite scanner alone, and both queries on tables copied into DuckDB first;
3. operators — the slowest operators of the shipped query and of the hand-written one
               (``EXPLAIN ANALYZE``);
4. evaluate  — ``evaluate(persist=False)`` end to end, and the time of its steps in
               `shequ.evaluate.run` and `attainment` (those that exist in the checked-out
               source).

    .venv/bin/python bench/evaluate/profile_shequ.py [--communities 20000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import duckdb  # noqa: E402
import ibis  # noqa: E402
import pandas as pd  # noqa: E402
import peer_sql  # noqa: E402
from bench_province import RESULTS, periods  # noqa: E402
from formulas import check_plan  # noqa: E402
from province_data import build_store, store_path  # noqa: E402

from shequ.evaluate import attainment, backends, indicators  # noqa: E402
from shequ.evaluate import run as run_module  # noqa: E402
from shequ.evaluate.run import evaluate  # noqa: E402
from shequ.framework.loader import load_plan  # noqa: E402
from shequ.store.db import Store, open_store  # noqa: E402

OUT = RESULTS / "profile_shequ.json"


def timed(fn: Callable[[], object], runs: int) -> float:
    """Median seconds of ``runs`` calls after one warm-up."""
    fn()
    seconds = []
    for _ in range(runs):
        clock = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - clock)
    return statistics.median(seconds)


def show(section: dict, title: str) -> None:
    print(f"\n== {title}")
    for key, value in section.items():
        if isinstance(value, list):
            print(f"  {key}:" + "".join(f"\n      {item}" for item in value))
            continue
        text = f"{value:8.2f} s" if isinstance(value, float) else str(value)
        print(f"  {key:<58}{text}")


class Context:
    """The store, plan and periods every section uses."""

    def __init__(self, store: Store, runs: int) -> None:
        self.store, self.runs = store, runs
        self.plan = load_plan()
        self.chosen = check_plan(self.plan)
        self.periods = periods()

    def shipped(self, tables: dict) -> ibis.Table:
        return indicators.indicator_values(tables, self.plan, self.periods, indicators=self.chosen)


def fetch_section(ctx: Context) -> dict:
    out = {}
    with backends.connect(ctx.store, "duckdb") as eng:
        expr = ctx.shipped(eng.tables)
        out["shipped: expr.to_pandas()"] = timed(expr.to_pandas, ctx.runs)
        out["shipped: expr.to_pyarrow().to_pandas()"] = timed(
            lambda: expr.to_pyarrow().to_pandas(), ctx.runs
        )
        sql = str(ibis.to_sql(expr, dialect="duckdb"))
        raw = eng.con.con  # memtables are registered by the runs above
        out["shipped SQL run directly: .df()"] = timed(lambda: raw.execute(sql).df(), ctx.runs)
        out["shipped SQL run directly: .to_arrow_table()"] = timed(
            lambda: raw.execute(sql).to_arrow_table(), ctx.runs
        )
        out["shipped SQL run directly: count(*) only"] = timed(
            lambda: raw.execute(f"SELECT count(*) FROM ({sql})").fetchall(), ctx.runs
        )
        peer = peer_sql.build_sql(ctx.periods, "store")
        out["hand-written SQL: .df()"] = timed(lambda: raw.execute(peer).df(), ctx.runs)
        out["hand-written SQL: .to_arrow_table().to_pandas()"] = timed(
            lambda: raw.execute(peer).to_arrow_table().to_pandas(), ctx.runs
        )
    return out


def scan_section(ctx: Context) -> dict:
    out = {}
    with backends.connect(ctx.store, "duckdb") as eng:
        raw = eng.con.con
        out["sqlite scan of data_value (4 columns to Arrow)"] = timed(
            lambda: raw.execute(
                "SELECT data_element, org_unit, period, value FROM store.data_value"
            ).to_arrow_table(),
            ctx.runs,
        )

        def copy() -> None:
            for name in backends.TABLES:
                raw.execute(f"CREATE OR REPLACE TABLE main.{name} AS SELECT * FROM store.{name}")

        out["copy the 3 tables into DuckDB memory"] = timed(copy, ctx.runs)
        memory = {name: eng.con.table(name, database="memory") for name in backends.TABLES}
        expr = ctx.shipped(memory)
        out["shipped on copied tables: to_pyarrow()"] = timed(expr.to_pyarrow, ctx.runs)
        peer = peer_sql.build_sql(ctx.periods, "memory")
        out["hand-written SQL on copied tables: to_arrow_table()"] = timed(
            lambda: raw.execute(peer).to_arrow_table(), ctx.runs
        )
    return out


def _top_operators(raw: duckdb.DuckDBPyConnection, sql: str, n: int = 6) -> list[str]:
    plan = json.loads(raw.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql).fetchall()[0][1])
    found: list[tuple[float, str, int]] = []

    def walk(node: dict) -> None:
        found.append(
            (
                node.get("operator_timing", 0.0),
                node.get("operator_name", "?"),
                node.get("operator_cardinality", 0),
            )
        )
        for child in node.get("children", []):
            walk(child)

    walk(plan[0] if isinstance(plan, list) else plan)
    found.sort(reverse=True)
    return [f"{t:.2f} s {name.strip()} ({rows} rows)" for t, name, rows in found[:n]]


def operators_section(ctx: Context) -> dict:
    with backends.connect(ctx.store, "duckdb") as eng:
        expr = ctx.shipped(eng.tables)
        expr.to_pyarrow()  # registers the memtables
        raw = eng.con.con
        return {
            "shipped": _top_operators(raw, str(ibis.to_sql(expr, dialect="duckdb"))),
            "hand-written": _top_operators(raw, peer_sql.build_sql(ctx.periods, "store")),
        }


PHASES = (
    (run_module, "_inputs_digest"),
    (run_module, "_describe"),
    (run_module, "_assess"),
    (attainment, "_choose_targets"),
    (attainment, "_with_target"),
    (run_module, "_order"),
)


def _timing(owner: object, name: str, spent: dict[str, float]) -> mock._patch:
    original = getattr(owner, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        clock = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - clock

    return mock.patch.object(owner, name, wrapper)


def evaluate_section(ctx: Context) -> dict:
    plan = ctx.plan.model_copy(update={"indicators": tuple(ctx.chosen)})
    codes = [p.code for p in ctx.periods]

    def run() -> pd.DataFrame:
        return evaluate(ctx.store, plan, periods=codes, engine="duckdb", persist=False).results

    out: dict = {"evaluate(persist=False)": timed(run, ctx.runs)}
    spent: dict[str, float] = {}
    patches = [_timing(owner, name, spent) for owner, name in PHASES if hasattr(owner, name)]
    for patch in patches:
        patch.start()
    try:
        clock = time.perf_counter()
        run()
        total = time.perf_counter() - clock
    finally:
        for patch in patches:
            patch.stop()
    out["one run, total"] = total
    for name, seconds in spent.items():
        out[f"  of which {name}"] = seconds
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    path = store_path(RESULTS, args.communities, args.seed)
    build_store(path, args.communities, args.seed)
    store = open_store(path, migrate=False)
    ctx = Context(store, args.runs)
    report: dict = {"communities": args.communities, "runs": args.runs}
    sections = [
        ("fetch", "1. fetching results", lambda: fetch_section(ctx)),
        ("scan", "2. sqlite scanner vs copying into DuckDB", lambda: scan_section(ctx)),
        ("operators", "3. slowest operators (EXPLAIN ANALYZE)", lambda: operators_section(ctx)),
    ]
    sections.append(("evaluate", "4. evaluate() end to end", lambda: evaluate_section(ctx)))
    for key, title, fn in sections:
        report[key] = fn()
        show(report[key], title)
    store.close()
    OUT.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

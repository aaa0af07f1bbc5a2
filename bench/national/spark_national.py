"""Spark local mode on the national store's Parquet export, without writing to the store.

``shequ evaluate --engine spark`` persists its run into the store like any engine; the
national store belongs to another writer, so this runs `evaluate(..., persist=False)` on
Spark over an existing export (``shequ export parquet DIR``, checked fresh against the
store), writes the results to a Parquet file, and compares them with the store's latest
complete run (DuckDB) through `bench_national.agreement` (same rows; value, numerator,
denominator, reporting and expected units within 1e-9 relative).

The evaluation runs in a child process; the parent samples the RSS of the child and all
its descendants (Spark's JVM is one) every 0.5 s, so the peak is driver + JVM.

    .venv/bin/python bench/national/spark_national.py --store shequ.db --parquet DIR \\
        --plan plan13.yaml --period 2025 [--unit 33] --out spark.parquet
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--parquet", type=Path, required=True, help="a fresh export")
    parser.add_argument("--plan", required=True)
    parser.add_argument("--period", default="2025")
    parser.add_argument("--unit", help="one subtree (org unit code)")
    parser.add_argument("--run", type=int, help="the stored run to compare with (default: latest)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child(args: argparse.Namespace) -> None:
    from shequ import spark
    from shequ.evaluate.backends import EngineChoice
    from shequ.evaluate.run import evaluate
    from shequ.framework.loader import load_plan
    from shequ.store.db import open_store

    seconds = {}
    clock = time.perf_counter()
    spark.session()
    seconds["session_start"] = time.perf_counter() - clock
    store = open_store(args.store, migrate=False)
    engine = EngineChoice("spark", {"parquet_dir": args.parquet})
    options = {"unit": args.unit} if args.unit else {}
    clock = time.perf_counter()
    result = evaluate(
        store, load_plan(args.plan), periods=[args.period], engine=engine, persist=False,
        **options,
    )  # fmt: skip
    seconds["evaluate"] = time.perf_counter() - clock
    result.results.to_parquet(args.out)
    summary = {**seconds, "rows": len(result.results), "engine_seconds": result.seconds}
    args.out.with_suffix(".json").write_text(json.dumps(summary, default=float))


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    import psutil

    command = [sys.executable, __file__, "--child", *sys.argv[1:]]
    clock = time.perf_counter()
    process = subprocess.Popen(command)
    watched, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.5)
    wall = time.perf_counter() - clock
    if process.returncode:
        sys.exit(f"the Spark child failed (exit {process.returncode})")
    summary = json.loads(args.out.with_suffix(".json").read_text())
    summary.update(wall_seconds=round(wall, 1), peak_rss_mib=round(peak / 2**20))
    print(json.dumps(summary, indent=2, default=float), flush=True)
    sys.path.insert(0, str(HERE))
    from bench_national import COMPARED, agreement, latest_runs, run_results

    run = args.run or latest_runs(args.store)[-1]
    columns = ", ".join(COMPARED)
    ours = f"SELECT indicator, org_unit, period, {columns} FROM read_parquet('{args.out}')"
    units = f"SELECT org_unit FROM read_parquet('{args.out}')" if args.unit else ""
    summary["compared_with_run"] = run
    summary["agreement"] = agreement(args.store, run_results(run, units), ours)
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=2, default=float))


if __name__ == "__main__":
    main()

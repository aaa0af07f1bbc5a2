"""Benchmark: ``evaluate()`` on Spark local mode beside DuckDB, on the synthetic province
of bench/evaluate (province_data.py), end to end (results as the CLI gets them).

Each engine runs in its own child process; the parent samples the RSS of the child and
all its descendants (Spark's JVM is one) every 0.2 s, so the peak is driver + JVM. The
Spark child times its session start apart from the evaluation, which includes the Parquet
export of the store. The results must agree: same rows, numbers within 1e-9 relative.

    .venv/bin/python bench/spark/bench_spark.py                      # 20 000 communities
    .venv/bin/python bench/spark/bench_spark.py --quick              # 300, agreement only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
sys.path.insert(0, str(HERE.parent / "evaluate"))

from province_data import build_store, store_path  # noqa: E402

ENGINES = ("duckdb", "spark")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--period", default="2025")
    parser.add_argument("--quick", action="store_true", help="300 communities, agreement only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child(engine: str, store_file: Path, period: str, out: Path) -> None:
    """Evaluate on ``engine``; write the results to ``out`` and the times beside it."""
    from shequ.evaluate.run import evaluate
    from shequ.framework.loader import load_plan
    from shequ.store.db import open_store

    seconds = {}
    if engine == "spark":
        from shequ import spark

        clock = time.perf_counter()
        spark.session()
        seconds["session_start"] = time.perf_counter() - clock
    store = open_store(store_file, migrate=False)
    clock = time.perf_counter()
    result = evaluate(store, load_plan("national"), periods=[period], engine=engine, persist=False)
    seconds["evaluate"] = time.perf_counter() - clock
    result.results.to_parquet(out)
    out.with_suffix(".json").write_text(json.dumps({**seconds, "rows": len(result.results)}))


def spawn(engine: str, store_file: Path, period: str, out: Path) -> dict:
    """Run one engine's child, sampling the peak RSS of its whole process tree."""
    import psutil

    command = [sys.executable, __file__, "--child", engine, "--store", str(store_file)]
    command += ["--period", period, "--out", str(out)]
    clock = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - clock
    if process.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{process.stderr.read().decode()[-3000:]}")
    stats = json.loads(out.with_suffix(".json").read_text())
    return {**stats, "wall": wall, "peak_rss_mib": peak / 2**20}


def agree(folder: Path) -> bool:
    import pandas as pd

    frames = {
        e: pd.read_parquet(folder / f"{e}.parquet")
        .sort_values(["period", "indicator", "org_unit"])
        .reset_index(drop=True)
        for e in ENGINES
    }
    try:
        pd.testing.assert_frame_equal(
            frames["spark"], frames["duckdb"], check_exact=False, rtol=1e-9, check_dtype=False
        )
    except AssertionError as exc:
        print(exc)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args.child, args.store, args.period, args.out)
        return 0
    communities = 300 if args.quick else args.communities
    RESULTS.mkdir(exist_ok=True)
    store_file = store_path(RESULTS, communities, args.seed)
    build_store(store_file, communities, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        stats = {e: spawn(e, store_file, args.period, folder / f"{e}.parquet") for e in ENGINES}
        agreed = agree(folder)
    print(f"evaluate(period {args.period}) on {communities:,} communities")
    print(
        f"{'engine':8} {'rows':>9} {'start s':>8} {'evaluate s':>11} {'wall s':>8} {'peak MiB':>9}"
    )
    for engine, s in stats.items():
        start = f"{s['session_start']:.1f}" if "session_start" in s else "-"
        print(
            f"{engine:8} {s['rows']:>9,} {start:>8} {s['evaluate']:>11.1f} "
            f"{s['wall']:>8.1f} {s['peak_rss_mib']:>9.0f}"
        )
    ratio = stats["spark"]["evaluate"] / stats["duckdb"]["evaluate"]
    print(f"spark / duckdb (evaluate): {ratio:.1f}×")
    print(f"AGREEMENT: {'PASS' if agreed else 'FAIL'}")
    if not args.quick:
        report = {"communities": communities, "period": args.period, "engines": stats}
        (RESULTS / "spark_province.json").write_text(json.dumps(report, indent=2))
    return 0 if agreed else 1


if __name__ == "__main__":
    sys.exit(main())

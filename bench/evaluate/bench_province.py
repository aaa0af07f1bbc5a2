"""Benchmark: evaluate 13 indicators × every unit × 2020–2025 on a synthetic province.

Approaches, on the same SQLite store (see README.md):

* ``shequ``        — ``indicator_values(...).to_pyarrow().to_pandas()`` on the DuckDB engine (default);
* ``shequ_sqlite`` — the same Ibis pipeline on the SQLite engine;
* ``evaluate``     — ``shequ.evaluate.run.evaluate(..., persist=False)`` end to end;
* ``pandas``       — a straightforward pandas implementation (`peer_pandas`);
* ``sql``          — one hand-written DuckDB SQL query (`peer_sql`).

Each approach runs in its own child process (one warm-up, then ``--runs`` timed runs; the
median is reported) so that its peak RSS is its own. The results must agree: same rows,
numbers within 1e-9 relative, same unit counts. Output: a table on stdout and
``bench/results/evaluate_province.json``.

    .venv/bin/python bench/evaluate/bench_province.py                   # full size
    .venv/bin/python bench/evaluate/bench_province.py --communities 500 --quick  # smoke
    .venv/bin/python bench/evaluate/bench_province.py --only pandas     # one approach
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import pandas as pd  # noqa: E402
from compare import agree, normalise  # noqa: E402
from province_data import YEARS, build_store, store_path  # noqa: E402
from runners import APPROACHES, measure, preload  # noqa: E402

from shequ.framework.periods import Period, parse_period  # noqa: E402

REPORT = RESULTS / "evaluate_province.json"
TARGET_VS_SQL = 1.5  # shequ within 1.5× of the hand-written SQL
TARGET_VS_PANDAS = 10.0  # shequ at least 10× faster than pandas
CHECKS = (("shequ", "sql"), ("shequ", "pandas"), ("shequ", "shequ_sqlite"), ("shequ", "evaluate"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=20_000, help="size (default 20000)")
    parser.add_argument("--seed", type=int, default=2025, help="numpy seed (default 2025)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached store")
    parser.add_argument("--only", choices=APPROACHES, help="run one approach, in this process")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per approach (3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: every approach once, in this process, no warm-up, "
        "no memory figures, no JSON",
    )
    parser.add_argument("--child-json", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def periods() -> list[Period]:
    return [parse_period(str(y)) for y in YEARS]


def result_path(store: Path, name: str) -> Path:
    return store.with_name(f"{store.stem}.{name}.parquet")


def run_one(name: str, store: Path, runs: int, *, quick: bool = False) -> dict:
    """Measure one approach in this process; keep its result for the agreement check."""
    preload(name)
    frame, stats = measure(name, store, periods(), 1 if quick else runs, warmup=not quick)
    if quick:  # the peak of this process is that of every approach run so far
        stats["peak_mb"] = stats["baseline_mb"] = None
    normalise(frame).to_parquet(result_path(store, name), index=False)
    return stats


def spawn(name: str, args: argparse.Namespace) -> dict:
    """Measure one approach in a child process (its peak RSS is then its own)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stats.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--communities",
            str(args.communities),
            "--seed",
            str(args.seed),
            "--runs",
            str(args.runs),
            "--only",
            name,
            "--child-json",
            str(out),
        ]
        done = subprocess.run(command, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{name} failed (exit {done.returncode})")
        return json.loads(out.read_text())


def check_agreement(store: Path, names: list[str]) -> dict[str, dict]:
    frames = {n: pd.read_parquet(result_path(store, n)) for n in names}
    return {
        f"{a} vs {b}": agree(frames[a], frames[b]) for a, b in CHECKS if a in frames and b in frames
    }


def machine() -> dict:
    import duckdb
    import ibis
    import numpy
    import sqlalchemy

    with duckdb.connect() as con:
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "duckdb_threads": threads,
        "ibis": ibis.__version__,
        "pandas": pd.__version__,
        "numpy": numpy.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": __import__("sqlite3").sqlite_version,
    }


def ratios(stats: dict[str, dict]) -> dict[str, float]:
    def total(name: str, phase: str = "total") -> float | None:
        return stats[name]["median"][phase] if name in stats else None

    pairs = {
        "shequ/sql": ("shequ", "sql"),
        "pandas/shequ": ("pandas", "shequ"),
        "shequ_sqlite/shequ": ("shequ_sqlite", "shequ"),
        "evaluate/shequ": ("evaluate", "shequ"),
    }
    out = {k: total(a) / total(b) for k, (a, b) in pairs.items() if total(a) and total(b)}
    if "pandas" in stats and "shequ" in stats:
        out["pandas_compute_only/shequ"] = total("pandas", "compute") / total("shequ")
    return out


def print_report(
    meta: dict, stats: dict[str, dict], rat: dict[str, float], checks: dict[str, dict]
) -> None:
    rows = meta["rows"]
    build = meta["build_seconds"]
    state = "cached store; it was built" if meta["cached"] else "built"
    print(
        f"\nprovince: {meta['communities']} communities, {rows['org_unit']} unit versions, "
        f"{rows['org_unit_path']} paths, {rows['data_value']} values "
        f"({meta['file_mb']:.0f} MB)"
    )
    print(
        f"store: {state} in {sum(build.values()):.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in build.items())
        + ")"
    )
    print(
        f"\n{'approach':<14}{'median s':>10}  {'phases (median s)':<38}{'peak MB':>9}"
        f"{'Δ MB':>8}{'rows':>10}"
    )
    for name, s in stats.items():
        phases = " ".join(f"{k} {v:.2f}" for k, v in s["median"].items() if k != "total")
        peak, delta = "-", "-"
        if s["peak_mb"] is not None:
            peak, delta = f"{s['peak_mb']:.0f}", f"{s['peak_mb'] - s['baseline_mb']:.0f}"
        print(
            f"{name:<14}{s['median']['total']:>10.2f}  {phases:<38}{peak:>9}{delta:>8}"
            f"{s['rows']:>10}"
        )
    print(
        "(peak MB: peak RSS of the approach's process; Δ MB: peak minus the RSS after its"
        " imports)\n"
    )
    for key, value in rat.items():
        note = ""
        if key == "shequ/sql":
            note = f"  target <= {TARGET_VS_SQL}: " + (
                "met" if value <= TARGET_VS_SQL else "MISSED"
            )
        elif key == "pandas/shequ":
            note = f"  target >= {TARGET_VS_PANDAS}: " + (
                "met" if value >= TARGET_VS_PANDAS else "MISSED"
            )
        print(f"{key:<28}{value:>8.2f}×{note}")
    print()
    for key, c in checks.items():
        diffs = ", ".join(f"{k} {v}" for k, v in c["differences"].items() if v)
        detail = (
            ""
            if c["ok"]
            else (
                f" (only in a {c['only_in_a']}, only in b "
                f"{c['only_in_b']}; differing: {diffs or 'none'})"
            )
        )
        print(f"{'PASS' if c['ok'] else 'FAIL'}  {key}: {c['rows_compared']} rows compared{detail}")
    if checks:
        overall = all(c["ok"] for c in checks.values())
        print(f"\nAGREEMENT: {'PASS' if overall else 'FAIL'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    store = store_path(RESULTS, args.communities, args.seed)
    meta = build_store(store, args.communities, args.seed, rebuild=args.rebuild)
    if args.child_json is not None:
        args.child_json.write_text(json.dumps(run_one(args.only, store, args.runs)))
        return 0
    names = [args.only] if args.only else list(APPROACHES)
    stats = {}
    for name in names:
        print(f"running {name} ...", flush=True)
        in_process = args.only or args.quick
        stats[name] = (
            run_one(name, store, args.runs, quick=args.quick) if in_process else spawn(name, args)
        )
    checks = check_agreement(store, names)
    rat = ratios(stats)
    print_report(meta, stats, rat, checks)
    ok = all(c["ok"] for c in checks.values())
    if args.only or args.quick:
        return 0 if ok else 1
    report = {
        "size": {k: meta[k] for k in ("communities", "seed", "rows", "file_mb")},
        "build_seconds": meta["build_seconds"],
        "store": str(store),
        "runs": args.runs,
        "approaches": stats,
        "ratios": rat,
        "targets": {"shequ/sql <=": TARGET_VS_SQL, "pandas/shequ >=": TARGET_VS_PANDAS},
        "agreement": {"ok": ok, "checks": checks},
        "machine": machine(),
    }
    REPORT.write_text(json.dumps(report, indent=2, default=str))
    print(f"wrote {REPORT}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

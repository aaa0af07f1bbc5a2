"""Benchmark: ``shequ evaluate`` at scale, time and peak memory of the command itself.

On the synthetic province of `province_data` (``--communities N``), each step runs
``shequ …`` in a child process on a copy of the store, and reports its wall time and peak
RSS (``getrusage(RUSAGE_CHILDREN).ru_maxrss``, measured by a fresh watcher process per
step so that one step's peak is not another's):

* ``evaluate``   — every level, one period, persisted (results written in bulk);
* ``unit``       — one city's subtree (``--unit``), persisted;
* ``xlsx``       — that city's results written with ``--output …xlsx``;
* ``csv``        — every level's results written with ``--output …csv``.

It checks that the subtree's rows equal the same units' rows of the full run (as stored).

    .venv/bin/python bench/evaluate/bench_scale.py --communities 20000
    .venv/bin/python bench/evaluate/bench_scale.py --quick   # 500 communities, 2 steps (CI)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from province_data import PROVINCE, build_store, store_path  # noqa: E402

PERIOD = "2025"
CITY = PROVINCE[:2] + "01" + PROVINCE[4:]  # the first city of the province


def shequ(*args: str) -> list[str]:
    return [sys.executable, "-c", "from shequ.cli import app; app()", *args]


def watch(command: list[str]) -> dict:
    """Run ``command`` under a fresh watcher; its wall time and peak RSS (MB)."""
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'peak_mb': peak,"
        " 'exit': done.returncode, 'tail': (done.stdout + done.stderr)[-1500:]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def stored(db: Path, run_id: int) -> dict[tuple, tuple]:
    """The stored results of run ``run_id``, as shequ reads them (its Parquet parts)."""
    from shequ.store import runs
    from shequ.store.db import open_store

    store = open_store(db)
    with store.begin() as conn:
        frame = runs.results(conn, run_id)
    store.close()
    kept = ["value", "numerator", "denominator", "target", "status"]
    frame = frame.astype({c: object for c in kept}).where(frame.notna(), None)
    rows = frame[["indicator", "org_unit", "period", *kept, "reporting_units", "expected_units"]]
    return {r[:3]: r[3:] for r in rows.itertuples(index=False, name=None)}


def _same(a: tuple | None, b: tuple) -> bool:
    """Equal rows: texts and counts exactly, numbers within 1e-9 relative (sums of the same
    values in another order differ in the last bits)."""
    if a is None:
        return False
    for x, y in zip(a, b, strict=True):
        if isinstance(x, float) and isinstance(y, float):
            if abs(x - y) > 1e-9 * max(abs(x), abs(y), 1.0):
                return False
        elif x != y:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--quick", action="store_true", help="500 communities, for CI")
    parser.add_argument(
        "--steps", default="evaluate,unit,xlsx,csv", help="comma-separated steps to run"
    )
    args = parser.parse_args(argv)
    n = 500 if args.quick else args.communities
    RESULTS.mkdir(parents=True, exist_ok=True)
    source = store_path(RESULTS, n, args.seed)
    meta = build_store(source, n, args.seed)
    report: dict = {"communities": n, "values": meta["rows"]["data_value"], "steps": {}}
    with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
        db = Path(tmp) / "store.sqlite"
        shutil.copy(source, db)
        steps = {
            "evaluate": shequ("evaluate", "--period", PERIOD, "--db", str(db)),
            "unit": shequ("evaluate", "--period", PERIOD, "--db", str(db), "--unit", CITY),
            "xlsx": shequ(
                "evaluate",
                "--period",
                PERIOD,
                "--db",
                str(db),
                "--unit",
                CITY,
                "--output",
                str(Path(tmp) / "city.xlsx"),
            ),
            "csv": shequ(
                "evaluate",
                "--period",
                PERIOD,
                "--db",
                str(db),
                "--output",
                str(Path(tmp) / "all.csv"),
            ),
        }
        chosen = "evaluate,xlsx" if args.quick else args.steps  # quick: ~2 × 10 s
        steps = {k: steps[k] for k in chosen.split(",")}
        for name, command in steps.items():
            print(f"running {name} ...", flush=True)
            found = watch(command)
            if found["exit"] != 0:
                print(found["tail"])
                return 1
            report["steps"][name] = {k: found[k] for k in ("seconds", "peak_mb")}
        with sqlite3.connect(db) as con:
            runs = con.execute("SELECT id, unit, result_count FROM evaluation_run").fetchall()
        full_id, full_rows = runs[0][0], runs[0][2]
        unit_id = next((r[0] for r in runs if r[1] == CITY), None)
        full, part = stored(db, full_id), stored(db, unit_id) if unit_id else {}
        differing = [k for k, v in part.items() if not _same(full.get(k), v)]
        same = bool(part) and not differing
        if differing:
            print("differing rows (first 5):", [(k, full.get(k), part[k]) for k in differing[:5]])
        report.update(results=full_rows, subtree_results=len(part), subtree_equal=same)
    print(f"\n{n} communities, {report['values']:,} values; {report['results']:,} results")
    print(f"{'step':<10}{'seconds':>10}{'peak MB':>10}")
    for name, s in report["steps"].items():
        print(f"{name:<10}{s['seconds']:>10.1f}{s['peak_mb']:>10.0f}")
    if unit_id is None:
        print("\nno subtree step: agreement not checked")
    else:
        print(f"\nsubtree of {CITY}: {len(part):,} rows, equal to the full run's: {same}")
        print(f"AGREEMENT: {'PASS' if same else 'FAIL'}")
    if not args.quick:
        out = RESULTS / f"evaluate_scale_{n}.json"
        out.write_text(json.dumps(report, indent=2))
        print(f"wrote {out}")
    return 0 if same or unit_id is None else 1


if __name__ == "__main__":
    sys.exit(main())

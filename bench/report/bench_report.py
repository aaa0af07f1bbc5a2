"""City report in every format, for a 300- and a 2 000-community city.

Builds each sample city once (the demo generator, imported and evaluated with composite
scores) under ``bench/results/``, then writes the city report as docx, xlsx, pdf and html,
and the scorecards of every community, each in its own child process so that its peak
memory is its own. Beside the workbook: the peer an analyst would use, ``pandas.DataFrame
.to_excel`` of the same results (one sheet, no formatting). Prints a table and writes
``bench/results/report.json``.

Agreement (exit 1 when it fails): every number in the workbook's level sheets is read back
and must equal the run's result that pandas wrote for the same unit and indicator, and
every numeric result must be in the workbook (a missing value is an empty cell).

    python bench/report/bench_report.py [--sizes 300 2000] [--formats docx xlsx pdf html scorecard]
    python bench/report/bench_report.py --quick   # 12 communities, xlsx/html/docx, temp folder
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sample_city import build_city

RESULTS = Path(__file__).resolve().parents[1] / "results"
SHAPES = {12: (2, 4), 300: (6, 40), 2000: (12, 400)}  # communities -> (districts, streets)


def build(size: int, results: Path = RESULTS) -> Path:
    """The evaluated sample city of ``size`` communities (cached under ``results``)."""
    districts, streets = SHAPES[size]
    return build_city(results / f"report_city_{size}", size, districts, streets)


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


def workbook_numbers(path: Path) -> dict[tuple[str, str], float]:
    """(unit code, indicator code) -> number, read back from the level sheets of our workbook."""
    from openpyxl import load_workbook

    from shequ.framework.levels import LEVEL_ORDER
    from shequ.framework.loader import load_plan
    from shequ.report.xlsx import indicator_header, level_name

    by_header = {indicator_header(i, "zh"): i.code for i in load_plan().indicators}
    level_sheets = {level_name(level, "zh") for level in LEVEL_ORDER}
    found = {}
    book = load_workbook(path, read_only=True)
    for name in book.sheetnames:
        if name not in level_sheets:
            continue
        rows = book[name].iter_rows(values_only=True)
        header = next(rows)
        for row in rows:
            for column, value in enumerate(row):
                if column >= 3 and value is not None:
                    found[(str(row[0]), by_header[header[column]])] = float(value)
    return found


def workbook_agrees(ours: Path, peer: Path) -> list[str]:
    """Differences between our workbook and pandas' dump of the same run (module docstring)."""
    import pandas as pd

    frame = pd.read_excel(peer, dtype={"org_unit": str})
    expected = {
        (u, i): float(v)
        for u, i, v in zip(frame["org_unit"], frame["indicator"], frame["value"], strict=True)
        if pd.notna(v)
    }
    found = workbook_numbers(ours)
    problems = [
        f"missing in the workbook: {k} = {v}" for k, v in expected.items() if k not in found
    ]
    problems += [f"not a result: {k} = {v}" for k, v in found.items() if k not in expected]
    problems += [
        f"{k}: workbook {found[k]} vs result {v}"
        for k, v in expected.items()
        if k in found and not math.isclose(found[k], v, rel_tol=1e-9, abs_tol=1e-12)
    ]
    print(
        f"workbook vs pandas.to_excel: {len(found):,} numbers read back, {len(expected):,} "
        f"results, {len(problems)} differences"
    )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 2000])
    parser.add_argument(
        "--formats",
        nargs="+",
        default=["docx", "xlsx", "pandas_to_excel", "pdf", "html", "scorecard"],
    )
    parser.add_argument(
        "--quick", action="store_true", help="a 12-community city in a temp folder; no file kept"
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="with --quick: report on this evaluated store instead of building one",
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes = [12]
        quick_formats = ["xlsx", "pandas_to_excel", "html", "docx"]
        left_out = [f for f in args.formats if f not in quick_formats]
        args.formats = [f for f in args.formats if f in quick_formats]
        if left_out:  # weasyprint needs ~20 s a file on a loaded machine; tests/report cover them
            print(
                "quick: left out " + ", ".join(left_out) + " (weasyprint, slow; see tests/report)"
            )
        with tempfile.TemporaryDirectory(prefix="shequ-bench-report-") as tmp:
            problems = run(args, Path(tmp))
    else:
        problems = run(args, RESULTS)
    for line in problems[:10]:
        print("  " + line)
    print(f"AGREEMENT: {'FAIL' if problems else 'PASS'}")
    if problems:
        sys.exit(1)


def run(args: argparse.Namespace, results: Path) -> list[str]:
    """Every size and format (each in a child); returns the workbook's disagreements."""
    suffix = {
        "docx": ".docx",
        "xlsx": ".xlsx",
        "pandas_to_excel": ".xlsx",
        "pdf": ".pdf",
        "html": ".html",
        "scorecard": ".pdf",
    }
    report: dict = {}
    problems: list[str] = []
    print(
        f"{'city':>6} {'format':>16} {'context s':>10} {'write s':>9} {'peak MB':>8} {'size KB':>8}"
    )
    for size in args.sizes:
        db = args.db if args.quick and args.db else build(size, results)
        for fmt in args.formats:
            out = results / f"report_city_{size}" / f"bench_{fmt}{suffix[fmt]}"
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
        if {"xlsx", "pandas_to_excel"} <= set(args.formats):
            folder = results / f"report_city_{size}"
            problems += workbook_agrees(
                folder / "bench_xlsx.xlsx", folder / "bench_pandas_to_excel.xlsx"
            )
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "report.json").write_text(json.dumps(report, indent=2))
    return problems


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()

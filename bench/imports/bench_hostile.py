"""Hostile and clumsy files through ``shequ import values`` (issue 13): each case runs in a
process of its own, with its exit code, seconds and peak RSS, beside pandas reading the same
file (``pd.read_csv`` / ``pd.read_excel``: the least a script that loads it must do).

| case | file | what must happen |
|---|---|---|
| bad rows | 1 000 000 rows, every one of an unknown org unit | exit 2 (nothing loads), quarantine capped, ≤ 1 GiB |
| wide | a CSV of 100 000 columns | refused (exit 2) within 10 s |
| cell bomb | an XLSX whose one cell inflates to 1.1 GB | refused within 10 s, ≤ 1 GiB |
| row bomb | an XLSX of 8 700 000 empty rows (~4 MB) | refused within 10 s, ≤ 1 GiB |

Targets (issue 13): any import of any file ≤ 1 GiB peak RSS, and refused within 10 s when
over a limit. Timings are printed, never asserted; ``--quick`` (smaller files, no pandas; CI)
checks the exit codes and that no traceback is printed: ``CORRECTNESS: PASS``. pandas runs
with its address space capped at 4 GiB (past it: MemoryError, reported as its outcome).

    python bench/imports/bench_hostile.py [--quick] [--only bad_rows,wide]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests import _hostile  # noqa: E402  (the same builders as the regression tests)

UNITS = "code,name,parent_code,level\n990100000000,示范市,,city\n990101000000,一区,990100000000,district\n"
GiB = 1024

#: case: (builder, full size, quick size, expected exit code, pandas reader)
CASES = {
    "bad_rows": (_hostile.bad_rows_csv, 1_000_000, 20_000, 2, "csv"),
    "wide": (_hostile.wide_csv, 100_000, 5_000, 2, "csv"),
    "cell_bomb": (_hostile.cell_bomb, 1_100 * 1024 * 1024, 300 * 1024 * 1024, 2, "excel"),
    "row_bomb": (_hostile.row_bomb, 8_700_000, 1_200_000, 2, "excel"),
}

_PANDAS = """
import json, resource, sys, time
import pandas as pd
cap = 4 * 2**30  # the peer may not take the machine: past 4 GiB it fails with MemoryError
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
start = time.monotonic()
try:
    frame = (pd.read_csv if sys.argv[2] == "csv" else pd.read_excel)(sys.argv[1])
    outcome = f"{len(frame):,} rows x {len(frame.columns):,} columns"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:80]}"
print(json.dumps({"seconds": time.monotonic() - start, "outcome": outcome,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _pandas(path: Path, reader: str, timeout: float) -> dict:
    import subprocess

    try:
        done = subprocess.run(
            [sys.executable, "-c", _PANDAS, str(path), reader],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return json.loads(done.stdout)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "outcome": f"stopped after {timeout:.0f} s", "peak_mib": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small files; exit codes only")
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    rows, ok = [], True
    with tempfile.TemporaryDirectory(prefix="shequ-hostile-") as tmp:
        folder = Path(tmp)
        db = folder / "shequ.db"
        units = folder / "units.csv"
        units.write_text(UNITS, encoding="utf-8")
        made = _hostile.shequ_measured("import", "orgunits", units, "--db", db)
        if made["rc"] != 0:
            raise SystemExit(made["out"])
        for name in args.only.split(","):
            build, full, quick, expected, reader = CASES[name]
            size = quick if args.quick else full
            suffix = ".csv" if reader == "csv" else ".xlsx"
            path = build(folder / f"{name}{suffix}", size)
            run = _hostile.shequ_measured("import", "values", path, "--db", db, timeout=600)
            peer = {"seconds": None, "outcome": "not run (--quick)"}
            if not args.quick:
                peer = _pandas(path, reader, timeout=300)
            good = run["rc"] == expected and "Traceback" not in run["out"]
            ok &= good
            row = {
                "case": name,
                "size": size,
                "file_mib": round(path.stat().st_size / 2**20, 1),
                "exit": run["rc"],
                "seconds": round(run["seconds"], 2),
                "peak_mib": round(run["peak_mib"]),
                "within_1_gib": run["peak_mib"] <= GiB,
                "pandas": peer,
                "said": run["out"].strip().splitlines()[-1][:160] if run["out"].strip() else "",
            }
            rows.append(row)
            pandas_s = f"{peer['seconds']:.1f} s" if peer.get("seconds") is not None else "—"
            print(
                f"{name:<10} {size:>13,} {row['file_mib']:>8} MiB  exit {run['rc']} "
                f"{'ok' if good else 'WRONG'}  {run['seconds']:7.1f} s  {run['peak_mib']:7.0f} MiB"
                f"  | pandas {pandas_s}, {peer.get('peak_mib') or 0:.0f} MiB: {peer['outcome']}",
                flush=True,
            )
            print(f"{'':<10} {row['said']}")
            path.unlink()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    print("CORRECTNESS: PASS" if ok else "CORRECTNESS: FAIL")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()

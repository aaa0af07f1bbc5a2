"""Seeded synthetic values for every community of the national tree, written as Parquet.

The values are those of the province benchmark (`bench/evaluate/province_data.simulate`:
plausible, parts never exceed their wholes, centres open during the plan period) for the
base data elements of the default plan and the years 2020–2025, ~2 % of the cells missing
(the sample city's gaps). Communities are drawn in chunks so memory stays bounded; one
Parquet file per year in the long form ``shequ import values`` reads
(``data_element,org_unit,period,value``), about 11 M rows a year for the whole country.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "evaluate"))
from province_data import MISSING_SHARE, PLAN_ELEMENTS, YEARS, simulate

CHUNK = 50_000
SCHEMA = pa.schema(
    [
        ("data_element", pa.string()),
        ("org_unit", pa.string()),
        ("period", pa.string()),
        ("value", pa.float64()),
    ]
)


def communities(tree_csv: Path) -> list[str]:
    """Codes of the community rows of an org-unit file (each once, in file order)."""
    seen: dict[str, None] = {}
    with open(tree_csv, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["level"] == "community":
                seen.setdefault(row["code"], None)
    return list(seen)


def _chunks(codes: list[str], seed: int) -> Iterator[tuple[int, pa.Table]]:
    """(year index, table) for each chunk of communities and year."""
    rng = np.random.default_rng(seed)
    for start in range(0, len(codes), CHUNK):
        part = np.asarray(codes[start : start + CHUNK], dtype=object)
        data = simulate(rng, len(part))
        elements = [e for e in PLAN_ELEMENTS if e in data]
        for t, year in enumerate(YEARS):
            columns: dict[str, list] = {name: [] for name in SCHEMA.names}
            for element in elements:
                keep = rng.random(len(part)) >= MISSING_SHARE
                columns["data_element"].append(np.full(keep.sum(), element, dtype=object))
                columns["org_unit"].append(part[keep])
                columns["value"].append(data[element][keep, t])
            n = sum(len(c) for c in columns["org_unit"])
            yield (
                t,
                pa.table(
                    {
                        "data_element": np.concatenate(columns["data_element"]),
                        "org_unit": np.concatenate(columns["org_unit"]),
                        "period": np.full(n, str(year), dtype=object),
                        "value": np.concatenate(columns["value"]),
                    },
                    schema=SCHEMA,
                ),
            )


def write_values(tree_csv: Path, out_dir: Path, seed: int = 2025) -> dict:
    """Write ``values_<year>.parquet`` under ``out_dir``; returns rows per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    codes = communities(tree_csv)
    writers = {
        t: pq.ParquetWriter(out_dir / f"values_{y}.parquet", SCHEMA) for t, y in enumerate(YEARS)
    }
    rows = dict.fromkeys(YEARS, 0)
    try:
        for t, table in _chunks(codes, seed):
            writers[t].write_table(table)
            rows[YEARS[t]] += table.num_rows
    finally:
        for writer in writers.values():
            writer.close()
    return {"communities": len(codes), "rows": rows}

"""A reader process of the DuckDB engine's load (`duckdb`): ``python _fetch.py JOB.json``,
the job being the store's path, an Arrow file to write, and the queries of some (data
element, period) cells — runs them in one read transaction of Python's SQLite and writes
their rows to the file (columns ``cell``, the query's index, then the query's own).

It is run as a script, not imported (nothing of shequ is loaded: it starts in a fraction of
a second), so that several processes fetch at once: fetching is Python work per row, and one
process is one core.
"""

from __future__ import annotations

import json
import sqlite3
import sys

import pyarrow as pa

BATCH = 200_000
SCHEMA = pa.schema(
    [
        ("cell", pa.int32()),
        ("org_unit", pa.string()),
        ("category_option_combo", pa.string()),
        ("value", pa.float64()),
    ]
)
ROW = pa.struct(list(SCHEMA)[1:])  # a query's own columns


def fetch(store: str, out: str, jobs: list[tuple[int, str, list]]) -> int:
    """Write the rows of every ``(cell, sql, params)`` of ``jobs`` to the Arrow IPC file
    ``out`` (not Parquet: pyarrow.parquet imports pandas, seconds of a reader's start);
    returns the row count."""
    source = sqlite3.connect(store, timeout=30, isolation_level=None)
    count = 0
    try:
        source.execute("BEGIN")
        with pa.OSFile(out, "wb") as sink, pa.ipc.new_file(sink, SCHEMA) as writer:
            for cell, sql, params in jobs:
                cursor = source.execute(sql, params)
                while rows := cursor.fetchmany(BATCH):
                    # the row tuples as one struct array, converted in C: unzipping them
                    # into columns in Python took ~6x as long (a fifth of a reader's time)
                    columns = pa.array(rows, type=ROW).flatten()
                    number = pa.repeat(pa.scalar(cell, pa.int32()), len(rows))
                    writer.write_table(pa.Table.from_arrays([number, *columns], schema=SCHEMA))
                    count += len(rows)
        source.execute("ROLLBACK")
    finally:
        source.close()
    return count


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as spec:
        job = json.load(spec)
    print(fetch(job["store"], job["out"], [tuple(j) for j in job["jobs"]]))

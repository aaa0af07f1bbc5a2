"""The SQLite store's tables as Parquet through DuckDB, in a child process of its own.

Run as ``python -m shequ.store._parquet_duckdb REQUEST.json``: the request names the store,
the work folder and, per table, its columns with their Arrow-side types (from
`shequ.store.parquet`); the child scans each table with DuckDB's sqlite extension and
writes it with ``COPY … TO … (FORMAT parquet)`` (hive folders for a partitioned table),
then prints the row counts as one JSON line. No row passes through Python.

It must be a child process: DuckDB's extension carries its own copy of SQLite, and two
copies of SQLite with the same file open in one process break each other's POSIX locks
(see `shequ.evaluate.backends.duckdb`). The parent opens the store only with Python's
sqlite3, the child only with DuckDB.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

#: the DuckDB type each exported column is cast to (named in the request)
DUCK_TYPES = {
    "bool": "BOOLEAN",
    "int64": "BIGINT",
    "double": "DOUBLE",
    "timestamp[us]": "TIMESTAMP",
    "date32[day]": "DATE",
    "string": "VARCHAR",
}
GROUP_ROWS = 500_000


def _quote(text: str) -> str:
    return text.replace("'", "''")


def export(request: dict) -> dict[str, int]:
    import duckdb
    from duckdb_extensions import import_extension

    work = Path(request["work"])
    with tempfile.TemporaryDirectory(prefix=".shequ-duckdb-", dir=work.parent) as scratch:
        con = duckdb.connect(config={"extension_directory": f"{scratch}/extensions"})
        try:
            con.execute(f"SET temp_directory = '{_quote(scratch)}/spill'")
            con.execute(f"SET threads = {int(request.get('threads', 2))}")
            con.execute(f"SET memory_limit = '{_quote(request.get('memory', '2GB'))}'")
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET enable_progress_bar = false")
            import_extension("sqlite", con=con)
            con.execute("LOAD sqlite")
            con.execute(f"ATTACH '{_quote(request['store'])}' AS s (TYPE sqlite, READ_ONLY)")
            return {t["name"]: _copy(con, t, work) for t in request["tables"]}
        finally:
            con.close()


def _copy(con, table: dict, work: Path) -> int:
    columns = ", ".join(
        f'CAST("{name}" AS {DUCK_TYPES[kind]}) AS "{name}"' for name, kind in table["columns"]
    )
    select = f'SELECT {columns} FROM s."{table["name"]}"'
    folder = work / table["name"]
    partition = table.get("partition")
    if partition:
        # one folder per value, the partition column only in the folder name (hive style)
        target = folder
        options = f"PARTITION_BY (\"{partition}\"), FILENAME_PATTERN 'part-{{i}}'"
    else:
        folder.mkdir(parents=True)
        target = folder / "part-0.parquet"
        options = "PER_THREAD_OUTPUT false"
    (rows,) = con.execute(
        f"COPY ({select}) TO '{_quote(str(target))}' "
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {GROUP_ROWS}, {options})"
    ).fetchone()
    if partition and not any(folder.glob("*/*.parquet")):  # an empty table: still one file
        folder.mkdir(parents=True, exist_ok=True)
        empty = f"{select} LIMIT 0"  # with the partition column, as the streamed export
        con.execute(
            f"COPY ({empty}) TO '{_quote(str(folder / 'part-0.parquet'))}' (FORMAT parquet)"
        )
    return int(rows)


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    print(json.dumps(export(request)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

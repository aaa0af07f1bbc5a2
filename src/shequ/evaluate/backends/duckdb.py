"""DuckDB in-process, over the rows of the SQLite store the evaluation reads, loaded into
DuckDB's own (in-memory) tables by Python's SQLite in one read transaction.

Why not let DuckDB read the store file: DuckDB's sqlite extension carries its own copy of
SQLite. Two copies of SQLite in one process must not have the same file open at once: POSIX
locks are per process, so when one copy closes its descriptor it drops the other copy's
locks, and another process (the web server writing a session) may then checkpoint the WAL
under a reader ("How To Corrupt An SQLite Database File", §2.2; seen here as "database disk
image is malformed" while a worker evaluated and the server logged users in). So the store
is only ever opened by the process's one SQLite library, Python's ``sqlite3``.

How the rows get to DuckDB, measured on the national store (65.7 M values, 665 294 units;
`bench/national`), for ``--period 2025`` (which reads 2025, the 2020 baseline and the
centres opened in 2021–2024):

* the former private snapshot (``INSERT INTO snapshot.t SELECT … FROM main.t`` in SQLite,
  then DuckDB's sqlite scanner over the copy) copied every element of every period read,
  ~10 min, then ~4 min more through the scanner;
* a child process in which DuckDB scans the store itself (its own POSIX locks) has no index
  to use: the scanner reads the whole 16 GB table for a province as for the nation;
* what this module does: one indexed query per (data element, period) cell the indicators
  read (`Reads.cells`, index ``ix_data_value_period``), or for ``--unit`` one walk of the
  subtree's units (index ``ix_data_value_unit``), fetched in batches into Arrow and
  appended to DuckDB tables. Only the columns the evaluation reads are loaded. See the
  figures in bench/national/README.md.

The evaluation therefore sees one consistent version of the data (one read transaction),
never blocks an import (a WAL reader), cannot change the store, and DuckDB works on its own
memory (bounded by ``SHEQU_DUCKDB_MEMORY``, spilling to a private temporary folder that is
removed when the engine closes).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import ibis
import pyarrow as pa

from ...errors import EvaluationError
from ...store.db import Store
from . import TABLES, Engine, Reads, register

_BATCH = 200_000
MEMORY = "SHEQU_DUCKDB_MEMORY"  # DuckDB's memory_limit, e.g. "4GB" (default: DuckDB's own)

# the columns loaded (what the evaluation and the inputs digest read), with DuckDB types
COLUMNS: dict[str, dict[str, str]] = {
    "data_value": {
        "data_element": "VARCHAR",
        "org_unit": "VARCHAR",
        "period": "VARCHAR",
        "category_option_combo": "VARCHAR",
        "value": "DOUBLE",
    },
    "org_unit": {
        "code": "VARCHAR",
        "name": "VARCHAR",
        "level": "VARCHAR",
        "parent_code": "VARCHAR",
        "valid_from": "DATE",
        "valid_to": "DATE",
    },
    "org_unit_path": {
        "ancestor_code": "VARCHAR",
        "descendant_code": "VARCHAR",
        "depth": "BIGINT",
        "valid_from": "DATE",
        "valid_to": "DATE",
    },
}
_ARROW = {"DOUBLE": pa.float64(), "BIGINT": pa.int64()}  # else text (dates: ISO text, cast)
_SUBTREE = "SELECT DISTINCT descendant_code AS code FROM org_unit_path WHERE ancestor_code = ?"


@register("duckdb")
def connect(store: Store, reads: Reads) -> Engine:
    path = store.sqlite_path
    if path is None:
        msg = "DuckDB 引擎只能读取 SQLite 存储 / the duckdb engine reads SQLite stores only"
        raise EvaluationError(msg)
    spill = tempfile.mkdtemp(prefix="shequ-duckdb-")
    try:
        con = ibis.duckdb.connect()
        # DuckDB draws a progress bar on stdout for queries over ~2 s; our callers own stdout
        # (CLI tables, piped CSV), and progress is shown by the CLI itself.
        con.raw_sql("SET enable_progress_bar = false")
        con.raw_sql(f"SET temp_directory = '{_quote(spill)}'")
        if os.environ.get(MEMORY):
            con.raw_sql(f"SET memory_limit = '{_quote(os.environ[MEMORY])}'")
        load(Path(path), reads, con.con)
        tables = {name: con.table(name) for name in TABLES}
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise

    def close() -> None:
        con.disconnect()
        shutil.rmtree(spill, ignore_errors=True)

    return Engine("duckdb", con, tables, close=close)


def load(path: Path, reads: Reads, target) -> dict[str, int]:
    """Create `COLUMNS`' tables in the DuckDB connection ``target`` and fill them with the
    rows of the store at ``path`` that ``reads`` names, all read in one transaction of
    Python's SQLite; returns the row count of each table."""
    source = sqlite3.connect(path, timeout=30, isolation_level=None)
    counts = {}
    try:
        source.execute("BEGIN")  # one read transaction: every table from the same version
        for table, columns in COLUMNS.items():
            target.execute(
                f"CREATE TABLE {table} ("
                + ", ".join(f"{c} {kind}" for c, kind in columns.items())
                + ")"
            )
            counts[table] = 0
            for sql, params, constants in _queries(table, reads):
                counts[table] += _append(source, target, table, sql, params, constants)
        source.execute("ROLLBACK")
    finally:
        source.close()
    return counts


def _queries(table: str, reads: Reads) -> Iterator[tuple[str, list, dict[str, str]]]:
    """(SQL, parameters, constant columns) that together select the rows of ``table``
    that ``reads`` needs."""
    names = list(COLUMNS[table])
    if table != "data_value":
        sql = f"SELECT {', '.join(names)} FROM {table}"
        if reads.unit is None:
            yield sql, [], {}
        else:  # the units ever in the subtree (for closure rows: as descendant)
            key = "code" if table == "org_unit" else "descendant_code"
            yield f"{sql} WHERE {key} IN ({_SUBTREE})", [reads.unit], {}
        return
    if reads.unit is not None:
        yield _subtree_values(reads)
        return
    if reads.cells is None:
        where = ""
        if reads.periods is not None:
            where = f" WHERE period IN ({', '.join('?' * len(reads.periods))})"
        yield f"SELECT {', '.join(names)} FROM data_value{where}", list(reads.periods or []), {}
        return
    for element, period in reads.cells:  # one range of ix_data_value_period each
        sql = (
            "SELECT org_unit, category_option_combo, value FROM data_value"
            " WHERE period = ? AND data_element = ?"
        )
        yield sql, [period, element], {"data_element": element, "period": period}


def _subtree_values(reads: Reads) -> tuple[str, list, dict[str, str]]:
    """The values of the units ever in ``reads.unit``'s subtree, unit by unit through
    ix_data_value_unit (CROSS JOIN keeps SQLite from scanning the nation's cells)."""
    where, params = [], [reads.unit]
    if reads.periods is not None:
        where.append(f"v.period IN ({', '.join('?' * len(reads.periods))})")
        params += list(reads.periods)
    if reads.cells is not None:
        where.append(
            "(v.data_element, v.period) IN (VALUES "
            + ", ".join("(?, ?)" for _ in reads.cells)
            + ")"
        )
        params += [x for cell in reads.cells for x in cell]
    columns = ", ".join(f"v.{c}" for c in COLUMNS["data_value"])
    sql = (
        f"SELECT {columns} FROM ({_SUBTREE}) AS s"
        " CROSS JOIN data_value AS v INDEXED BY ix_data_value_unit"
        " WHERE v.org_unit = s.code" + "".join(f" AND {w}" for w in where)
    )
    return sql, params, {}


def _append(
    source: sqlite3.Connection,
    target,
    table: str,
    sql: str,
    params: Sequence,
    constants: dict[str, str],
) -> int:
    """Fetch ``sql``'s rows in batches into Arrow and append them to ``table`` (with the
    ``constants`` as the columns the query does not select)."""
    columns = COLUMNS[table]
    fetched = [c for c in columns if c not in constants]
    types = {c: _ARROW.get(kind, pa.string()) for c, kind in columns.items()}
    select = ", ".join(
        "$" + c if c in constants else (f"CAST({c} AS DATE)" if columns[c] == "DATE" else c)
        for c in columns
    )
    cursor = source.execute(sql, list(params))
    count = 0
    while rows := cursor.fetchmany(_BATCH):
        arrays = {
            name: pa.array(cells, type=types[name])
            for name, cells in zip(fetched, zip(*rows, strict=True), strict=True)
        }
        target.register("batch", pa.table(arrays))
        target.execute(f"INSERT INTO {table} SELECT {select} FROM batch", constants or None)
        target.unregister("batch")
        count += len(rows)
    cursor.close()
    return count


def _quote(text: str) -> str:
    return text.replace("'", "''")

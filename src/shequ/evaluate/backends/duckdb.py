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
import tempfile
from pathlib import Path

import ibis

from ...errors import EvaluationError
from ...store.db import Store
from . import TABLES, Engine, Reads, register
from ._load import load

MEMORY = "SHEQU_DUCKDB_MEMORY"  # DuckDB's memory_limit, e.g. "4GB" (default: DuckDB's own)


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
        load(Path(path), reads, con.con, Path(spill))
        tables = {name: con.table(name) for name in TABLES}
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise

    def close() -> None:
        con.disconnect()
        shutil.rmtree(spill, ignore_errors=True)

    return Engine("duckdb", con, tables, close=close)


def _quote(text: str) -> str:
    return text.replace("'", "''")

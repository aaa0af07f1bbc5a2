"""DuckDB in-process, over the rows of the SQLite store the evaluation reads, loaded into
DuckDB's own (in-memory) tables, all of one version of the store (`_load`).

Why not let DuckDB read the store file: DuckDB's sqlite extension carries its own copy of
SQLite. Two copies of SQLite in one process must not have the same file open at once: POSIX
locks are per process, so when one copy closes its descriptor it drops the other copy's
locks, and another process (the web server writing a session) may then checkpoint the WAL
under a reader ("How To Corrupt An SQLite Database File", §2.2; seen here as "database disk
image is malformed" while a worker evaluated and the server logged users in). So in this
process the store is only ever opened by Python's ``sqlite3``; DuckDB's scanner reads it
only in a child process of its own (`_scan`).

How the rows get to DuckDB, measured on the national store (65.7 M values, 665 294 units;
`bench/national`; the 2-core machine shared, load average 8–12), for ``--period 2025``
(which reads 2025, the 2020 baseline and the centres opened in 2021–2024: 24 cells, 14.6 M
values):

* the former private snapshot (``INSERT INTO snapshot.t SELECT … FROM main.t`` in SQLite,
  then DuckDB's sqlite scanner over the copy) copied every element of every period read:
  ~10 min, then ~4 min more through the scanner. Filtered by cell it copies 1.2 M values
  in 11.6 s and the scanner reads them back in 7.8 s: ~62 000 values/s;
* a child process in which DuckDB scans the store itself (its own POSIX locks) has no index
  to use: counting one cell's 608 310 values took 110 s on that loaded machine, a scan of
  the whole table; its ``sqlite_query`` (SQL run by SQLite, indexes used) took 10.8 s;
* one indexed query per (data element, period) cell the indicators read (`Reads.cells`),
  fetched by Python's SQLite in batches into Arrow and appended to DuckDB tables: 608 310
  values in ~5 s (~120 000 values/s) in one process; two reader processes (`_fetch`) for
  the whole load of 14.6 M values and the tree: 162 s, 273 s in one process.

What `_load` does since session 9 (measured again on an idle machine with a warm page
cache): on a large store, the whole tree's cells are read by that scanning child after all
(`_scan`): its full scan of the 65.7 M values keeping the 24 cells' 14.6 M, with the tree,
takes ~15 s wall and ~26 s of CPU, against ~20 s and ~50 s for the two `_fetch` readers
plus this process's read of the tree. A subtree (``--unit``) is still read by indexed
lookups (`_fetch`: a province in a second or two, where a scan would read the nation), and
a small store in this process. Only the columns the evaluation reads are loaded.

The evaluation therefore sees one consistent version of the data (one read transaction, or
readers checked against ``PRAGMA data_version`` and run again when a commit came between),
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
from ._load import load, quote

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
        con.raw_sql(f"SET temp_directory = '{quote(spill)}'")
        if os.environ.get(MEMORY):
            con.raw_sql(f"SET memory_limit = '{quote(os.environ[MEMORY])}'")
        load(Path(path), reads, con.con, Path(spill))
        tables = {name: con.table(name) for name in TABLES}
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise

    def close() -> None:
        con.disconnect()
        shutil.rmtree(spill, ignore_errors=True)

    return Engine("duckdb", con, tables, close=close)

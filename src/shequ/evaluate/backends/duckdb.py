"""DuckDB in-process, reading the SQLite store through DuckDB's sqlite extension.

The extension comes from the ``duckdb-extension-sqlite`` wheel (no download). The store is
attached read-only, so an evaluation never blocks an import and cannot change the store.

The extension carries its own copy of SQLite. Two copies of SQLite in one process must not
have the same file open at once (POSIX locks are per process, so neither sees the other's;
see "How To Corrupt An SQLite Database File", §2.2): the store therefore keeps no pooled
connection (`shequ.store.db` uses NullPool) and none is opened while DuckDB holds the file.
A long-running server should run DuckDB evaluations in a worker process.
"""

from __future__ import annotations

import ibis

from ...errors import EvaluationError
from ...store.db import Store
from . import TABLES, Engine, register


@register("duckdb")
def connect(store: Store) -> Engine:
    path = store.sqlite_path
    if path is None:
        msg = "DuckDB 引擎只能读取 SQLite 存储 / the duckdb engine reads SQLite stores only"
        raise EvaluationError(msg)
    from duckdb_extensions import import_extension

    store.engine.dispose()  # no connection of the other SQLite copy may stay open
    con = ibis.duckdb.connect()
    # DuckDB draws a progress bar on stdout for queries over ~2 s; our callers own stdout
    # (CLI tables, piped CSV), and progress is shown by the CLI itself.
    con.raw_sql("SET enable_progress_bar = false")
    import_extension("sqlite", con=con.con)
    con.raw_sql("LOAD sqlite")
    con.raw_sql(f"ATTACH '{_quote(str(path))}' AS store (TYPE sqlite, READ_ONLY)")
    tables = {name: con.table(name, database="store") for name in TABLES}
    return Engine("duckdb", con, tables, close=con.disconnect)


def _quote(text: str) -> str:
    return text.replace("'", "''")

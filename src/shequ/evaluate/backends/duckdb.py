"""DuckDB in-process, reading a snapshot of the SQLite store through DuckDB's sqlite extension.

The extension comes from the ``duckdb-extension-sqlite`` wheel (no download).

The extension carries its own copy of SQLite. Two copies of SQLite in one process must not
have the same file open at once: POSIX locks are per process, so when one copy closes its
descriptor it drops the other copy's locks, and another process (the web server writing a
session) may then checkpoint the WAL under a reader ("How To Corrupt An SQLite Database
File", §2.2; seen here as "database disk image is malformed" while a worker evaluated and
the server logged users in). So DuckDB never opens the store itself: the tables the
evaluation reads are first copied, in one read transaction of Python's SQLite, into a
private snapshot file next to the store, and DuckDB attaches that file. The evaluation
therefore sees one consistent version of the data, never blocks an import, cannot change
the store, and the snapshot is deleted when the engine closes.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from pathlib import Path

import ibis

from ...errors import EvaluationError
from ...store.db import Store
from . import TABLES, Engine, Reads, register

_CREATE = re.compile(r'^\s*CREATE TABLE\s+(?:"[^"]+"|\w+)', re.IGNORECASE)


@register("duckdb")
def connect(store: Store, reads: Reads) -> Engine:
    path = store.sqlite_path
    if path is None:
        msg = "DuckDB 引擎只能读取 SQLite 存储 / the duckdb engine reads SQLite stores only"
        raise EvaluationError(msg)
    from duckdb_extensions import import_extension

    snapshot = _snapshot(Path(path), reads)
    try:
        con = ibis.duckdb.connect()
        # DuckDB draws a progress bar on stdout for queries over ~2 s; our callers own stdout
        # (CLI tables, piped CSV), and progress is shown by the CLI itself.
        con.raw_sql("SET enable_progress_bar = false")
        import_extension("sqlite", con=con.con)
        con.raw_sql("LOAD sqlite")
        con.raw_sql(f"ATTACH '{_quote(str(snapshot))}' AS store (TYPE sqlite, READ_ONLY)")
        tables = {name: con.table(name, database="store") for name in TABLES}
    except BaseException:
        _remove(snapshot)
        raise

    def close() -> None:
        con.disconnect()
        _remove(snapshot)

    return Engine("duckdb", con, tables, close=close)


def _snapshot(path: Path, reads: Reads) -> Path:
    """Copy `TABLES` of the store at ``path`` into a new SQLite file, in one transaction:
    of ``data_value`` only the rows of ``reads`` (its periods, its unit's subtree in any
    period's tree), so a province's evaluation on a national store copies that province's
    values of the periods it reads, not the nation's of every year."""
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-evaluation-", suffix=".db", dir=path.parent)
    os.close(fd)
    snapshot = Path(name)
    source = sqlite3.connect(path, timeout=30)
    try:
        source.execute("ATTACH DATABASE ? AS snapshot", (str(snapshot),))
        source.execute("PRAGMA snapshot.journal_mode=OFF")
        source.execute("PRAGMA snapshot.synchronous=OFF")
        with source:  # one read transaction: every table from the same version of the store
            source.execute("BEGIN")
            for table in TABLES:  # the declared column types, which DuckDB's scanner reads
                (schema,) = source.execute(
                    "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?",
                    (table,),
                ).fetchone()
                source.execute(_CREATE.sub(f'CREATE TABLE snapshot."{table}"', schema, count=1))
                where, params = _rows_read(table, reads)
                source.execute(
                    f'INSERT INTO snapshot."{table}" SELECT * FROM main."{table}"{where}', params
                )
        source.execute("DETACH DATABASE snapshot")
    except BaseException:
        source.close()
        _remove(snapshot)
        raise
    source.close()
    return snapshot


def _rows_read(table: str, reads: Reads) -> tuple[str, list]:
    """The WHERE clause (and its parameters) of the rows of ``table`` that ``reads`` needs."""
    if table != "data_value":
        return "", []
    clauses, params = [], []
    if reads.periods is not None:
        clauses.append(f"period IN ({', '.join('?' * len(reads.periods))})")
        params += list(reads.periods)
    if reads.unit is not None:
        clauses.append(
            "org_unit IN (SELECT descendant_code FROM main.org_unit_path WHERE ancestor_code = ?)"
        )
        params.append(reads.unit)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


def _quote(text: str) -> str:
    return text.replace("'", "''")

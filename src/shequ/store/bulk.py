"""Bulk writes: many rows into one table in the caller's transaction, at driver speed.

SQLAlchemy's ``insert(table), [dicts]`` costs a Python dict and a bind per cell; a national
import writes millions of rows. `insert_rows` sends plain tuples straight to the driver:
SQLite's ``executemany`` in chunks, PostgreSQL's ``COPY ... FROM STDIN``. Cells are
converted once per distinct value with the column type's own bind processor, so the stored
text of a date or a timestamp is exactly what the ORM writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, literal, select

CHUNK = 50_000


def insert_rows(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (its columns are columns of ``table``); returns the count."""
    if frame.empty:
        return 0
    columns = list(frame.columns)
    if conn.dialect.name == "postgresql":
        cells = [_bound(conn, table, name, frame[name]) for name in columns]
        _copy(conn, table.name, columns, zip(*cells, strict=True))
        return len(frame)
    # SQLite binds every parameter of every row: a column of one value (the batch id, who,
    # when) is written into the statement once instead
    same = {name: _constant(conn, table, name, frame[name]) for name in columns[1:]}
    fixed = {name: value for name, value in same.items() if value is not None}  # not the 1st
    varying = [name for name in columns if name not in fixed]
    cells = [_bound(conn, table, name, frame[name]) for name in varying]
    _executemany(conn, table.name, varying, fixed, zip(*cells, strict=True))
    return len(frame)


def _constant(conn: Connection, table: Table, name: str, cells: pd.Series) -> str | None:
    """The SQL literal of a column whose cells are all one text or number, else None."""
    first = cells.iloc[0]
    if not isinstance(first, str | int | float | np.integer | np.floating | dt.date) or pd.isna(
        first
    ):
        return None
    if not (cells == first).all():
        return None
    (value,) = _bound(conn, table, name, cells.iloc[:1])
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value):
        return repr(value)
    return None


def _bound(conn: Connection, table: Table, name: str, cells: pd.Series) -> list:
    """The column's cells as the driver takes them: None for missing, Python scalars, and on
    SQLite dates and timestamps as the text SQLAlchemy stores (converted once per distinct
    value, then mapped in C)."""
    column_type = table.c[name].type
    process = column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if process is None and pd.api.types.infer_dtype(cells, skipna=True) in _PLAIN:
        return cells.astype(object).where(cells.notna(), None).tolist()
    codes, uniques = pd.factorize(cells)
    converted = np.empty(len(uniques) + 1, dtype=object)  # the last one: missing (code -1)
    for i, value in enumerate(uniques):
        plain = _python(value)
        converted[i] = plain if plain is None or process is None else process(plain)
    return converted[codes].tolist()


_PLAIN = ("string", "empty", "floating", "integer", "boolean", "mixed-integer-float")


def _python(value: object) -> object:
    """A Python scalar for the driver (numpy and pandas scalars converted, NaN/NaT None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


#: SQLite page cache (KiB) while a bulk insert runs: the indexes of a table of millions of
#: rows do not fit the default 2 MiB, and every evicted page is written to the WAL again
CACHE_KIB = 262_144


def _executemany(
    conn: Connection,
    name: str,
    columns: Sequence[str],
    fixed: Mapping[str, str],
    rows: Iterable[tuple],
) -> None:
    names = ", ".join([*columns, *fixed])
    sql = f"INSERT INTO {name} ({names}) VALUES ({', '.join(['?'] * len(columns) + [*fixed.values()])})"
    cursor = conn.connection.driver_connection.cursor()
    (before,) = cursor.execute("PRAGMA cache_size").fetchone()
    cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    try:
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(before)}")
        cursor.close()


#: rows of a load into an empty table from which its indexes are built after it
INDEXES_AFTER = 1_000_000


@contextmanager
def indexes_after(conn: Connection, table: Table, *, rows: int):
    """Around a load of ``rows`` into ``table``: when the table is empty and the load is
    big (`INDEXES_AFTER` rows or more), its non-unique indexes are dropped and built again at the
    end, in the caller's transaction (a sorted build costs less than growing each index
    row by row; rolled back, the indexes are as they were). A table holding rows keeps its
    indexes: building them again would cost more than the load saves. On SQLite the caller
    must have written in the transaction already (else nothing is dropped)."""
    empty = conn.execute(select(literal(1)).select_from(table).limit(1)).first() is None
    # Python's sqlite3 runs DDL outside a transaction until the first write opens one: a
    # DROP INDEX then commits at once, and a crash would leave the table without it
    open_ = conn.dialect.name != "sqlite" or conn.connection.driver_connection.in_transaction
    big = empty and rows >= INDEXES_AFTER and open_
    dropped = [i for i in table.indexes if not i.unique] if big else []
    for index in dropped:
        index.drop(conn)
    yield
    for index in dropped:
        index.create(conn)


def _copy(conn: Connection, name: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def select_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    filters: Mapping[str, Collection[str]],
    *,
    chunked: str,
    size: int = 5_000,
    order_by: Sequence[str] = (),
) -> pd.DataFrame:
    """Rows of ``table`` (``columns``) whose ``filters`` columns (text) hold one of their
    values, the ``chunked`` one looked up ``size`` values at a time, at driver speed.

    SQLAlchemy compiles an expanding IN list of thousands of codes again on every call
    (seconds for a province's units); here the SQL is plain text with placeholders and
    the cells come back converted by each column's own result processor on SQLite (a date
    stored as text is a date), once per distinct value.
    """
    wanted = {name: sorted({str(v) for v in values}) for name, values in filters.items()}
    if any(not values for values in wanted.values()):
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    fixed = [name for name in wanted if name != chunked]
    params = [v for name in fixed for v in wanted[name]]
    order = f" ORDER BY {', '.join(order_by)}" if order_by else ""
    rows: list = []
    keys = wanted[chunked]
    cursor = conn.connection.driver_connection.cursor()  # plain tuples, no Row per row
    try:
        for start in range(0, len(keys), size):
            part = keys[start : start + size]
            where = " AND ".join(
                f"{name} IN ({', '.join([mark] * len(wanted[name] if name != chunked else part))})"
                for name in [*fixed, chunked]
            )
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {table.name} WHERE {where}{order}",
                (*params, *part),
            )
            rows += cursor.fetchall()
    finally:
        cursor.close()
    frame = pd.DataFrame(rows, columns=list(columns))
    if conn.dialect.name != "sqlite":  # psycopg returns dates, times and booleans as such
        return frame
    for name in columns:
        column_type = table.c[name].type.dialect_impl(conn.dialect)
        process = column_type.result_processor(conn.dialect, None)
        if process is not None and len(frame):
            codes, uniques = pd.factorize(frame[name])
            converted = np.array([*(process(v) for v in uniques), None], dtype=object)
            frame[name] = pd.Series(converted[codes], index=frame.index).infer_objects()
    return frame

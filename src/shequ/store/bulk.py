"""Bulk writes: many rows into one table in the caller's transaction, at driver speed.

SQLAlchemy's ``insert(table), [dicts]`` costs a Python dict and a bind per cell; a national
import writes millions of rows. `insert_rows` sends plain tuples straight to the driver:
SQLite's ``executemany`` in chunks, PostgreSQL's ``COPY ... FROM STDIN``. Cells are
converted once per distinct value with the column type's own bind processor, so the stored
text of a date or a timestamp is exactly what the ORM writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, literal, select

CHUNK = 50_000


def insert_rows(
    conn: Connection, table: Table, frame: pd.DataFrame, *, page_cache_kib: int | None = None
) -> int:
    """Insert every row of ``frame`` (its columns are columns of ``table``); returns the count.

    On SQLite the page cache is `CACHE_KIB` while the rows go in (``page_cache_kib`` when
    given, 0: the connection's own): a table without its indexes (`indexes_aside`) needs
    no more, and every KiB of cache is resident memory (~130 MiB for the nation's tree).
    The cells are converted `CHUNK` rows at a time: memory holds one chunk's Python values."""
    if frame.empty:
        return 0
    columns = list(frame.columns)
    if conn.dialect.name == "postgresql":
        for part in _chunks(frame):
            cells = [_bound(conn, table, name, part[name]) for name in columns]
            _copy(conn, table.name, columns, zip(*cells, strict=True))
        return len(frame)
    # SQLite binds every parameter of every row: a column of one value (the batch id, who,
    # when, a run's id and period) is written into the statement once instead
    same = {name: _constant(conn, table, name, frame[name]) for name in columns[1:]}
    fixed = {name: value for name, value in same.items() if value is not None}  # not the 1st
    varying = [name for name in columns if name not in fixed]
    rows = (
        row
        for part in _chunks(frame)
        for row in zip(*(_bound(conn, table, name, part[name]) for name in varying), strict=True)
    )
    cache = CACHE_KIB if page_cache_kib is None else page_cache_kib
    _executemany(conn, table.name, varying, fixed, rows, cache)
    return len(frame)


def _chunks(frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), CHUNK):
        yield frame.iloc[start : start + CHUNK]


@contextmanager
def indexes_aside(conn: Connection, table: Table) -> Iterator[None]:
    """Load ``table`` without its secondary indexes, then build each once (SQLite).

    Use it around a bulk load into a table that is empty (or just emptied): SQLite then
    sorts each index once, instead of inserting every row into every index in the order
    of the rows (the closure of the national tree: 3.3 M paths, two indexes, half the time).
    The indexes come back in the caller's transaction, so a crash leaves them as they were.
    On PostgreSQL it does nothing: dropping an index there locks the table against readers
    until the transaction ends.
    """
    indexes = list(table.indexes) if conn.dialect.name == "sqlite" else []
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)


def _constant(conn: Connection, table: Table, name: str, cells: pd.Series) -> str | None:
    """The SQL literal of a column whose cells are all one text or number, else None."""
    first = cells.iloc[0]
    if not isinstance(first, str | int | float | np.integer | np.floating | dt.date) or pd.isna(
        first
    ):
        return None
    if cells.isna().any() or not (cells == first).all():  # (NA == x is NA, and all() skips it)
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
    cache_kib: int,
) -> None:
    names = ", ".join([*columns, *fixed])
    sql = f"INSERT INTO {name} ({names}) VALUES ({', '.join(['?'] * len(columns) + [*fixed.values()])})"
    cursor = conn.connection.driver_connection.cursor()
    (before,) = cursor.execute("PRAGMA cache_size").fetchone()
    if cache_kib:
        cursor.execute(f"PRAGMA cache_size = -{cache_kib}")
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
def indexes_after(conn: Connection, table: Table, *, rows: int) -> Iterator[None]:
    """`indexes_aside` around a load of ``rows`` into ``table`` when the table is empty and
    the load is big (`INDEXES_AFTER` rows or more); otherwise the indexes stay (building
    them again over the rows a table holds would cost more than the load saves).

    On SQLite the caller must have written in the transaction already, else nothing is
    set aside: Python's sqlite3 runs DDL outside a transaction until the first write opens
    one, so a DROP INDEX would commit at once and a crash would leave the table without it.
    """
    empty = conn.execute(select(literal(1)).select_from(table).limit(1)).first() is None
    open_ = conn.dialect.name != "sqlite" or conn.connection.driver_connection.in_transaction
    if empty and rows >= INDEXES_AFTER and open_:
        with indexes_aside(conn, table):
            yield
    else:
        yield


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
    return _converted(conn, table, pd.DataFrame(rows, columns=list(columns)))


def read_rows(
    conn: Connection, table: Table, columns: Sequence[str], *, order_by: Sequence[str] = ()
) -> pd.DataFrame:
    """Every row of ``table`` (``columns``), at driver speed: plain tuples, each cell
    converted once per distinct value as `select_rows` converts it (a whole tree of
    665 000 unit versions in about two seconds, not a Row object and a date parse per row).

    Rows are fetched `CHUNK` at a time into one array per column, and each repeated text
    of a column becomes one object (the driver makes one per cell: 620 000 copies of
    "community"), so the tree costs about 220 MiB, not 330 MiB."""
    order = f" ORDER BY {', '.join(order_by)}" if order_by else ""
    cursor = conn.connection.driver_connection.cursor()
    parts: list[list[np.ndarray]] = [[] for _ in columns]
    try:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table.name}{order}")
        while rows := cursor.fetchmany(CHUNK):
            for part, cells in zip(parts, zip(*rows, strict=True), strict=True):
                part.append(_shared(np.array(cells, dtype=object)))
            del rows
    finally:
        cursor.close()
    frame = pd.DataFrame(
        {
            name: pd.Series(np.concatenate(part) if part else [], dtype=object).infer_objects()
            for name, part in zip(columns, parts, strict=True)
        }
    )
    return _converted(conn, table, frame)


def _shared(cells: np.ndarray) -> np.ndarray:
    """``cells`` with each repeated text one object; mostly distinct cells as they are."""
    numbers, uniques = pd.factorize(cells)
    if len(uniques) >= len(cells) // 2:
        return cells
    return np.append(uniques.astype(object), None)[numbers]


def _converted(conn: Connection, table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s cells as the ORM reads them (on SQLite, dates stored as text are dates)."""
    if conn.dialect.name != "sqlite":  # psycopg returns dates, times and booleans as such
        return frame
    columns = frame.columns
    for name in columns:
        column_type = table.c[name].type.dialect_impl(conn.dialect)
        process = column_type.result_processor(conn.dialect, None)
        if process is not None and len(frame):
            codes, uniques = pd.factorize(frame[name])
            converted = np.array([*(process(v) for v in uniques), None], dtype=object)
            frame[name] = pd.Series(converted[codes], index=frame.index).infer_objects()
    return frame

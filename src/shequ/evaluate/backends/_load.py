"""Loading the rows an evaluation reads from the SQLite store into DuckDB tables (the DuckDB
engine, `duckdb`; why this way: its docstring).

Only Python's SQLite opens the store. Each (data element, period) cell is one indexed query
(``ix_data_value_period``; for a subtree, one lookup per unit in the unique key's index).
Fetching costs Python work per row, so on a large store (`PARALLEL_FROM` values) `READERS`
reader processes (`_fetch`, each its own read transaction) fetch the cells into Arrow
files while this process reads the tree; DuckDB then reads the files. That they all read
one version of the store is checked, not assumed: ``PRAGMA data_version`` of one connection
held open across the readers changes if any other connection committed meanwhile, and the
load is then done again (after `ATTEMPTS`, in one transaction of this process).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from ... import progress
from ...errors import EvaluationError
from . import Reads

_BATCH = 200_000

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
# the default combo comes as NULL (Python's None, no new string per row) and back on insert
_COMBO = "nullif(category_option_combo, 'default') AS category_option_combo"
_SUBTREE = "SELECT DISTINCT descendant_code AS code FROM org_unit_path WHERE ancestor_code = ?"


READERS = 2
PARALLEL_FROM = 2_000_000  # values in the store (its highest row id) from which readers run
ATTEMPTS = 3
_FETCH = Path(__file__).with_name("_fetch.py")
_SCAN = Path(__file__).with_name("_scan.py")


def load(path: Path, reads: Reads, target, scratch: Path) -> dict[str, int]:
    """Create `COLUMNS`' tables in the DuckDB connection ``target`` and fill them with the
    rows of the store at ``path`` that ``reads`` names, all of one version of the store
    (``scratch``: a private folder for the readers' files); returns each table's row count."""
    for table, columns in COLUMNS.items():
        kinds = ", ".join(f"{c} {kind}" for c, kind in columns.items())
        target.execute(f"CREATE TABLE {table} ({kinds})")
    if _parallel(path, reads):
        attempt = _load_scanned if reads.unit is None else _load_parallel
        for _ in range(ATTEMPTS):
            counts = attempt(path, reads, target, scratch)
            if counts is not None:
                return counts
            for table in COLUMNS:  # the store changed while it was read: again
                target.execute(f"DELETE FROM {table}")
    return _load_one(path, reads, target)


def _parallel(path: Path, reads: Reads) -> bool:
    if reads.cells is None or len(reads.cells) < 2:
        return False
    with sqlite3.connect(path, timeout=30) as con:
        (highest,) = con.execute("SELECT coalesce(max(id), 0) FROM data_value").fetchone()
    con.close()
    return highest >= PARALLEL_FROM


def _load_one(path: Path, reads: Reads, target) -> dict[str, int]:
    """Every table in one read transaction of this process."""
    source = sqlite3.connect(path, timeout=30, isolation_level=None)
    counts = {}
    try:
        source.execute("BEGIN")  # one read transaction: every table from the same version
        for table in COLUMNS:
            counts[table] = 0
            for sql, params, constants in _queries(table, reads):
                counts[table] += _append(source, target, table, sql, params, constants)
                if constants:  # one (data element, period) cell read
                    progress.advance()
        source.execute("ROLLBACK")
    finally:
        source.close()
    return counts


def _load_parallel(path: Path, reads: Reads, target, scratch: Path) -> dict[str, int] | None:
    """The cells fetched by `READERS` processes, the tree here, meanwhile; None when another
    connection committed while they read (the tables are then incomplete)."""
    cells = list(_queries("data_value", reads))
    guard = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        (before,) = guard.execute("PRAGMA data_version").fetchone()
        files = [scratch / f"cells-{i}.arrow" for i in range(READERS)]
        readers = []
        for i, out in enumerate(files):
            jobs = [
                (n, sql, params) for n, (sql, params, _) in enumerate(cells) if n % READERS == i
            ]
            spec = scratch / f"cells-{i}.json"
            spec.write_text(json.dumps({"store": str(path), "out": str(out), "jobs": jobs}))
            reader = subprocess.Popen(
                [sys.executable, str(_FETCH), str(spec)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            readers.append((reader, len(jobs)))
        counts = {"data_value": 0}
        guard.execute("BEGIN")
        for table in ("org_unit", "org_unit_path"):
            counts[table] = sum(
                _append(guard, target, table, sql, params, constants)
                for sql, params, constants in _queries(table, reads)
            )
        guard.execute("ROLLBACK")
        for reader, jobs in readers:
            out, err = reader.communicate()
            if reader.returncode != 0:
                msg = f"读取数据失败 / reading the store's values failed: {err.strip()[-2000:]}"
                raise EvaluationError(msg)
            counts["data_value"] += int(out)
            progress.advance(jobs)
        (after,) = guard.execute("PRAGMA data_version").fetchone()
    finally:
        guard.close()
    if after != before:
        return None
    _insert_cells(target, cells, files)
    for out in files:
        out.unlink()
    return counts


def _load_scanned(path: Path, reads: Reads, target, scratch: Path) -> dict[str, int] | None:
    """The cells of the whole tree and the tree, read by DuckDB's scanner in a child
    process (`_scan`) into a DuckDB file that ``target`` then copies; None when another
    connection committed while it read. The scanner has no index to use: it reads every
    value of the store (65.7 M nationally) to keep the cells' 14.6 M, in C on every core,
    which is still about twice as fast as fetching those through Python (`_load_parallel`)."""
    out, spec = scratch / "scanned.duckdb", scratch / "scanned.json"
    cells = sorted(set(reads.cells))  # `_parallel`: there are cells
    pairs = ", ".join(["(?, ?)"] * len(cells))
    statements = [
        (
            f"CREATE TABLE data_value AS SELECT {_scanned('data_value')} FROM s.data_value"
            f" SEMI JOIN (VALUES {pairs}) AS c(element, cell_period)"
            " ON data_element = c.element AND period = c.cell_period",
            [code for cell in cells for code in cell],
        ),
        *(
            (f"CREATE TABLE {t} AS SELECT {_scanned(t)} FROM s.{t}", [])
            for t in COLUMNS
            if t != "data_value"
        ),
    ]
    job = {"store": str(path), "out": str(out), "scratch": str(scratch), "statements": statements}
    spec.write_text(json.dumps(job))
    guard = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        (before,) = guard.execute("PRAGMA data_version").fetchone()
        done = subprocess.run(  # -P: the folder not on the path (./duckdb.py is not duckdb)
            [sys.executable, "-P", str(_SCAN), str(spec)], capture_output=True, text=True
        )
        if done.returncode != 0:
            msg = f"读取数据失败 / reading the store's values failed: {done.stderr.strip()[-2000:]}"
            raise EvaluationError(msg)
        progress.advance(len(cells))
        (after,) = guard.execute("PRAGMA data_version").fetchone()
    finally:
        guard.close()
    try:
        if after != before:
            return None
        target.execute(f"ATTACH '{quote(str(out))}' AS scanned (READ_ONLY)")
        counts = {}
        for table, columns in COLUMNS.items():
            copy = f"INSERT INTO {table} SELECT {', '.join(columns)} FROM scanned.{table}"
            (counts[table],) = target.execute(copy).fetchone()  # the rows inserted
        target.execute("DETACH scanned")
        return counts
    finally:
        out.unlink(missing_ok=True)
        out.with_name(out.name + ".wal").unlink(missing_ok=True)


def _scanned(table: str) -> str:
    """The columns of ``table`` as `_scan` selects them (each cast to its DuckDB type)."""
    return ", ".join(
        f"coalesce({c}, 'default') AS {c}"
        if c == "category_option_combo"
        else f"CAST({c} AS {kind}) AS {c}"
        for c, kind in COLUMNS[table].items()
    )


def quote(text: str) -> str:
    """``text`` inside an SQL string literal (its quotes doubled)."""
    return text.replace("'", "''")


def _insert_cells(target, cells: list[tuple[str, list, dict[str, str]]], files: list[Path]) -> None:
    """The readers' rows into ``data_value``, each with its cell's element and period."""
    keys = pa.table(
        {
            "cell": pa.array(range(len(cells)), pa.int32()),
            "data_element": [constants["data_element"] for _, _, constants in cells],
            "period": [constants["period"] for _, _, constants in cells],
        }
    )
    target.register("cell_keys", keys)
    for path in files:
        with pa.memory_map(str(path)) as source:
            target.register("cells", pa.ipc.open_file(source).read_all())
            target.execute(
                "INSERT INTO data_value SELECT k.data_element, f.org_unit, k.period,"
                " coalesce(f.category_option_combo, 'default'), f.value"
                " FROM cells AS f JOIN cell_keys AS k ON k.cell = f.cell"
            )
            target.unregister("cells")
    target.unregister("cell_keys")


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
    if reads.unit is not None and reads.cells is None:
        yield _subtree_values(reads)
        return
    if reads.cells is None:
        where = ""
        if reads.periods is not None:
            where = f" WHERE period IN ({', '.join('?' * len(reads.periods))})"
        yield f"SELECT {', '.join(names)} FROM data_value{where}", list(reads.periods or []), {}
        return
    for element, period in reads.cells:
        if reads.unit is None:  # one range of ix_data_value_period
            sql = f"SELECT org_unit, {_COMBO}, value FROM data_value"
            yield (
                f"{sql} WHERE period = ? AND data_element = ?",
                [period, element],
                {
                    "data_element": element,
                    "period": period,
                },
            )
        else:  # the subtree's units one by one, each a lookup in the unique key's index
            sql = (
                f"SELECT v.org_unit, {_COMBO}, v.value FROM ({_SUBTREE}) AS s"
                " CROSS JOIN data_value AS v"
                " WHERE v.data_element = ? AND v.period = ? AND v.org_unit = s.code"
            )
            yield sql, [reads.unit, element, period], {"data_element": element, "period": period}


def _subtree_values(reads: Reads) -> tuple[str, list, dict[str, str]]:
    """Every value of the units ever in ``reads.unit``'s subtree (of ``reads.periods``),
    unit by unit through ix_data_value_unit (CROSS JOIN keeps SQLite from scanning the
    nation's values)."""
    where, params = "", [reads.unit]
    if reads.periods is not None:
        where = f" AND v.period IN ({', '.join('?' * len(reads.periods))})"
        params += list(reads.periods)
    columns = ", ".join(f"v.{c}" for c in COLUMNS["data_value"])
    sql = (
        f"SELECT {columns} FROM ({_SUBTREE}) AS s"
        " CROSS JOIN data_value AS v INDEXED BY ix_data_value_unit"
        f" WHERE v.org_unit = s.code{where}"
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
    select = ", ".join(_cell(c, kind, constants) for c, kind in columns.items())
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


def _cell(column: str, kind: str, constants: dict[str, str]) -> str:
    """DuckDB's expression of a loaded column over the fetched batch."""
    if column in constants:
        return f"${column}"
    if column == "category_option_combo":
        return f"coalesce({column}, 'default')"
    return f"CAST({column} AS DATE)" if kind == "DATE" else column

"""The store's tables as Parquet: what Spark (or DuckDB, or a data team) reads when one
machine is not enough.

``export(store, directory)`` writes, in one read transaction of the store (every table
from the same version of the data)::

    directory/
      manifest.json                 store fingerprint, schema revision, tables, row counts
      data_value/period=2025/part-0.parquet   one folder per period (hive partitioning)
      org_unit/part-0.parquet       the tree, whole
      org_unit_path/part-0.parquet  its closure, whole
      period/part-0.parquet         periods and their locks

On an SQLite store the tables are written by DuckDB in a child process
(`shequ.store._parquet_duckdb`: its sqlite extension scans the file, ``COPY`` writes the
Parquet; no row passes through Python, 66 M values in minutes rather than an hour). The
child cannot share this process's read transaction, so the store's fingerprint is taken
before it and, if another connection committed meanwhile, after it: when they differ the
export is done again, up to `ATTEMPTS` times, then refused. On PostgreSQL rows are streamed from
server-side cursors in one REPEATABLE READ transaction, in record batches of `BATCH_ROWS`
(never a whole table in memory). A period's rows are written as row groups of up to
`GROUP_ROWS`. The export is built in a temporary folder beside ``directory`` and renamed
into place when complete, so a reader never sees half an export; a previous export there
is replaced, any other folder refused.

The fingerprint says which version of the store an export holds, cheaply (aggregates, no
content hash): row counts, highest ids, the latest change time and the sum of the values,
and the schema revision. Every writer of the store inserts rows (new ids) or updates them
(a new ``updated_at``), and rebuilding the closure follows a change of the units, so an
export whose fingerprint differs from the store's is stale (`check_fresh`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Table

from ..errors import StoreError
from .db import Store
from .tables.core import Base

FORMAT = "shequ-parquet/1"
MANIFEST = "manifest.json"
BATCH_ROWS = 100_000
GROUP_ROWS = 500_000
ATTEMPTS = 3
TABLES = {"data_value": "period", "org_unit": None, "org_unit_path": None, "period": None}
_FINGERPRINT = {  # table -> aggregates that change with every write of it
    "data_value": "COUNT(*), MAX(id), MAX(updated_at), SUM(value)",
    "org_unit": "COUNT(*), MAX(id), MAX(updated_at)",
    "org_unit_path": "COUNT(*), SUM(depth), MIN(valid_from), MAX(valid_to)",
    "period": "COUNT(*), SUM(CASE WHEN locked THEN 1 ELSE 0 END), MAX(end_date)",
}


@dataclass
class Manifest:
    """What an export holds: the store version it came from and its tables' row counts."""

    fingerprint: str
    schema_revision: str
    rows: dict[str, int]
    partitions: dict[str, str | None]
    exported_at: str

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **self.__dict__}, ensure_ascii=False, indent=2)


def export(store: Store, directory: str | os.PathLike[str]) -> Manifest:
    """Write the store's evaluation tables under ``directory`` (see the module docstring)."""
    target = Path(directory).expanduser().resolve()
    _refuse_foreign(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-export-", dir=target.parent))
    try:
        if store.sqlite_path is not None:
            revision, fingerprint, rows = _export_sqlite(Path(store.sqlite_path), work)
        else:
            with _snapshot(store) as cursor:
                revision, fingerprint = _fingerprint(cursor)
                rows = {name: _export_table(cursor, name, work) for name in TABLES}
        manifest = Manifest(
            fingerprint, revision, rows, dict(TABLES), dt.datetime.now(dt.UTC).isoformat()
        )
        (work / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        _swap_in(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def read_manifest(directory: str | os.PathLike[str]) -> Manifest:
    """The manifest of the export at ``directory``; `StoreError` when there is none."""
    path = Path(directory) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        msg = f"{directory} 不是 shequ 的 Parquet 导出（缺少 {MANIFEST}）/ {directory} is not a shequ Parquet export (no readable {MANIFEST})"
        raise StoreError(msg) from None
    if data.pop("format", None) != FORMAT:
        msg = f"{path}: 未知的导出格式 / unknown export format (expected {FORMAT})"
        raise StoreError(msg)
    return Manifest(**data)


def check_fresh(store: Store, directory: str | os.PathLike[str]) -> Manifest:
    """The manifest at ``directory`` if it holds the store as it is now; else `StoreError`
    saying that the export is stale and how to renew it."""
    manifest = read_manifest(directory)
    with _snapshot(store) as cursor:
        revision, fingerprint = _fingerprint(cursor)
    if (revision, fingerprint) != (manifest.schema_revision, manifest.fingerprint):
        msg = (
            f"Parquet 导出 {directory} 已过期：导出于 {manifest.exported_at}，此后存储已有变更"
            f"（指纹 {manifest.fingerprint[:12]} ≠ {fingerprint[:12]}），请重新运行 "
            f"shequ export parquet {directory} / the Parquet export at {directory} is stale: "
            f"the store changed since it was exported at {manifest.exported_at} "
            f"(fingerprint {manifest.fingerprint[:12]} != {fingerprint[:12]}); "
            f"re-run shequ export parquet {directory}"
        )
        raise StoreError(msg)
    return manifest


def table_paths(directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Each exported table's folder (what ``spark.read.parquet`` or a dataset reads)."""
    return {name: Path(directory) / name for name in TABLES}


def dataset(directory: str | os.PathLike[str], table: str) -> Any:
    """A pyarrow dataset of one exported table; the partition column is read as text (a
    reader that infers types would turn period ``2025`` into a number)."""
    import pyarrow.dataset as ds

    column = TABLES[table]
    partitioning = (
        ds.partitioning(pa.schema([(column, pa.string())]), flavor="hive") if column else None
    )
    return ds.dataset(Path(directory) / table, format="parquet", partitioning=partitioning)


# --- reading the store in one transaction ----------------------------------------------


@contextlib.contextmanager
def _snapshot(store: Store) -> Iterator[Any]:
    """A DBAPI cursor factory inside one read transaction of the store."""
    if store.sqlite_path is not None:
        con = sqlite3.connect(store.sqlite_path, timeout=30)
        try:
            con.execute("BEGIN")  # deferred: the first read fixes the version every read sees
            yield _Cursors(lambda: con.cursor())
        finally:
            con.rollback()
            con.close()
        return
    raw = store.engine.raw_connection()
    try:
        driver = raw.driver_connection
        driver.rollback()
        driver.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        names = iter(range(1_000_000))
        yield _Cursors(lambda: driver.cursor(name=f"shequ_export_{next(names)}"))
    finally:
        raw.rollback()
        raw.close()


@dataclass
class _Cursors:
    new: Any  # () -> a DBAPI cursor (server-side on PostgreSQL)


def _fingerprint(cursors: _Cursors) -> tuple[str, str]:
    parts = []
    for table, aggregates in _FINGERPRINT.items():
        cursor = cursors.new()
        cursor.execute(f"SELECT {aggregates} FROM {table}")
        parts.append(f"{table}:" + "|".join(_plain(v) for v in cursor.fetchone()))
        cursor.close()
    cursor = cursors.new()
    cursor.execute("SELECT version_num FROM alembic_version")
    (revision,) = cursor.fetchone()
    cursor.close()
    return revision, hashlib.sha256(";".join(parts).encode()).hexdigest()


def _plain(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.12g}"  # a server's parallel sum may differ in the last bits
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return "" if value is None else str(value)


# --- writing one table ----------------------------------------------------------------


def _export_table(cursors: _Cursors, name: str, work: Path) -> int:
    schema = _schema(name)
    cursor = cursors.new()
    cursor.execute(f"SELECT {', '.join(schema.names)} FROM {name}")
    writers = _Writers(work / name, schema, TABLES[name])
    total = 0
    try:
        while batch := cursor.fetchmany(BATCH_ROWS):
            total += len(batch)
            columns = zip(schema, zip(*batch, strict=True), strict=True)
            arrays = [pa.array(cells, type=field.type) for field, cells in columns]
            writers.add(pa.RecordBatch.from_arrays(arrays, schema=schema))
        writers.close()
    finally:
        cursor.close()
    return total


def _schema(name: str) -> pa.Schema:
    table: Table = Base.metadata.tables[name]
    return pa.schema([(c.name, _arrow_type(c.type)) for c in table.columns])


def _arrow_type(sql_type: object) -> pa.DataType:
    for sql, arrow in (
        (Boolean, pa.bool_()),
        (Integer, pa.int64()),
        (Float, pa.float64()),
        (DateTime, pa.timestamp("us")),
        (Date, pa.date32()),
    ):
        if isinstance(sql_type, sql):
            return arrow
    return pa.string()


def _export_sqlite(path: Path, work: Path) -> tuple[str, str, dict[str, int]]:
    """Every table by DuckDB in a child process, between two equal fingerprints.

    ``PRAGMA data_version`` of one connection changes only when another connection
    commits: when it has not moved, the second fingerprint (a scan of every value) is
    not needed."""
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        for _ in range(ATTEMPTS):
            version = _data_version(con)
            before = _fingerprint_in(con)
            rows = _duckdb_child(path, work)
            if _data_version(con) == version or _fingerprint_in(con) == before:
                return (*before, rows)
            for name in TABLES:  # a writer committed meanwhile: the tables may disagree
                shutil.rmtree(work / name, ignore_errors=True)
    finally:
        con.close()
    msg = (
        f"存储在导出期间持续变更（已尝试 {ATTEMPTS} 次），请在导入结束后重试 / the store kept "
        f"changing during the export ({ATTEMPTS} attempts); try again when imports are done"
    )
    raise StoreError(msg)


def _data_version(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA data_version").fetchone()[0])


def _fingerprint_in(con: sqlite3.Connection) -> tuple[str, str]:
    con.execute("BEGIN")
    try:
        return _fingerprint(_Cursors(lambda: con.cursor()))
    finally:
        con.execute("ROLLBACK")


def _duckdb_child(path: Path, work: Path) -> dict[str, int]:
    """Run `shequ.store._parquet_duckdb` on the store; its row counts per table."""
    tables = [
        {"name": name, "partition": TABLES[name],
         "columns": [(f.name, str(f.type)) for f in _schema(name)]}
        for name in TABLES
    ]  # fmt: skip
    request = {
        "store": str(path),
        "work": str(work),
        "tables": tables,
        "threads": os.environ.get("SHEQU_EXPORT_THREADS", "2"),
        "memory": os.environ.get("SHEQU_EXPORT_MEMORY", "2GB"),
    }
    (work / ".request.json").write_text(json.dumps(request), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "shequ.store._parquet_duckdb", str(work / ".request.json")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=False,
    )
    (work / ".request.json").unlink()
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["?"])[-1]
        msg = f"Parquet 导出失败 / the Parquet export failed: {reason}"
        raise StoreError(msg)
    return json.loads(done.stdout.strip().splitlines()[-1])


class _Writers:
    """One Parquet file per partition value (or one for the table), fed record batches and
    flushed as row groups of up to `GROUP_ROWS`."""

    def __init__(self, folder: Path, schema: pa.Schema, partition: str | None) -> None:
        self.folder, self.partition, self.schema = folder, partition, schema
        self.file_schema = schema.remove(schema.get_field_index(partition)) if partition else schema
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.pending: dict[str, list[pa.RecordBatch]] = {}
        folder.mkdir(parents=True)

    def add(self, batch: pa.RecordBatch) -> None:
        if self.partition is None:
            self._queue("", batch)
            return
        keys = batch.column(self.partition)
        rest = batch.drop_columns([self.partition])
        for key in pc.unique(keys).to_pylist():
            self._queue(key, rest.filter(pc.equal(keys, key)))

    def close(self) -> None:
        for key in list(self.pending):
            self._flush(key)
        if not self.writers:  # an empty table is still a table: one file, no rows
            self.partition, self.file_schema = None, self.schema
            self._writer("")
        for writer in self.writers.values():
            writer.close()

    def _queue(self, key: str, batch: pa.RecordBatch) -> None:
        queue = self.pending.setdefault(key, [])
        queue.append(batch)
        if sum(b.num_rows for b in queue) >= GROUP_ROWS:
            self._flush(key)

    def _flush(self, key: str) -> None:
        batches = self.pending.pop(key, [])
        if batches:
            writer = self.writers.get(key) or self._writer(key)
            writer.write_table(pa.Table.from_batches(batches, schema=self.file_schema))

    def _writer(self, key: str) -> pq.ParquetWriter:
        folder = self.folder / f"{self.partition}={key}" if self.partition else self.folder
        folder.mkdir(exist_ok=True)
        writer = pq.ParquetWriter(folder / "part-0.parquet", self.file_schema, compression="zstd")
        self.writers[key] = writer
        return writer


# --- putting the finished export in place ------------------------------------------------


def _refuse_foreign(target: Path) -> None:
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not (target / MANIFEST).exists())
    ):
        msg = f"{target} 已存在且不是 shequ 的 Parquet 导出，未覆盖 / {target} exists and is not a shequ Parquet export; not overwritten"
        raise StoreError(msg)


def _swap_in(work: Path, target: Path) -> None:
    """Rename the finished export to ``target``, replacing a previous export there."""
    if not target.exists():
        work.rename(target)
        return
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    target.rename(old)
    work.rename(target)
    shutil.rmtree(old, ignore_errors=True)

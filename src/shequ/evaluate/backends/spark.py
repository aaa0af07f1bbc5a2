"""Apache Spark: the same Ibis expressions on ibis' pyspark backend, over a Parquet export
of the store (`shequ.store.parquet`).

Without ``parquet`` the engine exports the store's tables to a private temporary folder
(deleted when the engine closes), so the evaluation reads one consistent version of the
data, as on DuckDB. With ``parquet`` (``shequ evaluate --parquet DIR``, e.g. a folder a
cluster can read) it reads that export, after checking that its manifest's fingerprint is
the store's own: a stale export is refused with the reason. The session is the process's
one Spark session (`shequ.spark`): local mode ``local[2]`` by default, ``master`` a cluster
URL, ``remote`` a Spark Connect server (``sc://host:15002``; it must see the export's path).

In local mode the results come back through Parquet: the executors write them into the
engine's private folder and Arrow reads them, instead of one collect to the driver (the
nation's 8.6 M results, 1.3 GB serialised, failed at ``spark.driver.maxResultSize`` and
then at the driver's heap). On a cluster the driver's folder may not be the executors', so
results are collected as ibis does.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from ... import spark as spark_session
from ...errors import MissingExtraError
from ...store import parquet
from ...store.db import Store
from . import TABLES, Engine, Reads, register


@register("spark")
def connect(
    store: Store,
    reads: Reads,  # Spark reads a Parquet export of the whole store
    *,
    master: str | None = None,
    remote: str | None = None,
    parquet_dir: str | Path | None = None,
) -> Engine:
    if parquet_dir is not None:  # refuse a stale export before starting a JVM
        parquet.check_fresh(store, parquet_dir)
    session = spark_session.session(master, remote)
    try:
        import ibis

        con = ibis.pyspark.connect(session)
    except (ImportError, ModuleNotFoundError, AttributeError):
        raise MissingExtraError("ibis-framework[pyspark]", "spark") from None
    scratch = Path(tempfile.mkdtemp(prefix="shequ-spark-"))
    if parquet_dir is None:
        folder = scratch / "export"
        parquet.export(store, folder)
    else:
        folder = Path(parquet_dir)
    views = {name: f"shequ_{uuid.uuid4().hex[:10]}_{name}" for name in TABLES}
    paths = parquet.table_paths(folder)
    for name, view in views.items():
        session.read.parquet(str(paths[name])).createOrReplaceTempView(view)
    tables = {name: con.table(view) for name, view in views.items()}

    def close() -> None:
        for view in views.values():
            session.catalog.dropTempView(view)
        shutil.rmtree(scratch, ignore_errors=True)

    local = remote is None and (master is None or master.startswith("local"))
    fetch = _through_parquet(con, scratch) if local else None
    return Engine("spark", con, tables, close=close, fetch=fetch)


def _through_parquet(con, scratch: Path):
    """``expr -> pyarrow Table``: the executors write the rows as Parquet under ``scratch``,
    Arrow reads them back (with the expression's schema) and the files are removed."""

    def fetch(expr):
        import pyarrow.parquet as pq
        from ibis.formats.pyarrow import PyArrowData

        table = expr.as_table()
        out = scratch / f"rows-{uuid.uuid4().hex[:10]}"
        con.to_parquet(table, out)  # ibis: the executors write a folder of part files
        try:
            rows = pq.read_table(out)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        if rows.num_rows == 0:
            return PyArrowData.convert_table(
                table.schema().to_pyarrow().empty_table(), table.schema()
            )
        return PyArrowData.convert_table(rows.select(list(table.columns)), table.schema())

    return fetch

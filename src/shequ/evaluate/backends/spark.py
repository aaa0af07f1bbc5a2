"""Apache Spark: the same Ibis expressions on ibis' pyspark backend, over a Parquet export
of the store (`shequ.store.parquet`).

Without ``parquet`` the engine exports the store's tables to a private temporary folder
(deleted when the engine closes), so the evaluation reads one consistent version of the
data, as on DuckDB. With ``parquet`` (``shequ evaluate --parquet DIR``, e.g. a folder a
cluster can read) it reads that export, after checking that its manifest's fingerprint is
the store's own: a stale export is refused with the reason. The session is the process's
one Spark session (`shequ.spark`): local mode ``local[2]`` by default, ``master`` a cluster
URL, ``remote`` a Spark Connect server (``sc://host:15002``; it must see the export's path).
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
    if parquet_dir is None:
        folder = Path(tempfile.mkdtemp(prefix="shequ-spark-export-")) / "export"
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
        if parquet_dir is None:
            shutil.rmtree(folder.parent, ignore_errors=True)

    return Engine("spark", con, tables, close=close)

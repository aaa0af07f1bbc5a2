"""The one Spark session of a process, for everything that runs on Spark (today the
evaluation engine, `shequ.evaluate.backends.spark`; spatial jobs partitioned by city are
meant to share it).

``session(master=None, remote=None)`` starts (once) a SparkSession: local mode
``local[2]`` by default, a cluster master URL (``spark://host:7077``, ``yarn``), or a Spark
Connect server (``sc://host:15002``). Local sessions bind to 127.0.0.1, show no web UI,
and keep their warehouse in a private temporary folder (else ``./spark-warehouse`` is left
behind and breaks re-runs); the driver's heap is ``$SHEQU_SPARK_DRIVER_MEMORY`` (default
2g; in local mode the driver runs every task) and the results it may collect at most
``$SHEQU_SPARK_MAX_RESULT`` (default 4g: a national evaluation's 8.6 M results are 1.3 GB
serialised, over Spark's own 1g). Partition columns are read as strings:
period codes such as ``2025`` must stay text, as in the store.

Starting the JVM costs 5–11 s and ~0.5 GiB; a process keeps one session for all its work
(`stop` ends it). Missing pieces are refused with what to install: pyspark itself (the
``shequ[spark]`` extra), or the gRPC packages Spark Connect needs.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import tempfile
from typing import Any

from .errors import MissingExtraError, ShequError

DEFAULT_MASTER = "local[2]"
CONNECT_PACKAGES = {  # module -> the package pip installs it from
    "grpc": "grpcio",
    "grpc_status": "grpcio-status",
    "google.rpc": "googleapis-common-protos",
    "zstandard": "zstandard",
}

_state: dict[str, Any] = {"session": None, "key": None, "warehouse": None}


class SparkUnavailableError(ShequError, RuntimeError):
    """Spark cannot start here (a missing package, no Java, a master that does not answer)."""


def session(master: str | None = None, remote: str | None = None) -> Any:
    """The process's SparkSession for ``master`` (default ``local[2]``) or ``remote``."""
    if master and remote:
        msg = "只能指定 --spark-master 或 --spark-remote 之一 / give --spark-master or --spark-remote, not both"
        raise SparkUnavailableError(msg)
    key = ("remote", remote) if remote else ("master", master or DEFAULT_MASTER)
    if _state["session"] is not None and _state["key"] == key:
        return _state["session"]
    _require_pyspark()
    if remote:
        _require_connect()
    stop()  # a process has one session: another master or server replaces it
    _state["session"], _state["key"] = _start(key), key
    return _state["session"]


def stop() -> None:
    """End the session (and its JVM's work) and remove its warehouse folder."""
    spark, _state["session"], _state["key"] = _state["session"], None, None
    if spark is not None:
        spark.stop()
    if _state["warehouse"]:
        shutil.rmtree(_state["warehouse"], ignore_errors=True)
        _state["warehouse"] = None


def _start(key: tuple[str, str]) -> Any:
    from pyspark.sql import SparkSession

    kind, where = key
    if kind == "remote":
        builder = SparkSession.builder.remote(where)
    else:
        _state["warehouse"] = tempfile.mkdtemp(prefix="shequ-spark-")
        builder = (
            SparkSession.builder.master(where)
            .appName("shequ")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.warehouse.dir", _state["warehouse"])
            .config("spark.driver.memory", os.environ.get("SHEQU_SPARK_DRIVER_MEMORY", "2g"))
            .config("spark.driver.maxResultSize", os.environ.get("SHEQU_SPARK_MAX_RESULT", "4g"))
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        )
    builder = builder.config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM or the server did not start: say why, no traceback
        msg = f"Spark 无法启动（{where}）/ Spark did not start ({where}): {exc}"
        raise SparkUnavailableError(msg) from exc
    if kind == "master":
        spark.sparkContext.setLogLevel("ERROR")
    atexit.register(stop)
    return spark


def _require_pyspark() -> None:
    if importlib.util.find_spec("pyspark") is None:
        raise MissingExtraError("pyspark", "spark")


def _require_connect() -> None:
    missing = sorted(
        package for module, package in CONNECT_PACKAGES.items() if _find(module) is None
    )
    if missing:
        names = " ".join(missing)
        msg = (
            f"Spark Connect 需要以下软件包：pip install {names} / "
            f"Spark Connect needs these packages: pip install {names}"
        )
        raise SparkUnavailableError(msg)


def _find(module: str) -> object | None:
    try:
        return importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return None

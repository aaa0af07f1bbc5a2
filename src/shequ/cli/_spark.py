"""The options that send work to Apache Spark, shared by ``shequ evaluate`` and
``shequ coverage``: where Spark runs, and which Parquet export it reads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import EvaluationError

SparkMasterOption = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="Spark 主节点（默认 local[2]），如 spark://host:7077 / Spark master URL (default local[2])",
    ),
]
SparkRemoteOption = Annotated[
    str | None,
    typer.Option(
        "--spark-remote", help="Spark Connect 服务 sc://HOST:PORT / a Spark Connect server"
    ),
]
ParquetOption = Annotated[
    Path | None,
    typer.Option(
        "--parquet",
        help="读取此 Parquet 导出（shequ export parquet），须与存储一致 / read this Parquet export "
        "(shequ export parquet); refused when stale",
    ),
]


def engine_choice(
    engine: str | None, master: str | None, remote: str | None, parquet: Path | None
) -> Any:
    """``engine`` as given, or the Spark engine with its settings when any Spark option is."""
    from ..evaluate.backends import EngineChoice

    settings = {"master": master, "remote": remote, "parquet_dir": parquet}
    if not any(settings.values()):
        return engine
    if engine not in (None, "spark"):
        msg = (
            f"--spark-master/--spark-remote/--parquet 只用于 --engine spark（而非 {engine}）/ "
            f"--spark-master, --spark-remote and --parquet need --engine spark, not {engine}"
        )
        raise EvaluationError(msg)
    return EngineChoice("spark", {k: v for k, v in settings.items() if v})

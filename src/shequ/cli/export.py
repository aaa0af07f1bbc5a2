"""``shequ export parquet DIR``: the store's tables as Parquet, for Spark or a data team."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, command_group, console

export_app = command_group("导出存储 / export the store.")


@export_app.command("parquet")
def export_parquet(
    directory: Annotated[Path, typer.Argument(help="目标文件夹 / target folder")],
    db: DbOption = None,
) -> None:
    """导出为 Parquet（数据值按期间分区）/ the store's tables as Parquet (values by period)."""
    from ..store.db import open_store
    from ..store.parquet import export

    manifest = export(open_store(db), directory)
    for table, rows in manifest.rows.items():
        part = manifest.partitions.get(table)
        console.print(
            f"{table}: {rows:,} 行 / rows" + (f" · 按 {part} 分区 / by {part}" if part else "")
        )
    console.print(
        f"已导出到 / exported to {directory} · 指纹 / fingerprint {manifest.fingerprint[:12]}"
    )

"""Write evaluation results to CSV (UTF-8 with BOM, for Excel), XLSX (numbers as numbers,
texts never run as formulas: see `shequ.sheets`) or Parquet, in chunks: a province's
results take seconds and no second copy of them is held. An XLSX beyond Excel's 1 048 576
rows is refused before anything is written (CSV and Parquet have no such limit)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import sheets
from ..errors import EvaluationError
from ..framework import labels

FORMATS = ("csv", "xlsx", "parquet")


def check_output(path: str | Path) -> Path:
    """``path`` if its suffix names a format results can be written as, else refuse it
    (call it before a long evaluation, so that a typo fails in a second, not after)."""
    path = Path(path)
    if path.suffix.lower().lstrip(".") not in FORMATS:
        msg = (
            f"不支持的输出格式 {path.suffix or '（无后缀）'}（.csv、.xlsx 或 .parquet）/ "
            f"unsupported output {path.suffix or '(no suffix)'} (.csv, .xlsx or .parquet)"
        )
        raise EvaluationError(msg)
    return path


def write_results(results: pd.DataFrame, path: str | Path) -> Path:
    """Write ``results`` (with a Chinese status column) to ``path``; the format follows the
    suffix. Nothing is left at ``path`` unless the whole file was written."""
    path = check_output(path)
    fmt = path.suffix.lower().lstrip(".")
    rows = len(results) + 1
    if fmt == "xlsx" and rows > sheets.XLSX_MAX_ROWS:
        msg = (
            f"结果有 {len(results):,} 行，超过 XLSX 工作表上限 {sheets.XLSX_MAX_ROWS:,} 行"
            f"（含表头）；请改用 .csv 或 .parquet，或用 --level / --unit 缩小范围 / "
            f"{len(results):,} result rows exceed the XLSX limit of {sheets.XLSX_MAX_ROWS:,}"
            " rows per sheet (header included): write .csv or .parquet instead, or narrow the"
            " run with --level / --unit"
        )
        raise EvaluationError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    status_zh = {code: names[0] for code, names in labels.STATUS.items()}
    frame = results.assign(status_zh=results["status"].map(status_zh))
    if fmt == "csv":
        sheets.stream_csv(frame, path)
    elif fmt == "xlsx":
        sheets.stream_xlsx(frame, path, sheet_name="results", freeze_header=True)
    else:
        _parquet(frame, path)
    return path


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        (name, pa.string() if dtype.kind == "O" else pa.from_numpy_dtype(dtype))
        for name, dtype in frame.dtypes.items()
    )
    with sheets.written_beside(path) as partial, pq.ParquetWriter(partial, schema) as writer:
        for start in range(0, len(frame), sheets.CHUNK_ROWS):
            chunk = frame.iloc[start : start + sheets.CHUNK_ROWS]
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))

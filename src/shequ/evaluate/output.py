"""Write evaluation results to CSV (UTF-8 with BOM, for Excel) or XLSX (numbers as numbers, texts
never run as formulas: see `shequ.sheets`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import sheets
from ..errors import EvaluationError
from ..framework import labels


def write_results(results: pd.DataFrame, path: str | Path) -> Path:
    """Write ``results`` to ``path``; the format follows the suffix (.csv or .xlsx)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = results.assign(status_zh=results["status"].map(lambda s: labels.STATUS[s][0]))
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        msg = f"不支持的输出格式 {path.suffix}（.csv 或 .xlsx）/ unsupported output {path.suffix}"
        raise EvaluationError(msg)
    sheets.write_frame(frame, path, fmt, sheet_name="results", freeze_header=True)
    return path

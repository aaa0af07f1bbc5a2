"""Write evaluation results to CSV (UTF-8 with BOM, for Excel) or XLSX (numbers as numbers)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import EvaluationError
from ..framework import labels


def write_results(results: pd.DataFrame, path: str | Path) -> Path:
    """Write ``results`` to ``path``; the format follows the suffix (.csv or .xlsx)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = results.assign(status_zh=results["status"].map(lambda s: labels.STATUS[s][0]))
    if path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif path.suffix.lower() == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name="results", index=False, freeze_panes=(1, 0))
    else:
        msg = f"不支持的输出格式 {path.suffix}（.csv 或 .xlsx）/ unsupported output {path.suffix}"
        raise EvaluationError(msg)
    return path

"""Cells written to spreadsheets (CSV and XLSX) that no spreadsheet runs as a formula.

A text cell starting with ``=``, ``+``, ``-``, ``@``, ``|``, a tab or a carriage return is
run as a formula by Excel, WPS or LibreOffice when a CSV is opened (and openpyxl itself
writes a string starting with ``=`` as a formula into an XLSX). Org-unit names, suggestion
texts and quarantined cells come from users, so every CSV and XLSX shequ writes passes
through this module: such a text gets a leading single quote, as OWASP recommends
(https://owasp.org/www-community/attacks/CSV_Injection). Numbers stay numbers, and a text
that is a plain number (``-3.5``, ``+86``) is left as it is: a spreadsheet reads it as that
number, never as a formula.

This is the one home of the rule (issue 13 #4): `evaluate.output`, the report workbook,
the ranking export of the web, the validation list and the quarantine files all use it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "|", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may hold it: a text a spreadsheet would run as a formula
    gets a leading ``'``; everything else (numbers, dates, empty) is returned unchanged."""
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column header made safe."""
    out = frame.rename(columns=safe_cell)
    for column in [c for c, t in out.dtypes.items() if t == "object"]:
        out[column] = out[column].map(safe_cell)
    for column in [c for c, t in out.dtypes.items() if isinstance(t, pd.StringDtype)]:
        out[column] = out[column].map(safe_cell, na_action="ignore")
    return out


def safe_workbook(book) -> None:
    """Make every text cell of an openpyxl workbook safe, in place (call it before saving).

    shequ writes no formulas, so a cell openpyxl took for one (data type ``f``) is text
    that came in starting with ``=``: it is kept, as text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    safe = safe_cell(cell.value)
                    if safe is not cell.value or cell.data_type == "f":
                        cell.value = safe
                        cell.data_type = "s"


def write_frame(
    frame: pd.DataFrame,
    target: str | Path | io.BytesIO,
    fmt: str,
    *,
    sheet_name: str = "Sheet1",
    freeze_header: bool = False,
) -> None:
    """Write ``frame`` (no index) as ``fmt`` ("csv": UTF-8 with BOM so that Excel reads the
    Chinese text; "xlsx": numbers as numbers) to a path or a binary buffer, made safe; a
    path is written beside itself first and renamed onto itself once whole."""
    if fmt not in ("csv", "xlsx"):
        msg = f"不支持的表格格式 {fmt} / unsupported sheet format {fmt} (csv or xlsx)"
        raise ValueError(msg)
    safe = safe_frame(frame)
    if isinstance(target, io.BytesIO):
        _write(safe, target, fmt, sheet_name, freeze_header)
        return
    path = Path(target)  # written beside, then renamed: a kill never leaves half a file
    partial = path.with_name(f"{path.stem}.partial{path.suffix}")
    try:
        _write(safe, partial, fmt, sheet_name, freeze_header)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _write(safe: pd.DataFrame, target, fmt: str, sheet_name: str, freeze_header: bool) -> None:
    if fmt == "csv":
        data = safe.to_csv(index=False).encode("utf-8-sig")
        if isinstance(target, io.BytesIO):
            target.write(data)
        else:
            Path(target).write_bytes(data)
        return
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        safe.to_excel(
            writer,
            sheet_name=sheet_name,
            index=False,
            freeze_panes=(1, 0) if freeze_header else None,
        )
        safe_workbook(writer.book)

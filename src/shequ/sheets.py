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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
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
    with written_beside(target) as partial:
        _write(safe, partial, fmt, sheet_name, freeze_header)


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


# --- large frames: written in chunks, never a second copy of the whole frame -------------

XLSX_MAX_ROWS = 1_048_576  # rows of one worksheet, the header included (Excel's limit)
CHUNK_ROWS = 50_000
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>",
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>",
    "xl/styles.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}


@contextmanager
def written_beside(path: str | Path) -> Iterator[Path]:
    """A path to write ``path``'s content to; renamed onto ``path`` only once whole (a kill
    or an error never leaves half a file, nor replaces the old one)."""
    path = Path(path)
    partial = path.with_name(f"{path.stem}.partial{path.suffix}")
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def stream_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """``frame`` as a safe CSV (UTF-8 with BOM), `CHUNK_ROWS` rows at a time."""
    with written_beside(path) as partial, partial.open("w", encoding="utf-8-sig", newline="") as f:
        for start in range(0, max(len(frame), 1), CHUNK_ROWS):
            chunk = safe_frame(frame.iloc[start : start + CHUNK_ROWS])
            chunk.to_csv(f, index=False, header=start == 0)


def stream_xlsx(
    frame: pd.DataFrame, path: str | Path, *, sheet_name: str, freeze_header: bool = True
) -> None:
    """``frame`` as one worksheet (numbers as numbers, texts safe, bold header), its XML
    written chunk by chunk into the zip. Raises ValueError beyond `XLSX_MAX_ROWS`."""
    import zipfile

    if len(frame) + 1 > XLSX_MAX_ROWS:
        raise ValueError(f"{len(frame) + 1} > {XLSX_MAX_ROWS}")
    letters = [_column_letter(i) for i in range(len(frame.columns))]
    pane = (
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        if freeze_header
        else ""
    )
    book = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{_xml(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    with (
        written_beside(path) as partial,
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book_zip,
    ):
        for name, xml in {**_XLSX_PARTS, "xl/workbook.xml": book}.items():
            book_zip.writestr(name, xml)
        with book_zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"{pane}<sheetData>".encode()
            )
            header = "".join(
                f'<c r="{c}1" s="1" t="inlineStr"><is><t>{_xml(str(safe_cell(h)))}</t></is></c>'
                for c, h in zip(letters, frame.columns, strict=True)
            )
            sheet.write(f'<row r="1">{header}</row>'.encode())
            for start in range(0, len(frame), CHUNK_ROWS):
                chunk = frame.iloc[start : start + CHUNK_ROWS]
                sheet.write(_rows_xml(chunk, letters, start + 2).encode())
            sheet.write(b"</sheetData></worksheet>")


def _rows_xml(chunk: pd.DataFrame, letters: list[str], first_row: int) -> str:
    numbers = pd.RangeIndex(first_row, first_row + len(chunk)).astype(str).to_numpy(object)
    cells = [_cells(chunk.iloc[:, i], letters[i], numbers) for i in range(len(chunk.columns))]
    rows = ['<row r="' + n + '">' for n in numbers]
    for column in cells:
        rows = [a + b for a, b in zip(rows, column, strict=True)]
    return "</row>".join(rows) + "</row>"


def _cells(column: pd.Series, letter: str, numbers) -> list[str]:
    """The ``<c>`` elements of one column of a chunk (an empty cell is left out)."""
    if pd.api.types.is_bool_dtype(column):
        return [
            f'<c r="{letter}{n}" t="b"><v>{int(v)}</v></c>'
            for n, v in zip(numbers, column, strict=True)
        ]
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        text = values.astype(str)
        good = np.isfinite(values)
        return [
            f'<c r="{letter}{n}"><v>{t}</v></c>' if ok else ""
            for n, t, ok in zip(numbers, text, good, strict=True)
        ]
    return [_cell(letter + n, v) for n, v in zip(numbers, column, strict=True)]


def _cell(ref: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | np.integer | np.floating):
        return f'<c r="{ref}"><v>{float(value)!r}</v></c>'
    text = _xml(str(safe_cell(value)))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _xml(text: str) -> str:
    text = _NOT_XML.sub("\ufffd", text)  # a character XML cannot carry is shown as �
    return (
        "".join(_XML_ESCAPES.get(ch, ch) for ch in text)
        if any(ch in text for ch in _XML_ESCAPES)
        else text
    )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters

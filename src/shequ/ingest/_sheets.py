"""Rows of a CSV or XLSX file, streamed and held to the `Limits` while they stream.

CSV: the encoding is found by decoding the file in blocks (nothing kept), then the rows are
read block by block. XLSX: the zip directory is checked first, then the sheet's XML is
scanned for its row count and for formulas; a formula without a cached value (a file
written by a tool that does not calculate) is refused by cell name, never read as empty.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import ImportFileError
from .limits import (
    Limits,
    MiB,
    check_cell,
    check_zip,
    over_limit,
    scan_sheet_xml,
    too_many_rows,
)

_BOM = b"\xef\xbb\xbf"
_FALLBACK = "gb18030"  # a superset of GBK and GB2312: what Excel on Chinese Windows writes


def bounded(rows: Iterable[list[object]], path: Path, limits: Limits, name_cell) -> Iterator[list]:
    """``rows`` (header first), refusing the file at the first row, width or cell over a limit.

    ``name_cell(row_index, column_index)`` names a cell in messages (``B7`` or ``row 7, column 2``).
    """
    for index, row in enumerate(rows):
        if index > limits.max_rows:
            raise too_many_rows(path, limits)
        width = len(row)
        while width and row[width - 1] in ("", None):
            width -= 1
        if width > limits.max_columns:
            raise over_limit(
                path,
                f"第{index + 1}行的列数 ",
                f"the columns of row {index + 1}",
                f"{width:,}",
                limits.max_columns,
                "max_columns",
            )
        row = row[:width]
        for column, value in enumerate(row):
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                check_cell(path, value, name_cell(index, column), limits)
        yield row


# --- CSV ---------------------------------------------------------------------------------


def csv_encoding(path: Path) -> str:
    """The file's encoding: UTF-8 after a BOM (which must then be UTF-8 throughout), else
    UTF-8 if every byte decodes, else GB18030; refused when none decodes."""
    with path.open("rb") as handle:
        has_bom = handle.read(3) == _BOM
    candidates = ("utf-8-sig",) if has_bom else ("utf-8", _FALLBACK)
    for encoding in candidates:
        failure = _decodes(path, encoding)
        if failure is None:
            return encoding
    if has_bom:
        msg = (
            f"{path.name}：文件以 UTF-8 标记（BOM）开头，但第 {failure:,} 字节起不是 UTF-8（可能是 GBK）；"
            f"请另存为“CSV UTF-8”/ {path.name}: the file starts with a UTF-8 byte-order mark but "
            f"is not UTF-8 from byte {failure:,} (GBK?); save it again as 'CSV UTF-8'"
        )
    else:
        msg = (
            f"{path.name}：无法识别文件编码（应为 UTF-8 或 GBK），第 {failure:,} 字节起无法解码 / "
            f"{path.name}: cannot decode the file as UTF-8 or GBK/GB18030 (byte {failure:,}); "
            "save it as UTF-8 CSV"
        )
    raise ImportFileError(msg)


def _decodes(path: Path, encoding: str) -> int | None:
    """None if the whole file decodes, else the offset of the first bad byte (about)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as handle:
        while block := handle.read(MiB):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


def csv_rows(path: Path, encoding: str, limits: Limits) -> list[list[object]]:
    """Every row of a CSV file (comma, tab or semicolon separated), within ``limits``."""
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(8192)
        handle.seek(0)
        if not sample.strip():
            raise ImportFileError(f"{path.name}：文件为空 / {path.name}: the file is empty")
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
        except csv.Error:
            delimiter = ","
        reader = csv.reader(handle, delimiter=delimiter)
        before = csv.field_size_limit(limits.max_cell_chars + 1)
        try:
            return list(bounded(reader, path, limits, lambda r, c: f"{r + 1}:{c + 1}"))
        except csv.Error as exc:
            if "field limit" in str(exc):
                line = reader.line_num
                raise over_limit(
                    path,
                    f"第 {line} 行有单元格的字符数",
                    f"the characters of a cell on line {line}",
                    "",
                    limits.max_cell_chars,
                    "max_cell_chars",
                ) from None
            msg = (
                f"{path.name}：第 {reader.line_num} 行无法读取（{exc}）/ {path.name}: line "
                f"{reader.line_num} cannot be read ({exc})"
            )
            raise ImportFileError(msg) from None
        finally:
            csv.field_size_limit(before)


# --- XLSX --------------------------------------------------------------------------------


def xlsx_rows(path: Path, sheet: str | None, limits: Limits) -> list[list[object]]:
    """Every row of a worksheet (the first unless ``sheet`` names one), within ``limits``."""
    check_zip(path, limits)
    try:
        formulas = _scan_worksheets(path, limits)
        return _xlsx_rows(path, sheet, limits, formulas)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        msg = f"{path.name}：无法读取 Excel 文件（{exc!r}）/ cannot read the workbook: {exc!r}"
        raise ImportFileError(msg) from None


def _scan_worksheets(path: Path, limits: Limits) -> dict[str, bool]:
    """Count the rows of every worksheet's XML before openpyxl opens the workbook (it parses
    a sheet to its end looking for a ``<dimension>`` the sheet may not have); return which
    sheets hold formulas."""
    formulas = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if not (member.startswith("xl/worksheets/") and member.endswith(".xml")):
                continue
            with archive.open(member) as source:
                count, formulas[member] = scan_sheet_xml(source, stop_after=limits.max_rows + 1)
            if count > limits.max_rows + 1:
                raise too_many_rows(path, limits)
    return formulas


def _xlsx_rows(
    path: Path, sheet: str | None, limits: Limits, formulas: dict[str, bool]
) -> list[list[object]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            msg = (
                f"{path.name}：没有工作表“{sheet}”（有：{', '.join(book.sheetnames)}）/ no sheet "
                f"'{sheet}' (sheets: {', '.join(book.sheetnames)})"
            )
            raise ImportFileError(msg)
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        ws.reset_dimensions()  # a forged <dimension> must not pad every row
        rows = ws.iter_rows(values_only=True)
        name = lambda r, c: f"{get_column_letter(c + 1)}{r + 1}"  # noqa: E731
        cells = [[_cell(v) for v in row] for row in bounded(map(list, rows), path, limits, name)]
        if formulas.get(str(ws._worksheet_path).lstrip("/"), True):
            _refuse_uncached(path, ws.title, cells, name)
    finally:
        book.close()
    return cells


def _refuse_uncached(path: Path, title: str, cells: list[list[object]], name) -> None:
    """Refuse formula cells whose cached value is missing (read as empty otherwise)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        ws = book[title]
        ws.reset_dimensions()
        missing = []
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            for c, value in enumerate(row):
                formula = getattr(value, "text", value)
                if not (isinstance(formula, str) and formula.startswith("=")):
                    continue
                if r >= len(cells) or c >= len(cells[r]) or cells[r][c] == "":
                    missing.append(name(r, c))
            if len(missing) >= 10:
                break
    finally:
        book.close()
    if missing:
        shown = ", ".join(missing)
        msg = (
            f"{path.name}：单元格 {shown} 是公式但没有计算结果（文件不是由 Excel/WPS 保存的？），"
            f"请在 Excel 或 WPS 中打开并保存后再导入 / {path.name}: cells {shown} hold formulas "
            "without a calculated value (not saved by Excel/WPS?); open and save the file in "
            "Excel or WPS, then import it again"
        )
        raise ImportFileError(msg)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value

"""Read the sheets of an XLSForm workbook (``.xlsx`` / ``.xlsm`` with openpyxl, ``.xls``
with xlrd) as rows of ``{header: (value, "sheet!B7")}``.

Only the used range is read. Many files declare a dimension of 1 048 576 × 1 024 cells
(LibreOffice writes that when a whole column is formatted) and keep empty ``<row>`` elements
down to the last row: openpyxl's row iterator pads every gap up to that size (minutes),
so the sheet's XML is read with openpyxl's own worksheet parser, which yields only the
rows present, and a row with no value at all costs nothing. Columns stop at the last
non-empty header; blank rows are skipped; cells keep their address for messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from openpyxl.utils import get_column_letter

Cell = tuple[object, str]
Row = dict[str, Cell]


class Sheet:
    """One sheet: its title, normalised headers (with their original spelling) and rows."""

    def __init__(self, title: str, raw_rows: Iterator[tuple[int, dict[int, object]]]):
        self.title = title
        self.headers: dict[int, str] = {}
        self.rows: list[Row] = []
        self.duplicates: list[str] = []
        for number, cells in raw_rows:
            if not self.headers:
                self.headers = {c: _clean(v) for c, v in cells.items() if _clean(v)}
                seen: set[str] = set()
                for c, h in self.headers.items():
                    if h.lower() in seen:
                        self.duplicates.append(f"{title}!{get_column_letter(c)}1")
                    seen.add(h.lower())
                continue
            row = {
                self.headers[c]: (v, f"{title}!{get_column_letter(c)}{number}")
                for c, v in cells.items()
                if c in self.headers and _clean(v)
            }
            if row:
                row["__row__"] = (number, f"{title}!A{number}")
                self.rows.append(row)


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheets(path: Path) -> dict[str, Sheet]:
    """Every sheet of ``path`` by lower-case title. Raises ``ValueError`` when the file
    cannot be opened as a workbook."""
    if path.suffix.lower() == ".xls":
        return _xls(path)
    return _xlsx(path)


def _xlsx(path: Path) -> dict[str, Sheet]:
    # openpyxl's load_workbook(read_only=True) scans every sheet once just to size it
    # when the file has no <dimension>: take its reader's parts and parse each sheet once.
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    reader = ExcelReader(str(path), read_only=True, data_only=True)
    out: dict[str, Sheet] = {}
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        book = reader.wb
        for sheet, rel in reader.parser.find_sheets():
            if rel.target not in reader.valid_files or "chartsheet" in rel.Type:
                continue

            def rows(target=rel.target) -> Iterator[tuple[int, dict[int, object]]]:
                with reader.archive.open(target) as src:
                    parser = WorkSheetParser(
                        src,
                        reader.shared_strings,
                        data_only=True,
                        epoch=book.epoch,
                        date_formats=book._date_formats,
                        timedelta_formats=book._timedelta_formats,
                    )
                    for number, cells in parser.parse():
                        values = {
                            c["column"]: c["value"]
                            for c in cells
                            if c["value"] is not None
                            and not (isinstance(c["value"], str) and not c["value"].strip())
                        }
                        if values:
                            yield number, values

            out[sheet.name.strip().lower()] = Sheet(sheet.name, rows())
    finally:
        reader.archive.close()
    return out


def _xls(path: Path) -> dict[str, Sheet]:
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    out: dict[str, Sheet] = {}
    try:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)

            def rows(ws=ws) -> Iterator[tuple[int, dict[int, object]]]:
                width, header = ws.ncols, True  # past the header: its width
                for r in range(ws.nrows):
                    types = ws.row_types(r, 0, width)
                    used = [c for c, t in enumerate(types) if t not in _EMPTY]
                    values = {}
                    for c in used:
                        value = _xls_value(ws.cell(r, c), book.datemode)
                        if value is not None:
                            values[c + 1] = value
                    if values:
                        if header:
                            width, header = max(values), False
                        yield r + 1, values

            out[ws.name.strip().lower()] = Sheet(ws.name, rows())
    finally:
        book.release_resources()
    return out


_EMPTY = (0, 6)  # xlrd.XL_CELL_EMPTY, XL_CELL_BLANK


def _xls_value(cell, datemode: int) -> object:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        moment = xlrd.xldate_as_datetime(cell.value, datemode)
        return moment.date() if moment.time() == dt.time() else moment
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return None
    value = cell.value
    return None if isinstance(value, str) and not value.strip() else value

"""Read a tabular file into a frame of raw cells, remembering each row's line in the file.

CSV encodings are detected: a UTF-8 BOM, else strict UTF-8, else GB18030 (a superset of
GBK and GB2312, which is what Excel on Chinese Windows writes). XLSX reads the first sheet
unless one is named. Cells stay raw (strings, or numbers and dates from Excel): each
importer validates and converts them, so that a bad cell can be reported, not guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import ImportFileError

ROW = "__row__"
_ENCODINGS = ("utf-8", "gb18030")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_table(path: Path, *, sheet: str | None = None) -> tuple[pd.DataFrame, str]:
    """Return the raw cells (all columns object dtype, plus `ROW`) and a format label."""
    if not path.exists():
        raise ImportFileError(f"找不到文件 {path} / file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet), "xlsx"
    if suffix in (".csv", ".txt", ".tsv"):
        frame, encoding = _read_csv(path)
        return frame, f"csv/{encoding}"
    msg = (
        f"不支持的文件类型 {suffix}（支持 .csv .xlsx）/ unsupported file type {suffix} "
        "(use .csv or .xlsx; save .xls and WPS files as .xlsx)"
    )
    raise ImportFileError(msg)


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    msg = (
        f"{path.name}：无法识别文件编码（应为 UTF-8 或 GBK）/ {path.name}: cannot decode the "
        "file as UTF-8 or GBK/GB18030; save it as UTF-8 CSV"
    )
    raise ImportFileError(msg)


def _read_csv(path: Path) -> tuple[pd.DataFrame, str]:
    text, encoding = _decode(path.read_bytes(), path)
    if not text.strip():
        raise ImportFileError(f"{path.name}：文件为空 / {path.name}: the file is empty")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    return _frame(rows, path), encoding


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(
            f"{path.name}：无法打开 Excel 文件 / cannot open workbook: {exc}"
        ) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            msg = (
                f"{path.name}：没有工作表“{sheet}”（有：{', '.join(book.sheetnames)}）/ no sheet "
                f"'{sheet}' (sheets: {', '.join(book.sheetnames)})"
            )
            raise ImportFileError(msg)
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    return _frame(rows, path)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value


def _frame(rows: list[list[object]], path: Path) -> pd.DataFrame:
    while rows and all(str(c).strip() == "" for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(f"{path.name}：文件为空 / {path.name}: the file is empty")
    header = [str(c).strip().lstrip("\ufeff") for c in rows[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body = [(list(r) + [""] * width)[:width] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame[ROW] = range(2, len(body) + 2)
    blank = frame.drop(columns=ROW).map(lambda c: str(c).strip() == "").all(axis=1)
    return frame[~blank].reset_index(drop=True)


def text(value: object) -> str:
    """A cell as clean text; Excel numbers such as 990100000000.0 lose the ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def rename_columns(frame: pd.DataFrame, aliases: dict[str, str]) -> pd.DataFrame:
    """Map header aliases (Chinese or English, any case) to canonical column names."""
    mapping = {}
    for column in frame.columns:
        key = str(column).strip().lower().replace(" ", "")
        if key in aliases:
            mapping[column] = aliases[key]
    return frame.rename(columns=mapping)


def resolve_columns(
    raw: pd.DataFrame,
    aliases: dict[str, str],
    required: Sequence[str],
    *,
    optional: Sequence[str] = (),
    need: str = "",
) -> pd.DataFrame:
    """Rename aliased headers, refuse a file without the ``required`` columns, and add the
    absent ``optional`` ones as empty text. ``need`` names what the file needs
    (default: the required columns)."""
    frame = rename_columns(raw, aliases)
    missing = ", ".join(c for c in required if c not in frame.columns)
    if missing:
        need = need or ",".join(required)
        raise ImportFileError(
            f"缺少列 {missing}（需要 {need}）/ missing columns {missing} (need {need})"
        )
    for column in optional:
        if column not in frame.columns:
            frame[column] = ""
    return frame

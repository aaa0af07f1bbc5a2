"""Read a file into a frame of raw cells, remembering each row's line in the file.

Tables (`read_table`): CSV encodings are detected: a UTF-8 BOM, else strict UTF-8, else
GB18030 (a superset of GBK and GB2312, which is what Excel on Chinese Windows writes). XLSX
reads the first sheet unless one is named.

Geodata (`read_layer`, `read_features`): GeoPackage, Shapefile, GeoJSON and FlatGeobuf
through pyogrio's raw reader (GDAL inside the wheel), so geopandas is not needed. A
Shapefile's ``.cpg`` names its text encoding (``UTF-8``, ``GBK``, ``936`` ...); GDAL
honours it, and without one we try UTF-8 then GB18030, as for CSV files. A feature's
number stands in for the row.

Cells stay raw (strings, or numbers and dates from Excel): each importer validates and
converts them (`shequ.ingest.cells`), so that a bad cell can be reported, not guessed.
`rename_columns` and `resolve_columns` map Chinese or English headers to canonical names.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ImportFileError

#: the column holding each row's line in the file (header = 1) or feature number
ROW = "__row__"
_ENCODINGS = ("utf-8", "gb18030")
VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".fgb", ".zip")


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


# --- geodata ------------------------------------------------------------------------------


def is_vector(path: Path) -> bool:
    """Whether ``path`` is a vector layer (by its suffix) rather than a table."""
    return Path(path).suffix.lower() in VECTOR_SUFFIXES


def read_layer(path: Path, *, layer=None) -> tuple[np.ndarray, pd.DataFrame, str | None]:
    """Geometries (shapely array), attributes (one row per feature) and the declared CRS."""
    import pyogrio
    import shapely
    from pyogrio.errors import DataLayerError, DataSourceError

    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"找不到文件 {path} / file not found: {path}")
    encoding = _layer_encoding(path)
    try:
        meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer, encoding=encoding)
    except (DataSourceError, DataLayerError, UnicodeDecodeError) as exc:
        msg = f"{path.name}：无法读取图层 / cannot read the layer: {exc}"
        raise ImportFileError(msg) from None
    if encoding is None and path.suffix.lower() == ".shp" and _mojibake(fields):
        meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer, encoding="GB18030")
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.full(len(fields[0]), None)
    names = [str(n) for n in meta["fields"]]
    attributes = pd.DataFrame(
        {n: np.asarray(v, dtype=object) for n, v in zip(names, fields, strict=True)}
    )
    return np.asarray(geoms, dtype=object), attributes, meta.get("crs")


def read_features(
    path: Path, *, layer: str | None = None, geometry_column: str | None = None
) -> tuple[pd.DataFrame, str]:
    """A vector layer as raw cells: its attributes, plus the geometry as WKT in
    ``geometry_column``, or (without one) as ``lon``/``lat`` of a representative point (a
    building outline becomes a point inside it). Coordinates stay in the layer's CRS,
    which ``frame.attrs["declared_crs"]`` names; `ROW` is the feature number."""
    import shapely

    geoms, attributes, declared = read_layer(path, layer=layer)
    frame = attributes.copy()
    if geometry_column:
        frame[geometry_column] = shapely.to_wkt(geoms, rounding_precision=-1)
    else:
        points = shapely.point_on_surface(geoms)
        frame["lon"], frame["lat"] = shapely.get_x(points), shapely.get_y(points)
    frame[ROW] = np.arange(1, len(frame) + 1)
    frame.attrs["declared_crs"] = declared
    return frame, Path(path).suffix.lower().lstrip(".")


def read_cells(
    path: Path, *, sheet: str | None = None, geometry_column: str | None = None
) -> tuple[pd.DataFrame, str]:
    """A table (`read_table`) or a vector layer (`read_features`, ``sheet`` naming the
    layer) as raw cells and a format label."""
    if is_vector(path):
        return read_features(Path(path), layer=sheet, geometry_column=geometry_column)
    return read_table(Path(path), sheet=sheet)


def _layer_encoding(path: Path) -> str | None:
    """The encoding a Shapefile declares in its .cpg (GDAL's code-page names too)."""
    if path.suffix.lower() != ".shp":
        return None
    cpg = path.with_suffix(".cpg")
    if not cpg.exists():
        cpg = path.with_suffix(".CPG")
    if not cpg.exists():
        return None
    name = cpg.read_text(encoding="ascii", errors="ignore").strip().upper()
    aliases = {"936": "GBK", "CP936": "GBK", "GB2312": "GBK", "54936": "GB18030"}
    return aliases.get(name, name) or None


def _mojibake(fields) -> bool:
    """Whether text read as UTF-8/Latin-1 looks like undeclared GBK bytes."""
    for column in fields:
        if getattr(getattr(column, "dtype", None), "kind", "") == "O":
            for value in column[:200]:
                if isinstance(value, str) and any("\x80" <= ch <= "\xff" for ch in value):
                    return True
    return False

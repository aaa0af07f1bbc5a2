"""Read a file into a frame of raw cells, remembering each row's line in the file.

Tables (`read_table`): CSV encodings are detected: a UTF-8 BOM, else strict UTF-8, else
GB18030 (a superset of GBK and GB2312, which is what Excel on Chinese Windows writes). XLSX
reads the first sheet unless one is named. Parquet cells keep their types (text, numbers,
dates, null as empty) and rows are numbered as in a sheet whose header is row 1.

Geodata (`read_layer`, `read_features`): GeoPackage, Shapefile, GeoJSON and FlatGeobuf
through pyogrio's raw reader (GDAL inside the wheel), so geopandas is not needed. A
Shapefile's ``.cpg`` names its text encoding (``UTF-8``, ``GBK``, ``936`` ...); GDAL
honours it, and without one we try UTF-8 then GB18030, as for CSV files. A feature's
number stands in for the row.

Parquet files, and CSV files without irregular rows, are read column by column through
Arrow (`_columns`), the rest row by row (`_sheets`); both end in the same frame.

Cells stay raw (strings, or numbers and dates from Excel): each importer validates and
converts them (`shequ.ingest.cells`), so that a bad cell can be reported, not guessed.
`rename_columns` and `resolve_columns` map Chinese or English headers to canonical names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ImportFileError
from . import _columns, _sheets
from .limits import Limits, check_cell, check_file, check_zip, over_limit, too_many_rows

#: the column holding each row's line in the file (header = 1) or feature number
ROW = "__row__"
VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".fgb", ".zip")


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (never whole into memory)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def read_table(
    path: Path, *, sheet: str | None = None, limits: Limits | None = None
) -> tuple[pd.DataFrame, str]:
    """Return the raw cells (object columns, but a Parquet column of numbers without nulls
    stays numeric; plus `ROW`) and a format label.

    The file is held to ``limits`` (default `Limits.from_env`) while it streams in.
    """
    limits = limits or Limits.from_env()
    path = Path(path)
    check_file(path, limits)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _frame(_sheets.xlsx_rows(path, sheet, limits), path), "xlsx"
    if suffix in (".csv", ".txt", ".tsv"):
        encoding = _sheets.csv_encoding(path)
        if (columns := _columns.csv_columns(path, encoding, limits)) is not None:
            return _columns_frame(*columns, path), f"csv/{encoding}"
        rows = _sheets.csv_rows(path, encoding, limits)
        return _frame(rows, path), f"csv/{encoding}"
    if suffix == ".parquet":
        return _columns_frame(*_columns.parquet_columns(path, limits), path), "parquet"
    msg = (
        f"不支持的文件类型 {suffix}（支持 .csv .xlsx .parquet）/ unsupported file type {suffix} "
        "(use .csv, .xlsx or .parquet; save .xls and WPS files as .xlsx)"
    )
    raise ImportFileError(msg)


def _frame(rows: list[list[object]], path: Path) -> pd.DataFrame:
    while rows and all(str(c).strip() == "" for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(f"{path.name}：文件为空 / {path.name}: the file is empty")
    header = [str(c).strip().lstrip("\ufeff") for c in rows[0]]
    while header and header[-1] == "":
        header.pop()
    _check_header(header, path)
    width = len(header)
    shared: list[dict[object, object] | None] = [{} for _ in range(width)]
    for row in rows:  # padded or cut in place: a copy of a million rows costs memory
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        del row[width:]
        _share_repeats(row, shared)
    frame = pd.DataFrame(rows[1:], columns=header, dtype=object)
    rows.clear()
    frame[ROW] = range(2, len(frame) + 2)
    blank = pd.Series(True, index=frame.index)
    for column in header:
        blank &= frame[column].astype(str).str.strip().eq("")
    frame = frame[~blank].reset_index(drop=True)
    if frame.empty:
        raise _header_only(path)
    return frame


def _header_only(path: Path) -> ImportFileError:
    return ImportFileError(
        f"{path.name}：只有表头，没有数据行，未导入任何数据 / {path.name}: the file has a "
        "header but no data rows; nothing was loaded"
    )


def _columns_frame(names: list[str], columns: list, path: Path) -> pd.DataFrame:
    """The frame of a file read column by column (`_columns.parquet_columns`,
    `_columns.csv_columns`), with the header, numbering and blank rows of `_frame`: numeric
    columns stay numeric."""
    frame = _batch_frame(_header(names, path), columns, 2)
    if frame.empty:
        raise _header_only(path)
    return frame


def _header(names: list[str], path: Path) -> list[str]:
    header = [str(c).strip().lstrip("\ufeff") for c in names]
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise ImportFileError(f"{path.name}：文件为空 / {path.name}: the file is empty")
    _check_header(header, path)
    return header


def _batch_frame(header: list[str], columns: list, first_row: int) -> pd.DataFrame:
    """Rows of the file from line ``first_row`` on, as `ROW`-numbered cells without blank
    rows (a row of only empty cells; a number is never blank)."""
    frame = pd.DataFrame(dict(zip(header, columns, strict=False)))
    frame[ROW] = np.arange(first_row, first_row + len(frame))
    blank = pd.Series(len(frame) > 0, index=frame.index)
    for column in header:
        if frame[column].dtype != object or not blank.any():  # a number is never blank
            blank[:] = False
            break
        blank &= frame[column].astype(str).str.strip().eq("")
    return frame[~blank].reset_index(drop=True)


def read_batches(
    path: Path, *, limits: Limits | None = None, size: int, whole: int = 0
) -> tuple[list[str], Iterator[pd.DataFrame]] | None:
    """The header and the raw cells of a Parquet file of more than ``whole`` (and ``size``)
    rows, ``size`` rows at a time (each batch as `read_table` reads a whole file, with the rows numbered
    on), so that a file of any length is read with bounded memory; None for any other file
    (read it whole with `read_table`). A file without data rows is refused when the last
    batch has been read."""
    limits = limits or Limits.from_env()
    path = Path(path)
    check_file(path, limits)
    if path.suffix.lower() != ".parquet" or _parquet_rows(path) <= max(size, whole):
        return None
    names, batches = _columns.parquet_batches(path, limits, size)
    header = _header(names, path)

    def frames() -> Iterator[pd.DataFrame]:
        first, rows = 2, 0
        for columns in batches:
            frame = _batch_frame(header, columns, first)
            first += len(columns[0]) if columns else 0
            rows += len(frame)
            yield frame
        if not rows:
            raise _header_only(path)

    return header, frames()


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:
        return 0


def _share_repeats(row: list[object], shared: list[dict[object, object] | None]) -> None:
    """Make repeated cells of a column one object (a million rows naming the same data
    element and period hold it once); a column of mostly distinct cells stops sharing."""
    for i, value in enumerate(row):
        seen = shared[i]
        if seen is None or not isinstance(value, str):
            continue
        row[i] = seen.setdefault(value, value)
        if len(seen) > 10_000:
            shared[i] = None


def _check_header(header: list[str], path: Path) -> None:
    """Refuse empty and repeated column names (which column would a value come from?)."""
    if not header:
        raise ImportFileError(f"{path.name}：表头为空 / {path.name}: the header row is empty")
    empty = [i + 1 for i, name in enumerate(header) if name == ""]
    if empty:
        shown = ", ".join(map(str, empty[:10]))
        msg = (
            f"{path.name}：表头第 {shown} 列没有列名 / {path.name}: header column(s) {shown} "
            "have no name"
        )
        raise ImportFileError(msg)
    repeated = sorted({n for n in header if header.count(n) > 1})
    if repeated:
        shown = ", ".join(repeated[:10])
        msg = f"{path.name}：列名重复：{shown} / {path.name}: repeated column names: {shown}"
        raise ImportFileError(msg)


def rename_columns(frame: pd.DataFrame, aliases: dict[str, str]) -> pd.DataFrame:
    """Map header aliases (Chinese or English, any case) to canonical column names."""
    mapping = {}
    for column in frame.columns:
        key = str(column).strip().lower().replace(" ", "")
        if key in aliases:
            mapping[column] = aliases[key]
    _refuse_twice_named(frame.columns, mapping)
    return frame.rename(columns=mapping)


def _refuse_twice_named(columns, mapping: dict[str, str]) -> None:
    """Refuse two headers naming the same column (``org_unit`` and ``单位编码``)."""
    named: dict[str, list[str]] = {}
    for column in columns:
        named.setdefault(mapping.get(column, column), []).append(str(column))
    twice = {canonical: given for canonical, given in named.items() if len(given) > 1}
    if twice:
        canonical, given = next(iter(twice.items()))
        shown = "、".join(given)
        msg = (
            f"列 {shown} 都表示 {canonical}，只能保留一列 / columns {', '.join(given)} all "
            f"mean {canonical}; keep one of them"
        )
        raise ImportFileError(msg)


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


def read_layer(
    path: Path, *, layer=None, limits: Limits | None = None
) -> tuple[np.ndarray, pd.DataFrame, str | None]:
    """Geometries (shapely array), attributes (one row per feature) and the declared CRS.

    The file is held to ``limits`` (default `Limits.from_env`): its size, a zip's inflated
    size, the number of features and of attribute columns.
    """
    import shapely

    limits = limits or Limits.from_env()
    path = Path(path)
    check_file(path, limits)
    if path.suffix.lower() == ".zip":
        check_zip(path, limits)
    encoding = _layer_encoding(path)
    meta, wkb, fields = _read_raw(path, layer, encoding, limits)
    if encoding is None and path.suffix.lower() == ".shp" and _mojibake(fields):
        meta, wkb, fields = _read_raw(path, layer, "GB18030", limits)
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.full(len(fields[0]), None)
    names = [str(n) for n in meta["fields"]]
    attributes = pd.DataFrame(
        {n: np.asarray(v, dtype=object) for n, v in zip(names, fields, strict=True)}
    )
    return np.asarray(geoms, dtype=object), attributes, meta.get("crs")


def _read_raw(path: Path, layer, encoding: str | None, limits: Limits):
    """pyogrio's raw read, at most ``max_rows`` + 1 features (to tell that there are more)."""
    import pyogrio

    try:
        meta, _, wkb, fields = pyogrio.raw.read(
            path, layer=layer, encoding=encoding, max_features=limits.max_rows + 1
        )
    except Exception as exc:  # GDAL reports a broken file in many ways
        msg = f"{path.name}：无法读取图层 / cannot read the layer: {exc}"
        raise ImportFileError(msg) from None
    if len(meta["fields"]) > limits.max_columns:
        found = f"{len(meta['fields']):,}"
        raise over_limit(
            path, "属性列数 ", "the attribute columns", found, limits.max_columns, "max_columns"
        )
    if (len(fields) and len(fields[0]) > limits.max_rows) or (
        wkb is not None and len(wkb) > limits.max_rows
    ):
        raise too_many_rows(path, limits)
    for name, column in zip(meta["fields"], fields, strict=True):
        if getattr(column, "dtype", None) is not None and column.dtype.kind == "O":
            for index, value in enumerate(column):
                if isinstance(value, str) and len(value) > limits.max_cell_chars:
                    check_cell(path, value, f"{name}#{index + 1}", limits)
    return meta, wkb, fields


def read_features(
    path: Path,
    *,
    layer: str | None = None,
    geometry_column: str | None = None,
    limits: Limits | None = None,
) -> tuple[pd.DataFrame, str]:
    """A vector layer as raw cells: its attributes, plus the geometry as WKT in
    ``geometry_column``, or (without one) as ``lon``/``lat`` of a representative point (a
    building outline becomes a point inside it). Coordinates stay in the layer's CRS,
    which ``frame.attrs["declared_crs"]`` names; `ROW` is the feature number."""
    import shapely

    geoms, attributes, declared = read_layer(path, layer=layer, limits=limits)
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
    path: Path,
    *,
    sheet: str | None = None,
    geometry_column: str | None = None,
    limits: Limits | None = None,
) -> tuple[pd.DataFrame, str]:
    """A table (`read_table`) or a vector layer (`read_features`, ``sheet`` naming the
    layer) as raw cells and a format label."""
    if is_vector(path):
        return read_features(
            Path(path), layer=sheet, geometry_column=geometry_column, limits=limits
        )
    return read_table(Path(path), sheet=sheet, limits=limits)


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

"""Tables read column by column into arrays, with no Python object per row: Parquet
always, CSV when the file is regular (the fast path; otherwise `_sheets.csv_rows` reads it
row by row and reports what is wrong with it exactly).

Both hold the file to the `Limits` as the row readers do and return (header, columns):
text as object arrays of str ("" for an empty cell), numbers without nulls as numpy
arrays, any other Parquet column as a list of Python values with "" for null.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import ImportFileError
from ._sheets import bounded
from .limits import Limits, check_cell, too_many_rows

_FLAT = ("string", "large_string", "int", "uint", "float", "double", "bool", "date", "timestamp",
         "decimal", "halffloat", "null", "dictionary")  # fmt: skip


def parquet_columns(path: Path, limits: Limits) -> tuple[list[str], list[object]]:
    """The header and the columns of a Parquet file, as a sheet's cells would be but column
    by column: text ("" for null) as object arrays, numbers without nulls as numpy arrays
    (no Python object per cell), any other column (numbers with nulls, dates, booleans) as
    a list of Python values with "" for null. The row count in the file's footer is checked
    before any data is read; a column of nested values (list, struct, map) is refused by
    name; a cell longer than ``max_cell_chars`` is refused as `bounded` refuses it."""
    import pyarrow as pa

    file = _parquet_file(path, limits)
    try:
        table = file.read()
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(path, exc) from None
    return [str(name) for name in table.column_names], _arrow_columns(table, path, limits, 0)


def parquet_batches(path: Path, limits: Limits, size: int) -> tuple[list[str], Iterator[list]]:
    """The header of a Parquet file and its columns ``size`` rows at a time (each batch as
    `parquet_columns` returns the whole file), so that a file of any length is read with
    bounded memory. The checks are those of `parquet_columns`: a long cell refuses the file
    when its batch is read."""
    import pyarrow as pa

    file = _parquet_file(path, limits)
    header = [str(name) for name in file.schema_arrow.names]

    def batches() -> Iterator[list]:
        first = 0
        try:
            for batch in file.iter_batches(batch_size=size):
                table = pa.Table.from_batches([batch])
                yield _arrow_columns(table, path, limits, first)
                first += table.num_rows
        except (pa.ArrowException, OSError) as exc:
            raise _unreadable(path, exc) from None

    return header, batches()


def _parquet_file(path: Path, limits: Limits):
    """The opened Parquet file, its row count, nested columns and header checked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
        if file.metadata.num_rows > limits.max_rows:
            raise too_many_rows(path, limits)
        nested = [f.name for f in file.schema_arrow if not str(f.type).startswith(_FLAT)]
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(path, exc) from None
    if nested:
        msg = (
            f"{path.name}：列 {', '.join(nested)} 是嵌套类型（列表/结构），不支持 / "
            f"{path.name}: column(s) {', '.join(nested)} hold nested values (list/struct), "
            "which are not supported"
        )
        raise ImportFileError(msg)
    list(bounded([list(map(str, file.schema_arrow.names))], path, limits, _parquet_cell))
    return file


def _unreadable(path: Path, exc: Exception) -> ImportFileError:
    return ImportFileError(
        f"{path.name}：无法读取 Parquet 文件（{exc}）/ {path.name}: cannot read the Parquet "
        f"file ({exc})"
    )


def _arrow_columns(table, path: Path, limits: Limits, first: int) -> list[object]:
    """The columns of an Arrow table (rows ``first`` ... of the file) as `parquet_columns`
    returns them; the first cell over ``max_cell_chars`` refuses the file."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns: list[object] = []
    too_long: list[tuple[int, int, str]] = []  # (row, column, cell) of the first long cell
    for index, column in enumerate(table.columns):
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        kind = column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            long = pc.greater(pc.utf8_length(column), limits.max_cell_chars)
            if pc.any(long).as_py():
                row = pc.index(long, True).as_py()
                too_long.append((first + row + 1, index, column[row].as_py()))
            columns.append(_text(pc.fill_null(column, "")))
        elif (pa.types.is_floating(kind) or pa.types.is_integer(kind)) and not column.null_count:
            columns.append(column.to_numpy())
        else:
            columns.append(["" if v is None else v for v in column.to_pylist()])
    if too_long:
        row, index, cell = min(too_long)
        check_cell(path, cell, _parquet_cell(row, index), limits)
    return columns


def _parquet_cell(row: int, column: int) -> str:
    return f"row {row + 1}, column {column + 1}"


def csv_columns(path: Path, encoding: str, limits: Limits) -> tuple[list[str], list[object]] | None:
    """The header and the text columns of a regular CSV file, parsed by Arrow; None when
    the file is not regular (a header with blank or repeated names, a row of another width,
    an empty line, a cell over ``max_cell_chars``, more than ``max_columns`` columns, a
    parse error): `_sheets.csv_rows` then reads it row by row and says what is wrong."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(8192)
        if not sample.strip():
            return None
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
        except csv.Error:
            delimiter = ","
        handle.seek(0)
        header = next(csv.reader(handle, delimiter=delimiter), [])
    names = [f"c{i}" for i in range(len(header))]
    stripped = [h.strip() for h in header]
    if (
        not header
        or "" in stripped
        or len(set(stripped)) < len(stripped)
        or len(header) > limits.max_columns
        or max(len(h) for h in header) > limits.max_cell_chars
    ):
        return None
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                encoding="utf8" if encoding.startswith("utf-8") else encoding,
                column_names=names,
                skip_rows=1,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows > limits.max_rows:
        raise too_many_rows(path, limits)
    columns = []
    for column in table.columns:
        if (pc.max(pc.utf8_length(column)).as_py() or 0) > limits.max_cell_chars:
            return None
        columns.append(_text(column))
    del table
    pa.default_memory_pool().release_unused()  # the parsed file: ~110 MB for the nation's tree
    return header, columns


def _text(column) -> np.ndarray:
    """An Arrow text column as an object array of str in which each distinct text is one
    object (a million rows naming a few elements and periods hold each once; its hash is
    then computed once too)."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks())
    words = encoded.dictionary.to_numpy(zero_copy_only=False)
    return words[encoded.indices.to_numpy(zero_copy_only=False)]

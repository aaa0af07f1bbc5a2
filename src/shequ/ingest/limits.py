"""The limits every imported file meets, in one place: file size, inflated size of zipped
members (XLSX, zipped Shapefile), rows, columns, characters per cell and per field, and how
many bad rows the quarantine file lists.

A file over a limit is refused whole (`ImportFileError`, exit 2) with the limit and how to
change it, before it can fill the memory or hold a web thread: the zip directory is checked
before a member is opened, and rows, columns and cell lengths are counted while the rows
stream in. Python's zip reader never inflates a member beyond the size its directory
declares (and fails its CRC check if the data is longer), so the directory check bounds
what is inflated.

Every limit can be changed with an environment variable ``SHEQU_IMPORT_<FIELD>`` (upper
case, e.g. ``SHEQU_IMPORT_MAX_ROWS=2000000``), read when an import starts, for the CLI and
the web server alike, or per call with ``Limits(...)``.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..errors import ImportFileError

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Limits of one import; the defaults suit a city's yearly files with room to spare."""

    #: bytes of the file itself (an upload is cut off beyond it)
    max_file_bytes: int = 256 * MiB
    #: bytes all members of a zip file (XLSX, zipped Shapefile) inflate to, by its directory
    max_inflated_bytes: int = 256 * MiB
    #: data rows (or features) of a file
    max_rows: int = 1_000_000
    #: columns of a file
    max_columns: int = 1_000
    #: characters in one cell as read (Excel's own limit is 32 767)
    max_cell_chars: int = 32_767
    #: characters in a field of a record (names, codes, periods, numbers, titles)
    max_field_chars: int = 500
    #: characters in a free-text field (a suggestion, a reply, a comment)
    max_text_chars: int = 5_000
    #: bad rows written to the quarantine file and kept in the report; the rest are counted
    max_quarantine_rows: int = 10_000

    @classmethod
    def from_env(cls, **overrides: int) -> Limits:
        """The defaults, then ``SHEQU_IMPORT_<FIELD>`` variables, then ``overrides``."""
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = os.environ.get(f"SHEQU_IMPORT_{f.name.upper()}")
            if raw is not None:
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    msg = (
                        f"环境变量 SHEQU_IMPORT_{f.name.upper()}=“{raw}”应为整数 / "
                        f"SHEQU_IMPORT_{f.name.upper()}='{raw}' must be an integer"
                    )
                    raise ImportFileError(msg) from None
        return replace(cls(**values), **overrides)


def over_limit(path: Path, what_zh: str, what_en: str, found: str, limit: int, name: str):
    """The `ImportFileError` for a file over the limit ``name`` of `Limits`."""
    variable = f"SHEQU_IMPORT_{name.upper()}"
    return ImportFileError(
        f"{path.name}：{what_zh}{found}，超过上限 {limit:,}（可用环境变量 {variable} 调整），"
        f"未导入任何数据 / {path.name}: {what_en} {found} exceeds the limit of {limit:,} "
        f"(set {variable} to change it); nothing was loaded"
    )


def too_many_rows(path: Path, limits: Limits) -> ImportFileError:
    """The `ImportFileError` for a file of more than ``max_rows`` data rows (or features)."""
    return over_limit(
        path, "数据行数 ", "the data rows", f"> {limits.max_rows:,}", limits.max_rows, "max_rows"
    )


def check_cell(path: Path, value: object, cell: str, limits: Limits) -> None:
    """Refuse the file when the text of ``cell`` is longer than ``max_cell_chars``."""
    if isinstance(value, str) and len(value) > limits.max_cell_chars:
        raise over_limit(
            path,
            f"单元格 {cell} 的字符数 ",
            f"the characters of cell {cell}",
            f"{len(value):,}",
            limits.max_cell_chars,
            "max_cell_chars",
        )


def check_file(path: Path, limits: Limits) -> None:
    """Refuse a missing path, a directory or a file larger than ``max_file_bytes``."""
    if not path.exists():
        raise ImportFileError(f"找不到文件 {path} / file not found: {path}")
    if not path.is_file():
        raise ImportFileError(
            f"{path} 不是文件（是目录或设备）/ {path} is not a file (a directory or a device)"
        )
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise over_limit(
            path,
            "文件大小 ",
            "the file size",
            f"{size:,} B",
            limits.max_file_bytes,
            "max_file_bytes",
        )


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip file whose members inflate (by its directory) beyond ``max_inflated_bytes``.

    Reads only the central directory: nothing is inflated.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        msg = (
            f"{path.name}：不是有效的 XLSX/ZIP 文件（{exc}）/ {path.name}: not a valid XLSX/zip "
            f"file ({exc}); save it again from Excel or WPS"
        )
        raise ImportFileError(msg) from None
    inflated = sum(max(m.file_size, 0) for m in members)
    if inflated > limits.max_inflated_bytes:
        biggest = max(members, key=lambda m: m.file_size)
        found = f"{inflated:,} B（最大成员 {biggest.filename} {biggest.file_size:,} B）"
        raise over_limit(
            path,
            "解压后大小 ",
            "the inflated size",
            found,
            limits.max_inflated_bytes,
            "max_inflated_bytes",
        )


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def scan_sheet_xml(stream, *, stop_after: int, chunk: int = 4 * MiB) -> tuple[int, bool]:
    """How many rows a worksheet's XML holds (``<row`` or ``:row`` tags counted as bytes,
    no parsing; up to about ``stop_after``, enough to refuse a row bomb before a row is
    parsed) and whether it holds any formula (``<f>``)."""
    found, formulas, tail = 0, False, b""
    while found <= stop_after:
        block = stream.read(chunk)
        if not block:
            break
        data = tail + block
        cut = max(len(data) - 16, 0)  # a tag split across two blocks is counted once
        head = data[:cut]
        found += head.count(b"<row") + head.count(b":row")
        formulas = formulas or _FORMULA_TAG.search(data) is not None
        tail = data[cut:]
    found += tail.count(b"<row") + tail.count(b":row")
    return found, formulas

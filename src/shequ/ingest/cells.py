"""Converting raw cells: text, codes, levels, numbers, dates, date-times and periods.

Each returns None for a cell it cannot read, so the caller reports it with the row and
column (`shequ.ingest.report.Problems`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Collection

import numpy as np
import pandas as pd

from ..errors import PeriodError
from ..framework.levels import LEVELS
from ..framework.periods import parse_period
from .limits import Limits
from .readers import ROW
from .report import Problems

CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_MOMENT_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]+(\d{1,2})[:：时](\d{1,2})"
    r"(?:[:：分](\d{1,2}))?秒?$"
)
LEVEL_ALIASES = {
    "province": ("省", "省级", "自治区", "直辖市"),
    "city": ("市", "地级市", "市级", "地区", "州"),
    "district": ("区", "县", "县级市", "区县", "旗", "市辖区"),
    "street": ("街道", "乡", "镇", "乡镇", "街道办", "街道办事处"),
    "community": ("社区", "村", "居委会", "村委会", "社区居委会", "居民委员会"),
    "grid": ("网格",),
}
_LEVEL_LOOKUP = {alias: level for level, names in LEVEL_ALIASES.items() for alias in names}
_LEVEL_LOOKUP.update({level: level for level in LEVELS})


def text(value: object) -> str:
    """A cell as clean text; Excel numbers such as 990100000000.0 lose the ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def code(value: object) -> str | None:
    """A code of letters, digits, ``_.-`` (at most 32 characters); full-width letters and
    digits (``Ｃ１０１``) are read as their ASCII forms (NFKC)."""
    raw = code_text(value)
    return raw if CODE_RE.match(raw) else None


def per_unique(cells: pd.Series, convert) -> pd.Series:
    """``cells.map(convert)``, calling ``convert`` once per distinct cell (a column of a
    million rows holds a few periods and a few thousand codes)."""
    if cells.empty:  # keep the text dtype: an empty mapping would make it float
        return cells.astype(object)
    return cells.map({value: convert(value) for value in pd.unique(cells)})


def texts(raw: pd.Series) -> pd.Series:
    """``raw.map(text)``, vectorised for text cells (numbers and dates cell by cell, once
    per distinct cell): a column of 665 000 distinct names in a few tenths of a second.
    Arrow finds the cells that begin or end with a space; only those are stripped."""
    if raw.empty or raw.dtype.kind in "iuf":
        return per_unique(raw, text)
    textual = raw.map(type).eq(str).to_numpy(dtype=bool)
    out = raw.astype(object)
    padded = _padded(out[textual].to_numpy())
    if padded is None:
        padded = np.ones(int(textual.sum()), dtype=bool)
    strip = np.zeros(len(out), dtype=bool)
    strip[np.flatnonzero(textual)[padded]] = True
    if strip.any() or not textual.all():
        out = out.copy()
        out[strip] = out[strip].str.strip()
        out[~textual] = per_unique(raw[~textual], text)
    return out


def _padded(cells: np.ndarray) -> np.ndarray | None:
    """Whether each text cell begins or ends with whitespace (as `str.strip` sees it: each
    distinct first and last character is asked once), or None when Arrow cannot hold it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        array = pa.array(cells, type=pa.large_string())
    except (pa.ArrowException, TypeError, UnicodeError):
        return None
    padded = np.zeros(len(cells), dtype=bool)
    for end in (pc.utf8_slice_codeunits(array, 0, 1), pc.utf8_slice_codeunits(array, -1)):
        encoded = pc.dictionary_encode(end)
        spaces = np.array([c.isspace() for c in encoded.dictionary.to_pylist()], dtype=bool)
        padded |= spaces[encoded.indices.to_numpy(zero_copy_only=False)]
    del array, end, encoded
    pa.default_memory_pool().release_unused()  # Arrow's pool keeps what it freed
    return padded


def codes(raw: pd.Series) -> pd.Series:
    """``raw.map(code)`` (None where the cell is not a valid code), vectorised: ASCII text is
    its own NFKC form and is matched by Arrow; only the other cells are converted one
    distinct cell at a time."""
    import pyarrow as pa
    import pyarrow.compute as pc

    clean = texts(raw)
    try:
        array = pa.array(clean.to_numpy(), type=pa.large_string())
    except (pa.ArrowException, TypeError, UnicodeError):
        return per_unique(clean, code)
    ascii_text = pc.string_is_ascii(array).to_numpy(zero_copy_only=False).astype(bool)
    valid = pc.match_substring_regex(array, CODE_RE.pattern).to_numpy(zero_copy_only=False)
    good = ascii_text & valid.astype(bool)
    del array
    pa.default_memory_pool().release_unused()
    out = np.full(len(clean), None, dtype=object)
    out[good] = clean.to_numpy()[good]
    out[~ascii_text] = per_unique(clean[~ascii_text], code).to_numpy()
    return pd.Series(out, index=raw.index)


def blank(raw: pd.Series) -> pd.Series:
    """``raw.map(text) == ""``, vectorised for text cells (the rest cell by cell)."""
    if raw.dtype.kind in "iuf":  # a column of numbers (Parquet): text(NaN) is "nan"
        return pd.Series(False, index=raw.index)
    textual = raw.map(type).isin([str]).to_numpy(dtype=bool)
    out = np.zeros(len(raw), dtype=bool)
    out[textual] = (raw[textual].str.strip() == "").to_numpy(dtype=bool)
    out[~textual] = (raw[~textual].map(text) == "").to_numpy(dtype=bool)
    return pd.Series(out, index=raw.index)


def plain_numbers(raw: pd.Series) -> pd.Series:
    """``to_numeric(raw.map(text))`` without a Python call per cell: numbers (from XLSX or
    Parquet) convert as they are, text is stripped as `text` strips it, anything else (a
    bool, a date, an integer too big for a float) goes through `text`; NaN where the cell
    is not a plain number (`number` then reads it, or says why not)."""
    if raw.dtype.kind in "iuf":  # a column of numbers (Parquet)
        return raw.astype(float)
    kinds = raw.map(type)
    numeric, textual = kinds.isin([int, float]), kinds.isin([str])
    out = pd.Series(np.nan, index=raw.index, dtype=float)
    rest = ~numeric & ~textual
    if numeric.any():
        try:
            out[numeric] = pd.to_numeric(raw[numeric], errors="coerce").astype(float)
        except OverflowError:
            rest |= numeric
    if textual.any():
        out[textual] = pd.to_numeric(raw[textual].str.strip(), errors="coerce").astype(float)
    if rest.any():
        out[rest] = pd.to_numeric(raw[rest].map(text), errors="coerce").astype(float)
    return out


def code_text(value: object) -> str:
    """A cell that names something by code (org unit, data element, period) as text in
    NFKC form, so that ``１０１`` and ``101`` are the same code."""
    return unicodedata.normalize("NFKC", text(value))


def level(value: object) -> str | None:
    """A level of the hierarchy from its code or a Chinese name (市, 区, 县, 街道, 镇, 社区, 村 ...)."""
    return _LEVEL_LOOKUP.get(text(value).lower())


def date(value: object) -> dt.date | None:
    """A date from an Excel date cell or text like 2023-01-01, 2023/1/1, 20230101, 2023年1月1日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if re.fullmatch(r"\d{8}", raw):
        raw = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    match = _DATE_RE.match(raw)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def moment(value: object) -> dt.datetime | None:
    """A date-time from an Excel cell or text (2025-03-01 14:20[:05], 2025/3/1 14:20, or a
    date alone, read as midnight)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    raw = text(value)
    match = _MOMENT_RE.match(raw)
    if match:
        try:
            return dt.datetime(*(int(g) for g in match.groups() if g is not None))
        except ValueError:
            return None
    day = date(value)
    return None if day is None else dt.datetime.combine(day, dt.time())


def optional_moment(value: object) -> tuple[dt.datetime | None, bool]:
    """(date-time or None, whether the cell was readable); an empty cell is (None, True)."""
    if text(value) == "":
        return None, True
    found = moment(value)
    return found, found is not None


def period_code(value: object) -> str | None:
    """The code of the period a cell names (``２０２５`` is 2025), or None."""
    try:
        return parse_period(value).code
    except PeriodError:
        return None


def period_of(value: object, when: dt.datetime | None) -> str | None:
    """The period given, else the year of ``when``."""
    raw = text(value)
    if not raw:
        return None if when is None else str(when.year)
    try:
        return parse_period(raw).code
    except PeriodError:
        return None


_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
NOT_A_NUMBER = ("“{v}”不是数值", "'{v}' is not a number")
AMBIGUOUS_COMMA = (
    "“{v}”有歧义：逗号只能作千位分隔（如 1,234,567）；小数请写小数点（1.5）",
    "'{v}' is ambiguous: a comma may only separate thousands (1,234,567); "
    "write a decimal with a point (1.5)",
)
PERCENT_NOT_ALLOWED = (
    "“{v}”带百分号，但该数据元素不是百分比",
    "'{v}' has a percent sign but the data element is not a percentage",
)


def number(
    value: object, *, percentage: bool = False
) -> tuple[float | None, tuple[str, str] | None]:
    """A number as people type it, or None and the reason (zh, en) with ``{v}`` for the cell.

    Accepts Excel numbers, ``1234.5``, thousands separators ``1,234,567``, full-width
    digits and signs (``５５０４``, ``１，２３４``), surrounding spaces, and ``12.5%`` when
    the data element is a percentage (``percentage``; the value stays 12.5, in the
    element's unit %). Refuses a comma that does not group thousands (``1,5`` could be
    1.5 or 15), a percent sign on other elements, booleans, NaN and infinity.
    """
    if isinstance(value, bool):
        return None, NOT_A_NUMBER
    if isinstance(value, int | float):
        as_float = float(value)
        return (as_float, None) if math.isfinite(as_float) else (None, NOT_A_NUMBER)
    raw = unicodedata.normalize("NFKC", text(value)).strip()
    if raw.endswith("%"):
        if not percentage:
            return None, PERCENT_NOT_ALLOWED
        raw = raw[:-1]
    if "," in raw:
        if not _GROUPED_RE.match(raw):
            return None, AMBIGUOUS_COMMA
        raw = raw.replace(",", "")
    if not _PLAIN_RE.match(raw):
        return None, NOT_A_NUMBER
    parsed = float(raw)
    return (parsed, None) if math.isfinite(parsed) else (None, NOT_A_NUMBER)


# --- every cell of a file -----------------------------------------------------------------

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def text_problems(raw: pd.DataFrame, limits: Limits, free_text: Collection[str] = ()) -> Problems:
    """Problems of any cell of ``raw``: a control character (NUL, escape, a right-to-left
    override ...; tab and line breaks are fine), or more characters than the field allows
    (`Limits.max_field_chars`; `Limits.max_text_chars` in the ``free_text`` columns, named
    by their header, canonical name or alias, any case)."""
    free = {_key(name) for name in free_text}
    problems = Problems()
    for column in raw.columns:
        if column == ROW or raw[column].dtype != object:
            continue
        codes, uniques = pd.factorize(raw[column])  # each distinct cell checked once
        checked = _length_and_control(uniques)
        if checked is None:  # no text in the column
            continue
        lengths = pd.Series(checked[0][codes], index=raw.index)
        limit = limits.max_text_chars if _key(column) in free else limits.max_field_chars
        control = pd.Series(checked[1][codes], index=raw.index)
        if control.any():
            found = raw.loc[control, column].map(lambda v: f"U+{ord(_CONTROL_RE.search(v)[0]):04X}")
            frame = raw.loc[control, [ROW]].assign(__c=found)
            problems.add(
                frame,
                pd.Series(True, index=frame.index),
                str(column),
                "含有控制字符 {c}（请删除）",
                "holds the control character {c} (remove it)",
                c="__c",
            )
        long = (lengths > limit).astype(bool) & ~control  # NaN > limit is False
        if long.any():
            frame = raw.loc[long, [ROW]].assign(__n=lengths[long].map("{:,.0f}".format))
            problems.add(
                frame,
                pd.Series(True, index=frame.index),
                str(column),
                f"有 {{n}} 个字符，超过上限 {limit:,}",
                f"has {{n}} characters, more than the limit of {limit:,}",
                n="__n",
            )
    return problems


#: `_CONTROL_RE` in RE2's syntax (Arrow's regular expressions)
_CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}\x{202a}-\x{202e}\x{2066}-\x{2069}]"


def _length_and_control(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Characters in, and whether a control character is in, each of the distinct cells
    ``uniques`` and then a missing one (code -1: NaN, False); None when none is text.
    Text alone goes through Arrow (no Python call per cell: a column of 665 000 distinct
    codes in a tenth of a second); a column mixing text with numbers or dates, and text
    Arrow cannot hold (a lone surrogate), is checked cell by cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(uniques, type=pa.large_string())
    except (pa.ArrowException, TypeError, UnicodeError):
        distinct = pd.Series([*uniques, None], dtype=object)
        try:
            lengths = distinct.str.len().to_numpy(dtype=float)
        except AttributeError:  # no text at all
            return None
        control = distinct.str.contains(_CONTROL_RE, regex=True, na=False).to_numpy(dtype=bool)
        return lengths, control
    lengths = np.append(pc.utf8_length(text).to_numpy().astype(float), np.nan)
    control = pc.match_substring_regex(text, _CONTROL_RE2).to_numpy(zero_copy_only=False)
    del text
    pa.default_memory_pool().release_unused()
    return lengths, np.append(control.astype(bool), False)


def _key(name: object) -> str:
    return str(name).strip().lower().replace(" ", "")

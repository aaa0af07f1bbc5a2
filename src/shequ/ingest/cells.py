"""Converting raw cells: text, codes, levels, dates, date-times and periods.

Each returns None for a cell it cannot read, so the caller reports it with the row and
column (`shequ.ingest.report.Problems`).
"""

from __future__ import annotations

import datetime as dt
import re

from ..errors import PeriodError
from ..framework.levels import LEVELS
from ..framework.periods import parse_period

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
    """A code of letters, digits, ``_.-`` (at most 32 characters)."""
    raw = text(value)
    return raw if CODE_RE.match(raw) else None


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


def period_of(value: object, when: dt.datetime | None) -> str | None:
    """The period given, else the year of ``when``."""
    raw = text(value)
    if not raw:
        return None if when is None else str(when.year)
    try:
        return parse_period(raw).code
    except PeriodError:
        return None

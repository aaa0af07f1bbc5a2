"""Converting raw cells: codes, dates, levels. Each returns None for a cell it cannot read,
so the caller reports it with the row and column."""

from __future__ import annotations

import datetime as dt
import re

from ..store.tables.core import LEVELS
from ._read import text

CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
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
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}


def level(value: object) -> str | None:
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


def code(value: object) -> str | None:
    raw = text(value)
    return raw if CODE_RE.match(raw) else None

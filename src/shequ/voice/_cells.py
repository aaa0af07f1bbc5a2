"""Reading cells of the voice imports: date-times and periods."""

from __future__ import annotations

import datetime as dt
import re

from ..errors import PeriodError
from ..framework.periods import parse_period
from ..ingest._cells import date
from ..ingest._read import text

_MOMENT = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]+(\d{1,2})[:：时](\d{1,2})"
    r"(?:[:：分](\d{1,2}))?秒?$"
)


def moment(value: object) -> dt.datetime | None:
    """A date-time from an Excel cell or text (2025-03-01 14:20[:05], 2025/3/1 14:20, or a
    date alone, read as midnight)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    raw = text(value)
    match = _MOMENT.match(raw)
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

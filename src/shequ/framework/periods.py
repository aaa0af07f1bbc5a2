"""Periods: a year ``2025``, a quarter ``2025Q3`` or a month ``2025-07``.

A period is evaluated with the org-unit tree as it stood on the period's last day
(``Period.end``), so a street closed on 2023-01-01 still counts in 2022.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ..errors import PeriodError

PeriodType = Literal["year", "quarter", "month"]

_PATTERNS: list[tuple[PeriodType, re.Pattern[str]]] = [
    ("year", re.compile(r"^(?P<y>\d{4})$")),
    ("quarter", re.compile(r"^(?P<y>\d{4})Q(?P<q>[1-4])$")),
    ("month", re.compile(r"^(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])$")),
]


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period, identified by its code."""

    code: str
    type: PeriodType
    start: dt.date
    end: dt.date

    @property
    def year(self) -> int:
        return self.start.year

    def __str__(self) -> str:
        return self.code


def parse_period(code: object) -> Period:
    """Parse a period code; raise `PeriodError` with a bilingual reason if it is not one.

    Numbers such as ``2025`` or ``2025.0`` (as Excel stores a year) are accepted.
    """
    text = _normalise(code)
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            return _build(text, kind, match)
    shown = str(code).strip()
    msg = (
        f"期间“{shown}”无效，应为年度 2025、季度 2025Q3 或月份 2025-07 / "
        f"period '{shown}' is not a year (2025), quarter (2025Q3) or month (2025-07)"
    )
    raise PeriodError(msg)


def _normalise(code: object) -> str:
    """NFKC (full-width ``２０２５Ｑ３`` is 2025Q3), upper case; digits must then be ASCII."""
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    text = unicodedata.normalize("NFKC", str(code)).strip().upper().replace("q", "Q")
    return text if text.isascii() else ""


def _build(text: str, kind: PeriodType, match: re.Match[str]) -> Period:
    year = int(match["y"])
    if year < 1900 or year > 2200:
        msg = f"期间年份 {year} 超出范围 / period year {year} is out of range (1900–2200)"
        raise PeriodError(msg)
    if kind == "year":
        first_month, last_month = 1, 12
    elif kind == "quarter":
        last_month = int(match["q"]) * 3
        first_month = last_month - 2
    else:
        first_month = last_month = int(match["m"])
    last_day = calendar.monthrange(year, last_month)[1]
    return Period(text, kind, dt.date(year, first_month, 1), dt.date(year, last_month, last_day))


def shift(period: Period, steps: int) -> Period:
    """The period ``steps`` periods later (negative: earlier) of the same type."""
    if period.type == "year":
        return parse_period(str(period.year + steps))
    if period.type == "quarter":
        index = period.year * 4 + (period.end.month // 3 - 1) + steps
        return parse_period(f"{index // 4}Q{index % 4 + 1}")
    index = period.year * 12 + (period.start.month - 1) + steps
    return parse_period(f"{index // 12}-{index % 12 + 1:02d}")


def midpoint_years(kind: PeriodType, day: dt.date) -> float:
    """Midpoint, in years, of the period of type ``kind`` that contains ``day``."""
    if kind == "year":
        return day.year + 0.5
    if kind == "quarter":
        return day.year + ((day.month - 1) // 3 + 0.5) / 4
    return day.year + (day.month - 0.5) / 12


@cache
def period_facts(code: object) -> tuple[PeriodType, float, dt.date, str]:
    """(type, midpoint in years, last day, normalised code) of a period code."""
    period = parse_period(code)
    return period.type, midpoint_years(period.type, period.end), period.end, period.code


def period_position(code: object) -> float:
    """Time in years at the period's midpoint: 2023 → 2023.5, 2023Q1 → 2023.125,
    2023-07 → 2023 + 6.5/12 (months count as twelfths of a year); trends fit lines on it."""
    return period_facts(code)[1]

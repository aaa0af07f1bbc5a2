"""Working days: the plan's official holidays and adjusted working days (调休).

A day is a working day when it is Monday–Friday and not a holiday, or when it is listed as
an adjusted working day (a Saturday or Sunday worked to bridge a holiday). Stage limits
count working days from the day after receipt: a suggestion received on Friday with a
2-working-day limit must be answered by the end of Tuesday (Monday, Tuesday), and one
received on Saturday also by Tuesday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..framework.voice import VoiceSettings

_MARGIN_DAYS = 400
#: China Standard Time (UTC+8, no daylight saving): the desk's clock. Workflow times are
#: stored as naive local times, as the imported spreadsheets write them.
CHINA = dt.timezone(dt.timedelta(hours=8))


def local_now() -> dt.datetime:
    """Now, as a naive China Standard Time datetime."""
    return dt.datetime.now(CHINA).replace(tzinfo=None)


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A datetime as naive China Standard Time (an aware one is converted, a naive one kept)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(CHINA).replace(tzinfo=None)


class WorkCalendar:
    """Working days between ``start`` and ``end`` (the range grows when asked outside it)."""

    def __init__(self, holidays: Iterable[dt.date] = (), adjusted_workdays: Iterable[dt.date] = ()):
        self.holidays = frozenset(holidays)
        self.adjusted = frozenset(adjusted_workdays)
        self._days = np.array([], dtype="datetime64[D]")
        self._lo = self._hi = None

    @classmethod
    def from_settings(cls, settings: VoiceSettings) -> WorkCalendar:
        return cls(settings.holidays, settings.adjusted_workdays)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.adjusted:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``day`` itself when ``n`` is 0)."""
        out = self.deadlines(pd.Series([pd.Timestamp(day)]), n)
        return pd.Timestamp(out.iloc[0]).date()

    def deadlines(self, received: pd.Series, n: int) -> pd.Series:
        """Vectorised `add_working_days` over a datetime Series (NaT stays NaT)."""
        days = pd.to_datetime(received).dt.normalize()
        if n == 0 or days.notna().sum() == 0:
            return days
        self._cover(days.min().date(), days.max().date())
        values = days.to_numpy(dtype="datetime64[D]")
        index = np.searchsorted(self._days, values, side="right") + n - 1
        index = np.clip(index, 0, len(self._days) - 1)
        out = pd.Series(self._days[index].astype("datetime64[ns]"), index=received.index)
        return out.where(days.notna())

    def _cover(self, lo: dt.date, hi: dt.date) -> None:
        if self._lo is not None and self._lo <= lo and hi <= self._hi:
            return
        lo = min(lo, self._lo or lo) - dt.timedelta(days=_MARGIN_DAYS)
        hi = max(hi, self._hi or hi) + dt.timedelta(days=_MARGIN_DAYS)
        span = (hi - lo).days + 1
        days = [lo + dt.timedelta(days=i) for i in range(span)]
        self._days = np.array([d for d in days if self.is_working_day(d)], dtype="datetime64[D]")
        self._lo, self._hi = lo, hi

"""Working days: the official holidays and adjusted working days (调休) of every year we know.

A day is a working day when it is Monday–Friday and not a holiday, or when it is an adjusted
working day (a Saturday or Sunday worked to bridge a holiday). Stage limits count working
days from the day after receipt: a suggestion received on Friday with a 2-working-day limit
must be answered by the end of Tuesday (Monday, Tuesday), and one received on Saturday also
by Tuesday.

Where the days come from
------------------------
The official calendar is the ``chinesecalendar`` package (PyPI ``chinesecalendar``, import
``chinese_calendar``, MIT, pinned in ``pyproject.toml``). It transcribes each year's notice of
the General Office of the State Council (国务院办公厅关于××年部分节假日安排的通知) into two
lists, days off and adjusted working days, and refuses any year it has no notice for. Version
1.11.0 knows 2004–2026. A new release each winter adds the coming year; until then the plan
can add it (below).

The alternative, ``holidays`` (0.109, its ``China`` calendar), was compared and not chosen:
it computes every year from 1950 by rule, including years no notice has covered yet (2027
comes out "estimated", without any 调休), so an unknown year would be counted silently; and it
lists days off only: the 调休 working weekends appear only inside the label of the day off
they pay for ("Day off (substituted from 01/04/2026)"), so knowing them means parsing labels.
With those labels parsed, both packages give the same working days for every day of
2004–2026 except three New-Year-eve weekends (2006-12-30/31, 2011-12-31), worked for the next
year's New Year, which ``holidays`` files under the next year.

The 2026 days were checked against the notice itself (国务院办公厅关于2026年部分节假日安排的通知):
元旦 1–3 Jan off, Sun 4 Jan worked; 春节 15–23 Feb off, Sat 14 Feb and Sat 28 Feb worked;
清明 4–6 Apr; 劳动节 1–5 May off, Sat 9 May worked; 端午 19–21 Jun; 中秋 25–27 Sep;
国庆 1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked. ``chinesecalendar`` 1.11.0 agrees with
the notice on every day of 2026, and with the 2025 lists the plan shipped before, so we use
its data as it is (``tests/voice/test_workdays.py`` holds both checks).

What the plan adds (``voice:`` section)
--------------------------------------
* ``holidays``: days off added to, or overriding, the official calendar (a local holiday, a
  decree extending a festival);
* ``adjusted_workdays``: working days added to, or overriding, the official calendar;
* ``calendar_years``: years whose days off and adjusted working days the plan lists in full,
  e.g. next year's notice before ``chinesecalendar`` ships it: they become known years;
* ``official_calendar: false``: use the plan's lists alone (only ``calendar_years`` known).

A year nobody knows
-------------------
A deadline whose count runs through a year that neither ``chinesecalendar`` nor the plan's
``calendar_years`` covers is refused with a `VoiceError` (``field="calendar"``) that says which
year and what to do, never counted as Monday–Friday in silence. A caller who accepts that
count asks for it with ``on_unknown_year="warn"``: the days of such a year are counted
Monday–Friday and a `CalendarWarning` is printed. ``on_unknown_year="blank"`` leaves such a
deadline empty (NaT / None), for pages that show deadlines one by one.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Iterable
from typing import Literal

import chinese_calendar
import numpy as np
import pandas as pd

from ..errors import VoiceError
from ..framework.voice import VoiceSettings

_MARGIN_DAYS = 400
_ONE_DAY = pd.Timedelta(days=1)
#: China Standard Time (UTC+8, no daylight saving): the desk's clock. Workflow times are
#: stored as naive local times, as the imported spreadsheets write them.
CHINA = dt.timezone(dt.timedelta(hours=8))
OnUnknownYear = Literal["refuse", "warn", "blank"]
ON_UNKNOWN_YEAR = ("refuse", "warn", "blank")


class CalendarWarning(UserWarning):
    """Working days of a year without an official calendar were counted Monday–Friday."""


def local_now() -> dt.datetime:
    """Now, as a naive China Standard Time datetime."""
    return dt.datetime.now(CHINA).replace(tzinfo=None)


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A datetime as naive China Standard Time (an aware one is converted, a naive one kept)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(CHINA).replace(tzinfo=None)


@functools.cache
def official_days() -> tuple[frozenset[dt.date], frozenset[dt.date], frozenset[int]]:
    """The State Council's days off, adjusted working days and the years they cover, as
    ``chinesecalendar`` transcribes them (every year from its first to its last)."""
    off = frozenset(chinese_calendar.holidays)
    worked = frozenset(chinese_calendar.workdays)
    years = frozenset(range(min(off).year, max(off).year + 1))
    return off, worked, years


def _spans(years: Iterable[int]) -> str:
    """``2004–2026, 2028`` for a set of years (``—`` for none)."""
    out: list[str] = []
    for year in sorted(years):
        if out and out[-1][1] == year - 1:
            out[-1] = (out[-1][0], year)
        else:
            out.append((year, year))
    return ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in out) or "—"


class WorkCalendar:
    """Working days from ``holidays`` and ``adjusted_workdays``, for the ``years`` they cover.

    ``years=None`` (a calendar built by hand) means the lists are complete for every year;
    `from_settings` builds the official calendar with the plan's additions and knows only the
    years listed. ``on_unknown_year`` says what a count through any other year does:
    ``"refuse"`` (a `VoiceError`), ``"warn"`` (Monday–Friday, with a `CalendarWarning`) or
    ``"blank"`` (no deadline). Working days are computed once per range (±400 days around the
    dates asked), so a million deadlines cost one ``searchsorted``.
    """

    def __init__(
        self,
        holidays: Iterable[dt.date] = (),
        adjusted_workdays: Iterable[dt.date] = (),
        *,
        years: Iterable[int] | None = None,
        on_unknown_year: OnUnknownYear = "refuse",
    ):
        if on_unknown_year not in ON_UNKNOWN_YEAR:
            msg = (
                f"未知年份的处理方式应为 {ON_UNKNOWN_YEAR} 之一，而非“{on_unknown_year}”/ "
                f"on_unknown_year must be one of {ON_UNKNOWN_YEAR}, not '{on_unknown_year}'"
            )
            raise VoiceError(msg, field="calendar")
        self.holidays = frozenset(holidays)
        self.adjusted = frozenset(adjusted_workdays)
        self.years = None if years is None else frozenset(years)
        self.on_unknown_year = on_unknown_year
        self._days = np.array([], dtype="datetime64[D]")
        self._lo = self._hi = None

    @classmethod
    def from_settings(
        cls, settings: VoiceSettings, *, on_unknown_year: OnUnknownYear = "refuse"
    ) -> WorkCalendar:
        """The official calendar (unless ``official_calendar: false``) with the plan's days:
        a plan holiday is a day off and a plan adjusted working day a working day, whatever
        the official calendar says; ``calendar_years`` are known in addition."""
        off, worked, years = official_days() if settings.official_calendar else ((), (), ())
        plan_off, plan_worked = set(settings.holidays), set(settings.adjusted_workdays)
        return cls(
            (set(off) - plan_worked) | plan_off,
            (set(worked) - plan_off) | plan_worked,
            years=set(years) | set(settings.calendar_years),
            on_unknown_year=on_unknown_year,
        )

    def knows(self, year: int) -> bool:
        """Whether the days off and adjusted working days of ``year`` are known."""
        return self.years is None or year in self.years

    def is_working_day(self, day: dt.date) -> bool | None:
        """Whether ``day`` is a working day (None for a day of an unknown year, when blank)."""
        if not self.knows(day.year):
            touched = pd.Series([True])
            if self._settle(touched, {day.year}, "day").iloc[0]:
                return None
        return self._working(day)

    def add_working_days(self, day: dt.date, n: int) -> dt.date | None:
        """The ``n``-th working day after ``day`` (``day`` itself when ``n`` is 0)."""
        out = self.deadlines(pd.Series([pd.Timestamp(day)]), n).iloc[0]
        return None if pd.isna(out) else pd.Timestamp(out).date()

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
        out = out.where(days.notna())
        blank = self._through_unknown(days + _ONE_DAY, out, "deadline")
        return out.where(~blank)

    def within(self, received: pd.Series, moment: pd.Series, n: int) -> pd.Series:
        """Whether each step at ``moment`` came within ``n`` working days of ``received``.

        Equal to ``moment`` being before the end of the deadline day (`deadlines`), but only
        the working days between the two days are looked up, so a suggestion answered in
        December needs no calendar of the next year. False where ``moment`` is missing.
        """
        start = pd.to_datetime(received).dt.normalize()
        end = pd.to_datetime(moment).dt.normalize()
        if n == 0:
            return (end <= start).fillna(False).astype(bool)
        return (self._elapsed(start, end) < n).fillna(False).astype(bool)

    def _elapsed(self, start: pd.Series, end: pd.Series) -> pd.Series:
        """Working days after each ``start`` and before each ``end`` day (NaN if either is
        missing or the count is blank; 0 when ``end`` is not after ``start``)."""
        both = start.notna() & end.notna()
        out = pd.Series(np.nan, index=start.index)
        if not both.any():
            return out
        lo, hi = min(start[both].min(), end[both].min()), max(start[both].max(), end[both].max())
        self._cover(lo.date(), hi.date())
        a = np.searchsorted(self._days, start[both].to_numpy(dtype="datetime64[D]"), side="right")
        b = np.searchsorted(self._days, end[both].to_numpy(dtype="datetime64[D]"), side="left")
        out[both] = np.maximum(b - a, 0)
        blank = self._through_unknown(start + _ONE_DAY, end - _ONE_DAY, "count")
        return out.where(~blank)

    def _through_unknown(self, first: pd.Series, last: pd.Series, what: str) -> pd.Series:
        """Rows whose days ``first``…``last`` run through an unknown year: refuse or warn
        (then no row is blank), or the rows to leave blank."""
        touched = pd.Series(False, index=first.index)
        if self.years is None:
            return touched
        y0, y1 = first.dt.year, last.dt.year
        seen = y0.notna() & y1.notna() & (y0 <= y1)
        if not seen.any():
            return touched
        unknown = set()
        for year in range(int(y0[seen].min()), int(y1[seen].max()) + 1):
            if year not in self.years:
                hit = seen & (y0 <= year) & (y1 >= year)
                if hit.any():
                    unknown.add(year)
                    touched |= hit
        return self._settle(touched, unknown, what) if unknown else touched

    def _settle(self, touched: pd.Series, unknown: set[int], what: str) -> pd.Series:
        n = int(touched.sum())
        years = "、".join(str(y) for y in sorted(unknown))
        known = _spans(self.years or ())
        zh = {"deadline": "个办理期限", "count": "个工作日计数", "day": "个日期"}[what]
        en = {"deadline": "deadline(s)", "count": "working-day count(s)", "day": "day(s)"}[what]
        if self.on_unknown_year == "warn":
            msg = (
                f"工作日历不知道 {years} 年的法定节假日和调休：{n} {zh}按周一至周五计算，"
                f"可能有误（已知年份：{known}）/ the working-day calendar does not know the "
                f"official holidays of {years}: {n} {en} counted Monday–Friday only and may be "
                f"wrong (known years: {known})"
            )
            warnings.warn(msg, CalendarWarning, stacklevel=4)
        elif self.on_unknown_year == "refuse":
            msg = (
                f"工作日历不知道 {years} 年的法定节假日和调休，{n} {zh}无法计算（已知年份："
                f"{known}）。请升级 chinesecalendar，或把国务院办公厅当年的节假日安排写入方案的 "
                "voice.holidays 与 voice.adjusted_workdays，并在 voice.calendar_years 中列出该年；"
                f"若接受只按周一至周五计算，请明确要求（on_unknown_year='warn'）/ the working-day "
                f"calendar does not know the official holidays and adjusted working days of "
                f"{years}, so {n} {en} cannot be counted (known years: {known}). Upgrade "
                "chinesecalendar, or add that year's State Council notice to the plan "
                "(voice.holidays, voice.adjusted_workdays, and the year in voice.calendar_years); "
                "to count Monday–Friday only, ask for it (on_unknown_year='warn')"
            )
            raise VoiceError(msg, field="calendar")
        if self.on_unknown_year == "blank":
            return touched
        return pd.Series(False, index=touched.index)

    def _working(self, day: dt.date) -> bool:
        if day in self.adjusted:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def _cover(self, lo: dt.date, hi: dt.date) -> None:
        if self._lo is not None and self._lo <= lo and hi <= self._hi:
            return
        lo = min(lo, self._lo or lo) - dt.timedelta(days=_MARGIN_DAYS)
        hi = max(hi, self._hi or hi) + dt.timedelta(days=_MARGIN_DAYS)
        span = (hi - lo).days + 1
        days = [lo + dt.timedelta(days=i) for i in range(span)]
        self._days = np.array([d for d in days if self._working(d)], dtype="datetime64[D]")
        self._lo, self._hi = lo, hi

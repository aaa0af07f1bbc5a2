"""Stage deadlines count working days from the day after receipt, with the plan's 2025
holidays and adjusted working days (调休)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from shequ.framework.loader import load_plan
from shequ.voice.workdays import WorkCalendar

D = dt.date


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar.from_settings(load_plan().voice)


@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        # Fri 2025-03-07 + 2: Sat/Sun off -> Mon 10 (1), Tue 11 (2)
        (D(2025, 3, 7), 2, D(2025, 3, 11)),
        # Sat 2025-03-08 + 2: Mon 10 (1), Tue 11 (2): a weekend receipt waits for Monday
        (D(2025, 3, 8), 2, D(2025, 3, 11)),
        # Tue 2025-09-30 + 2: Oct 1-8 holiday -> Thu Oct 9 (1), Fri Oct 10 (2)
        (D(2025, 9, 30), 2, D(2025, 10, 10)),
        # Fri 2025-01-24 + 1: Sun Jan 26 is an adjusted working day for the Spring Festival
        (D(2025, 1, 24), 1, D(2025, 1, 26)),
        # Mon 2025-01-27 + 1: Jan 28 - Feb 4 holiday -> Wed Feb 5
        (D(2025, 1, 27), 1, D(2025, 2, 5)),
        # Fri 2025-02-07 + 1: Sat Feb 8 is an adjusted working day
        (D(2025, 2, 7), 1, D(2025, 2, 8)),
        # n = 0 is the day itself
        (D(2025, 5, 1), 0, D(2025, 5, 1)),
    ],
)
def test_add_working_days(calendar: WorkCalendar, received: dt.date, n: int, due: dt.date) -> None:
    assert calendar.add_working_days(received, n) == due


def test_vectorised_deadlines_equal_the_single_ones_and_keep_missing(
    calendar: WorkCalendar,
) -> None:
    received = pd.Series(pd.to_datetime(["2025-09-30 09:00", None, "2025-03-07 17:59"]))
    out = calendar.deadlines(received, 2)
    assert out.iloc[0] == pd.Timestamp("2025-10-10")
    assert pd.isna(out.iloc[1])
    assert out.iloc[2] == pd.Timestamp("2025-03-11")


def test_a_plain_calendar_without_holidays_only_skips_weekends() -> None:
    # Tue 2025-09-30 + 2 without the holiday list: Wed Oct 1, Thu Oct 2
    assert WorkCalendar().add_working_days(D(2025, 9, 30), 2) == D(2025, 10, 2)

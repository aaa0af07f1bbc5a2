"""Stage deadlines count working days from the day after receipt, with the official
holidays and adjusted working days (调休) of chinesecalendar and the plan's own days."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from shequ.errors import VoiceError
from shequ.framework.loader import load_plan
from shequ.framework.voice import VoiceSettings
from shequ.store.tables.voice import Suggestion
from shequ.voice import rates
from shequ.voice import suggestions as desk
from shequ.voice.workdays import CalendarWarning, WorkCalendar

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


# --- issue 15 #7: a calendar that knows the year ---------------------------------------


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# 国务院办公厅关于2026年部分节假日安排的通知, typed from the notice, not from the library.
NOTICE_2026_OFF = {
    *_days(D(2026, 1, 1), D(2026, 1, 3)),  # 元旦
    *_days(D(2026, 2, 15), D(2026, 2, 23)),  # 春节, 9 days
    *_days(D(2026, 4, 4), D(2026, 4, 6)),  # 清明
    *_days(D(2026, 5, 1), D(2026, 5, 5)),  # 劳动节
    *_days(D(2026, 6, 19), D(2026, 6, 21)),  # 端午
    *_days(D(2026, 9, 25), D(2026, 9, 27)),  # 中秋
    *_days(D(2026, 10, 1), D(2026, 10, 7)),  # 国庆
}
NOTICE_2026_WORKED = {
    D(2026, 1, 4),  # Sun, 元旦
    D(2026, 2, 14),  # Sat, 春节
    D(2026, 2, 28),  # Sat, 春节
    D(2026, 5, 9),  # Sat, 劳动节
    D(2026, 9, 20),  # Sun, 国庆
    D(2026, 10, 10),  # Sat, 国庆
}
# The lists the plan shipped before the calendar came from chinesecalendar.
PLAN_2025_OFF = {
    D(2025, 1, 1),
    *_days(D(2025, 1, 28), D(2025, 2, 4)),
    *_days(D(2025, 4, 4), D(2025, 4, 6)),
    *_days(D(2025, 5, 1), D(2025, 5, 5)),
    *_days(D(2025, 5, 31), D(2025, 6, 2)),
    *_days(D(2025, 10, 1), D(2025, 10, 8)),
}
PLAN_2025_WORKED = {D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)}


@pytest.mark.parametrize(
    ("year", "off", "worked"),
    [(2026, NOTICE_2026_OFF, NOTICE_2026_WORKED), (2025, PLAN_2025_OFF, PLAN_2025_WORKED)],
)
def test_the_official_calendar_matches_the_notice_on_every_day(
    calendar: WorkCalendar, year: int, off: set, worked: set
) -> None:
    # issue 15 #7: the library's data equals the State Council notice, day by day
    for day in _days(D(year, 1, 1), D(year, 12, 31)):
        expected = day in worked or (day.weekday() < 5 and day not in off)
        assert calendar.is_working_day(day) is expected, day


def test_a_suggestion_received_before_the_2026_spring_festival() -> None:
    # issue 15 #7. The plan gives respond 2 and resolve 15 working days, from the day after
    # receipt. Received Thu 2026-02-12, hand-worked from the 2026 notice:
    #   respond: Fri Feb 13 (1), Sat Feb 14 worked (调休) (2)                  -> Sat 2026-02-14
    #   resolve: Feb 13 (1), Sat Feb 14 (2); Feb 15-23 off; Tue 24 (3), Wed 25 (4), Thu 26 (5),
    #            Fri 27 (6), Sat 28 worked (7), Mon Mar 2 (8), Tue 3 (9), Wed 4 (10),
    #            Thu 5 (11), Fri 6 (12), Mon 9 (13), Tue 10 (14), Wed 11 (15)   -> Wed 2026-03-11
    # (weekends only would have said Mon Feb 16 and Thu Mar 5.)
    plan = load_plan()
    assert (plan.voice.deadlines.respond, plan.voice.deadlines.resolve) == (2, 15)
    received = Suggestion(received_at=dt.datetime(2026, 2, 12, 10, 30))
    assert desk.due(received, plan) == desk.Due(D(2026, 2, 14), D(2026, 3, 11))
    frame = pd.DataFrame(
        {
            "received_at": [dt.datetime(2026, 2, 12, 10, 30)] * 4,
            "responded_at": pd.to_datetime(
                ["2026-02-14 17:00", "2026-02-16 09:00", "2026-02-24 09:00", None]
            ),
            "resolved_at": pd.to_datetime(
                ["2026-03-11 23:30", "2026-03-12 08:00", "2026-03-05 12:00", None]
            ),
            "rating": [5, 3, None, None],
        }
    )
    marked = rates.flags(frame, plan)
    # Sat Feb 14 was a working day and the last one: in time; Mon Feb 16 (in the holiday,
    # after the deadline) and Tue Feb 24 are late. Mar 11 is the last day; Mar 12 is late.
    assert marked["responded_in_time"].tolist() == [1, 0, 0, 0]
    assert marked["resolved_in_time"].tolist() == [1, 0, 1, 0]


def test_a_deadline_in_a_year_nobody_knows_is_refused_with_the_reason(
    calendar: WorkCalendar,
) -> None:
    # issue 15 #7: never counted as weekends only in silence
    last = max(calendar.years)
    with pytest.raises(VoiceError) as refused:
        calendar.add_working_days(D(last + 1, 3, 1), 2)
    text = str(refused.value)
    assert refused.value.field == "calendar"
    assert f"{last + 1}" in text and "工作日历" in text and "calendar does not know" in text
    assert "voice.calendar_years" in text and "on_unknown_year='warn'" in text
    # a deadline of December that runs into the unknown year is refused too
    with pytest.raises(VoiceError, match=f"{last + 1}"):
        calendar.add_working_days(D(last, 12, 24), 15)
    with pytest.raises(VoiceError, match="2003"):
        calendar.add_working_days(D(2003, 6, 2), 1)


def test_an_unknown_year_is_counted_monday_to_friday_only_when_asked() -> None:
    # issue 15 #7: the explicit option counts, and says so
    warn = WorkCalendar.from_settings(load_plan().voice, on_unknown_year="warn")
    with pytest.warns(CalendarWarning, match="2027.*Monday–Friday"):
        # Mon 2027-03-01 + 2: Tue 2 (1), Wed 3 (2)
        assert warn.add_working_days(D(2027, 3, 1), 2) == D(2027, 3, 3)
    blank = WorkCalendar.from_settings(load_plan().voice, on_unknown_year="blank")
    assert blank.add_working_days(D(2027, 3, 1), 2) is None
    assert blank.add_working_days(D(2026, 3, 2), 2) == D(2026, 3, 4)
    with pytest.raises(VoiceError):
        WorkCalendar(on_unknown_year="guess")  # type: ignore[arg-type]


def test_rates_need_only_the_days_up_to_the_answer() -> None:
    # issue 15 #7: answered in December: no calendar of next year needed; answered in the
    # unknown year: refused, or counted with a warning when asked
    plan = load_plan()
    frame = pd.DataFrame(
        {
            "received_at": pd.to_datetime(["2026-12-21 09:00"]),
            "responded_at": pd.to_datetime(["2026-12-22 09:00"]),
            "resolved_at": pd.to_datetime(["2026-12-30 09:00"]),
            "rating": [5],
        }
    )
    marked = rates.flags(frame, plan)
    assert marked[["responded_in_time", "resolved_in_time"]].iloc[0].tolist() == [1, 1]
    late = frame.assign(resolved_at=pd.to_datetime(["2027-01-20 09:00"]))
    with pytest.raises(VoiceError, match="2027"):
        rates.flags(late, plan)
    with pytest.warns(CalendarWarning):
        # Dec 22-31: 8 working days, then Jan 2027 Mon-Fri: Jan 1 (9) ... Jan 12 (15)
        assert rates.flags(late, plan, on_unknown_year="warn")["resolved_in_time"].iloc[0] == 0


def test_the_plan_adds_and_overrides_days_and_years() -> None:
    # issue 15 #7: the plan can add a year (next year's notice) and override single days
    voice = load_plan().voice.model_copy(
        update={
            # a local holiday on Thu 2026-03-05; Sat 2026-02-28 not worked after all;
            # and a 2027 calendar given in full (made-up days: Jan 1 off, Sat Jan 2 worked)
            "holidays": (D(2026, 3, 5), D(2026, 2, 28), D(2027, 1, 1)),
            "adjusted_workdays": (D(2027, 1, 2),),
            "calendar_years": (2027,),
        }
    )
    cal = WorkCalendar.from_settings(voice)
    assert cal.is_working_day(D(2026, 3, 5)) is False
    assert cal.is_working_day(D(2026, 2, 28)) is False
    # Thu 2026-12-31 + 2: Fri Jan 1 off, Sat Jan 2 worked (1), Mon Jan 4 (2)
    assert cal.add_working_days(D(2026, 12, 31), 2) == D(2027, 1, 4)
    # without the official calendar, only the plan's years are known
    alone = WorkCalendar.from_settings(voice.model_copy(update={"official_calendar": False}))
    assert alone.knows(2027) and not alone.knows(2026)


def test_a_day_listed_both_as_holiday_and_as_working_day_is_a_plan_error() -> None:
    with pytest.raises(ValueError, match="2026-03-05"):
        VoiceSettings(holidays=[D(2026, 3, 5)], adjusted_workdays=[D(2026, 3, 5)])


def test_a_zero_day_limit_means_the_day_of_receipt() -> None:
    cal = WorkCalendar.from_settings(load_plan().voice)
    received = pd.Series(pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:00"]))
    answered = pd.Series(pd.to_datetime(["2026-03-02 18:00", "2026-03-03 08:00"]))
    assert cal.within(received, answered, 0).tolist() == [True, False]

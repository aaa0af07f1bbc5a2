import datetime as dt

import pytest

from shequ.errors import PeriodError
from shequ.framework.periods import parse_period


@pytest.mark.parametrize(
    ("code", "kind", "start", "end"),
    [
        ("2025", "year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025Q3", "quarter", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # leap year
        (2025.0, "year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),  # as Excel stores it
    ],
)
def test_period_codes_parse_to_their_calendar_span(code, kind, start, end):
    period = parse_period(code)
    assert (period.type, period.start, period.end) == (kind, start, end)


@pytest.mark.parametrize("bad", ["2025Q5", "2025-13", "25", "2025年", "", "1800"])
def test_bad_period_codes_are_rejected_in_both_languages(bad):
    with pytest.raises(PeriodError) as info:
        parse_period(bad)
    assert "期间" in str(info.value)
    assert "period" in str(info.value)

"""Numbers as people type them: one parser, `ingest.cells.number`."""

import pytest

from shequ.ingest import cells


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,234,567", 1234567.0),  # thousands separators
        ("５５０４", 5504.0),  # full-width digits
        ("１，２３４．５", 1234.5),  # full-width comma and point
        (" 42 ", 42.0),
        ("-1,000.5", -1000.5),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_numbers_people_type_are_read(typed, expected):
    assert cells.number(typed) == (expected, None)


def test_a_percent_sign_only_where_the_element_is_a_percentage():
    assert cells.number("12.5%", percentage=True) == (12.5, None)  # stays in the unit %
    assert cells.number("12.5％", percentage=True) == (12.5, None)  # full-width sign
    assert cells.number("12.5%") == (None, cells.PERCENT_NOT_ALLOWED)


@pytest.mark.parametrize("typed", ["1,5", "12,34", "1,2345", ",5"])
def test_a_comma_that_does_not_group_thousands_is_ambiguous(typed):
    # 1,5 could be 1.5 (decimal comma) or 15: refused with the reason, never guessed
    assert cells.number(typed) == (None, cells.AMBIGUOUS_COMMA)


@pytest.mark.parametrize("typed", ["abc", "nan", "inf", "1 5", "1.2.3", True, float("nan")])
def test_non_numbers_are_refused(typed):
    assert cells.number(typed) == (None, cells.NOT_A_NUMBER)


def test_plain_numbers_and_blank_cells_answer_as_text_does_cell_by_cell():
    import pandas as pd

    from shequ.ingest.cells import blank, plain_numbers, text

    raw = pd.Series(
        [1, 2.5, " 12 ", "1,234", True, 10**400, "", " ", "abc", 3.0, None, " 1e3", "inf"],
        dtype=object,
    )
    # by hand: numbers as they are, stripped text parsed, "1,234"/True/10**400/""/"abc"
    # not plain numbers (cells.number reads or refuses them), None is the text "None"
    expected = [1.0, 2.5, 12.0, None, None, None, None, None, None, 3.0, None, 1000.0, "inf"]
    got = plain_numbers(raw).tolist()
    for g, e in zip(got, expected, strict=True):
        assert (g != g) if e is None else (g == float(e))
    assert blank(raw).tolist() == [False] * 6 + [True, True] + [False] * 5
    assert blank(raw).tolist() == (raw.map(text) == "").tolist()

"""Cells as people type them: one parser each (`ingest.cells`), and their column versions."""

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


def test_text_and_code_columns_read_as_the_cell_by_cell_converters_read_them():
    # the column versions (Arrow finds padded cells and valid ASCII codes) against `text`
    # and `code` cell by cell: spaces of every kind, full-width codes, Excel numbers,
    # a code of 33 characters, a line break, a lone surrogate (Arrow cannot hold it)
    import pandas as pd

    column = pd.Series(
        [" A1 ", "b-2", "Ｃ１０１", "", "bad code", 990100000000.0, 12, "x" * 33, "é",
         "\u3000社区\u3000", "a\n", "a.b_c-D", "\x1cq", "\ud800"],
        dtype=object,
    )  # fmt: skip
    assert cells.texts(column).tolist() == column.map(cells.text).tolist()
    assert cells.codes(column).tolist() == column.map(cells.code).tolist()
    assert cells.codes(column)[:3].tolist() == ["A1", "b-2", "C101"]
    assert cells.codes(column)[3:5].isna().all()
    text_only = column[[0, 1, 9, 10, 11]].reset_index(drop=True)
    assert cells.texts(text_only).tolist() == ["A1", "b-2", "社区", "a", "a.b_c-D"]


def test_control_characters_and_long_cells_are_found_in_text_and_in_mixed_columns():
    # the same column checked through Arrow (text only) and cell by cell (mixed with a
    # number): rows 2 and 4 hold control characters (U+0000, U+202E), row 3 is over 5 chars
    import pandas as pd

    from shequ.ingest.limits import Limits
    from shequ.ingest.readers import ROW

    limits = Limits(max_field_chars=5)
    for extra in ("plain", 3.5):
        raw = pd.DataFrame(
            {"name": ["ok", "a\x00b", "toolong", "\u202eab", extra], ROW: [2, 3, 4, 5, 6]}
        )
        found = {(p.row, p.reason_en) for p in cells.text_problems(raw, limits).items}
        assert found == {
            (3, "holds the control character U+0000 (remove it)"),
            (5, "holds the control character U+202E (remove it)"),
            (4, "has 7 characters, more than the limit of 5"),
        }

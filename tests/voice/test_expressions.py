"""XLSForm expressions: parsed as XPath 1.0 (elementpath), evaluated with XForms' rules.
Each expected value is worked out by hand from XPath 1.0 §3.4 / the ODK function docs."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.voice.surveys.expressions import ExpressionError, NodeSet, Scope, parse

ANSWERS = {
    "age": "30",
    "sex": "female",
    "pets": "cat dog",
    "born": "2000-02-29",
    "empty": "",
    "ages": NodeSet(["40", "9", "70"]),
}


def value(source: str, current: object = "", choice=None) -> object:
    return parse(source).value(Scope(ANSWERS, current, choice or {}))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${age} > 18 and ${sex} = 'female'", True),
        ("${age} = 30", True),  # node vs number: compared as numbers
        ("${age} = '30.0'", False),  # node vs string: compared as text
        ("${empty} > 0", False),  # '' is NaN as a number
        ("${empty} = ''", True),
        ("not(${empty})", True),
        ("selected(${pets}, 'dog')", True),
        ("selected(${pets}, 'do')", False),
        ("count-selected(${pets})", 2.0),
        ("selected-at(${pets}, 1)", "dog"),
        ("if(${age} >= 60, 'senior', 'adult')", "adult"),
        ("coalesce(${empty}, 'n/a')", "n/a"),
        ("${age} div 4", 7.5),
        ("${age} mod 7", 2.0),
        ("-${age} + 1", -29.0),
        ("1 div 0", float("inf")),
        ("int(-7.9)", -7.0),
        ("round(2.345, 2)", 2.35),
        ("round(-2.5)", -2.0),  # XPath round: towards positive infinity at .5
        ("concat(${sex}, '-', ${age})", "female-30"),
        ("string-length(${sex})", 6.0),
        ("substr('abcdef', 1, 3)", "bc"),  # ODK substr: 0-based, end exclusive
        ("substring('abcdef', 2, 3)", "bcd"),  # XPath substring: 1-based, a length
        ("regex(${age}, '^[0-9]{2}$')", True),
        ("${born} < '2001-01-01'", True),  # two dates compare as dates
        ("decimal-date-time(${born})", 11016.0),  # days since 1970-01-01
        ("format-date(${born}, '%Y年%n月%e日')", "2000年2月29日"),
        ("count(${ages})", 3.0),
        ("sum(${ages})", 119.0),
        ("max(${ages})", 70.0),
        ("${ages} > 60", True),  # a node-set compares true when any node does
        ("join(', ', ${ages})", "40, 9, 70"),
        ("boolean-from-string('true')", True),
        ("true() = 'false'", True),  # a non-empty string is true
    ],
)
def test_values(source: str, expected: object) -> None:
    assert value(source) == expected


def test_dot_is_the_answer_and_bare_names_are_choice_columns() -> None:
    assert value(". >= 5 and . <= 72", current="72") is True
    assert value(". >= 5 and . <= 72", current="73") is False
    rule = parse("state = ${sex} and starts-with(name, 'k')", choice_filter=True)
    assert rule.truth(Scope(ANSWERS, "", {"state": "female", "name": "king"}))
    assert not rule.truth(Scope(ANSWERS, "", {"state": "male", "name": "king"}))
    assert parse("today() > ${born}").truth(Scope(ANSWERS))
    assert isinstance(value("today()"), dt.date)


def test_references_are_collected_once_in_order() -> None:
    assert parse("${b} + ${a} + ${b}").refs == ("b", "a")
    # a reference inside quotes is text, not a reference
    assert parse("concat('${x}', ${a})").refs == ("a",)


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("${age} >> 3", "not a valid XPath expression"),
        ("${age} = ", "unexpected end"),
        ("${age} = ‘yes’", "unknown symbol '‘'"),
        ("if(${age}, 1)", "Too few arguments"),
        ("foo(${age})", "unknown function 'foo'"),
        ("pulldata('f', 'c', 'k', ${age})", "the function pulldata() is not supported by shequ"),
        ("indexed-repeat(${age}, ${ages}, 1)", "indexed-repeat() is not supported"),
        ("/data/age > 3", "the XPath path step '/'"),
        ("../age > 3", "the XPath path step '/'"),
        ("age > 3", "the bare name or path 'age' (write ${age})"),
        ("${age", "unclosed"),
        ("regex(., '[')", "bad regular expression"),
    ],
)
def test_garbage_and_the_unsupported_are_refused_by_name(source: str, named: str) -> None:
    with pytest.raises(ExpressionError, match=None) as caught:
        parse(source)
    assert named in str(caught.value)


def test_unknown_questions_are_refused() -> None:
    with pytest.raises(ExpressionError, match=r"\$\{agee\}"):
        parse("${agee} > 3", {"age"})

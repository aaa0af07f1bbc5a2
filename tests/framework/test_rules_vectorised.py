"""The vectorised rule check (issue 12: a national values file has millions of rows) gives
exactly the findings of the definition, applied row by row as DHIS2 documents it and as
shequ did before: for each (unit, period), each side is "no value" when none of its
elements has one, "skipped" when some are missing under ``skip_if_any_value_missing``,
else its expression with missing elements as 0; then the strategy decides whether the rule
applies and the operator whether it holds."""

from __future__ import annotations

import math
import operator as op

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.framework import rules
from shequ.framework.validation import ValidationRule

ELEMENTS = ("a", "b", "c")
SIDES = ("a", "b", "a + b", "c * 2", "min(a, c)", "max(b, c) - a", "(a >= 1) + b", "5")
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "compulsory_pair", "exclusive_pair")
STRATEGIES = ("skip_if_any_value_missing", "skip_if_all_values_missing", "never_skip")
COMPARE = {"<": op.lt, ">": op.gt}


def _near(a: float, b: float) -> float:
    return 1e-9 * max(1.0, abs(b))


def _holds(operator: str, left, right) -> bool:
    if operator == "compulsory_pair":
        return (left is not None) == (right is not None)
    if operator == "exclusive_pair":
        return not (left is not None and right is not None)
    if operator == "==":
        return abs(left - right) <= _near(left, right)
    if operator == "!=":
        return abs(left - right) > _near(left, right)
    if operator == "<=":
        return left <= right + _near(left, right)
    if operator == ">=":
        return left + _near(left, right) >= right
    return COMPARE[operator](left, right)


def _side(expression, present: dict, strategy: str):
    names = expression.elements
    have = [n in present for n in names]
    if names and not any(have):
        return None
    if not all(have) and strategy == "skip_if_any_value_missing":
        return math.nan
    return expression.evaluate({n: present.get(n, 0.0) for n in names})


def definition(frame: pd.DataFrame, rule: ValidationRule) -> set[tuple]:
    """(unit, period, left, right) of every violation, row by row."""
    found = set()
    for (unit, period), rows in frame.groupby(["org_unit", "period"]):
        present = dict(zip(rows["data_element"], rows["value"], strict=True))
        s = rule.missing_value_strategy
        left, right = _side(rule.left_expr, present, s), _side(rule.right_expr, present, s)
        if rule.operator not in ("compulsory_pair", "exclusive_pair"):
            if any(v is not None and math.isnan(v) for v in (left, right)):
                continue
            if s != "never_skip" and left is None and right is None:
                continue
            if s == "skip_if_any_value_missing" and (left is None or right is None):
                continue
            left, right = left or 0.0, right or 0.0
        if not _holds(rule.operator, left, right):
            shown = tuple(
                None if v is None or math.isnan(v) else round(v, 6) for v in (left, right)
            )
            found.add((unit, period, *shown))
    return found


cells = st.lists(
    st.tuples(
        st.sampled_from(["U1", "U2", "U3"]),
        st.sampled_from(["2024", "2025"]),
        st.sampled_from(ELEMENTS),
        st.sampled_from([0.0, 1.0, 2.0, 2.5, 5.0, 10.0]),
    ),
    max_size=30,
    unique_by=lambda c: c[:3],
)


@settings(max_examples=300, deadline=None)
@given(
    cells,
    st.sampled_from(SIDES),
    st.sampled_from(OPERATORS),
    st.sampled_from(SIDES),
    st.sampled_from(STRATEGIES),
)
def test_vectorised_findings_equal_the_row_by_row_definition(rows, left, operator, right, strategy):
    frame = pd.DataFrame(rows, columns=["org_unit", "period", "data_element", "value"])
    rule = ValidationRule(
        id="r", left_side=left, operator=operator, right_side=right, message="m",
        message_en="m", missing_value_strategy=strategy,
    )  # fmt: skip
    found = rules.rule_violations(frame, [rule])
    got = {(r.org_unit, r.period, r.left, r.right) for r in found.itertuples()}
    got = {tuple(None if isinstance(v, float) and math.isnan(v) else v for v in g) for g in got}
    assert got == definition(frame, rule)

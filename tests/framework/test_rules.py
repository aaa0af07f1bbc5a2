"""Validation rules and outlier checks on plain frames, with hand-worked numbers."""

import pandas as pd
import pytest
from pydantic import ValidationError

from shequ.framework import rules
from shequ.framework.loader import load_plan
from shequ.framework.validation import OutlierSettings, UnitBounds, ValidationRule


def values(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["org_unit", "period", "data_element", "value"])


def rule(left: str, operator: str, right: str, **extra) -> ValidationRule:
    return ValidationRule(
        id="r", left_side=left, operator=operator, right_side=right, message="m",
        message_en="m", **extra,
    )  # fmt: skip


def test_the_shipped_rules_catch_200_percent_satisfaction_and_more_adults_than_residents():
    plan = load_plan()
    found = rules.rule_violations(
        values(
            ("A", "2025", "culture_satisfied", 80),
            ("A", "2025", "culture_answered", 40),
            ("A", "2025", "adult_population", 1200),
            ("A", "2025", "resident_population", 1000),
            ("B", "2025", "culture_satisfied", 40),
            ("B", "2025", "culture_answered", 40),
        ),
        plan.validation_rules,
    )
    # A: 80 > 40 (200 %) and 1200 > 1000; B: 40 = 40 holds (100 %)
    assert sorted(
        zip(found["org_unit"], found["rule"], found["left"], found["right"], strict=False)
    ) == [
        ("A", "adults_within_residents", 1200, 1000),
        ("A", "culture_satisfied_within_answered", 80, 40),
    ]
    assert set(found["importance"]) == {"high"}


@pytest.mark.parametrize(
    ("operator", "left", "right", "violated"),
    [
        ("<=", 5, 5, False), ("<", 5, 5, True), (">=", 4, 5, True), (">", 6, 5, False),
        ("==", 5, 5, False), ("!=", 5, 5, True),
    ],
)  # fmt: skip
def test_comparison_operators(operator, left, right, violated):
    found = rules.rule_violations(
        values(("A", "2025", "x", left), ("A", "2025", "y", right)), [rule("x", operator, "y")]
    )
    assert (len(found) == 1) is violated


def test_expressions_on_both_sides():
    # 30 + 25 = 55 > 50: the parts of a whole exceed it
    found = rules.rule_violations(
        values(("A", "2025", "x", 30), ("A", "2025", "y", 25), ("A", "2025", "z", 50)),
        [rule("x + y", "<=", "z")],
    )
    assert found[["left", "right"]].values.tolist() == [[55, 50]]


def test_missing_values_skip_a_rule_unless_the_strategy_says_otherwise():
    data = values(("A", "2025", "x", 30), ("A", "2025", "z", 20))  # y is missing
    assert rules.rule_violations(data, [rule("x + y", "<=", "z")]).empty
    # skip_if_all_values_missing: y counts 0, so 30 + 0 > 20 is a violation
    lenient = rule("x + y", "<=", "z", missing_value_strategy="skip_if_all_values_missing")
    assert rules.rule_violations(data, [lenient])["left"].tolist() == [30]
    # never_skip: the missing right side counts 0, so 30 <= 0 fails
    never = rule("x", "<=", "w", missing_value_strategy="never_skip")
    assert rules.rule_violations(data, [never])["right"].tolist() == [0]


def test_compulsory_and_exclusive_pairs():
    data = values(("A", "2025", "x", 1), ("B", "2025", "x", 1), ("B", "2025", "y", 2))
    # A has x without y: a compulsory pair is broken there, not in B
    assert rules.rule_violations(data, [rule("x", "compulsory_pair", "y")])[
        "org_unit"
    ].tolist() == ["A"]
    # B has both: an exclusive pair is broken there, not in A
    assert rules.rule_violations(data, [rule("x", "exclusive_pair", "y")])["org_unit"].tolist() == [
        "B"
    ]


def test_dhis2_operator_names_are_read_and_unknown_ones_refused():
    assert rule("x", "less_than_or_equal_to", "y").operator == "<="
    with pytest.raises(ValidationError):
        rule("x", "about", "y")
    with pytest.raises(ValidationError):
        rule("x / y", "<=", "1")  # no division in expressions


def test_history_z_scores_worked_by_hand():
    # A's own history 2021–2024: 100, 102, 98, 100 → mean 100, sample variance
    # (0² + 2² + 2² + 0²) / 3 = 8/3, sd 1.633; 2025 = 130 → z = 30 / 1.633 = 18.37.
    # Median 100, |deviations| 0, 2, 2, 0 → MAD 1 → modified z = 0.6745 × 30 / 1 = 20.235 (printed 20.23).
    # 2025 = 101 → z = 1 / 1.633 = 0.61: not an outlier.
    history = [
        ("A", str(y), "x", v) for y, v in zip(range(2021, 2025), (100, 102, 98, 100), strict=False)
    ]
    settings = OutlierSettings(methods=("history_z", "history_modified_z"), min_values=4)
    wild = values(("A", "2025", "x", 130))
    found = rules.outliers(wild, pd.concat([values(*history), wild]), {"A": "S"}, settings)
    scores = dict(zip(found["rule"], found["operator"], strict=True))
    assert scores == {"history_z": "|z|=18.37>3", "history_modified_z": "|z|=20.23>3.5"}
    assert found["right"].tolist() == [100, 100]  # the mean, then the median
    tame = values(("A", "2025", "x", 101))
    assert rules.outliers(tame, pd.concat([values(*history), tame]), {"A": "S"}, settings).empty
    # three reference values are fewer than min_values = 4: no verdict
    short = values(*history[:3], ("A", "2025", "x", 130))
    assert rules.outliers(wild, short, {"A": "S"}, settings).empty


def test_peer_modified_z_leaves_the_checked_unit_out():
    # Street S: A 10, B 12, C 11, D 13, E 50. E against A–D: median 11.5, |dev| 1.5, 0.5,
    # 0.5, 1.5 → MAD 1 → 0.6745 × (50 − 11.5) = 25.97. A against B, C, D, E: median 12.5,
    # |dev| 0.5, 1.5, 0.5, 37.5 → MAD 1 → 0.6745 × (10 − 12.5) = −1.69: not an outlier.
    data = values(
        *((u, "2025", "x", v) for u, v in zip("ABCDE", (10, 12, 11, 13, 50), strict=False))
    )
    parents = dict.fromkeys("ABCDE", "S")
    settings = OutlierSettings(methods=("peer_modified_z",), min_values=4)
    found = rules.outliers(data, data, parents, settings)
    assert found[["org_unit", "operator"]].values.tolist() == [["E", "|z|=25.97>3.5"]]
    assert found["importance"].tolist() == ["low"]


def test_bounds_per_unit():
    settings = OutlierSettings(
        methods=(), bounds=(UnitBounds(org_unit="A", data_element="x", min=10, max=20),)
    )
    data = values(("A", "2025", "x", 25), ("B", "2025", "x", 25), ("A", "2024", "x", 5))
    found = rules.outliers(data, data, {}, settings)
    # A 2025: 25 > 20; A 2024: 5 < 10; B has no bounds
    assert sorted(zip(found["period"], found["rule"], strict=False)) == [
        ("2024", "bounds_min"),
        ("2025", "bounds_max"),
    ]

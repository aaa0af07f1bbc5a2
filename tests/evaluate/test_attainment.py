"""Each comparator exactly at its boundary, and reduce_by, on hand-made values."""

import pandas as pd
import pytest

from shequ.evaluate.attainment import assess
from shequ.framework.loader import load_plan
from shequ.framework.models import Plan, Target


def plan_with(*targets: Target) -> Plan:
    base = load_plan("national")
    return base.model_copy(update={"targets": targets})


def one(value, comparator, target, baseline=None):
    reduce = comparator == "reduce_by"
    plan = plan_with(
        Target(
            indicator="green_coverage",
            comparator=comparator,
            value=target,
            period="2025",
            baseline_period="2020" if reduce else None,
        )
    )
    values = pd.DataFrame(
        {
            "indicator": ["green_coverage"],
            "org_unit": ["A"],
            "period": ["2025"],
            "level": ["community"],
            "value": [value],
        }
    )
    baselines = pd.DataFrame(
        {
            "indicator": ["green_coverage"],
            "org_unit": ["A"],
            "period": ["2020"],
            "value": [baseline],
        }
    )
    return assess(values, plan, baselines=baselines, scope_depths={}).to_pandas().iloc[0]


@pytest.mark.parametrize(
    ("value", "comparator", "target", "status"),
    [
        (35.0, ">=", 35, "met"),
        (34.99, ">=", 35, "not_met"),
        (35.0, ">", 35, "not_met"),
        (35.01, ">", 35, "met"),
        (0.5, "<", 0.5, "not_met"),
        (0.49, "<", 0.5, "met"),
        (0.5, "<=", 0.5, "met"),
        (0.51, "<=", 0.5, "not_met"),
        # 0.1 + 0.2 is 0.30000000000000004 in binary: still "at" the boundary 0.3
        (0.1 + 0.2, "<=", 0.3, "met"),
    ],
)
def test_comparators_at_the_boundary(value, comparator, target, status):
    assert one(value, comparator, target).status == status


def test_reduce_by_thirty_percent():
    # baseline 20 -> threshold (1 - 0.30) × 20 = 14
    assert one(14.0, "reduce_by", 30, baseline=20.0).status == "met"
    assert one(14.01, "reduce_by", 30, baseline=20.0).status == "not_met"
    assert one(14.0, "reduce_by", 30, baseline=20.0).target == pytest.approx(14.0)
    assert one(10.0, "reduce_by", 30, baseline=None).status == "no_data"


def test_missing_value_is_no_data_and_no_target_is_said():
    assert one(float("nan"), ">=", 35).status == "no_data"
    values = pd.DataFrame(
        {
            "indicator": ["green_coverage"],
            "org_unit": ["A"],
            "period": ["2025"],
            "level": ["community"],
            "value": [50.0],
        }
    )
    out = assess(values, plan_with(), baselines=values.iloc[0:0], scope_depths={}).to_pandas()
    assert out.iloc[0].status == "no_target"


def test_the_nearest_target_period_not_before_the_evaluated_one_applies():
    plan = plan_with(
        Target(indicator="green_coverage", comparator=">=", value=30, period="2023"),
        Target(indicator="green_coverage", comparator=">=", value=38, period="2025"),
        Target(indicator="green_coverage", comparator=">=", value=45, period="2030"),
    )
    values = pd.DataFrame(
        {
            "indicator": "green_coverage",
            "org_unit": "A",
            "period": ["2022", "2024", "2027", "2031"],
            "level": "community",
            "value": 40.0,
        }
    )
    out = assess(values, plan, baselines=values.iloc[0:0], scope_depths={}).to_pandas()
    # 2022 -> 2023's 30; 2024 -> 2025's 38; 2027 -> 2030's 45; 2031 -> latest (2030's 45)
    assert list(out["target"]) == [30, 38, 45, 45]

"""`results.assemble` on a hand-made run: rows named, compared with their targets and in
result order (period as asked, level from the top, unit code, indicator as the plan orders
them), with the column types every consumer reads."""

import numpy as np
import pandas as pd
import pyarrow as pa

from shequ.evaluate.results import assemble
from shequ.evaluate.run import RESULT_COLUMNS, Evaluation
from shequ.framework.loader import load_plan

LIVING, INCOME, CRIME = (
    "living_area_per_capita",
    "disposable_income_per_capita",
    "criminal_case_rate",
)


def _plan():
    """The national plan with two of its targets: living area >= 40 in 2025, and the
    criminal case rate down by 30 % from 2020 in 2025 (income has no target)."""
    plan = load_plan("national")
    kept = tuple(t for t in plan.targets if t.indicator in (LIVING, CRIME))
    assert [(t.indicator, t.comparator, t.value) for t in kept] == [
        (LIVING, ">=", 40.0),
        (CRIME, "reduce_by", 30.0),
    ]
    return plan.model_copy(update={"targets": kept})


def _units() -> pd.DataFrame:
    rows = [  # as `indicators.units_on` returns them: one row per unit and asked period
        ("S1", "东街道", "street", None, "2025"),
        ("C2", "二社区", "community", "S1", "2025"),
        ("C1", "一社区", "community", "S1", "2025"),
        ("S1", None, "street", None, "2024"),  # a unit without a name: None in results
        ("C1", "旧一社区", "community", "S1", "2024"),  # renamed in 2025
    ]
    return pd.DataFrame(
        rows, columns=["org_unit", "org_unit_name", "level", "parent_code", "period"]
    )


def _raw() -> pa.Table:
    rows = [  # in no particular order, as the engine returns them
        (CRIME, "C2", "2025", 5.0, 5.0, 1.0, 1, 1),
        (LIVING, "C1", "2024", 39.0, 39.0, 1.0, 1, 1),
        (INCOME, "C1", "2025", 50000.0, 50000.0, 1.0, 1, 1),
        (LIVING, "C2", "2025", 38.0, 38.0, 1.0, 1, 1),
        (CRIME, "C1", "2020", 10.0, 10.0, 1.0, 1, 1),  # C1's baseline (C2 has none)
        (LIVING, "S1", "2025", 40.0, 80.0, 2.0, 2, 2),
        (LIVING, "X9", "2025", 99.0, 99.0, 1.0, 1, 1),  # not a unit of 2025: left out
        (CRIME, "C1", "2025", 7.0, 7.0, 1.0, 1, 1),
        (LIVING, "C1", "2025", 41.0, 41.0, 1.0, 1, 1),
        (LIVING, "S1", "2024", None, None, 2.0, 0, 2),
    ]
    names = ["indicator", "org_unit", "period", "value", "numerator", "denominator"]
    names += ["reporting_units", "expected_units"]
    return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows])


def _expected() -> pd.DataFrame:
    n = None
    living = ("人均居住面积", "infrastructure", "m²/人")
    income = ("居民人均可支配收入", "infrastructure", "元/人")
    crime = ("刑事案件发案率", "safety", "起/万人")
    # (indicator, names, unit, unit name, level, period, value, numerator, denominator,
    #  target, comparator, target period, baseline, status, reporting, expected)
    rows = [
        # 2025 first (asked first), the street before its communities, C1 before C2,
        # indicators by dimension then plan order: living (0), income (20), crime (40015)
        (LIVING, living, "S1", "东街道", "street", "2025", 40.0, 80.0, 2.0,
         40.0, ">=", "2025", np.nan, "met", 2, 2),  # 40 >= 40
        (LIVING, living, "C1", "一社区", "community", "2025", 41.0, 41.0, 1.0,
         40.0, ">=", "2025", np.nan, "met", 1, 1),
        (INCOME, income, "C1", "一社区", "community", "2025", 50000.0, 50000.0, 1.0,
         np.nan, n, n, np.nan, "no_target", 1, 1),
        # reduce_by 30 % of 10 (2020): at most 10 × 0.7 = 7; 7 <= 7 is met
        (CRIME, crime, "C1", "一社区", "community", "2025", 7.0, 7.0, 1.0,
         7.0, "reduce_by", "2025", 10.0, "met", 1, 1),
        (LIVING, living, "C2", "二社区", "community", "2025", 38.0, 38.0, 1.0,
         40.0, ">=", "2025", np.nan, "not_met", 1, 1),  # 38 < 40
        # no 2020 value for C2: no target value, no data
        (CRIME, crime, "C2", "二社区", "community", "2025", 5.0, 5.0, 1.0,
         np.nan, "reduce_by", "2025", np.nan, "no_data", 1, 1),
        # 2024: the nearest target period not before it is 2025's
        (LIVING, living, "S1", n, "street", "2024", np.nan, np.nan, 2.0,
         40.0, ">=", "2025", np.nan, "no_data", 0, 2),
        (LIVING, living, "C1", "旧一社区", "community", "2024", 39.0, 39.0, 1.0,
         40.0, ">=", "2025", np.nan, "not_met", 1, 1),
    ]  # fmt: skip
    flat = [(r[0], *r[1][:2], r[2], r[3], r[4], r[5], r[6], r[1][2], *r[7:]) for r in rows]
    frame = pd.DataFrame(flat, columns=RESULT_COLUMNS)
    text = [c for c in RESULT_COLUMNS if frame[c].dtype == object]
    frame[text] = frame[text].astype(object).where(frame[text].notna(), None)
    return frame


def test_assemble_names_compares_and_orders_the_rows():
    got = assemble(
        _raw(), _units(), _plan(), asked=["2025", "2024"], columns=RESULT_COLUMNS, scope_depths={}
    )
    expected = _expected()
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got["org_unit"].dtype == object and got["reporting_units"].dtype == np.int64
    assert got.loc[6, "org_unit_name"] is None and got.loc[2, "comparator"] is None


def test_assemble_of_one_level_keeps_its_rows_only():
    got = assemble(
        _raw(),
        _units(),
        _plan(),
        asked=["2025", "2024"],
        columns=RESULT_COLUMNS,
        scope_depths={},
        level="community",
    )
    expected = _expected()
    expected = expected[expected["level"] == "community"].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_assemble_of_some_columns_returns_those_in_that_order():
    columns = ["status", "org_unit", "value", "indicator_name"]
    got = assemble(_raw(), _units(), _plan(), asked=["2024"], columns=columns, scope_depths={})
    assert list(got.columns) == columns
    assert got.drop(columns="value").to_dict("list") == {
        "status": ["no_data", "not_met"],
        "org_unit": ["S1", "C1"],
        "indicator_name": ["人均居住面积", "人均居住面积"],
    }
    assert np.isnan(got["value"][0]) and got["value"][1] == 39.0


def test_assemble_of_a_level_without_units_is_empty_with_the_columns_typed():
    got = assemble(
        _raw(),
        _units(),
        _plan(),
        asked=["2025"],
        columns=RESULT_COLUMNS,
        scope_depths={},
        level="grid",
    )
    assert got.empty and list(got.columns) == RESULT_COLUMNS
    pd.testing.assert_series_equal(got.dtypes, _expected().dtypes)


def test_summary_keeps_the_rows_of_the_top_level_present():
    frame = pd.DataFrame(
        {
            "org_unit": ["X", "S1", "C1", "Y", "S2"],
            # no level and a level the framework does not know are never the top
            "level": [None, "street", "community", "planet", "street"],
        }
    )
    evaluation = Evaluation(None, _plan(), ["2025"], "duckdb", frame)
    assert evaluation.summary()["org_unit"].tolist() == ["S1", "S2"]  # street (3) < community (4)
    assert evaluation.summary("C1")["org_unit"].tolist() == ["C1"]
    nothing = Evaluation(None, _plan(), ["2025"], "duckdb", frame.iloc[[0, 3]])
    assert nothing.summary().empty

"""Roll-up, attainment and missing data on the hand-worked city of tests/_city.py."""

import math

import pytest

from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from tests import _city


@pytest.fixture
def evaluated(engine_store, tmp_path):
    engine, store = engine_store
    _city.build(store, tmp_path)

    def run(plan="national", periods=("2025",), **kw):
        result = evaluate(store, load_plan(plan), periods=list(periods), engine=engine, **kw)
        rows = result.results.set_index(["indicator", "org_unit", "period"])
        return result, rows

    return run


def row(rows, indicator, unit, period="2025"):
    return rows.loc[(indicator, unit, period)]


def test_rates_roll_up_as_ratio_of_sums_never_mean_of_rates(evaluated):
    _, rows = evaluated()
    # A 50000/1000 = 50; B 90000/3000 = 30; E 100000/2000 = 50; F has no population.
    assert row(rows, "living_area_per_capita", "A").value == 50.0
    assert row(rows, "living_area_per_capita", "B").value == 30.0
    # S1 = (50000 + 90000) / (1000 + 3000) = 35.0 (the mean of A and B would be 40)
    s1 = row(rows, "living_area_per_capita", "S1")
    assert (s1.value, s1.numerator, s1.denominator) == (35.0, 140_000, 4_000)
    # D = (50000 + 90000 + 100000) / (1000 + 3000 + 2000) = 40.0 (mean of streets 42.5)
    d = row(rows, "living_area_per_capita", "D")
    assert d.value == 40.0
    assert (d.reporting_units, d.expected_units) == (3, 4)  # F does not report
    c = row(rows, "living_area_per_capita", "C")
    assert (c.value, c.reporting_units, c.expected_units) == (40.0, 3, 4)


def test_missing_data_is_no_data_and_never_zero(evaluated):
    _, rows = evaluated()
    f = row(rows, "living_area_per_capita", "F")
    assert math.isnan(f.value) and f.status == "no_data"
    assert (f.reporting_units, f.expected_units) == (0, 1)
    # F's floor area (10 000 m²) is not in D's numerator: only units that report both count
    assert row(rows, "living_area_per_capita", "D").numerator == 240_000
    # nobody reported service centres: no value anywhere, not 0 %
    city = row(rows, "service_centre_coverage", "C")
    assert math.isnan(city.value) and city.status == "no_data" and city.reporting_units == 0


def test_comparators_at_their_boundaries(evaluated):
    _, national = evaluated("national")
    # 40.0 ">= 40": met; 35.0 ">= 40": not met
    assert row(national, "living_area_per_capita", "D").status == "met"
    assert row(national, "living_area_per_capita", "S1").status == "not_met"
    # green coverage A = 35/100 × 100 = 35.0: "> 35" (超过35%) is not met by 35.0
    assert row(national, "green_coverage", "A").value == 35.0
    assert row(national, "green_coverage", "A").status == "not_met"
    # B = 38.0 meets "> 35"; S1 = 73/200 × 100 = 36.5 meets "> 35"
    assert row(national, "green_coverage", "B").status == "met"
    assert row(national, "green_coverage", "S1").value == 36.5
    _, city = evaluated("example_city")
    # the city's own target is ">= 38" (提升至38%): B = 38.0 met, S1 = 36.5 not met
    assert row(city, "green_coverage", "B").status == "met"
    assert row(city, "green_coverage", "S1").status == "not_met"
    assert row(city, "green_coverage", "B").target == 38.0


def test_reduce_by_compares_with_the_units_own_baseline(evaluated):
    _, rows = evaluated()
    # A: 2020 20/1000 × 10⁴ = 200; 2025 14/1000 × 10⁴ = 140 = (1 − 30 %) × 200: met exactly
    a = row(rows, "criminal_case_rate", "A")
    assert (a.value, a.baseline_value, a.status) == (140.0, 200.0, "met")
    assert a.target == pytest.approx(140.0)
    # B: 2020 30/3000 × 10⁴ = 100; 2025 25/3000 × 10⁴ = 83.33 > 70: not met
    b = row(rows, "criminal_case_rate", "B")
    assert (
        b.baseline_value == 100.0 and b.value == pytest.approx(83.3333333) and b.status == "not_met"
    )
    # S1: 2020 (20+30)/4000 × 10⁴ = 125; 2025 (14+25)/4000 × 10⁴ = 97.5 > 87.5: not met
    s1 = row(rows, "criminal_case_rate", "S1")
    assert (s1.baseline_value, s1.value, s1.status) == (125.0, 97.5, "not_met")
    # E has no 2025 cases and no baseline: no data
    assert row(rows, "criminal_case_rate", "E").status == "no_data"


def test_indicators_without_target_say_so(evaluated):
    _, rows = evaluated()
    assert row(rows, "disposable_income_per_capita", "C").status == "no_target"


def test_level_option_and_run_persistence(evaluated):
    result, _rows = evaluated(level="street")
    assert set(result.results["org_unit"]) == {"S1", "S2"}
    assert result.run_id is not None and result.inputs_digest
    again, _ = evaluated(level="street")
    assert again.inputs_digest == result.inputs_digest  # same inputs, same digest

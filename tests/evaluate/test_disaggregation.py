"""Disaggregated values (category option combos): an element's total is the sum over its
combos, and ``element[combo]`` reads one combo, in the evaluation's own Ibis pipeline."""

from __future__ import annotations

import datetime as dt

import ibis

from shequ.evaluate.indicators import indicator_values
from shequ.framework.expressions import parse_expression
from shequ.framework.models import Indicator
from shequ.framework.periods import parse_period

EVER, NEVER = dt.date(1000, 1, 1), dt.date(9999, 12, 31)


def _indicator(code, numerator, denominator=None, factor=1.0):
    return Indicator(
        code=code,
        name=code,
        name_en=code,
        dimension="services",
        numerator=numerator,
        denominator=denominator,
        factor=factor,
        definition="d",
        definition_en="d",
    )


def _tables():
    # street S with communities A and B; A has residents by age, B only a total
    paths = ibis.memtable(
        {
            "ancestor_code": ["S", "A", "B", "S", "S"],
            "descendant_code": ["S", "A", "B", "A", "B"],
            "depth": [0, 0, 0, 1, 1],
            "valid_from": [EVER] * 5,
            "valid_to": [NEVER] * 5,
        }
    )
    values = ibis.memtable(
        {
            "data_element": ["resident_population"] * 3 + ["adult_population"],
            "org_unit": ["A", "A", "B", "A"],
            "period": ["2025"] * 4,
            "category_option_combo": ["age_0_59", "age_60_plus", "default", "default"],
            "value": [700.0, 300.0, 500.0, 800.0],
        }
    )
    return {"data_value": values, "org_unit_path": paths}


def test_a_combo_reference_parses_to_its_element():
    expression = parse_expression("resident_population[age_60_plus] * 2", {"resident_population"})
    assert expression.elements == ("resident_population[age_60_plus]",)
    assert expression.evaluate({"resident_population[age_60_plus]": 3.0}) == 6.0


def test_totals_sum_the_combos_and_a_combo_is_selectable():
    chosen = [
        _indicator("residents", "resident_population"),
        _indicator("elderly_share", "resident_population[age_60_plus]", "resident_population", 100),
    ]
    out = indicator_values(_tables(), None, [parse_period("2025")], indicators=chosen)
    got = {(r.indicator, r.org_unit): r.value for r in out.to_pandas().itertuples(index=False)}
    # A: 700 + 300 = 1000 residents; B: 500; street S: 1000 + 500 = 1500
    assert got[("residents", "A")] == 1000.0 and got[("residents", "S")] == 1500.0
    # A: 300 / 1000 × 100 = 30 %; B has no age_60_plus value, so it does not report
    # (no data is never zero) and the street is A's alone: 300 / 1000 × 100 = 30 %
    assert got[("elderly_share", "A")] == 30.0
    assert got[("elderly_share", "S")] == 30.0
    assert (
        got[("elderly_share", "B")] is None
        or got[("elderly_share", "B")] != got[("elderly_share", "B")]
    )

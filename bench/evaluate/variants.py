"""Candidate changes to `shequ.evaluate.indicators`, kept here to measure them (src/ is not
touched): same semantics, same output columns, built from the module's own helpers.

* `pivot_per_element` — join each data value only with the evaluation periods *its own
  element* needs. The shipped `_pivot` joins on the period alone, so with one accumulating
  indicator every value of every element is repeated once per window that contains its
  period (2.1 M values become 7.4 M joined rows for 2020–2025).
* `indicator_values_wide` — roll up in wide form: per unit one numerator, denominator and
  reports column per indicator, one join with the tree and one ``GROUP BY ancestor,
  period`` (0.6 M joined rows), then one ``UNION ALL`` select per indicator. The shipped
  pipeline cross-joins with the indicators first and groups 7.5 M rows by three keys, then
  joins 1.7 M rows back on three keys.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from shequ.evaluate import indicators as shipped
from shequ.framework.models import Indicator, Plan
from shequ.framework.periods import Period

NULL = ibis.null("float64")


def pivot_per_element(
    values: ir.Table, chosen: list[Indicator], periods: Sequence[Period]
) -> ir.Table:
    """Like the shipped `_pivot`, but the period map is keyed by (element, data period)."""
    rows: set[tuple[str, str, str, str]] = set()  # (element, data period, eval period, column)
    accumulating: set[str] = set()
    for ind in chosen:
        for element in ind.elements:
            column = shipped._column(element, ind)
            if ind.accumulate_from is not None:
                accumulating.add(column)
            for period in periods:
                rows |= {
                    (element, code, period.code, column) for code in shipped._window(ind, period)
                }
    ordered = sorted(rows)
    period_map = ibis.memtable(
        {
            name: [r[i] for r in ordered]
            for i, name in enumerate(("element", "data_period", "eval_period", "col"))
        },
        schema={
            "element": "string",
            "data_period": "string",
            "eval_period": "string",
            "col": "string",
        },
    )
    joined = values.join(
        period_map,
        (values.data_element == period_map.element) & (values.period == period_map.data_period),
    )
    value = joined.value.cast("float64")
    aggregates = {}
    for column in sorted({r[3] for r in rows}):
        hit = joined.col == column
        aggregates[column] = (
            value.sum(where=hit) if column in accumulating else value.max(where=hit)
        )
    return joined.group_by(org_unit=joined.org_unit, period=joined.eval_period).aggregate(
        **aggregates
    )


def indicator_values_wide(
    tables: dict[str, ir.Table],
    plan: Plan,
    periods: Sequence[Period],
    *,
    indicators: Sequence[Indicator],
    pivot: str = "per_element",
) -> ir.Table:
    """The shipped semantics with a wide roll-up (and by default `pivot_per_element`)."""
    chosen = list(indicators)
    paths = shipped._paths_on(tables["org_unit_path"], shipped._period_table(periods))
    if pivot == "per_element":
        wide = pivot_per_element(tables["data_value"], chosen, periods)
    else:
        wide = shipped._pivot(tables["data_value"], chosen, periods)
    columns = {}
    for i, ind in enumerate(chosen):
        builder = shipped._IbisBuilder(wide, ind)
        reports = shipped._all([wide[shipped._column(e, ind)].notnull() for e in ind.elements])
        columns[f"r{i}"] = reports
        columns[f"n{i}"] = reports.ifelse(ind.numerator_expr.build(builder), NULL)
        den = ind.denominator_expr
        columns[f"d{i}"] = reports.ifelse(den.build(builder), NULL) if den else NULL
    per_unit = wide.select("org_unit", "period", **columns)
    joined = per_unit.join(
        paths, (per_unit.org_unit == paths.descendant) & (per_unit.period == paths.period)
    )
    sums = {}
    for i in range(len(chosen)):
        sums[f"n{i}"] = joined[f"n{i}"].sum()
        sums[f"d{i}"] = joined[f"d{i}"].sum()
        sums[f"r{i}"] = joined.count(where=joined[f"r{i}"])
    rolled = joined.group_by(org_unit=joined.ancestor, period=joined.period).aggregate(**sums)
    units = paths.filter(paths.depth == 0).select(org_unit=paths.descendant, period=paths.period)
    expected = shipped._expected_units(paths)
    grid = units.left_join(
        rolled, (units.org_unit == rolled.org_unit) & (units.period == rolled.period)
    ).select(units, *sums)
    grid = grid.left_join(
        expected, (grid.org_unit == expected.org_unit) & (grid.period == expected.period)
    ).select(grid, "expected_units")
    parts = []
    for i, ind in enumerate(chosen):
        num, den = grid[f"n{i}"], grid[f"d{i}"]
        factor = ibis.literal(float(ind.factor), "float64")
        if ind.denominator is None:
            den, value = NULL, num * factor
        else:
            value = (den.notnull() & (den != 0)).ifelse(num * factor / den, NULL)
        parts.append(
            grid.select(
                indicator=ibis.literal(ind.code, "string"),
                org_unit=grid.org_unit,
                period=grid.period,
                numerator=num,
                denominator=den,
                value=value,
                reporting_units=grid[f"r{i}"].fill_null(0),
                expected_units=grid.expected_units.fill_null(0),
            )
        )
    return ibis.union(*parts)

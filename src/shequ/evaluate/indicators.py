"""Indicator values for every org unit and period, as one Ibis expression.

The pipeline, for the periods asked for:

1. the tree as it stood on each period's last day (closure rows valid that day);
2. the data values pivoted to one row per unit and period, one column per data element
   (summed over the window for indicators that accumulate over the plan period);
3. per unit, each indicator's numerator and denominator, and whether the unit *reports*
   it (every data element it reads is present: no data is never zero);
4. roll-up: every unit sums the numerators and the denominators of the reporting units in
   its subtree separately, so a district's rate is the ratio of sums, never a mean of
   rates; it also counts reporting units and expected units (the leaves of its subtree);
5. value = factor × Σ numerator / Σ denominator (or factor × Σ numerator without a
   denominator); NULL when nothing reports or the denominator sums to zero.

Everything is Ibis, so the same code runs on DuckDB, SQLite, PostgreSQL and Spark.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from ..framework.models import Indicator, Plan
from ..framework.periods import Period, parse_period

OUTPUT = [
    "indicator",
    "org_unit",
    "period",
    "numerator",
    "denominator",
    "value",
    "reporting_units",
    "expected_units",
]


def indicator_values(
    tables: dict[str, ir.Table],
    plan: Plan,
    periods: Sequence[Period],
    *,
    indicators: Sequence[Indicator] | None = None,
) -> ir.Table:
    """Build (not run) the expression of every indicator × unit × period; columns `OUTPUT`."""
    chosen = list(indicators or plan.indicators)
    calendar = _period_table(periods)
    paths = _paths_on(tables["org_unit_path"], calendar)
    wide = _pivot(tables["data_value"], chosen, periods)
    per_unit = _per_unit(wide, chosen)
    rolled = _roll_up(per_unit, paths)
    return _finish(rolled, _expected_units(paths), paths, chosen)


def _period_table(periods: Sequence[Period]) -> ir.Table:
    return ibis.memtable(
        {"period": [p.code for p in periods], "ref_date": [p.end for p in periods]},
        schema={"period": "string", "ref_date": "date"},
    )


def _paths_on(path: ir.Table, calendar: ir.Table) -> ir.Table:
    """Closure rows valid on each period's last day: (ancestor, descendant, depth, period)."""
    valid = (path.valid_from.cast("date") <= calendar.ref_date) & (
        path.valid_to.cast("date") > calendar.ref_date
    )
    joined = path.join(calendar, valid)
    return joined.select(
        ancestor=joined.ancestor_code,
        descendant=joined.descendant_code,
        depth=joined.depth,
        period=joined.period,
    )


# --- pivot: one row per unit and period, one column per (element, window) ----------------


def _column(element: str, indicator: Indicator) -> str:
    if indicator.accumulate_from is None:
        return element
    return f"{element}__from_{indicator.accumulate_from}"


def _window(indicator: Indicator, period: Period) -> list[str]:
    """Data periods an indicator reads for ``period``: itself, or every period of the same
    type from ``accumulate_from`` through it."""
    if indicator.accumulate_from is None:
        return [period.code]
    codes = []
    for year in range(indicator.accumulate_from, period.year + 1):
        if period.type == "year":
            codes.append(str(year))
        elif period.type == "quarter":
            codes += [f"{year}Q{q}" for q in range(1, 5)]
        else:
            codes += [f"{year}-{m:02d}" for m in range(1, 13)]
    return [c for c in codes if parse_period(c).end <= period.end]


def periods_read(chosen: Sequence[Indicator], periods: Sequence[Period]) -> list[str]:
    """Every data period the indicators read to evaluate ``periods``."""
    return sorted({code for ind in chosen for p in periods for code in _window(ind, p)})


def _pivot(values: ir.Table, chosen: list[Indicator], periods: Sequence[Period]) -> ir.Table:
    windows: dict[str, tuple[str, str]] = {}  # column -> (element, window key)
    mapping: set[tuple[str, str, str]] = set()  # (eval period, data period, window key)
    for ind in chosen:
        key = "" if ind.accumulate_from is None else str(ind.accumulate_from)
        for element in ind.elements:
            windows[_column(element, ind)] = (element, key)
        for period in periods:
            mapping |= {(period.code, code, key) for code in _window(ind, period)}
    rows = sorted(mapping)
    period_map = ibis.memtable(
        {
            "eval_period": [r[0] for r in rows],
            "data_period": [r[1] for r in rows],
            "window": [r[2] for r in rows],
        },
        schema={"eval_period": "string", "data_period": "string", "window": "string"},
    )
    elements = sorted({element for element, _ in windows.values()})
    needed = values.filter(values.data_element.isin(elements))
    joined = needed.join(period_map, needed.period == period_map.data_period)
    aggregates = {}
    for column, (element, key) in windows.items():
        hit = (joined.data_element == element) & (joined.window == key)
        value = joined.value.cast("float64")
        aggregates[column] = value.max(where=hit) if key == "" else value.sum(where=hit)
    return joined.group_by(org_unit=joined.org_unit, period=joined.eval_period).aggregate(
        **aggregates
    )


# --- per unit: numerator, denominator, reports? -----------------------------------------


class _IbisBuilder:
    """Builds framework expressions over the pivoted table's columns."""

    def __init__(self, table: ir.Table, indicator: Indicator) -> None:
        self.table, self.indicator = table, indicator

    def column(self, code: str) -> Any:
        return self.table[_column(code, self.indicator)]

    def number(self, value: float) -> Any:
        return ibis.literal(value, type="float64")

    def truth_as_number(self, condition: Any) -> Any:
        return condition.ifelse(1.0, 0.0)

    def least(self, args: list[Any]) -> Any:
        return ibis.least(*args)

    def greatest(self, args: list[Any]) -> Any:
        return ibis.greatest(*args)


def _per_unit(wide: ir.Table, chosen: list[Indicator]) -> ir.Table:
    codes = ibis.memtable({"indicator": [i.code for i in chosen]}, schema={"indicator": "string"})
    x = wide.cross_join(codes)
    numerator, denominator, reports = [], [], []
    for ind in chosen:
        b = _IbisBuilder(x, ind)
        is_this = x.indicator == ind.code
        numerator.append((is_this, ind.numerator_expr.build(b)))
        den = ind.denominator_expr
        denominator.append((is_this, den.build(b) if den else ibis.literal(None, "float64")))
        present = [x[_column(e, ind)].notnull() for e in ind.elements]
        reports.append((is_this, _all(present)))
    out = x.select(
        org_unit=x.org_unit,
        period=x.period,
        indicator=x.indicator,
        num=ibis.cases(*numerator, else_=ibis.literal(None, "float64")),
        den=ibis.cases(*denominator, else_=ibis.literal(None, "float64")),
        reports=ibis.cases(*reports, else_=False),
    )
    return out.filter(out.reports)


def _all(conditions: list[Any]) -> Any:
    result = ibis.literal(True)
    for condition in conditions:
        result = result & condition
    return result


# --- roll-up ------------------------------------------------------------------------------


def _roll_up(per_unit: ir.Table, paths: ir.Table) -> ir.Table:
    joined = per_unit.join(
        paths, (per_unit.org_unit == paths.descendant) & (per_unit.period == paths.period)
    )
    return joined.group_by(
        org_unit=joined.ancestor, period=joined.period, indicator=joined.indicator
    ).aggregate(
        numerator=joined.num.sum(),
        denominator=joined.den.sum(),
        reporting_units=joined.count(),
    )


def _expected_units(paths: ir.Table) -> ir.Table:
    """Leaves (units with no child on the day) below each unit, itself included."""
    parents = paths.filter(paths.depth == 1).select(code=paths.ancestor, period=paths.period)
    units = paths.filter(paths.depth == 0).select(code=paths.descendant, period=paths.period)
    leaves = units.anti_join(
        parents, (units.code == parents.code) & (units.period == parents.period)
    )
    joined = paths.join(leaves, (paths.descendant == leaves.code) & (paths.period == leaves.period))
    return joined.group_by(org_unit=joined.ancestor, period=joined.period).aggregate(
        expected_units=joined.count()
    )


def _finish(
    rolled: ir.Table, expected: ir.Table, paths: ir.Table, chosen: list[Indicator]
) -> ir.Table:
    meta = ibis.memtable(
        {
            "indicator": [i.code for i in chosen],
            "factor": [float(i.factor) for i in chosen],
            "has_den": [i.denominator is not None for i in chosen],
        },
        schema={"indicator": "string", "factor": "float64", "has_den": "boolean"},
    )
    units = paths.filter(paths.depth == 0).select(org_unit=paths.descendant, period=paths.period)
    grid = units.cross_join(meta)
    full = grid.left_join(
        rolled,
        (grid.org_unit == rolled.org_unit)
        & (grid.period == rolled.period)
        & (grid.indicator == rolled.indicator),
    ).select(grid, "numerator", "denominator", "reporting_units")
    full = full.left_join(
        expected, (full.org_unit == expected.org_unit) & (full.period == expected.period)
    ).select(full, "expected_units")
    den_ok = full.denominator.notnull() & (full.denominator != 0)
    value = full.has_den.ifelse(
        den_ok.ifelse(full.numerator * full.factor / full.denominator, ibis.null("float64")),
        full.numerator * full.factor,
    )
    return full.select(
        indicator=full.indicator,
        org_unit=full.org_unit,
        period=full.period,
        numerator=full.numerator,
        denominator=full.has_den.ifelse(full.denominator, ibis.null("float64")),
        value=value,
        reporting_units=full.reporting_units.fill_null(0),
        expected_units=full.expected_units.fill_null(0),
    )

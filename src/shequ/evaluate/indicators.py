"""Indicator values for every org unit and period, as one Ibis expression.

The pipeline, for the periods asked for:

1. the tree as it stood on each period's last day (closure rows valid that day);
2. the data values pivoted to one row per unit and period, one column per data element
   reference: an element's total is the sum over its category option combos, and
   ``element[combo]`` reads one combo (summed over the window for indicators that
   accumulate over the plan period); each value is joined only with the evaluated periods
   its own element needs;
3. per unit, each indicator's numerator and denominator as columns, and whether the unit
   *reports* it (every data element it reads is present: no data is never zero);
4. roll-up in wide form: one join with the tree and one ``GROUP BY`` sums, for every unit,
   the numerators and the denominators of the reporting units in its subtree separately —
   so a district's rate is the ratio of sums, never a mean of rates — and counts reporting
   units; expected units are the leaves of its subtree;
5. one select per indicator, stacked: value = factor × Σ numerator / Σ denominator (or
   factor × Σ numerator without a denominator); NULL when nothing reports or the
   denominator sums to zero.

(bench/evaluate measured this shape against a long form that cross-joined units with
indicators before grouping: 0.74 s instead of 1.5 s on 20 000 communities × 6 years.)

Everything is Ibis, so the same code runs on DuckDB, SQLite, PostgreSQL and Spark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from ..framework.expressions import combo_of, element_code
from ..framework.models import Indicator, Plan
from ..framework.periods import Period, parse_period

NULL = ibis.null("float64")
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
    unit: str | None = None,
    work: Work | None = None,
) -> ir.Table:
    """Build (not run) the expression of every indicator × unit × period; columns `OUTPUT`.

    With ``unit``, only that unit and its descendants (in each period's tree) are evaluated,
    reading only their values: the numbers are those of the same units in a full run.
    With ``work``, a period gives rows of the indicators ``work`` lists for it only (a
    baseline period needs only the indicators measured against it), and only the values
    those read are joined (default: every indicator in every period)."""
    chosen = list(indicators or plan.indicators)
    work = _every(chosen, periods) if work is None else work
    paths = _paths_on(tables["org_unit_path"], _period_table(periods))
    values = tables["data_value"]
    if unit is not None:
        paths = _within(paths, unit)
        values = within_subtree(values, tables["org_unit_path"], unit)
    wide = _pivot(values, work, periods)
    rolled = _roll_up(_per_unit(wide, chosen), paths, len(chosen))
    return _stack(rolled, _expected_units(paths), paths, chosen, work)


Work = Mapping[str, Sequence[Indicator]]  # evaluated period code -> indicators evaluated in it


def _every(chosen: Sequence[Indicator], periods: Sequence[Period]) -> dict[str, list[Indicator]]:
    return {p.code: list(chosen) for p in periods}


def cells_read(work: Work, periods: Sequence[Period]) -> list[tuple[str, str]]:
    """Every (data element, data period) the indicators of ``work`` read (all category
    option combos of each): what an engine must load, and what the inputs digest folds."""
    by_code = {p.code: p for p in periods}
    return sorted(
        {
            (element_code(element), code)
            for period, chosen in work.items()
            for ind in chosen
            for element in ind.elements
            for code in _window(ind, by_code[period])
        }
    )


def _period_table(periods: Sequence[Period]) -> ir.Table:
    """Each period's code, last day and place in ``periods`` (``rank``, from 0)."""
    return ibis.memtable(
        {
            "period": [p.code for p in periods],
            "ref_date": [p.end for p in periods],
            "rank": list(range(len(periods))),
        },
        schema={"period": "string", "ref_date": "date", "rank": "int64"},
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


def units_on(tables: dict[str, ir.Table], periods: Sequence[Period], unit: str | None) -> ir.Table:
    """The units of each period (of ``unit``'s subtree, when given) as they were on its last
    day: org_unit, org_unit_name, level, parent_code, period; period by period in the order
    given, each by code. Read from the engine's own copy of the tree, not the store again
    (nationally 665 293 units a period: ~3 s through the ORM)."""
    tree = tables["org_unit"]
    calendar = _period_table(periods)
    on = (tree.valid_from.cast("date") <= calendar.ref_date) & (
        tree.valid_to.cast("date") > calendar.ref_date
    )
    rows = tree.join(calendar, on)
    if unit is not None:
        below = _paths_on(tables["org_unit_path"], calendar)
        below = below.filter(below.ancestor == unit)
        rows = rows.semi_join(
            below, (rows.code == below.descendant) & (rows.period == below.period)
        )
    rows = rows.order_by([rows.rank, rows.code])
    return rows.select(
        org_unit=rows.code,
        org_unit_name=rows.name,
        level=rows.level,
        parent_code=rows.parent_code,
        period=rows.period,
    )


def within_subtree(values: ir.Table, path: ir.Table, unit: str) -> ir.Table:
    """Rows of ``values`` (with ``org_unit``) of ``unit`` or a unit ever below it."""
    below = path.filter(path.ancestor_code == unit).descendant_code
    return values.filter(values.org_unit.isin(below))


def _within(paths: ir.Table, unit: str) -> ir.Table:
    """Closure rows between units of ``unit``'s subtree, period by period (a unit is in the
    subtree of one period's tree at most once, so the join repeats no row)."""
    members = paths.filter(paths.ancestor == unit).select(code=paths.descendant, day=paths.period)
    members = members.view()
    joined = paths.join(members, (paths.ancestor == members.code) & (paths.period == members.day))
    return joined.select(*paths.columns)


# --- pivot: one row per unit and period, one column per (element, window) ----------------


def _column(element: str, indicator: Indicator) -> str:
    """The pivot column of an element reference (``code`` or ``code[combo]``)."""
    name = element.replace("[", "__combo_").replace("]", "")
    if indicator.accumulate_from is None:
        return name
    return f"{name}__from_{indicator.accumulate_from}"


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


def _pivot(values: ir.Table, work: Work, periods: Sequence[Period]) -> ir.Table:
    """One row per (unit, evaluated period), one column per (element, window)."""
    rows: set[tuple[str, str, str, str, str]] = set()
    # (element, combo or "" for the total, data period, eval period, column)
    for period in periods:
        for ind in work.get(period.code, ()):
            for element in ind.elements:
                column = _column(element, ind)
                rows |= {
                    (element_code(element), combo_of(element) or "", code, period.code, column)
                    for code in _window(ind, period)
                }
    joined = _join_references(values, sorted(r for r in rows if not r[1]), by_combo=False)
    if combos := sorted(r for r in rows if r[1]):
        joined = joined.union(_join_references(values, combos, by_combo=True), distinct=False)
    value = joined.value.cast("float64")
    # one stored value per key and combo: the sum is the element's total over its combos
    aggregates = {
        column: value.sum(where=joined.col == column) for column in sorted({r[4] for r in rows})
    }
    return joined.group_by(org_unit=joined.org_unit, period=joined.eval_period).aggregate(
        **aggregates
    )


def _join_references(values: ir.Table, rows: list[tuple], *, by_combo: bool) -> ir.Table:
    """Values joined with the (element, combo, data period, eval period, column) rows: on
    element and period for totals, and on the combo too for ``element[combo]``."""
    names = ("element", "combo", "data_period", "eval_period", "col")
    period_map = ibis.memtable(
        {name: [r[i] for r in rows] for i, name in enumerate(names)},
        schema=dict.fromkeys(names, "string"),
    )
    on = (values.data_element == period_map.element) & (values.period == period_map.data_period)
    if by_combo:
        on &= values.category_option_combo == period_map.combo
    joined = values.join(period_map, on)
    return joined.select(
        org_unit=joined.org_unit, eval_period=joined.eval_period, col=joined.col, value=joined.value
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
    """Per unit and period: ``r{i}`` (reports indicator i), ``n{i}``, ``d{i}``."""
    columns = {}
    for i, ind in enumerate(chosen):
        builder = _IbisBuilder(wide, ind)
        reports = _all([wide[_column(e, ind)].notnull() for e in ind.elements])
        den = ind.denominator_expr
        columns[f"r{i}"] = reports
        columns[f"n{i}"] = reports.ifelse(ind.numerator_expr.build(builder), NULL)
        columns[f"d{i}"] = reports.ifelse(den.build(builder), NULL) if den else NULL
    return wide.select("org_unit", "period", **columns)


def _all(conditions: list[Any]) -> Any:
    result = ibis.literal(True)
    for condition in conditions:
        result = result & condition
    return result


# --- roll-up ------------------------------------------------------------------------------


def _roll_up(per_unit: ir.Table, paths: ir.Table, count: int) -> ir.Table:
    joined = per_unit.join(
        paths, (per_unit.org_unit == paths.descendant) & (per_unit.period == paths.period)
    )
    sums = {}
    for i in range(count):
        sums[f"n{i}"] = joined[f"n{i}"].sum()
        sums[f"d{i}"] = joined[f"d{i}"].sum()
        sums[f"r{i}"] = joined.count(where=joined[f"r{i}"])
    return joined.group_by(org_unit=joined.ancestor, period=joined.period).aggregate(**sums)


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


def _stack(
    rolled: ir.Table, expected: ir.Table, paths: ir.Table, chosen: list[Indicator], work: Work
) -> ir.Table:
    """Every unit existing in the period, one row per indicator evaluated in the period
    (NULL where none reports): the wide grid joined with the positions of the period's
    indicators, each output column a ``CASE`` on the position. One pass over the grid on
    every engine (a union of one select per indicator made Spark plan and run each branch
    as stages of its own: 40× the work)."""
    units = paths.filter(paths.depth == 0).select(org_unit=paths.descendant, period=paths.period)
    sums = [c for c in rolled.columns if c not in ("org_unit", "period")]
    grid = units.left_join(
        rolled, (units.org_unit == rolled.org_unit) & (units.period == rolled.period)
    ).select(units, *sums)
    grid = grid.left_join(
        expected, (grid.org_unit == expected.org_unit) & (grid.period == expected.period)
    ).select(grid, "expected_units")
    place = {ind.code: i for i, ind in enumerate(chosen)}
    pairs = [(place[ind.code], code) for code, inds in work.items() for ind in inds]
    positions = ibis.memtable(
        {"position": [p for p, _ in pairs], "eval_period": [c for _, c in pairs]},
        schema={"position": "int64", "eval_period": "string"},
    )
    long = grid.join(positions, grid.period == positions.eval_period)
    columns: dict[str, list] = {"indicator": [], "numerator": [], "denominator": [], "value": []}
    columns["reporting_units"] = []
    for i, ind in enumerate(chosen):
        num, den = long[f"n{i}"], long[f"d{i}"]
        factor = ibis.literal(float(ind.factor), "float64")
        if ind.denominator is None:
            den, value = NULL, num * factor
        else:
            value = (den.notnull() & (den != 0)).ifelse(num * factor / den, NULL)
        for name, expr in (
            ("indicator", ibis.literal(ind.code, "string")),
            ("numerator", num),
            ("denominator", den),
            ("value", value),
            ("reporting_units", long[f"r{i}"]),
        ):
            columns[name].append((i, expr))
    pick = {name: long.position.cases(*branches) for name, branches in columns.items()}
    return long.select(
        indicator=pick["indicator"],
        org_unit=long.org_unit,
        period=long.period,
        numerator=pick["numerator"].cast("float64"),
        denominator=pick["denominator"].cast("float64"),
        value=pick["value"].cast("float64"),
        reporting_units=pick["reporting_units"].fill_null(0),
        expected_units=long.expected_units.fill_null(0),
    )

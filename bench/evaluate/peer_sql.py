"""The hand-written peer: one DuckDB SQL query over the SQLite store, as an analyst would
write it for these 13 indicators.

Plan: tree on each period's last day → values pivoted to one row per unit and period (plus
the centres opened since 2021) → one join with the tree and one aggregation that sums, per
ancestor, each indicator's numerator and denominator over the units that report it → unpivot
to one row per indicator, on the grid of every unit that exists that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd
from formulas import ACCUMULATE_FROM, ACCUMULATED, AT_LEAST_ONE, FORMULAS, elements

from shequ.framework.periods import Period


def _parts(code: str) -> tuple[str, str, str]:
    """SQL of (reports, numerator, denominator) over the pivoted columns of one unit."""
    if code == ACCUMULATED:
        return "opened_since IS NOT NULL", "opened_since", "NULL::DOUBLE"
    numerator, denominator, _ = FORMULAS[code]
    reports = " AND ".join(f"{e} IS NOT NULL" for e in elements(code))
    if numerator.endswith(AT_LEAST_ONE):
        num = f"CASE WHEN {numerator} THEN 1.0 ELSE 0.0 END"
    else:
        num = numerator
    return reports, num, "1.0" if denominator == "1" else (denominator or "NULL::DOUBLE")


def build_sql(periods: Sequence[Period], store_alias: str = "s") -> str:
    """The query; columns indicator, org_unit, period, numerator, denominator, value,
    reporting_units, expected_units."""
    s = store_alias
    calendar = ", ".join(f"('{p.code}', DATE '{p.end.isoformat()}')" for p in periods)
    needed = sorted({e for code in FORMULAS for e in elements(code)})
    data_periods = sorted(
        {p.code for p in periods}
        | {str(y) for y in range(ACCUMULATE_FROM, max(p.year for p in periods) + 1)}
    )
    accumulated = FORMULAS[ACCUMULATED][0]
    pivot = ",\n        ".join(
        f"max(value) FILTER (WHERE data_element = '{e}') AS {e}" for e in needed if e != accumulated
    )
    sums = []
    for i, code in enumerate(FORMULAS):
        reports, num, den = _parts(code)
        sums += [
            f"sum({num}) FILTER (WHERE {reports}) AS n{i}",
            f"sum({den}) FILTER (WHERE {reports}) AS d{i}",
            f"count(*) FILTER (WHERE {reports}) AS r{i}",
        ]
    aggregates = ",\n        ".join(sums)
    unpivot = ", ".join(f"(n{i}, d{i}, r{i}) AS '{code}'" for i, code in enumerate(FORMULAS))
    meta = ", ".join(
        f"('{code}', {factor}, {denominator is not None})"
        for code, (_, denominator, factor) in FORMULAS.items()
    )
    quoted = ", ".join(f"'{e}'" for e in needed)
    period_list = ", ".join(f"'{c}'" for c in data_periods)
    return f"""
WITH calendar(period, ref_date) AS (VALUES {calendar}),
tree AS (   -- the closure rows valid on each period's last day
    SELECT p.ancestor_code AS ancestor, p.descendant_code AS unit, p.depth, c.period
    FROM {s}.org_unit_path p
    JOIN calendar c ON p.valid_from <= c.ref_date AND p.valid_to > c.ref_date
),
vals AS (
    SELECT org_unit, period, data_element, value FROM {s}.data_value
    WHERE data_element IN ({quoted}) AND period IN ({period_list})
),
wide AS (
    SELECT org_unit, period,
        {pivot}
    FROM vals GROUP BY org_unit, period
),
opened AS (   -- centres opened from {ACCUMULATE_FROM} through each period
    SELECT v.org_unit, c.period, sum(v.value) AS opened_since
    FROM vals v JOIN calendar c ON v.period BETWEEN '{ACCUMULATE_FROM}' AND c.period
    WHERE v.data_element = '{accumulated}'
    GROUP BY v.org_unit, c.period
),
per_unit AS (
    SELECT * FROM wide FULL JOIN opened USING (org_unit, period)
),
rolled AS (   -- per ancestor: Σ numerator, Σ denominator, count of the reporting units
    SELECT t.ancestor AS org_unit, t.period,
        {aggregates}
    FROM per_unit u JOIN tree t ON t.unit = u.org_unit AND t.period = u.period
    GROUP BY t.ancestor, t.period
),
grid AS (     -- every unit that exists on the day, whether or not anything reports
    SELECT t.unit AS org_unit, t.period, r.* EXCLUDE (org_unit, period)
    FROM tree t LEFT JOIN rolled r ON r.org_unit = t.unit AND r.period = t.period
    WHERE t.depth = 0
),
long AS (     -- one row per unit, period and indicator
    FROM grid UNPIVOT INCLUDE NULLS (
        (numerator, denominator, reporting_units) FOR indicator IN ({unpivot}))
),
leaves AS (
    SELECT t.unit, t.period FROM tree t
    WHERE t.depth = 0 AND NOT EXISTS (
        SELECT 1 FROM tree c WHERE c.depth = 1 AND c.ancestor = t.unit AND c.period = t.period)
),
expected AS (
    SELECT t.ancestor AS org_unit, t.period, count(*) AS expected_units
    FROM tree t JOIN leaves l ON l.unit = t.unit AND l.period = t.period
    GROUP BY t.ancestor, t.period
),
meta(indicator, factor, has_den) AS (VALUES {meta})
SELECT l.indicator, l.org_unit, l.period,
    l.numerator,   -- NULL when nothing reports: a FILTERed sum over no rows
    CASE WHEN m.has_den THEN l.denominator END AS denominator,
    CASE WHEN NOT m.has_den THEN m.factor * l.numerator
         WHEN l.denominator <> 0 THEN m.factor * l.numerator / l.denominator END AS value,
    coalesce(l.reporting_units, 0) AS reporting_units,
    coalesce(e.expected_units, 0) AS expected_units
FROM long l
JOIN meta m ON m.indicator = l.indicator
LEFT JOIN expected e ON e.org_unit = l.org_unit AND e.period = l.period
"""


def connect(path: Path, alias: str = "s") -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB with the store attached read-only (no network)."""
    from duckdb_extensions import import_extension

    con = duckdb.connect()
    import_extension("sqlite", con=con)
    con.execute("LOAD sqlite")
    quoted = str(path).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS {alias} (TYPE sqlite, READ_ONLY)")
    return con


def run(path: Path, periods: Sequence[Period]) -> pd.DataFrame:
    """Connect, run the query, fetch a DataFrame through Arrow (all timed together; faster
    than ``.df()`` here)."""
    con = connect(path)
    try:
        return con.execute(build_sql(periods)).to_arrow_table().to_pandas()
    finally:
        con.close()

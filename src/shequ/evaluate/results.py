"""The results table of a run, assembled on Arrow: the engine's indicator values joined with
the units' names and levels of each period, compared with their targets (`attainment`),
named and ordered — by DuckDB over Arrow tables, turned into pandas once at the end (a
national run has millions of rows: no pandas merge, sort or copy of them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import progress
from ..framework.levels import LEVEL_ORDER
from ..framework.models import Plan
from . import attainment
from .attainment import ScopeDepths

_UNIT_COLUMNS = ("org_unit", "period", "org_unit_name", "level")  # from the units' table
_CODED = ("indicator", "comparator", "target_period", "status")  # few values: fetched as codes
_NAMED = ("indicator_name", "dimension", "unit")  # the indicator's, from the plan


def indicator_order(plan: Plan) -> dict[str, int]:
    """The place of each indicator in results: by dimension, then as the plan lists them."""
    dimensions = {d.code: i for i, d in enumerate(plan.dimensions)}
    return {
        ind.code: dimensions[ind.dimension] * 10_000 + i for i, ind in enumerate(plan.indicators)
    }


def assemble(
    raw: pa.Table,
    units: pd.DataFrame,
    plan: Plan,
    *,
    asked: Sequence[str],
    columns: Sequence[str],
    scope_depths: ScopeDepths,
    level: str | None = None,
) -> pd.DataFrame:
    """``columns`` of the asked periods' results (of ``level`` only, if given), in result
    order (period, level from the top, unit code, indicator); ``raw`` holds the engine's
    rows of every computed period (the earlier ones are the baselines).

    The rows stay in DuckDB tables from the join with the units to the comparison with the
    targets, and come out once, as numbers only: each text column leaves as an integer code
    (the row of the units' table, or the place among a column's few distinct values), and
    its Python strings are taken from those few values by numpy. Converting text between
    DuckDB, Arrow and pandas was most of the cost (seconds a trip and a column for a
    national run's 8.6 M rows); so was sorting by text keys (one integer key here)."""
    lookup = {c: _strings(units[c]) for c in _UNIT_COLUMNS}
    # the rows of the targets' baseline periods only (a hash join builds on them)
    measured = sorted({t.baseline_period for t in plan.targets if t.baseline_period})
    with progress.quiet_duckdb() as con:
        con.register("raw", raw)
        con.register("units", _unit_keys(units, asked))
        params: dict = {"asked": list(asked)}
        where = ""
        if level is not None:
            where, params["level"] = "AND u.level = $level", level
        con.execute(
            "CREATE TEMP TABLE v AS SELECT r.*, u.level, u._r, u._k FROM raw r JOIN units u"
            " ON u.org_unit = r.org_unit AND u.period = r.period"
            f" WHERE list_contains($asked, r.period) {where}",
            params,
        )
        con.execute(
            "CREATE TEMP TABLE b AS SELECT indicator, org_unit, period, value FROM raw"
            " WHERE list_contains($measured, period)",
            {"measured": measured},
        )
        con.unregister("raw")
        con.unregister("units")
        codes = _codes(con, plan)
        assessed = attainment.assessed_sql(con, plan, scope_depths=scope_depths)
        numbers = _numbers(con, assessed, codes, [c for c in columns if not _is_text(c)])
    order = np.argsort(numbers["_key"].to_numpy(), kind="stable")
    numbers = numbers.drop_columns(["_key"]).take(pa.array(order))
    del order
    meta = _meta(plan).set_index("indicator")
    for name in _NAMED:  # an indicator the plan does not define has no name (None)
        lookup[name] = _with_none([meta[name].get(c) for c in codes["indicator"]])
    for column in _CODED:
        lookup[column] = _with_none(codes[column])
    helpers = [c for c in numbers.column_names if c.startswith("_")]
    at = {c: numbers[c].to_numpy() for c in helpers}
    frame = numbers.drop_columns(helpers).to_pandas(split_blocks=True, self_destruct=True)
    del numbers
    # the text columns inserted one by one where they belong (a DataFrame built from a
    # dict of columns would copy them all into one block: seconds for a national run)
    for place, column in enumerate(columns):
        if _is_text(column):
            source = "indicator" if column in _NAMED else column
            row = at["_r"] if column in _UNIT_COLUMNS else at[f"_{source}"]
            frame.insert(place, column, lookup[column][row])
    return frame


def _is_text(column: str) -> bool:
    return column in _UNIT_COLUMNS or column in _CODED or column in _NAMED


def _strings(column: pd.Series) -> np.ndarray:
    """The values of a text column as Python strings (None where missing), and one None
    after them: the value of a row that has none (code -1 or the last code)."""
    values = column.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return np.append(values, None)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _with_none(values: list) -> np.ndarray:
    return np.array([*values, None], dtype=object)


def _unit_keys(units: pd.DataFrame, asked: Sequence[str]) -> pa.Table:
    """The units' table for DuckDB: code, period, level, the row number ``_r`` (where the
    result rows take their unit's texts from) and the first part of the result order
    ``_k`` (period as asked, level from the top, unit code), numbered 0, 1, … in that order."""
    table = pa.table(
        {
            c: pa.array(units[c], pa.string(), from_pandas=True)
            for c in ("org_unit", "period", "level")
        }
    )
    period = {p: i for i, p in enumerate(asked)}
    # unknown periods and levels sort last (NULLS LAST of the order this replaces)
    p = units["period"].map(period).fillna(len(period)).to_numpy()
    lv = units["level"].map(LEVEL_ORDER).fillna(max(LEVEL_ORDER.values()) + 1).to_numpy()
    code = units["org_unit"].to_numpy(dtype=object).astype(str)
    keys = np.lexsort((code, lv, p))
    k = np.empty(len(units), dtype=np.int64)
    k[keys] = np.arange(len(units))
    return table.append_column("_r", pa.array(np.arange(len(units)))).append_column(
        "_k", pa.array(k)
    )


def _codes(con, plan: Plan) -> dict[str, list]:
    """The values each coded text column can take: the indicators of table ``v`` (the
    plan's in its order, others after them), the comparators, target periods and
    statuses that `attainment` can give (from the plan and its fixed sets)."""
    found = [i for (i,) in con.execute("SELECT DISTINCT indicator FROM v").fetchall()]
    order = indicator_order(plan)
    return {
        "indicator": sorted(
            (i for i in found if i is not None),
            key=lambda c: (0, order[c], "") if c in order else (1, 0, c),
        ),
        "comparator": sorted({t.comparator for t in plan.targets}),
        "target_period": sorted({t.period for t in plan.targets}),
        "status": list(attainment.STATUSES),
    }


def _numbers(con, assessed: str, codes: dict[str, list], columns: list[str]) -> pa.Table:
    """The numeric ``columns`` of the ``assessed`` query's rows, the units' row ``_r``, each
    coded text column's code (its place in ``codes``; one past the last for NULL) and the order
    key ``_key`` = unit key × indicators + the indicator's place: one query, one fetch."""
    picks = []  # a CASE of a few literals codes faster than a join with a table of them
    for column, values in codes.items():
        whens = " ".join(f"WHEN {_literal(v)} THEN {i}" for i, v in enumerate(values))
        picks.append(f"CASE a.{column} {whens} ELSE {len(values)} END" if values else "0")
    n_indicators = len(codes["indicator"]) + 1
    selected = "".join(f"a.{c}, " for c in columns)
    coded = ", ".join(f"{pick} AS _{column}" for pick, column in zip(picks, codes, strict=True))
    return con.execute(
        f"SELECT {selected}a._r, {coded}, a._k * {n_indicators} + {picks[0]} AS _key"
        f" FROM ({assessed}) a"
    ).to_arrow_table()


def _meta(plan: Plan) -> pd.DataFrame:
    order = indicator_order(plan)
    return pd.DataFrame(
        {
            "indicator": [i.code for i in plan.indicators],
            "indicator_name": [i.name for i in plan.indicators],
            "dimension": [i.dimension for i in plan.indicators],
            "unit": [i.unit for i in plan.indicators],
            "_i": [order[i.code] for i in plan.indicators],
        }
    )

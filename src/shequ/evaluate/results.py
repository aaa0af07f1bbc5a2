"""The results table of a run, assembled on Arrow: the engine's indicator values joined with
the units' names and levels of each period, compared with their targets (`attainment`),
named and ordered — by DuckDB over Arrow tables, turned into pandas once at the end (a
national run has millions of rows: no pandas merge, sort or copy of them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import progress
from ..framework.levels import LEVEL_ORDER
from ..framework.models import Plan
from . import attainment
from .attainment import ScopeDepths


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

    The rows stay in DuckDB tables from the join with the units' names to the comparison
    with the targets, and come out as Arrow once: every trip between DuckDB and Arrow
    converts the text columns again (seconds a trip for a national run's 8.6 M rows)."""
    named = pa.Table.from_pandas(
        units[["org_unit", "period", "org_unit_name", "level"]].astype("string"),
        preserve_index=False,
    )
    # the rows of the targets' baseline periods only (a hash join builds on them)
    measured = sorted({t.baseline_period for t in plan.targets if t.baseline_period})
    with progress.quiet_duckdb() as con:
        con.register("raw", raw)
        con.register("units", named)
        params: dict = {"asked": list(asked)}
        where = ""
        if level is not None:
            where, params["level"] = "AND u.level = $level", level
        con.execute(
            "CREATE TEMP TABLE v AS SELECT r.*, u.org_unit_name, u.level FROM raw r JOIN units u"
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
        con.execute(
            "CREATE TEMP TABLE a AS "
            + attainment.assessed_sql(con, plan, scope_depths=scope_depths)
        )
        con.execute("DROP TABLE v")
        con.execute("DROP TABLE b")
        assessed = con.execute("SELECT * FROM a").to_arrow_table()
        order = _result_order(con, plan, asked)
    ordered = _named(assessed.take(order), plan)
    del assessed, order
    return ordered.select(list(columns)).to_pandas(split_blocks=True, self_destruct=True)


def _result_order(con, plan: Plan, asked: Sequence[str]) -> pa.Array:
    """The row numbers of table ``a`` in result order (period as asked, level from the
    top, unit code, indicator as the plan orders them): one integer key a row, sorted by
    numpy (DuckDB sorting the text keys took ~30 s for a national run)."""
    periods = pd.DataFrame({"period": list(asked), "_p": range(len(asked))})
    levels = pd.DataFrame({"level": list(LEVEL_ORDER), "_l": list(LEVEL_ORDER.values())})
    meta = _meta(plan)[["indicator", "_i"]]
    con.register("periods", periods.astype({"period": "string"}))
    con.register("levels", levels.astype({"level": "string"}))
    con.register("meta", meta.astype({"indicator": "string"}))
    # the units' ranks in code order, then one key: period, level, unit, indicator (the
    # unknown level or indicator last: NULLS LAST of the order it replaces)
    (n_units,) = con.execute("SELECT count(DISTINCT org_unit) FROM a").fetchone()
    n_levels, n_indicators = len(LEVEL_ORDER) + 1, len(meta) + 1
    found = con.execute(
        "WITH ranks AS (SELECT org_unit, row_number() OVER (ORDER BY org_unit) - 1 AS _u"
        "   FROM (SELECT DISTINCT org_unit FROM a))"
        " SELECT a.rowid AS row,"
        "   ((p._p * $n_levels + coalesce(l._l, $n_levels - 1)) * $n_units + r._u)"
        "   * $n_indicators + coalesce(m._i_rank, $n_indicators - 1) AS key"
        " FROM a JOIN periods p ON p.period = a.period"
        " JOIN ranks r ON r.org_unit = a.org_unit"
        " LEFT JOIN levels l ON l.level = a.level"
        " LEFT JOIN (SELECT indicator, rank() OVER (ORDER BY _i) - 1 AS _i_rank FROM meta) m"
        "   ON m.indicator = a.indicator",
        {"n_levels": n_levels, "n_units": n_units, "n_indicators": n_indicators},
    ).fetchnumpy()
    # the joins return rows in any order: each key goes back to its row (a's row ids are
    # its insertion order, the order in which `SELECT * FROM a` returns the rows)
    keys = np.empty(len(found["row"]), dtype=np.int64)
    keys[np.asarray(found["row"], dtype=np.int64)] = np.asarray(found["key"], dtype=np.int64)
    return pa.array(np.argsort(keys, kind="stable"))


def _named(table: pa.Table, plan: Plan) -> pa.Table:
    """``table`` with each indicator's name, dimension and unit as columns."""
    meta = pa.Table.from_pandas(_meta(plan), preserve_index=False)
    codes = meta["indicator"].combine_chunks().cast(table.schema.field("indicator").type)
    where = pc.index_in(table["indicator"], value_set=codes)
    for name in ("indicator_name", "dimension", "unit"):
        table = table.append_column(name, meta[name].take(where))
    return table


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
    ).astype(
        {"indicator": "string", "indicator_name": "string", "dimension": "string", "unit": "string"}
    )

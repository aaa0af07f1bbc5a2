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
    rows of every computed period (the earlier ones are the baselines)."""
    named = pa.Table.from_pandas(
        units[["org_unit", "period", "org_unit_name", "level"]].astype("string"),
        preserve_index=False,
    )
    with progress.quiet_duckdb() as con:
        con.register("raw", raw)
        con.register("units", named)
        where = "" if level is None else "AND u.level = $level"
        params: dict = {"asked": list(asked)}
        if level is not None:
            params["level"] = level
        wanted = con.execute(
            "SELECT r.*, u.org_unit_name, u.level FROM raw r JOIN units u"
            f" ON u.org_unit = r.org_unit AND u.period = r.period"
            f" WHERE list_contains($asked, r.period) {where}",
            params,
        ).to_arrow_table()
        # the rows of the targets' baseline periods only (a hash join builds on them)
        measured = sorted({t.baseline_period for t in plan.targets if t.baseline_period})
        baselines = raw.filter(pc.is_in(raw["period"], pa.array(measured, pa.string())))
        assessed = attainment.assess(wanted, plan, baselines=baselines, scope_depths=scope_depths)
        del baselines
        del wanted
        rows = pa.array(np.arange(len(assessed), dtype=np.int64))
        con.register(
            "keys",
            assessed.select(["indicator", "period", "level", "org_unit"]).append_column(
                "_row", rows
            ),
        )
        con.register("meta", _meta(plan))
        con.register(
            "levels", pd.DataFrame({"level": list(LEVEL_ORDER), "_l": list(LEVEL_ORDER.values())})
        )
        # sorted on the keys only, then the rows taken in that order (sorting the wide rows
        # with their names took minutes and gigabytes at national scale)
        order = con.execute(
            "SELECT k._row FROM keys k"
            " LEFT JOIN meta m ON m.indicator = k.indicator"
            " LEFT JOIN levels l ON l.level = k.level"
            " ORDER BY k.period, l._l NULLS LAST, k.org_unit, m._i"
        ).to_arrow_table()["_row"]
        con.unregister("keys")
    ordered = _named(assessed.take(order), plan)
    del assessed, order
    return ordered.select(list(columns)).to_pandas(split_blocks=True, self_destruct=True)


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

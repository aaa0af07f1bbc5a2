"""The inputs digest of a run: what an evaluation read, as 32 hex digits.

Two runs with the same digest read the same data values (of the (data element, period)
cells their indicators read: `indicators.cells_read`) and the same tree (every closure row;
with ``unit``, every closure row of a unit ever in its subtree). The digest does not depend on the engine nor on the
order rows come in: the rows are streamed from the engine as Arrow record batches, with
the same Arrow types whatever the engine (strings, float64, int64, dates), and folded by an
in-process DuckDB into order-independent aggregates of a per-row hash (count, two sums of
differently built 64-bit hashes, their xor). Memory stays one record batch, never the
millions of values a national run reads (the digest used to sort them all in pandas).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from .. import progress
from .indicators import within_subtree

_FOLD = """
SELECT count(*)::VARCHAR, coalesce(sum(h1::HUGEINT), 0)::VARCHAR,
       coalesce(sum(h2::HUGEINT), 0)::VARCHAR, coalesce(bit_xor(h1), 0)::VARCHAR
FROM (SELECT hash({columns}) AS h1, hash({reversed}, 'shequ') AS h2 FROM part)
"""


def inputs_digest(
    tables: dict[str, ir.Table],
    cells: Sequence[tuple[str, str]],
    unit: str | None = None,
    *,
    batches: Callable[[ir.Table], Any],
) -> str:
    """sha256 of the folds of the data values read (of the (data element, period) ``cells``;
    with ``unit``, those of its subtree only) and of the closure rows (with ``unit``, those
    of the units ever in its subtree); ``batches`` fetches an expression's rows (the
    engine's `Engine.batches`: streamed, or Spark's own fetch)."""
    values = tables["data_value"]
    path = tables["org_unit_path"]
    if unit is not None:
        values = within_subtree(values, path, unit)
        path = within_subtree(path.mutate(org_unit=path.descendant_code), path, unit)
    wanted = ibis.memtable(
        {"element": [e for e, _ in cells], "data_period": [p for _, p in cells]},
        schema={"element": "string", "data_period": "string"},
    )
    joined = values.join(
        wanted, (values.data_element == wanted.element) & (values.period == wanted.data_period)
    )
    read = joined.select(
        data_element=joined.data_element.cast("string"),
        org_unit=joined.org_unit.cast("string"),
        period=joined.period.cast("string"),
        value=joined.value.cast("float64"),
    )
    tree = path.select(
        ancestor_code=path.ancestor_code.cast("string"),
        descendant_code=path.descendant_code.cast("string"),
        depth=path.depth.cast("int64"),
        valid_from=path.valid_from.cast("date"),
        valid_to=path.valid_to.cast("date"),
    )
    digest = hashlib.sha256()
    for part in (read, tree):
        digest.update("|".join(_fold(part, batches)).encode())
    return digest.hexdigest()[:32]


def _fold(expr: ir.Table, rows: Callable[[ir.Table], Any]) -> tuple[str, ...]:
    """(count, Σ h1, Σ h2, ⊕ h1) of ``expr``'s rows (as ``rows`` fetches them: streamed
    batch by batch, or the engine's own fetch)."""
    columns = list(expr.columns)
    query = _FOLD.format(columns=", ".join(columns), reversed=", ".join(reversed(columns)))
    with progress.quiet_duckdb() as con:
        con.register("part", rows(expr))
        return tuple(con.execute(query).fetchone())

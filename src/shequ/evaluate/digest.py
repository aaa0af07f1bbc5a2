"""The inputs digest of a run: what an evaluation read, as 32 hex digits.

Two runs with the same digest read the same data values (of the periods they read) and
the same tree (every closure row). The digest does not depend on the engine nor on the
order rows come in: the rows are streamed from the engine as Arrow record batches, with
the same Arrow types whatever the engine (strings, float64, int64, dates), and folded by an
in-process DuckDB into order-independent aggregates of a per-row hash (count, two sums of
differently built 64-bit hashes, their xor). Memory stays one record batch, never the
millions of values a national run reads (the digest used to sort them all in pandas).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import duckdb
import ibis.expr.types as ir

from .indicators import within_subtree

_BATCH = 1_000_000
_FOLD = """
SELECT count(*)::VARCHAR, coalesce(sum(h1::HUGEINT), 0)::VARCHAR,
       coalesce(sum(h2::HUGEINT), 0)::VARCHAR, coalesce(bit_xor(h1), 0)::VARCHAR
FROM (SELECT hash({columns}) AS h1, hash({reversed}, 'shequ') AS h2 FROM part)
"""


def inputs_digest(
    tables: dict[str, ir.Table], periods: Sequence[str], unit: str | None = None
) -> str:
    """sha256 of the folds of the data values read (``periods``; with ``unit``, those of its
    subtree only) and of the closure rows."""
    values = tables["data_value"]
    if unit is not None:
        values = within_subtree(values, tables["org_unit_path"], unit)
    read = values.filter(values.period.isin(list(periods))).select(
        data_element=values.data_element.cast("string"),
        org_unit=values.org_unit.cast("string"),
        period=values.period.cast("string"),
        value=values.value.cast("float64"),
    )
    path = tables["org_unit_path"]
    tree = path.select(
        ancestor_code=path.ancestor_code.cast("string"),
        descendant_code=path.descendant_code.cast("string"),
        depth=path.depth.cast("int64"),
        valid_from=path.valid_from.cast("date"),
        valid_to=path.valid_to.cast("date"),
    )
    digest = hashlib.sha256()
    for part in (read, tree):
        digest.update("|".join(_fold(part)).encode())
    return digest.hexdigest()[:32]


def _fold(expr: ir.Table) -> tuple[str, ...]:
    """(count, Σ h1, Σ h2, ⊕ h1) of ``expr``'s rows, streamed batch by batch."""
    columns = list(expr.columns)
    query = _FOLD.format(columns=", ".join(columns), reversed=", ".join(reversed(columns)))
    with duckdb.connect() as con:
        con.register("part", expr.to_pyarrow_batches(chunk_size=_BATCH))
        return tuple(con.execute(query).fetchone())

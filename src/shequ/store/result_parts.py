"""A run's results as Parquet parts inside the store: how `runs` writes and reads them.

A national run has 8.6 M results. Stored one row each, SQLite's ``executemany`` took about
10 µs of CPU a row with the run's index, nearly half of the whole run (112 s of 254 s on
this machine), and a run occupied about 1 GB of the store. Results are written once and
then read by unit (a page, a report) or whole (a report, the follow-up loop), never
updated or queried row by row, so they are kept the way a column store keeps them: the
rows of a run in result order, cut into parts of `PART_ROWS` rows, each part one Parquet
file (zstd, dictionary-encoded text) in a BLOB of ``evaluation_result_part``, beside the
first and last unit code and period it holds. Saving a national run costs ~5 s and ~50 MB.

The parts are rows of the store like any other: written in the transaction that writes
the run, copied by ``shequ backup``, deleted with their run (``ON DELETE CASCADE``), the
same on SQLite and PostgreSQL (BYTEA). A reader asks for units and a period; the part
table's key ranges tell which parts may hold them (a page of a street's communities reads
one or two parts of the run, not the run), and those parts are decoded and filtered.
Each part is a complete Parquet file: ``SELECT data FROM evaluation_result_part`` written
to disk opens in any Parquet reader.

Written by hand because no library keeps Parquet row groups inside an SQL store's
transaction; the encoding itself is pyarrow's.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Connection, insert, select

from ..errors import StoreError
from .tables.core import EvaluationResultPart

PART_ROWS = 65_536
GROUP = 8  # parts per statement, written or read: memory holds a few encoded parts

SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("org_unit", pa.string()),
        ("period", pa.string()),
        ("value", pa.float64()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("target", pa.float64()),
        ("comparator", pa.string()),
        ("target_period", pa.string()),
        ("baseline_value", pa.float64()),
        ("status", pa.string()),
        ("reporting_units", pa.int64()),
        ("expected_units", pa.int64()),
    ]
)
COLUMNS = SCHEMA.names
_INTEGERS = {f.name for f in SCHEMA if pa.types.is_integer(f.type)}
_FLOATS = {f.name for f in SCHEMA if pa.types.is_floating(f.type)}


def as_table(frame: pd.DataFrame) -> pa.Table:
    """``frame``'s result columns as an Arrow table of `SCHEMA` (NaN and None → null; a
    count that a merge made 3.0 becomes 3). A missing count is refused: every result has
    its reporting and expected units."""
    columns = {}
    for name in COLUMNS:
        column = frame[name]
        if name in _INTEGERS:
            numbers = pd.to_numeric(column)
            if numbers.isna().any():
                msg = f"结果缺少 {name} / a result has no {name}"
                raise StoreError(msg)
            column = numbers.round().astype("int64")
        elif name in _FLOATS:
            column = pd.to_numeric(column).astype(float)
        columns[name] = column
    return pa.Table.from_pandas(pd.DataFrame(columns), schema=SCHEMA, preserve_index=False)


def write(
    conn: Connection, run_id: int, results: pd.DataFrame | pa.Table, *, first_seq: int = 0
) -> int:
    """Store ``results`` (in result order: a frame with the result columns, or a table of
    `SCHEMA`) as the parts of run ``run_id`` numbered from ``first_seq`` (a run written in
    pieces of `PART_ROWS` rows), in the caller's transaction; returns the number of rows.
    A frame is converted a part at a time: memory holds one part's Arrow copy."""
    rows = []
    for seq, start in enumerate(range(0, len(results), PART_ROWS), start=first_seq):
        if isinstance(results, pd.DataFrame):
            part = as_table(results.iloc[start : start + PART_ROWS])
        else:
            part = results.slice(start, PART_ROWS).select(COLUMNS).cast(SCHEMA)
        units, periods = pc.min_max(part["org_unit"]), pc.min_max(part["period"])
        sink = pa.BufferOutputStream()
        pq.write_table(part, sink, compression="zstd", row_group_size=PART_ROWS)
        rows.append(
            {
                "run_id": run_id,
                "seq": seq,
                "rows": part.num_rows,
                "first_unit": units["min"].as_py(),
                "last_unit": units["max"].as_py(),
                "first_period": periods["min"].as_py(),
                "last_period": periods["max"].as_py(),
                "data": sink.getvalue().to_pybytes(),
            }
        )
        if len(rows) == GROUP:
            conn.execute(insert(EvaluationResultPart), rows)
            rows = []
    if rows:
        conn.execute(insert(EvaluationResultPart), rows)
    return len(results)


def read(
    conn: Connection,
    run_id: int,
    *,
    org_units: Collection[str] | None = None,
    period: str | None = None,
    columns: list[str] | None = None,
) -> pa.Table:
    """The results of run ``run_id`` (of ``org_units`` and ``period`` only, when given), in
    result order, ``columns`` (default: all of `SCHEMA`)."""
    chosen = columns or COLUMNS
    codes = None if org_units is None else sorted(set(org_units))
    wanted = None if codes is None else pa.array(codes, pa.string())
    found = [
        _kept(part, wanted, period).select(chosen) for part in _parts(conn, run_id, codes, period)
    ]
    if not found:
        return SCHEMA.empty_table().select(chosen)
    return pa.concat_tables(found)


def _parts(
    conn: Connection, run_id: int, codes: list[str] | None, period: str | None
) -> Iterator[pa.Table]:
    """The decoded parts of the run that may hold one of the sorted ``codes`` (None: any)
    in ``period`` (None: any), in order."""
    p = EvaluationResultPart
    ranges = conn.execute(
        select(p.seq, p.first_unit, p.last_unit, p.first_period, p.last_period, p.rows)
        .where(p.run_id == run_id)
        .order_by(p.seq)
    ).all()
    seqs = [
        seq
        for seq, low, high, first, last, _ in ranges
        if (period is None or first <= period <= last) and _overlaps(codes, low, high)
    ]
    counts = {seq: n for seq, *_, n in ranges}
    for start in range(0, len(seqs), GROUP):
        group = seqs[start : start + GROUP]
        query = select(p.seq, p.data).where(p.run_id == run_id, p.seq.in_(group))
        for seq, data in conn.execute(query.order_by(p.seq)).all():
            part = pq.read_table(pa.BufferReader(data))
            if part.num_rows != counts[seq]:
                msg = (
                    f"评估运行 {run_id} 的结果第 {seq} 部分已损坏 / part {seq} of the results"
                    f" of run {run_id} is damaged: {part.num_rows} rows, {counts[seq]} stored"
                )
                raise StoreError(msg)
            yield part


def _overlaps(codes: list[str] | None, low: str, high: str) -> bool:
    """Whether some code of the sorted ``codes`` lies in [``low``, ``high``] (None: all)."""
    if codes is None:
        return True
    at = bisect.bisect_left(codes, low)
    return at < len(codes) and codes[at] <= high


def _kept(part: pa.Table, wanted: pa.Array | None, period: str | None) -> pa.Table:
    mask = None
    if wanted is not None:
        mask = pc.is_in(part["org_unit"], value_set=wanted)
    if period is not None:
        same = pc.equal(part["period"], period)
        mask = same if mask is None else pc.and_(mask, same)
    return part if mask is None else part.filter(mask)


def to_frame(table: pa.Table) -> pd.DataFrame:
    """The pandas frame of results as readers have always had it: text as Python strings
    (None when missing), numbers as float64 (NaN when missing), counts as int64."""
    return table.to_pandas()

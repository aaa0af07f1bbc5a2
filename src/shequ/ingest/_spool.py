"""The cells of a values file read in batches, kept on disk while the import runs.

A national file (11 M values a year) does not fit the memory as pandas frames, and three
of its checks need all of it at once: a key repeated anywhere in the file, the rows to
write in the order of the unit index, and the new keys of the audit entry. The spool is a
DuckDB database in a temporary folder, with a memory limit: DuckDB sorts and groups beyond
it on disk (its tables are on disk too). It holds no store data and is deleted when the import ends; the store is
written by the importer's own writer only (never through DuckDB).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .. import progress
from .readers import ROW

#: DuckDB's memory while it groups and sorts the spool (beyond it: its temp files)
MEMORY = "128MB"
CELLS = ["data_element", "org_unit", "period", "value", "value_column"]
PREFIX = "shequ-import-"


def _remove_stale() -> None:
    """Remove the spools of imports killed before they could (kill -9): their process is
    gone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            pid = int((folder / "pid").read_text())
            os.kill(pid, 0)  # raises when there is no such process
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):  # no pid file yet, or not ours to signal
            continue


class Spool:
    """Keyed cells of a file (`add`), then its repeated keys (`repeated`), the cells of
    good rows in unit order (`good`) and the new keys written (`add_new`, `new_keys`)."""

    def __init__(self) -> None:
        _remove_stale()
        self.folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.folder / "pid").write_text(str(os.getpid()))
        self.con = progress.quiet_duckdb(
            {
                "memory_limit": MEMORY,
                "temp_directory": str(self.folder / "tmp"),
                "threads": 2,
                "preserve_insertion_order": False,
            },
            str(self.folder / "spool.duckdb"),  # on disk: the cells of a file of any length
        )
        self.con.execute(
            "CREATE TABLE cells (row BIGINT, data_element VARCHAR, org_unit VARCHAR, "
            "period VARCHAR, value DOUBLE, value_column VARCHAR)"
        )
        self.con.execute(
            "CREATE TABLE fresh (data_element VARCHAR, org_unit VARCHAR, period VARCHAR, "
            "category_option_combo VARCHAR)"
        )

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def add(self, cells: pd.DataFrame) -> None:
        """Keep ``cells`` (`ROW` and `CELLS`)."""
        if len(cells):
            self._insert("cells", cells.rename(columns={ROW: "row"})[["row", *CELLS]])

    def repeated(self) -> pd.DataFrame:
        """The cells whose (data element, unit, period) is held more than once, by row."""
        return self.con.execute(
            f"SELECT c.row AS {ROW}, {', '.join(f'c.{n}' for n in CELLS)}, '' AS combo_shown "
            "FROM cells c JOIN (SELECT data_element, org_unit, period FROM cells GROUP BY ALL "
            "HAVING count(*) > 1) d ON c.data_element = d.data_element AND c.period = d.period "
            "AND c.org_unit IS NOT DISTINCT FROM d.org_unit ORDER BY c.row, c.value_column"
        ).df()

    def mark_bad(self, bad_rows: Collection[int]) -> int:
        """Leave the cells of ``bad_rows`` out of `good`; returns how many cells are left."""
        import pyarrow as pa

        rows = np.fromiter(bad_rows, dtype=np.int64, count=len(bad_rows))
        self.con.execute("CREATE OR REPLACE TABLE bad_rows (row BIGINT PRIMARY KEY)")
        self._insert("bad_rows", pa.table({"row": rows}).to_pandas())
        (left,) = self.con.execute(
            "SELECT count(*) FROM cells WHERE row NOT IN (SELECT row FROM bad_rows)"
        ).fetchone()
        return int(left)

    def units_and_periods(self) -> tuple[list[str], list[str]]:
        """The units and the periods of the cells of good rows."""
        good = "FROM cells WHERE row NOT IN (SELECT row FROM bad_rows)"
        units = self.con.execute(f"SELECT DISTINCT org_unit {good} ORDER BY 1").fetchall()
        periods = self.con.execute(f"SELECT DISTINCT period {good} ORDER BY 1").fetchall()
        return [u for (u,) in units], [p for (p,) in periods]

    def group(self, parents: dict[str, str | None]) -> None:
        """Group the units by ``parents`` (unit → parent code) in `good`."""
        frame = pd.DataFrame({"org_unit": list(parents), "parent": list(parents.values())})
        self.con.execute("CREATE OR REPLACE TABLE parents (org_unit VARCHAR, parent VARCHAR)")
        self._insert("parents", frame.astype({"parent": object}))

    def good(self, size: int) -> Iterator[pd.DataFrame]:
        """The cells of rows not marked bad (`mark_bad`), ordered by the parent of their
        unit (`group`), unit, period and element, about ``size`` at a time; the cells of
        units of the same parent are in the same part (they are each other's peers)."""
        reader = self._read(
            f"SELECT c.row AS {ROW}, c.data_element, c.org_unit, c.period, c.value, "
            "coalesce(p.parent, '') AS parent FROM cells c LEFT JOIN parents p USING (org_unit) "
            "WHERE c.row NOT IN (SELECT row FROM bad_rows) "
            "ORDER BY parent, c.org_unit, c.period, c.data_element",
            size,
        )
        carry = None
        for batch in reader:
            frame = batch.to_pandas()
            if carry is not None:
                frame = pd.concat([carry, frame], ignore_index=True)
            parent = frame["parent"].to_numpy()
            tail = parent == parent[-1]  # the last parent's cells: a suffix (ordered)
            carry = frame[tail]
            if not tail.all():
                yield frame[~tail].drop(columns="parent").reset_index(drop=True)
        if carry is not None and len(carry):
            yield carry.drop(columns="parent").reset_index(drop=True)

    def add_new(self, keys: pd.DataFrame) -> None:
        """Keep the keys of values inserted (data element, unit, period, combo)."""
        if len(keys):
            self._insert("fresh", keys)

    def new_keys(self) -> tuple[int, dict[str, int], int, int, Iterator[bytes]]:
        """(count, count per period, data elements, units, the sorted keys as UTF-8 text,
        each followed by a line break, in parts) of the keys inserted."""
        (count, elements, units) = self.con.execute(
            "SELECT count(*), count(DISTINCT data_element), count(DISTINCT org_unit) FROM fresh"
        ).fetchone()
        periods = dict(
            self.con.execute("SELECT period, count(*) FROM fresh GROUP BY 1 ORDER BY 1").fetchall()
        )
        return count, {str(p): int(n) for p, n in periods.items()}, elements, units, self._keys()

    def _keys(self) -> Iterator[bytes]:
        reader = self._read(
            "SELECT data_element || '/' || org_unit || '/' || period || '/' || "
            "category_option_combo || chr(10) AS k FROM fresh ORDER BY k",
            1_000_000,
        )
        for batch in reader:
            column = batch.column(0)
            wide = str(column.type) == "large_string"
            offsets = np.frombuffer(column.buffers()[1], dtype=np.int64 if wide else np.int32)
            first, last = offsets[column.offset], offsets[column.offset + len(column)]
            yield memoryview(column.buffers()[2])[first:last].tobytes()

    def _read(self, sql: str, size: int):
        """The rows of ``sql`` as Arrow record batches of ``size``, read through a cursor of
        their own (the spool's connection goes on taking rows meanwhile)."""
        return self.con.cursor().execute(sql).to_arrow_reader(size)

    def _insert(self, table: str, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        part = pa.Table.from_pandas(frame, preserve_index=False)
        self.con.register("part", part)
        self.con.execute(f"INSERT INTO {table} SELECT * FROM part")
        self.con.unregister("part")

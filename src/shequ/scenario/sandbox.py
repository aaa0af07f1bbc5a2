"""A temporary SQLite store holding a copy of what evaluation and coverage read, so that
a scenario can change facilities and values without touching the real store.

The real store is only read: an SQLite file through a read-only connection (``mode=ro``,
so not even a WAL checkpoint can change its bytes), PostgreSQL through plain SELECTs.
Copied: the org-unit tree and its closure, periods, data values with their import
batches, facilities, population points, boundaries and walking networks; not copied:
accounts, runs, voice records and period approvals (a sandbox has no locks).
Cost: one pass over those tables, in chunks of 50 000 rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy.pool import NullPool

from ..store.db import Store, open_store
from ..store.tables import core, spatial
from ..store.tables.core import Base

COPIED = (
    core.ImportBatch, core.OrgUnit, core.OrgUnitPath, core.Period, core.DataValue,
    spatial.Facility, spatial.PopulationPoint, spatial.OrgUnitBoundary, spatial.WalkNetworkRecord,
)  # fmt: skip
CHUNK = 50_000


@contextmanager
def sandbox(real: Store) -> Iterator[Store]:
    """A temporary store with a copy of ``real``'s evaluation inputs; removed on exit."""
    with tempfile.TemporaryDirectory(prefix="shequ-scenario-") as folder:
        copy = open_store(Path(folder) / "scenario.db", migrate=False)
        Base.metadata.create_all(copy.engine)  # every table, the uncopied ones empty
        source = _reader(real)
        try:
            _copy(source, copy.engine)
        finally:
            if source is not real.engine:
                source.dispose()
        try:
            yield copy
        finally:
            copy.close()


def _reader(real: Store) -> Engine:
    path = real.sqlite_path
    if path is None:
        return real.engine
    return create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true", poolclass=NullPool)


def _copy(source: Engine, target: Engine) -> None:
    with source.connect() as read, target.begin() as write:
        for model in COPIED:
            table = model.__table__
            result = read.execution_options(yield_per=CHUNK).execute(select(table))
            for rows in result.mappings().partitions(CHUNK):
                write.execute(insert(table), [dict(r) for r in rows])

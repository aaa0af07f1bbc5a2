"""A crash in the middle of an import leaves the store exactly as it was."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, inspect, select

from shequ.ingest.orgunits import import_org_units
from shequ.store.db import open_store
from shequ.store.tables.core import AuditEntry, DataValue, ImportBatch, OrgUnit, OrgUnitPath
from tests._files import write

COMMUNITIES = 3_000  # × 2 data elements = 6 000 values: more than one write chunk (5 000)


def _units_file(tmp_path):
    lines = ["code,name,parent_code,level", "C,市,,city"]
    lines += [f"K{i:05d},社区{i},C,community" for i in range(COMMUNITIES)]
    return write(tmp_path / "units.csv", "\n".join(lines))


def _values_file(tmp_path, form="csv"):
    lines = ["org_unit,period,resident_population,adult_population"]
    lines += [f"K{i:05d},2025,{1000 + i},{800 + i}" for i in range(COMMUNITIES)]
    path = write(tmp_path / "values.csv", "\n".join(lines))
    if form == "parquet":  # the same values, numbers typed, read column by column
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        as_text = pacsv.ConvertOptions(column_types={"org_unit": pa.string()})
        pq.write_table(pacsv.read_csv(path, convert_options=as_text), path.with_suffix(".parquet"))
        path = path.with_suffix(".parquet")
    return path


def _counts(url):
    store = open_store(url)
    with store.begin() as conn:
        out = tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (DataValue, AuditEntry, ImportBatch)
        )
    store.close()
    return out


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_an_import_killed_after_its_first_chunk_leaves_no_trace(any_store, tmp_path, form):
    import_org_units(any_store, _units_file(tmp_path))
    values = _values_file(tmp_path, form)
    before = _counts(any_store.url)
    # The child process imports for real and kills itself (SIGKILL: no cleanup, no
    # rollback in Python) once the first 5 000 values are written inside the transaction.
    script = textwrap.dedent(f"""
        import os, signal
        from shequ.store.db import open_store
        from shequ.ingest.values import import_values
        from shequ.store import values
        values.BULK = 5000  # new values are bulk-inserted 5 000 at a time: die after the first
        def die(done, total):
            print(done, total, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        import_values(open_store({any_store.url!r}), {str(values)!r}, progress=die)
    """)
    child = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert child.stdout.split() == ["5000", "6000"]  # it died mid-import, not before
    assert _counts(any_store.url) == before
    # and the store still works: the same import now completes
    from shequ.ingest.values import import_values

    report = import_values(open_store(any_store.url), values)
    assert report.inserted == 6_000


def test_an_org_unit_import_killed_after_its_bulk_writes_leaves_no_trace(any_store, tmp_path):
    # The child bulk-inserts 3 001 units and rebuilds the closure table (3 001 self paths +
    # 3 000 community > city paths), then kills itself before the transaction commits.
    units = _units_file(tmp_path)
    script = textwrap.dedent(f"""
        import os, signal
        from shequ.store.db import open_store
        from shequ.ingest import orgunits
        def die(done, total):
            print(done, total, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        orgunits.import_org_units(open_store({any_store.url!r}), {str(units)!r}, progress=die)
    """)
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert child.stdout.split() == ["3001", "3001"]  # every unit written, nothing committed
    store = open_store(any_store.url)
    with store.begin() as conn:
        counts = [
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (OrgUnit, OrgUnitPath, AuditEntry, ImportBatch)
        ]
    assert counts == [0, 0, 0, 0]
    # the indexes the bulk load set aside (SQLite) are there: dropping them was part of
    # the transaction the kill rolled back
    with store.begin() as conn:
        found = {
            i["name"]
            for t in (OrgUnit, OrgUnitPath)
            for i in inspect(conn).get_indexes(t.__tablename__)
        }
    assert {i.name for t in (OrgUnit, OrgUnitPath) for i in t.__table__.indexes} <= found
    report = import_org_units(store, units)
    with store.begin() as conn:
        paths = conn.execute(select(func.count()).select_from(OrgUnitPath)).scalar_one()
    assert (report.inserted, paths) == (3_001, 6_001)

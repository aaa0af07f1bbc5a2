"""Values from Parquet (issue 12): the same rules, findings and quarantine as CSV, typed
cells read as what they are, nested columns refused by name, and one audit entry per batch."""

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from shequ.errors import ImportFileError
from shequ.ingest.values import import_values
from shequ.store import audit
from shequ.store.tables.core import AuditEntry
from tests._files import write
from tests.ingest.test_values import BAD, stored
from tests.ingest.test_values import store as store


def _parquet(path, frame: pd.DataFrame):
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


def test_a_bad_parquet_file_quarantines_exactly_what_the_csv_does(store, tmp_path):
    as_csv = import_values(store, write(tmp_path / "bad.csv", BAD), strict=True)
    frame = pd.read_csv(io.StringIO(BAD.strip()), dtype=str, keep_default_na=False)
    as_parquet = import_values(store, _parquet(tmp_path / "bad.parquet", frame), strict=True)
    found = lambda r: [(p.row, p.column, p.reason_zh, p.reason_en) for p in r.problems]  # noqa: E731
    assert as_parquet.file_format == "parquet"
    assert found(as_parquet) == found(as_csv)
    assert len(found(as_csv)) == 9  # rows 3..11, one problem each (9 and 10: the duplicate)
    csv_q = pd.read_csv(as_csv.quarantine_path, dtype=str, encoding="utf-8-sig")
    parquet_q = pd.read_csv(as_parquet.quarantine_path, dtype=str, encoding="utf-8-sig")
    assert csv_q.equals(parquet_q)
    assert stored(store) == {}  # strict: nothing of either file loaded


def test_typed_parquet_cells_load_and_a_re_import_changes_nothing(store, tmp_path):
    frame = pd.DataFrame(
        {
            "org_unit": ["A", "B"],
            "period": pd.array([2025, 2025], dtype="int64"),  # a number, as Excel would hold it
            "常住人口": [1000, 900],
            "residential_floor_area_m2": [45000.5, None],  # null: no value, not zero
        }
    )
    path = _parquet(tmp_path / "wide.parquet", frame)
    first = import_values(store, path)
    assert (first.exit_code, first.inserted, first.empty) == (0, 3, 1)
    assert stored(store) == {
        ("resident_population", "A", "2025"): 1000.0,
        ("resident_population", "B", "2025"): 900.0,
        ("residential_floor_area_m2", "A", "2025"): 45000.5,
    }
    with store.begin() as conn:
        entries = conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    again = import_values(store, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    with store.begin() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == entries
        assert audit.verify(conn).intact


def test_a_nested_parquet_column_is_refused_by_name(store, tmp_path):
    table = pa.table({"org_unit": ["A"], "period": ["2025"], "tags": [[1, 2]]})
    pq.write_table(table, tmp_path / "nested.parquet")
    with pytest.raises(ImportFileError, match="tags"):
        import_values(store, tmp_path / "nested.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(ImportFileError, match="cannot read the Parquet file"):
        import_values(store, tmp_path / "broken.parquet")


def test_new_values_of_an_import_are_one_audit_entry_that_names_the_batch(store, tmp_path):
    # 2 units (A, B) x 2 periods x 3 elements = 12 new values
    lines = ["org_unit,period,resident_population,adult_population,land_area_m2"]
    lines += [f"{u},{p},100,80,5000" for u in ("A", "B") for p in ("2024", "2025")]
    with store.begin() as conn:
        before = conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    report = import_values(store, write(tmp_path / "v.csv", "\n".join(lines)))
    assert report.inserted == 12
    with store.begin() as conn:
        new = conn.execute(
            select(AuditEntry).where(AuditEntry.id > 0).order_by(AuditEntry.id)
        ).all()[before:]
    assert [(e.action, e.entity, e.entity_key, e.import_id) for e in new] == [
        ("insert_batch", "data_value", "12 values", report.import_id)
    ]
    assert '"inserted": 12' in new[0].after and '"2024": 6' in new[0].after

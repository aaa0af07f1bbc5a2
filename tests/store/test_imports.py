"""The one audited writer of a batch of values: lock check, diff, batch row, apply.

File imports, the voice feed and coverage all write through `store.imports.write_values`;
these tests state what each of them relies on, on a tiny tree (S1 ── A, B).
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from shequ.errors import ShequError, VoiceError
from shequ.ingest.orgunits import import_org_units
from shequ.store import approvals, audit, imports
from shequ.store import values as store_values
from shequ.store.db import Store
from shequ.store.tables.core import DataValue, ImportBatch
from tests._files import write

UNITS = (
    "code,name,parent_code,level\nS1,一街道,,street\nA,甲社区,S1,community\nB,乙社区,S1,community\n"
)


@pytest.fixture
def tree(any_store: Store, tmp_path) -> Store:
    assert import_org_units(any_store, write(tmp_path / "u.csv", UNITS)).exit_code == 0
    return any_store


def _rows(a: float, b: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "data_element": "participants",
            "org_unit": ["A", "B"],
            "period": "2025",
            "value": [a, b],
        }
    )


def _batches(store: Store, kind: str) -> list:
    with store.begin() as conn:
        return conn.execute(select(ImportBatch).where(ImportBatch.kind == kind)).all()


def test_a_batch_is_written_once_and_an_unchanged_rerun_changes_nothing(tree: Store) -> None:
    batch = imports.Batch("voice", "shequ voice feed 2025", always=False)
    with tree.begin() as conn:
        first = imports.write_values(conn, _rows(3, 5), actor="t", batch=batch)
    assert first.counts() == {"inserted": 2, "updated": 0, "unchanged": 0}
    with tree.begin() as conn:
        again = imports.write_values(conn, _rows(3, 5), actor="t", batch=batch)
    assert again.counts() == {"inserted": 0, "updated": 0, "unchanged": 2}
    assert again.import_id is None  # without `always`, an unchanged run leaves no batch row
    (row,) = _batches(tree, "voice")
    assert (row.status, row.rows_total, row.rows_inserted, row.file_name) == (
        "ok",
        2,
        2,
        "shequ voice feed 2025",
    )
    with tree.begin() as conn:
        stored = conn.execute(select(func.count()).select_from(DataValue)).scalar()
        ids = set(conn.execute(select(DataValue.import_id)).scalars())
    assert stored == 2 and ids == {first.import_id}


def test_a_changed_value_is_updated_and_audited_with_before_and_after(tree: Store) -> None:
    batch = imports.Batch("coverage", "coverage:x:500m:network", "abc")
    with tree.begin() as conn:
        imports.write_values(conn, _rows(3, 5), actor="t", batch=batch)
    with tree.begin() as conn:
        written = imports.write_values(conn, _rows(3, 6), actor="u", batch=batch)
        trail = audit.history(conn, "data_value", "participants/B/2025")
    assert written.counts() == {"inserted": 0, "updated": 1, "unchanged": 1}
    assert len(_batches(tree, "coverage")) == 2  # `always`: every run is recorded
    newest = trail.iloc[0]
    assert (newest["action"], newest["actor"], newest["import_id"]) == (
        "update",
        "u",
        written.import_id,
    )
    assert newest["before"] == '{"value": 5.0}' and newest["after"] == '{"value": 6.0}'


def test_an_approved_unit_refuses_the_whole_batch(tree: Store) -> None:
    """S1 approved 2025 locks A and B: nothing is written, no batch row, and the message
    names the first locked unit (A) and the approver (S1), in the caller's error type."""
    with tree.begin() as conn:
        approvals.approve(conn, "S1", "2025", actor="t")
    message = "period 2025 of org unit A is approved and locked by S1"
    with pytest.raises(VoiceError, match=message), tree.begin() as conn:
        imports.write_values(
            conn,
            _rows(3, 5),
            actor="t",
            batch=imports.Batch("voice", "feed"),
            locked=lambda m: VoiceError(m, field="period"),
        )
    with pytest.raises(ShequError, match="locked by S1"), tree.begin() as conn:
        imports.write_values(conn, _rows(3, 5), actor="t")
    with tree.begin() as conn:
        assert store_values.read(conn).empty
    assert _batches(tree, "voice") == []


def test_progress_counts_the_rows_written_in_chunks(tree: Store, monkeypatch) -> None:
    monkeypatch.setattr(store_values, "BULK", 1)  # new rows are inserted in chunks of BULK
    seen: list[tuple[int, int]] = []
    with tree.begin() as conn:
        imports.write_values(
            conn, _rows(3, 5), actor="t", progress=lambda d, t: seen.append((d, t))
        )
    assert seen == [(1, 2), (2, 2)]

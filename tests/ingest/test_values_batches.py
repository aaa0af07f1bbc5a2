"""A Parquet file read in batches (`ingest._streamed`, the path of national files) is
imported exactly as the same file read whole: the same problems (row, column, reason in
both languages), the same quarantine bytes, the same values, counts, findings and audit
entry; a key repeated in two batches is found; a kill -9 leaves the store as it was."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from shequ.ingest import _streamed
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store import approvals
from shequ.store.db import open_store
from shequ.store.tables.core import AuditEntry
from tests._files import write
from tests.ingest.test_values import UNITS, stored
from tests.ingest.test_values_fast import BAD_LONG, BAD_WIDE, EXPECTED_LONG, PEERS


def _fresh(tmp_path, name, units=UNITS):
    store = open_store(tmp_path / f"{name}.db")
    assert import_org_units(store, write(tmp_path / f"{name}_units.csv", units)).exit_code == 0
    return store


def _parquet(tmp_path, name, text, **read):
    frame = pd.read_csv(write(tmp_path / f"{name}.csv", text), **read)
    path = tmp_path / f"{name}.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


def _found(report):
    return [(p.row, p.column, p.reason_zh, p.reason_en) for p in report.problems]


def _outcome(report):
    quarantine = report.quarantine_path.read_bytes() if report.quarantine_path else None
    counts = (report.rows_total, report.empty, report.quarantined_rows, report.inserted)
    counts = (*counts, report.updated, report.unchanged, report.status, report.findings)
    return _found(report), quarantine, counts


def _both(tmp_path, monkeypatch, path, batch, units=UNITS, **options):
    """(whole, in batches of ``batch`` rows) reports of ``path``, each into a fresh store
    (B's 2024 approved and locked, as in test_values_fast, when the units have a B)."""
    whole_store, batch_store = _fresh(tmp_path, "whole", units), _fresh(tmp_path, "batches", units)
    for store in (whole_store, batch_store):
        if units is UNITS:
            with store.begin() as conn:
                approvals.approve(conn, "B", "2024", actor="reviewer")
    whole = import_values(whole_store, path, **options)
    whole_out = _outcome(whole)
    monkeypatch.setattr(_streamed, "BATCH", batch)
    monkeypatch.setattr(_streamed, "WHOLE", 0)
    batches = import_values(batch_store, path, **options)
    monkeypatch.undo()
    return whole, batches, whole_out, _outcome(batches), whole_store, batch_store


@pytest.mark.parametrize("strict", [True, False])
def test_a_bad_long_file_in_batches_is_quarantined_as_when_read_whole(
    tmp_path, monkeypatch, strict
):
    path = _parquet(tmp_path, "bad", BAD_LONG, dtype=str, keep_default_na=False)
    # batches of 4 rows: rows 2-5, 6-9, 10-13, ...: the repeated key of rows 9 and 10
    # is in two batches
    _whole, batches, whole_out, batches_out, whole_store, batch_store = _both(
        tmp_path, monkeypatch, path, 4, strict=strict
    )
    assert [(r, c, en) for r, c, _, en in _found(batches)] == EXPECTED_LONG
    assert batches_out == whole_out
    assert stored(batch_store) == stored(whole_store)
    assert len(stored(batch_store)) == (0 if strict else 4)  # test_values_fast's LOADED_LONG
    # the same again: 4 unchanged, nothing inserted, the same quarantine
    again = import_values(whole_store, path, strict=strict)
    monkeypatch.setattr(_streamed, "BATCH", 4)
    monkeypatch.setattr(_streamed, "WHOLE", 0)
    again_batches = import_values(batch_store, path, strict=strict)
    assert _outcome(again_batches) == _outcome(again)
    assert again_batches.unchanged == (0 if strict else 4)


def test_a_bad_wide_file_in_batches_is_quarantined_as_when_read_whole(tmp_path, monkeypatch):
    path = _parquet(tmp_path, "wide", BAD_WIDE, dtype={"org_unit": str, "period": str})
    # batches of 2 rows: A/2025 is on rows 2 and 5, in the first and the second batch
    _whole, batches, whole_out, batches_out, whole_store, batch_store = _both(
        tmp_path, monkeypatch, path, 2
    )
    assert batches_out == whole_out
    repeated = [p for p in batches.problems if "more than once" in p.reason_en]
    assert [(p.row, p.column) for p in repeated] == [(2, "常住人口"), (5, "常住人口")]
    # loaded: A/2025 adult_population 700 and criminal_cases 0 would be row 2's, but
    # row 2 is bad (its 常住人口 is repeated); B/2024 row 6 has an unknown column: nothing
    assert stored(batch_store) == stored(whole_store) == {}


def test_findings_in_batches_judge_each_value_with_its_peers_in_other_batches(
    tmp_path, monkeypatch
):
    # P1..P5 are the communities of street S1: P5 (5 000) is an outlier among 1 000, 1 010,
    # 990, 1 005 (test_values_fast: modified z = 539.26 > 3.5). Read in batches of 2 rows,
    # P5's peers are in the batches before it; it is judged with them all the same.
    lines = ["org_unit,period,resident_population"]
    lines += [
        f"P{i},2025,{v}" for i, v in zip(range(1, 6), (1000, 1010, 990, 1005, 5000), strict=True)
    ]
    lines += [f"Q{i},2025,50000" for i in range(1, 5)]
    path = _parquet(tmp_path, "peers", "\n".join(lines), dtype={"org_unit": str, "period": str})
    whole, batches, whole_out, batches_out, *_ = _both(tmp_path, monkeypatch, path, 2, PEERS)
    assert batches_out == whole_out
    assert [(f.rows, f.org_unit, f.rule) for f in whole.violations] == [
        ((6,), "P5", "peer_modified_z")
    ]
    assert batches.violations == whole.violations


@pytest.mark.parametrize("strict_rules", [True, False])
def test_a_must_fix_rule_in_a_later_batch_refuses_the_file_with_strict_rules(
    tmp_path, monkeypatch, strict_rules
):
    # row 3: Q1's 900 adults > 800 residents (rule adults_within_residents, must fix); P1
    # (street S1) is written before Q1's part (street S2) is judged: it is rolled back
    text = "org_unit,period,resident_population,adult_population\nP1,2025,1000,700\nQ1,2025,800,900"
    path = _parquet(tmp_path, "rule", text, dtype={"org_unit": str, "period": str})
    _, batches, whole_out, batches_out, whole_store, batch_store = _both(
        tmp_path, monkeypatch, path, 1, PEERS, strict_rules=strict_rules
    )
    assert batches_out == whole_out
    assert batches.findings == (1, 1)
    (finding,) = batches.violations
    assert (finding.rows, finding.org_unit, finding.rule) == ((3,), "Q1", "adults_within_residents")
    assert batches.status == ("rejected" if strict_rules else "ok")
    assert len(stored(batch_store)) == (0 if strict_rules else 4) == len(stored(whole_store))


def _insert_entries(store):
    with store.begin() as conn:
        rows = conn.execute(
            select(AuditEntry.action, AuditEntry.after).where(AuditEntry.entity == "data_value")
        ).all()
    return [(a, json.loads(b) if isinstance(b, str) else b) for a, b in rows]


def test_the_audit_entry_of_a_file_in_batches_is_that_of_the_file_read_whole(tmp_path, monkeypatch):
    lines = ["org_unit,period,resident_population,adult_population"]
    lines += [f"{u},{y},{1000 + i},{800 + i}" for i, (u, y) in enumerate(
        [("A", 2024), ("B", 2025), ("A", 2025), ("B", 2023)])]  # fmt: skip
    path = _parquet(tmp_path, "ok", "\n".join(lines), dtype={"org_unit": str, "period": str})
    _whole, batches, whole_out, batches_out, whole_store, batch_store = _both(
        tmp_path, monkeypatch, path, 1
    )
    assert batches_out == whole_out
    assert batches.inserted == 8  # 4 rows x 2 elements
    # one entry for the 8 new values, whether written in one part or in four
    (entry,) = _insert_entries(batch_store)
    assert entry == _insert_entries(whole_store)[0]
    assert entry[1]["inserted"] == 8 and entry[1]["periods"] == {"2023": 2, "2024": 2, "2025": 4}


def _indexes(db):
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'data_value' ORDER BY name"
        ).fetchall()


def test_a_file_in_batches_killed_mid_write_leaves_no_trace(tmp_path, monkeypatch):
    lines = ["code,name,parent_code,level", "C,市,,city"]  # 30 streets of 100 communities
    lines += [f"S{s:02d},街道{s},C,street" for s in range(30)]
    lines += [f"K{i:05d},社区{i},S{i // 100:02d},community" for i in range(3_000)]
    store = open_store(tmp_path / "k.db")
    import_org_units(store, write(tmp_path / "units.csv", "\n".join(lines)))
    values = ["org_unit,period,resident_population,adult_population"]
    values += [f"K{i:05d},2025,{1000 + i},{800 + i}" for i in range(3_000)]
    path = _parquet(tmp_path, "k", "\n".join(values), dtype={"org_unit": str, "period": str})
    before = (stored(store), _insert_entries(store), _indexes(tmp_path / "k.db"))
    script = textwrap.dedent(f"""
        import os, signal
        from shequ.ingest import _streamed
        from shequ.ingest.values import import_values
        from shequ.store import bulk
        from shequ.store.db import open_store
        _streamed.BATCH, _streamed.WHOLE = 1000, 0  # 6 000 values in parts of 1 000 (5 streets): die after the first
        bulk.INDEXES_AFTER = 1000  # data_value's indexes dropped, to be built after the load
        def die(done, total):
            print(done, total, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        print(os.getpid(), flush=True)
        import_values(open_store({str(tmp_path / "k.db")!r}), {str(path)!r}, progress=die)
    """)
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env={**os.environ},
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr
    child_pid, done, total = map(int, child.stdout.split())
    assert 0 < done < total == 6_000  # it died with part of the file written
    assert (stored(store), _insert_entries(store), _indexes(tmp_path / "k.db")) == before
    spools = [s for s in Path(tempfile.gettempdir()).glob("shequ-import-*") if (s / "pid").exists()]
    killed = [s for s in spools if (s / "pid").read_text() == str(child_pid)]
    monkeypatch.setattr(_streamed, "WHOLE", 0)  # in batches again
    monkeypatch.setattr(_streamed, "BATCH", 1000)
    again = import_values(open_store(tmp_path / "k.db"), path)
    assert again.inserted == 6_000
    # the killed import's spool (its process is gone) was removed by the next import
    assert len(killed) == 1 and not killed[0].exists()


def test_a_file_in_batches_loads_the_same_on_every_store(any_store, tmp_path, monkeypatch):
    # SQLite (the indexes set aside and built after the load, as for a
    # national file into an empty table: here from 1 row on) and PostgreSQL (COPY)
    from shequ.store import bulk
    from tests.ingest.test_values_fast import LOADED_LONG

    assert import_org_units(any_store, write(tmp_path / "units.csv", UNITS)).exit_code == 0
    with any_store.begin() as conn:
        approvals.approve(conn, "B", "2024", actor="reviewer")
    path = _parquet(tmp_path, "bad", BAD_LONG, dtype=str, keep_default_na=False)
    monkeypatch.setattr(_streamed, "BATCH", 4)
    monkeypatch.setattr(_streamed, "WHOLE", 0)
    monkeypatch.setattr(bulk, "INDEXES_AFTER", 1)
    report = import_values(any_store, path)
    assert [(r, c, en) for r, c, _, en in _found(report)] == EXPECTED_LONG
    assert (report.inserted, stored(any_store)) == (4, LOADED_LONG)
    again = import_values(any_store, path)
    assert (again.inserted, again.unchanged) == (0, 4)

"""``shequ backup`` / ``shequ restore`` (issue 13, "backup and restore"): a backup restored
and evaluated again gives identical results, also when the backup was taken while another
process kept writing; a file that is no backup is refused with exit 2."""

import os
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from sqlalchemy import text

from shequ.errors import StoreError
from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.ingest.values import import_values
from shequ.store import audit, backup, runs
from shequ.store.db import open_store
from tests import _city
from tests._files import write
from tests.cli._invoke import invoke

# what the backup must not contain: A's population doubled after the backup was taken
LATER = "org_unit,period,resident_population\nA,2025,2000\n"


def _results(store) -> pd.DataFrame:
    out = evaluate(store, load_plan("national"), periods=["2025"], persist=False).results
    return out.sort_values(["indicator", "org_unit"]).reset_index(drop=True)


def _fresh(store, tmp_path):
    if store.sqlite_path is not None:
        return open_store(tmp_path / "restored.db")
    return store  # restoring a PostgreSQL dump into its own database


def test_a_restored_backup_evaluates_to_identical_results(any_store, tmp_path):
    _city.build(any_store, tmp_path)
    expected = _results(any_store)
    with any_store.begin() as conn:
        head = audit.verify(conn).head
    path = backup.backup(any_store, tmp_path / "city.backup")
    assert import_values(any_store, write(tmp_path / "later.csv", LATER)).exit_code == 0
    assert not _results(any_store).equals(expected)  # the store moved on after the backup

    target = _fresh(any_store, tmp_path)
    backup.restore(target, path)
    pd.testing.assert_frame_equal(_results(target), expected)
    with target.begin() as conn:
        restored = audit.verify(conn)
    assert restored.intact and restored.head == head  # the same trail, up to the backup


def test_restoring_onto_a_store_with_runs_replaces_them(sqlite_store, tmp_path):
    _city.build(sqlite_store, tmp_path)
    path = backup.backup(sqlite_store, tmp_path / "before-run.backup")
    evaluate(sqlite_store, load_plan("national"), periods=["2025"])
    backup.restore(sqlite_store, path)
    with sqlite_store.begin() as conn:
        assert runs.latest_id(conn) is None  # the run came after the backup


def test_a_backup_taken_while_another_process_writes_is_whole(tmp_path):
    store = open_store(tmp_path / "busy.db")
    _city.build(store, tmp_path)
    # the writer adds 5-entry audit transactions as fast as it can until told to stop
    stop = tmp_path / "stop"
    script = textwrap.dedent(f"""
        import pathlib
        from shequ.store import audit
        from shequ.store.db import open_store
        store, n = open_store({str(store.sqlite_path)!r}, migrate=False), 0
        while not pathlib.Path({str(stop)!r}).exists():
            with store.begin() as conn:
                audit.record(conn, [("update", "x", f"{{n}}-{{i}}", None, {{"n": n}})
                                    for i in range(5)], actor="writer")
            n += 1
        print(n)
    """)
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              text=True, env={**os.environ})  # fmt: skip
    try:
        copies = []
        for i in range(5):  # each backup once the writer has written more since the last
            _wait_for_more(store, 5 * i)
            copies.append(backup.backup(store, tmp_path / f"b{i}.backup"))
    finally:
        stop.touch()
    assert writer.wait(timeout=60) == 0
    assert int(writer.stdout.read()) > 0
    counts = []
    for i, path in enumerate(copies):
        restored = open_store(tmp_path / f"r{i}.db")
        backup.restore(restored, path)
        with restored.begin() as conn:
            found = audit.verify(conn)
            # whole transactions only: the writer's entries come in fives
            written = conn.execute(text("SELECT count(*) FROM audit_log WHERE actor='writer'"))
            counts.append(written.scalar())
        assert found.intact
        assert counts[-1] % 5 == 0 and counts[-1] > 5 * i
        pd.testing.assert_frame_equal(_results(restored), _results(store))


def _wait_for_more(store, than: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with store.begin() as conn:
            written = conn.execute(text("SELECT count(*) FROM audit_log WHERE actor='writer'"))
            if written.scalar() > than:
                return
        time.sleep(0.05)
    raise AssertionError("the writer wrote nothing")


def test_a_file_that_is_no_backup_is_refused_with_exit_2(tmp_path):
    store = open_store(tmp_path / "s.db")
    _city.build(store, tmp_path)
    bogus = write(tmp_path / "notes.txt", "not a backup")
    with pytest.raises(StoreError, match="not a shequ backup"):
        backup.restore(store, bogus)
    result = invoke("restore", bogus, "--db", tmp_path / "s.db", "--yes")
    assert result.exit_code == 2 and "not a shequ backup" in result.output
    missing = invoke("restore", tmp_path / "nope.backup", "--db", tmp_path / "s.db", "--yes")
    assert missing.exit_code == 2 and "not found" in missing.output
    # and the store is as it was: the tiny city's 8 units
    with store.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM org_unit")).scalar() == 8


def test_the_commands_back_up_and_restore(tmp_path):
    db = tmp_path / "s.db"
    store = open_store(db)
    _city.build(store, tmp_path)
    made = invoke("backup", tmp_path / "x.backup", "--db", db)
    assert made.exit_code == 0 and (tmp_path / "x.backup").exists()
    assert not (tmp_path / "x.backup.partial").exists()
    done = invoke("restore", tmp_path / "x.backup", "--db", tmp_path / "new.db", "--yes")
    assert done.exit_code == 0, done.output
    pd.testing.assert_frame_equal(_results(open_store(tmp_path / "new.db")), _results(store))


@pytest.mark.postgres
def test_an_sqlite_backup_is_refused_by_a_postgresql_store(pg_store, tmp_path):
    store = open_store(tmp_path / "s.db")
    path = backup.backup(store, tmp_path / "s.backup")
    with pytest.raises(StoreError, match="cannot be restored into a postgresql store"):
        backup.restore(pg_store, path)

"""`store.bulk.indexes_after`: a big load into an empty table builds its non-unique indexes
after the load, in the same transaction; otherwise the indexes stay as they are."""

import sqlite3

import pandas as pd

from shequ.store import bulk
from shequ.store.db import open_store
from shequ.store.tables.core import DataValue

TABLE = DataValue.__table__


def _indexes(db) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = "
            "'data_value' AND sql IS NOT NULL ORDER BY name"
        ).fetchall()


def _rows(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "data_element": "resident_population",
            "org_unit": [f"U{i}" for i in range(n)],
            "period": "2025",
            "value": [float(i) for i in range(n)],
            "updated_by": "test",
            "updated_at": pd.Timestamp("2026-12-01"),
        }
    )


def test_a_big_load_into_an_empty_table_builds_its_indexes_after_it(tmp_path, monkeypatch):
    store = open_store(tmp_path / "s.db")
    before = _indexes(tmp_path / "s.db")
    assert [n for n, _ in before] == ["ix_data_value_period", "ix_data_value_unit"]
    monkeypatch.setattr(bulk, "INDEXES_AFTER", 3)
    seen = []
    with store.begin() as conn:
        bulk.insert_rows(conn, TABLE, _rows(1))  # a write first: the transaction is open
        with bulk.indexes_after(conn, TABLE, rows=3):
            seen = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name = 'data_value'"
            ).all()
            bulk.insert_rows(conn, TABLE, _rows(3).assign(period="2024"))
    # not empty (the first row): the indexes stayed during the load
    assert len(seen) == 2
    assert _indexes(tmp_path / "s.db") == before


def test_an_empty_table_loses_its_indexes_only_during_the_load(tmp_path, monkeypatch):
    store = open_store(tmp_path / "s.db")
    before = _indexes(tmp_path / "s.db")
    monkeypatch.setattr(bulk, "INDEXES_AFTER", 3)
    with store.begin() as conn:
        conn.exec_driver_sql("INSERT INTO period (code, type, start_date, end_date, locked) VALUES "
                             "('2025', 'year', '2025-01-01', '2025-12-31', 0)")  # fmt: skip
        with bulk.indexes_after(conn, TABLE, rows=3):
            during = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name = 'data_value'"
            ).scalar_one()
            bulk.insert_rows(conn, TABLE, _rows(3))
    assert during == 0  # dropped while the 3 rows went in
    assert _indexes(tmp_path / "s.db") == before  # and built again, with the same SQL
    with store.begin() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM data_value WHERE org_unit = 'U1'"
        ).all()
    assert "ix_data_value_unit" in str(plan)


def test_without_an_open_write_nothing_is_dropped_on_sqlite(tmp_path, monkeypatch):
    # Python's sqlite3 would commit a DROP INDEX at once outside a transaction: a crash
    # during the load would leave the table without its index
    store = open_store(tmp_path / "s.db")
    monkeypatch.setattr(bulk, "INDEXES_AFTER", 3)
    with store.begin() as conn, bulk.indexes_after(conn, TABLE, rows=3):
        during = len(_indexes(tmp_path / "s.db"))
    assert during == 2


def test_a_batch_entry_digest_read_in_parts_is_that_of_the_keys_one_a_line():
    import hashlib

    from shequ.store import audit

    keys = ["a/U1/2025/default", "a/U2/2025/default", "b/U1/2025/default"]
    expected = hashlib.sha256(b"a/U1/2025/default\na/U2/2025/default\nb/U1/2025/default")
    assert audit.keys_sha256(audit.key_lines(keys, size=2)) == expected.hexdigest()
    assert audit.keys_sha256(audit.key_lines(keys, size=1)) == expected.hexdigest()

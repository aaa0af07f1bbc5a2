"""The inputs digest: the same data gives the same digest on every engine and in any row
order; any change of a value read or of the tree changes it."""

import pytest
from sqlalchemy import text

from shequ.evaluate import backends
from shequ.evaluate.digest import inputs_digest
from tests import _city

# the data elements of tests._city; the digest folds the (element, period) cells read
ELEMENTS = (
    "resident_population",
    "residential_floor_area_m2",
    "green_area_m2",
    "land_area_m2",
    "criminal_cases",
)


def _digest(store, engine, periods=("2020", "2025"), elements=ELEMENTS):
    cells = [(e, p) for e in elements for p in periods]
    with backends.connect(store, engine) as eng:
        return inputs_digest(eng.tables, cells, batches=eng.batches)


def test_same_data_same_digest_on_duckdb_and_sqlite(sqlite_store, tmp_path):
    _city.build(sqlite_store, tmp_path)
    found = {engine: _digest(sqlite_store, engine) for engine in ("duckdb", "sqlite")}
    assert found["duckdb"] == found["sqlite"]
    assert len(found["duckdb"]) == 32


@pytest.mark.spark
def test_same_data_same_digest_on_spark_through_its_own_fetch(sqlite_store, tmp_path):
    # the national run on Spark died here: Ibis' PySpark batches collect every row to the
    # driver (toPandas of 14.6 M values, Java heap space); the engine's fetch (Parquet
    # written by the executors, read by Arrow) must fold to the very same digest
    _city.build(sqlite_store, tmp_path)
    with backends.connect(sqlite_store, "spark") as eng:
        assert eng.fetch is not None  # local mode
    assert _digest(sqlite_store, "spark") == _digest(sqlite_store, "duckdb")


@pytest.mark.postgres
def test_same_data_same_digest_on_postgres(sqlite_store, pg_store, tmp_path):
    for name, store in (("a", sqlite_store), ("b", pg_store)):
        (tmp_path / name).mkdir()
        _city.build(store, tmp_path / name)
    assert _digest(pg_store, "postgres") == _digest(sqlite_store, "duckdb")


def test_row_order_does_not_matter_but_every_change_does(sqlite_store, tmp_path):
    _city.build(sqlite_store, tmp_path)
    before = _digest(sqlite_store, "duckdb")
    with sqlite_store.begin() as conn:  # the same rows, stored in the opposite order
        conn.execute(text("CREATE TABLE dv AS SELECT * FROM data_value ORDER BY id DESC"))
        conn.execute(text("DELETE FROM data_value"))
        conn.execute(text("INSERT INTO data_value SELECT * FROM dv ORDER BY id DESC"))
        conn.execute(text("DROP TABLE dv"))
    assert _digest(sqlite_store, "duckdb") == before
    with sqlite_store.begin() as conn:  # A's 2025 population 1000 → 1001
        conn.execute(
            text(
                "UPDATE data_value SET value = 1001 WHERE org_unit = 'A' AND period = '2025'"
                " AND data_element = 'resident_population'"
            )
        )
    changed = _digest(sqlite_store, "duckdb")
    assert changed != before
    # a period not read is not part of the digest: only 2025 read, 2020 values changed
    only_2025 = _digest(sqlite_store, "duckdb", ["2025"])
    with sqlite_store.begin() as conn:
        conn.execute(text("UPDATE data_value SET value = value + 1 WHERE period = '2020'"))
    assert _digest(sqlite_store, "duckdb", ["2025"]) == only_2025
    assert _digest(sqlite_store, "duckdb") != changed
    # nor an element not read: 2025 without criminal_cases, then A's cases changed
    without_cases = _digest(sqlite_store, "duckdb", ["2025"], ELEMENTS[:-1])
    with sqlite_store.begin() as conn:
        conn.execute(text("UPDATE data_value SET value = 15 WHERE data_element = 'criminal_cases'"))
    assert _digest(sqlite_store, "duckdb", ["2025"], ELEMENTS[:-1]) == without_cases
    before_tree = _digest(sqlite_store, "duckdb", ["2025"])
    assert before_tree != only_2025
    with sqlite_store.begin() as conn:  # the tree: F's closure row to D ends a day earlier
        conn.execute(
            text(
                "UPDATE org_unit_path SET valid_to = '2099-12-30' WHERE descendant_code = 'F'"
                " AND ancestor_code = 'D'"
            )
        )
    assert _digest(sqlite_store, "duckdb", ["2025"]) != before_tree

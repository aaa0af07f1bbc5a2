"""Every evaluation test runs on every engine: DuckDB, SQLite and Spark (local mode, over a
Parquet export) on an SQLite store, and PostgreSQL on a PostgreSQL store (``pytest -m duckdb``
runs one). The Spark session is the process's one (`shequ.spark`), started by the first test
that needs it."""

import pytest

ENGINES = [
    pytest.param(("duckdb", "sqlite_store"), marks=pytest.mark.duckdb, id="duckdb"),
    pytest.param(("sqlite", "sqlite_store"), marks=pytest.mark.sqlite, id="sqlite"),
    pytest.param(("postgres", "pg_store"), marks=pytest.mark.postgres, id="postgres"),
    pytest.param(("spark", "sqlite_store"), marks=pytest.mark.spark, id="spark"),
]


@pytest.fixture(params=ENGINES)
def engine_store(request):
    """(engine name, an empty store that engine can read)."""
    engine, store_fixture = request.param
    return engine, request.getfixturevalue(store_fixture)

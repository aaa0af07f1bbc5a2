"""Every evaluation test runs on every engine: DuckDB and SQLite over an SQLite store, and
PostgreSQL over a PostgreSQL store (``pytest -m duckdb`` runs one)."""

import pytest

ENGINES = [
    pytest.param(("duckdb", "sqlite_store"), marks=pytest.mark.duckdb, id="duckdb"),
    pytest.param(("sqlite", "sqlite_store"), marks=pytest.mark.sqlite, id="sqlite"),
    pytest.param(("postgres", "pg_store"), marks=pytest.mark.postgres, id="postgres"),
]


@pytest.fixture(params=ENGINES)
def engine_store(request):
    """(engine name, an empty store that engine can read)."""
    engine, store_fixture = request.param
    return engine, request.getfixturevalue(store_fixture)

from sqlalchemy import text

from shequ.store import db

TABLES = {
    "org_unit",
    "org_unit_path",
    "period",
    "data_value",
    "import_batch",
    "evaluation_run",
    "evaluation_result_part",
    "audit_log",
}


def test_migrations_create_the_schema_on_both_databases(any_store):
    assert set(db.table_names(any_store)) >= TABLES
    assert db.current_revision(any_store) == db.head_revision()
    db.upgrade(any_store)  # a second upgrade is a no-op
    assert db.current_revision(any_store) == db.head_revision()


def test_migrations_match_the_models(any_store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from shequ.store.tables.core import Base

    with any_store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_store_runs_in_wal_mode(sqlite_store):
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_store_location_comes_from_argument_or_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQU_DB", str(tmp_path / "env.db"))
    assert db.resolve_url() == f"sqlite:///{tmp_path / 'env.db'}"
    assert db.resolve_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"

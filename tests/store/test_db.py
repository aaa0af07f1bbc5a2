import datetime as dt

import pandas as pd
from sqlalchemy import text

from shequ.store import db, orgunits
from shequ.store.tables.core import SINCE_EVER, UNTIL_FURTHER

TABLES = {
    "org_unit",
    "org_unit_path",
    "period",
    "data_value",
    "import_batch",
    "evaluation_run",
    "evaluation_result",
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


def _v(code, parent, level, start=SINCE_EVER, end=UNTIL_FURTHER):
    return {
        "code": code,
        "name": code,
        "level": level,
        "parent_code": parent,
        "valid_from": start,
        "valid_to": end,
    }


def test_closure_follows_a_community_that_moved_street():
    # C > S1 until 2023-01-01, then C > S2 (S2 opened 2023-01-01). D is above both.
    cut = dt.date(2023, 1, 1)
    units = pd.DataFrame(
        [
            _v("D", None, "district"),
            _v("S1", "D", "street", end=cut),
            _v("S2", "D", "street", start=cut),
            _v("C", "S1", "community", end=cut),
            _v("C", "S2", "community", start=cut),
        ]
    )
    paths = orgunits.closure(units)
    ancestors = lambda day: set(  # noqa: E731
        paths[
            (paths.descendant_code == "C") & (paths.valid_from <= day) & (paths.valid_to > day)
        ].ancestor_code
    )
    assert ancestors(dt.date(2022, 12, 31)) == {"C", "S1", "D"}
    assert ancestors(dt.date(2023, 12, 31)) == {"C", "S2", "D"}


def test_subtree_is_one_query_on_the_stored_closure(any_store):
    with any_store.begin() as conn:
        counts = orgunits.write_versions(
            conn,
            [
                _v("D", None, "district"),
                _v("S", "D", "street"),
                _v("C1", "S", "community"),
                _v("C2", "S", "community"),
            ],
            actor="test",
        )
        assert counts == {"inserted": 4, "updated": 0, "unchanged": 0}
        assert orgunits.subtree(conn, "S", dt.date(2025, 1, 1)) == ["S", "C1", "C2"]
        assert orgunits.subtree_depths(conn, "D", dt.date(2025, 1, 1)) == {
            "D": 0,
            "S": 1,
            "C1": 2,
            "C2": 2,
        }

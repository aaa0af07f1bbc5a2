"""The voice tables arrive by migration: an existing store (at the previous schema, with
data) is upgraded by opening it, as `shequ init` does, and keeps its data."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from shequ.ingest.orgunits import import_org_units
from shequ.store import db
from tests._city import ORG_UNITS
from tests._files import write

VOICE_TABLES = {
    "suggestion",
    "suggestion_event",
    "survey_instrument",
    "survey_response",
    "activity",
    "attendance",
    "service_record",
}


def test_an_existing_store_is_upgraded_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = db.open_store(path)
    # the units are written by today's importer (its audit entries carry columns 0002
    # lacks), then the store is taken down to 0002
    assert import_org_units(old, write(tmp_path / "u.csv", ORG_UNITS)).exit_code == 0
    config = db._alembic_config(old)
    with old.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    assert not VOICE_TABLES & set(db.table_names(old))
    old.close()
    store = db.open_store(path)
    assert db.current_revision(store) == db.head_revision()
    assert set(db.table_names(store)) >= VOICE_TABLES
    with store.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM org_unit")).scalar() == 8


def test_the_migration_also_runs_on_postgres(pg_store) -> None:
    assert set(db.table_names(pg_store)) >= VOICE_TABLES
    assert db.current_revision(pg_store) == db.head_revision()

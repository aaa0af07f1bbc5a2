"""An upgrade is all or nothing on SQLite too (issue 13, crash trials).

Python's sqlite3 opens no transaction before DDL, so each CREATE TABLE of a migration
committed on its own: a kill -9 during ``shequ init`` left 0007's tables in a store still at
0006, and the re-run failed with "table evaluation_trend already exists" (seen in the
50-trial migration run). Here an upgrade from 0006 fails at migration 0010 (its table is in
the way); the store must be exactly as it was: at 0006, without 0007's tables.
"""

import pytest
import sqlalchemy as sa
from alembic import command

from shequ.store import db

ADDED_BY_0007 = {"evaluation_trend", "evaluation_history", "unit_profile"}


def _tables(store) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names())


def test_a_failed_upgrade_leaves_the_store_at_its_old_revision(tmp_path):
    store = db.open_store(tmp_path / "shequ.db")
    config = db._alembic_config(store)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    assert not ADDED_BY_0007 & _tables(store)
    with store.engine.begin() as conn:  # what 0010 will create, already there
        conn.exec_driver_sql("CREATE TABLE schedule_run (id INTEGER PRIMARY KEY)")
    with pytest.raises(sa.exc.OperationalError, match="already exists"):
        db.upgrade(store)
    assert db.current_revision(store) == "0006"
    assert not ADDED_BY_0007 & _tables(store)  # 0007..0009 rolled back with 0010
    store.close()

"""The audit trail shows tampering (issue 13, "audit trail that shows tampering"): each
entry carries the hash of the one before it, computed in the one writer `store.audit`;
`verify` reports the first broken link; migration 0013 chains the entries written before.
"""

import os
import subprocess
import sys
import textwrap

from alembic import command
from sqlalchemy import text, update

from shequ.store import audit, db
from shequ.store.tables.core import AuditEntry
from tests import _city
from tests.cli._invoke import invoke


def _write(store, n, actor="t"):
    with store.begin() as conn:
        audit.record(conn, [("update", "x", f"k{i}", {"v": i}, {"v": i + 1}) for i in range(n)],
                     actor=actor)  # fmt: skip


def test_an_untouched_trail_verifies_and_each_entry_names_the_one_before(any_store):
    _write(any_store, 3)
    _write(any_store, 2)
    with any_store.begin() as conn:
        found = audit.verify(conn)
        rows = conn.execute(text("SELECT prev_hash, entry_hash FROM audit_log ORDER BY id")).all()
    assert found.intact and found.checked == 5
    assert rows[0][0] == audit.GENESIS
    # the link: every entry's previous hash is the hash of the entry before it
    assert [r[0] for r in rows[1:]] == [r[1] for r in rows[:-1]]
    assert found.head == rows[-1][1]


def test_a_changed_entry_is_the_first_broken_link(any_store):
    _write(any_store, 5)
    with any_store.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM audit_log ORDER BY id"))]
        conn.execute(update(AuditEntry).where(AuditEntry.id == ids[2]).values(after='{"v":99}'))
        found = audit.verify(conn)
    assert (found.broken_id, found.checked) == (ids[2], 2)
    assert "changed" in found.reason_en and "修改" in found.reason_zh


def test_a_removed_entry_breaks_the_link_of_the_next(any_store):
    _write(any_store, 5)
    with any_store.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM audit_log ORDER BY id"))]
        conn.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids[1]})
        found = audit.verify(conn)
    assert (found.broken_id, found.checked) == (ids[2], 1)
    assert "removed or inserted" in found.reason_en


def test_an_entry_slipped_in_with_a_recomputed_own_hash_still_breaks_the_chain(any_store):
    _write(any_store, 3)
    with any_store.begin() as conn:
        last = conn.execute(text("SELECT max(id) FROM audit_log")).scalar()
        forged = {"at": None, "actor": "mallory", "action": "update", "entity": "x",
                  "entity_key": "k9", "before": None, "after": None, "import_id": None}  # fmt: skip
        # the forger hashes the new entry onto the first one (they do not rewrite the rest)
        first = conn.execute(text("SELECT entry_hash FROM audit_log ORDER BY id")).first()[0]
        conn.execute(
            text("UPDATE audit_log SET prev_hash = :p, entry_hash = :h WHERE id = :i"),
            {"p": first, "h": audit.entry_hash(first, forged), "i": last},
        )
        found = audit.verify(conn)
    assert found.broken_id == last


def test_the_cli_reports_the_broken_entry_and_exits_3(tmp_path):
    store = db.open_store(tmp_path / "s.db")
    _write(store, 4)
    assert invoke("audit", "verify", "--db", tmp_path / "s.db").exit_code == 0
    with store.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'nobody' WHERE id = 3"))
    result = invoke("audit", "verify", "--db", tmp_path / "s.db")
    assert result.exit_code == 3
    assert "entry 3" in result.output and "2 entries before it are intact" in result.output


def test_migration_0013_chains_the_entries_written_before_it(any_store, tmp_path):
    _city.build(any_store, tmp_path)  # 8 units, then 2 files of values: one batch entry each
    config = db._alembic_config(any_store)
    with any_store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0012_scenarios")
    with any_store.engine.begin() as conn:
        before = conn.execute(text("SELECT count(*) FROM audit_log")).scalar()
    db.upgrade(any_store)
    with any_store.begin() as conn:
        found = audit.verify(conn)
        nulls = conn.execute(text("SELECT count(*) FROM audit_log WHERE entry_hash IS NULL"))
        assert nulls.scalar() == 0
    assert found.intact and found.checked == before == 1 + 2


def test_two_processes_writing_at_once_keep_one_chain(any_store):
    # 2 writers × 20 transactions × 5 entries, interleaved: if both ever chained onto the
    # same entry, verify would find an entry whose previous hash is not its predecessor's
    script = textwrap.dedent(f"""
        import sys
        from shequ.store import audit
        from shequ.store.db import open_store
        store = open_store({any_store.url!r}, migrate=False)
        for t in range(20):
            with store.begin() as conn:
                audit.record(conn, [("update", "x", f"{{sys.argv[1]}}-{{t}}-{{i}}", None, None)
                                    for i in range(5)], actor=sys.argv[1])
    """)
    children = [
        subprocess.Popen([sys.executable, "-c", script, name], env={**os.environ})
        for name in ("w1", "w2")
    ]
    assert [c.wait(timeout=120) for c in children] == [0, 0]
    with any_store.begin() as conn:
        found = audit.verify(conn)
    assert found.intact and found.checked == 200

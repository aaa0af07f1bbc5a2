"""Per-unit period approval: an approved (unit, period) locks the unit and everything below it
on the period's last day, and nothing else; only a supervisor may approve or unlock."""

import pandas as pd
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from shequ.cli import app
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store import accounts, approvals, db
from shequ.store import values as store_values
from shequ.store.tables.core import AuditEntry
from tests._files import write

# C city ─ S1 street ─ A, B communities; C ─ S2 street ─ D community.
# M moved from S1 to S2 on 2025-07-01: on the last day of 2025Q1 it is under S1,
# on the last day of 2025 under S2.
UNITS = """
code,name,parent_code,level,opened,closed
C,示范市,,city,,
S1,一街道,C,street,,
S2,二街道,C,street,,
A,甲社区,S1,community,,
B,乙社区,S1,community,,
D,丁社区,S2,community,,
"""


@pytest.fixture
def store(any_store, tmp_path):
    assert import_org_units(any_store, write(tmp_path / "units.csv", UNITS)).exit_code == 0
    return any_store


def locked_units(store, period: str, units=("C", "S1", "S2", "A", "B", "D")) -> dict:
    with store.begin() as conn:
        frame = approvals.locked(conn, pd.DataFrame({"org_unit": list(units), "period": period}))
    return dict(zip(frame["org_unit"], frame["approved_unit"], strict=True))


def test_a_street_approval_locks_its_communities_not_another_streets(store):
    with store.begin() as conn:
        assert approvals.approve(conn, "S1", "2025", actor="t")
    # S1's subtree is S1, A, B; S2, D and the city above are open
    assert locked_units(store, "2025") == {"S1": "S1", "A": "S1", "B": "S1"}
    # another period of the same units is open
    assert locked_units(store, "2024") == {}


def test_a_community_approval_leaves_its_sister_communities_open(store):
    with store.begin() as conn:
        approvals.approve(conn, "A", "2025", actor="t")
    # A alone: its street S1 and sister B stay editable
    assert locked_units(store, "2025") == {"A": "A"}


def test_the_nearest_approval_is_named_and_unlock_restores(store):
    with store.begin() as conn:
        approvals.approve(conn, "C", "2025", actor="t")
        approvals.approve(conn, "S1", "2025", actor="t")
    # A is under S1 (depth 1) and C (depth 2): the nearest approving unit is S1; D only under C
    assert locked_units(store, "2025")["A"] == "S1"
    assert locked_units(store, "2025")["D"] == "C"
    with store.begin() as conn:
        assert approvals.unlock(conn, "C", "2025", actor="t")
        assert not approvals.unlock(conn, "C", "2025", actor="t")  # nothing left to unlock
    assert locked_units(store, "2025") == {"S1": "S1", "A": "S1", "B": "S1"}
    with store.begin() as conn:
        approvals.unlock(conn, "S1", "2025", actor="t")
        actions = [
            a
            for (a,) in conn.execute(
                select(AuditEntry.action).where(AuditEntry.entity == "period_approval")
            )
        ]
    assert locked_units(store, "2025") == {}
    # two approvals and two unlocks, each audited once
    assert sorted(actions) == ["approve", "approve", "unlock", "unlock"]


def test_ancestry_is_read_on_the_periods_last_day(any_store, tmp_path):
    """M belongs to S1 until 2025-07-01, then to S2: S1's approval of 2025Q1 (ends 03-31)
    locks M, S1's approval of 2025 (ends 12-31) does not; S2's approval of 2025 does."""
    moved = """
    code,name,parent_code,level,opened,closed
    C,示范市,,city,,
    S1,一街道,C,street,,
    S2,二街道,C,street,,
    """
    assert import_org_units(any_store, write(tmp_path / "u.csv", moved)).exit_code == 0
    with any_store.begin() as conn:
        import datetime as dt

        from shequ.store import orgunits

        far = dt.date(9999, 12, 31)
        orgunits.write_versions(
            conn,
            [
                {"code": "M", "name": "迁社区", "level": "community", "parent_code": "S1",
                 "valid_from": dt.date(2000, 1, 1), "valid_to": dt.date(2025, 7, 1)},
                {"code": "M", "name": "迁社区", "level": "community", "parent_code": "S2",
                 "valid_from": dt.date(2025, 7, 1), "valid_to": far},
            ],
            actor="t",
        )  # fmt: skip
        approvals.approve(conn, "S1", "2025Q1", actor="t")
        approvals.approve(conn, "S1", "2025", actor="t")
    assert locked_units(any_store, "2025Q1", ["M"]) == {"M": "S1"}
    assert locked_units(any_store, "2025", ["M"]) == {}
    with any_store.begin() as conn:
        approvals.approve(conn, "S2", "2025", actor="t")
    assert locked_units(any_store, "2025", ["M"]) == {"M": "S2"}


def test_an_import_quarantines_only_the_locked_units_rows(store, tmp_path):
    with store.begin() as conn:
        approvals.approve(conn, "S1", "2025", actor="审核员")
    csv = "org_unit,period,常住人口\nA,2025,1000\nD,2025,2000\nB,2024,3000\n"
    report = import_values(store, write(tmp_path / "v.csv", csv))
    # row 1 (A, 2025) is under the approved S1; D is under S2, and 2024 is not approved
    assert report.exit_code == 1
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.column == "period"
    assert "S1" in problem.reason_en and "S1" in problem.reason_zh and "A" in problem.reason_en
    with store.begin() as conn:
        frame = store_values.read(conn)
    loaded = {(r.org_unit, r.period): r.value for r in frame.itertuples()}
    assert loaded == {("D", "2025"): 2000.0, ("B", "2024"): 3000.0}


@pytest.mark.parametrize(
    ("role", "scope", "unit", "allowed"),
    [
        ("unit_staff", "A", "A", False),  # a community's own staff: never
        ("analyst", "A", "A", False),  # an analyst of the community itself: not a supervisor
        ("administrator", "S1", "S1", False),  # a street's admin cannot approve the street
        ("administrator", "S1", "A", True),  # ... but approves its communities
        ("analyst", "S1", "B", True),
        ("analyst", "S1", "D", False),  # D is under the other street
        ("read_only", "C", "A", False),  # reading is not approving
        ("analyst", "C", "C", False),  # the top unit: administrators only
        ("administrator", "C", "C", True),
    ],
)
def test_only_a_supervisor_may_approve(store, role, scope, unit, allowed):
    with store.begin() as conn:
        assert approvals.may_approve(conn, role, scope, unit, "2025") is allowed


def test_community_staff_cannot_approve_through_the_cli(sqlite_store, tmp_path):
    url = str(sqlite_store.sqlite_path)
    assert import_org_units(sqlite_store, write(tmp_path / "u.csv", UNITS)).exit_code == 0
    with sqlite_store.begin() as conn:
        for name, role, scope in [("jia", "unit_staff", "A"), ("street", "analyst", "S1")]:
            accounts.save_user(
                conn, username=name, password_hash="x", role=role, scope=scope, actor="t"
            )
    runner = CliRunner()
    refused = runner.invoke(app, ["periods", "approve", "A", "2025", "--user", "jia", "--db", url])
    assert refused.exit_code == 2 and "does not supervise" in refused.output
    assert locked_units(sqlite_store, "2025") == {}
    done = runner.invoke(app, ["periods", "approve", "A", "2025", "--user", "street", "--db", url])
    assert done.exit_code == 0, done.output
    assert locked_units(sqlite_store, "2025") == {"A": "A"}
    undone = runner.invoke(app, ["periods", "unlock", "A", "2025", "--user", "street", "--db", url])
    assert undone.exit_code == 0 and locked_units(sqlite_store, "2025") == {}
    unknown = runner.invoke(
        app, ["periods", "approve", "X", "2025", "--user", "street", "--db", url]
    )
    assert unknown.exit_code == 2 and "unknown org unit" in unknown.output


def test_migration_turns_store_wide_locks_into_approvals_of_the_top_unit(store):
    from alembic import command

    config = db._alembic_config(store)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO period (code, type, start_date, end_date, locked) VALUES "
                "('2024', 'year', '2024-01-01', '2024-12-31', true), "
                "('2025', 'year', '2025-01-01', '2025-12-31', false)"
            )
        )
    db.upgrade(store)
    # 2024 was locked store-wide: it becomes an approval of the one top unit C, so every
    # unit of the tree is locked in 2024 and none in 2025
    with store.begin() as conn:
        stored = approvals.approvals(conn)
    assert list(zip(stored["org_unit"], stored["period"], strict=True)) == [("C", "2024")]
    assert set(locked_units(store, "2024")) == {"C", "S1", "S2", "A", "B", "D"}
    assert locked_units(store, "2025") == {}

"""``shequ scheduler --once --at`` runs what is due; ``shequ warnings`` lists, confirms and
dismisses, and refuses a dismissal without a reason with exit 2."""

from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store import tasks
from shequ.store import warnings as store_warnings
from shequ.store.db import open_store
from tests._files import write
from tests.cli._invoke import UNITS, invoke

PLAN = """extends: national
code: scheduled
name: 定期评估
name_en: Scheduled
schedule:
  collect: []
  expiry_days: 15
  evaluations:
    - {code: quarterly, period_type: quarter, hour: 2}
"""


def test_the_scheduler_runs_once_and_warnings_are_decided_from_the_command_line(tmp_path):
    db = tmp_path / "city.db"
    store = open_store(db)
    import_org_units(store, write(tmp_path / "u.csv", UNITS))
    # A 35 000 / 1000 = 35.0 < 40 (missed); B 45.0 met; S and C (80 000 / 2000 = 40.0) met
    values = (
        "org_unit,period,resident_population,residential_floor_area_m2\n"
        "A,2025Q1,1000,35000\nB,2025Q1,1000,45000\n"
    )
    assert import_values(store, write(tmp_path / "v.csv", values)).exit_code == 0
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    ran = invoke("scheduler", "--at", "2025-04-16T03:00", "--db", db, "--plan", plan)
    assert ran.exit_code == 0, ran.output
    assert "quarterly 2025Q1: done" in ran.output
    again = invoke("scheduler", "--at", "2025-04-16T04:00", "--db", db, "--plan", plan)
    assert "nothing due" in again.output
    with store.begin() as conn:
        (warning,) = store_warnings.listing(conn).to_dict("records")
    assert (warning["org_unit"], warning["subject"]) == ("A", "living_area_per_capita")
    warning_id = str(warning["id"])
    listed = invoke("warnings", "list", "--db", db)
    assert listed.exit_code == 0 and f"│ {warning_id} " in listed.output
    refused = invoke("warnings", "dismiss", warning_id, "--reason", " ", "--db", db)
    assert refused.exit_code == 2 and "reason" in refused.output
    confirmed = invoke("warnings", "confirm", warning_id, "--db", db, "--plan", plan)
    assert confirmed.exit_code == 0, confirmed.output
    with store.begin() as conn:
        (task,) = tasks.listing(conn).to_dict("records")
    assert (task["org_unit"], task["indicator"]) == ("A", "living_area_per_capita")

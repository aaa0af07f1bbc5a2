"""Follow-up tasks: created from an evaluation, reviewed and closed by the next ones."""

import datetime as dt

import pytest

from shequ.evaluate.run import evaluate
from shequ.evaluate.tasks import create_task
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store import tasks as store_tasks
from shequ.store.tasks import TaskError
from tests._files import write

UNITS = "code,name,parent_code,level\nC,市,,city\nA,甲社区,C,community\nB,乙社区,C,community\n"


@pytest.fixture
def store(sqlite_store, tmp_path):
    import_org_units(sqlite_store, write(tmp_path / "u.csv", UNITS))
    # living area: A 33000/1000 = 33.0, B 36000/1000 = 36.0, both below the ">= 40" target
    import_values(
        sqlite_store,
        write(
            tmp_path / "v.csv",
            """
        org_unit,period,resident_population,residential_floor_area_m2
        A,2024,1000,33000
        B,2024,1000,36000
    """,
        ),
    )
    return sqlite_store


def run(store, tmp_path, name, content, period):
    import_values(store, write(tmp_path / name, content))
    return evaluate(store, load_plan("national"), periods=[period], actor="test")


def test_a_task_is_reviewed_and_closed_when_its_target_is_met(store, tmp_path):
    first = evaluate(store, load_plan("national"), periods=["2024"], actor="test")
    with store.begin() as conn:
        for unit in ("A", "B"):
            create_task(
                conn,
                first.results,
                load_plan("national"),
                org_unit=unit,
                indicator="living_area_per_capita",
                owner_unit="C",
                deadline=dt.date(2025, 12, 31),
                actor="analyst",
                run_id=first.run_id,
            )
    # 2025: A 41000/1000 = 41.0 (met: +8.0, improved and closed);
    #       B 35960/1000 = 35.96 (-0.04: shown with 1 decimal as 36.0, so "unchanged")
    second = run(
        store,
        tmp_path,
        "v25.csv",
        """
        org_unit,period,resident_population,residential_floor_area_m2
        A,2025,1000,41000
        B,2025,1000,35960
    """,
        "2025",
    )
    outcome = second.task_reviews.set_index("org_unit")
    assert outcome.loc["A", "outcome"] == "improved" and bool(outcome.loc["A", "closed"])
    assert outcome.loc["B", "outcome"] == "unchanged" and not bool(outcome.loc["B", "closed"])
    # 2026: B 30000/1000 = 30.0: worse than the 36.0 it started from; still open
    third = run(
        store,
        tmp_path,
        "v26.csv",
        """
        org_unit,period,resident_population,residential_floor_area_m2
        B,2026,1000,30000
    """,
        "2026",
    )
    assert third.task_reviews.set_index("org_unit").loc["B", "outcome"] == "worse"
    with store.begin() as conn:
        tasks = store_tasks.listing(conn).set_index("org_unit")
    assert tasks.loc["A", "status"] == "closed" and "target met" in tasks.loc["A", "close_reason"]
    assert tasks.loc["B", "status"] == "open" and tasks.loc["B", "last_value"] == 30.0


def test_tasks_close_by_hand_once_and_refuse_unknown_units(store):
    first = evaluate(store, load_plan("national"), periods=["2024"], actor="test")
    with store.begin() as conn:
        task = create_task(
            conn,
            first.results,
            load_plan("national"),
            org_unit="A",
            indicator="living_area_per_capita",
            owner_unit="C",
            deadline=dt.date(2025, 6, 30),
            actor="analyst",
        )
        store_tasks.close(conn, task, actor="analyst", reason="合并到区级项目")
        with pytest.raises(TaskError, match="already closed"):
            store_tasks.close(conn, task, actor="analyst", reason="again")
        with pytest.raises(TaskError, match="no result"):
            create_task(
                conn,
                first.results,
                load_plan("national"),
                org_unit="NOPE",
                indicator="living_area_per_capita",
                owner_unit="C",
                deadline=dt.date(2025, 6, 30),
                actor="analyst",
            )
    with pytest.raises(TaskError, match="not a date"):
        store_tasks.parse_deadline("June")

"""The scheduler on a frozen clock: a quarterly evaluation runs on its day, is recorded,
is caught up after an outage, and never runs twice."""

import datetime as dt

from shequ.framework.schedule import EvaluationJob
from shequ.loop import scheduler
from shequ.store import schedules
from tests.loop.conftest import add_values, plan_with

T = dt.datetime
Q1 = """org_unit,period,resident_population,residential_floor_area_m2
A,2025Q1,1000,41000
B,2025Q1,1000,50000
E,2025Q1,1000,45000
"""


def frozen(moment):
    return lambda: moment


def test_a_quarterly_evaluation_runs_on_its_day_once_and_is_recorded(city, tmp_path):
    add_values(city, tmp_path, "q1.csv", Q1)
    plan = plan_with(collect=())
    # first start in January: a job never run starts with its latest due period, 2024Q4
    first = scheduler.tick(city, plan, clock=frozen(T(2025, 1, 20)))
    assert [d["period"] for d in first.done] == ["2024Q4"]
    # 2025Q1 + 15 expiry days = 15 April; evaluated 16 April 02:00
    assert scheduler.tick(city, plan, clock=frozen(T(2025, 4, 16, 1, 59))).done == []
    report = scheduler.tick(city, plan, clock=frozen(T(2025, 4, 16, 2, 0)))
    assert [(d["job"], d["period"], d["outcome"]) for d in report.done] == [
        ("quarterly", "2025Q1", "done")
    ]
    assert scheduler.tick(city, plan, clock=frozen(T(2025, 4, 16, 2, 1))).done == []
    row, _ = schedules.recent(city)
    assert row["due_at"] == T(2025, 4, 16, 2) and row["started_at"] == T(2025, 4, 16, 2)
    assert row["finished_at"] == T(2025, 4, 16, 2) and row["run_id"] == report.done[0]["run_id"]


def test_missed_quarters_are_caught_up_after_an_outage(city, tmp_path):
    add_values(city, tmp_path, "q1.csv", Q1)
    plan = plan_with(collect=(), catch_up=4)
    scheduler.tick(city, plan, clock=frozen(T(2024, 4, 16, 3)))  # 2024Q1 ran (no data: done)
    # down from April 2024 to 1 May 2025: 2024Q2, Q3, Q4 and 2025Q1 were missed
    report = scheduler.tick(city, plan, clock=frozen(T(2025, 5, 1)))
    assert [d["period"] for d in report.done] == ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert {r["period"] for r in schedules.recent(city)} == {
        "2024Q1",
        "2024Q2",
        "2024Q3",
        "2024Q4",
        "2025Q1",
    }


def test_a_run_already_claimed_by_another_scheduler_is_not_run_again(city, tmp_path):
    add_values(city, tmp_path, "q1.csv", Q1)
    plan = plan_with(collect=())
    claimed = schedules.claim(
        city, "quarterly", T(2025, 4, 16, 2), period="2025Q1", worker="other", now=T(2025, 4, 16, 2)
    )
    assert claimed is not None
    assert (
        schedules.claim(
            city,
            "quarterly",
            T(2025, 4, 16, 2),
            period="2025Q1",
            worker="me",
            now=T(2025, 4, 16, 2),
        )
        is None
    )
    assert scheduler.tick(city, plan, clock=frozen(T(2025, 4, 16, 3))).done == []


def test_a_failing_run_is_recorded_as_failed(city):
    job = EvaluationJob(code="quarterly", period_type="quarter", level="galaxy")
    broken = plan_with(collect=(), evaluations=(job,))  # no unit is of level "galaxy"
    report = scheduler.tick(city, broken, clock=frozen(T(2025, 4, 16, 3)))
    assert report.done[0]["outcome"] == "failed"
    assert schedules.recent(city)[0]["outcome"] == "failed"

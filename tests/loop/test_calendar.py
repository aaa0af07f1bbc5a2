"""What is due when: deadlines from expiry days, the day an evaluation runs, catch-up."""

import datetime as dt

from shequ.framework.periods import parse_period
from shequ.loop.calendar import due_runs
from tests.loop.conftest import plan_with

T = dt.datetime


def test_quarter_data_are_due_expiry_days_after_the_quarter_and_evaluated_the_day_after():
    schedule = plan_with().schedule
    # 2025Q1 ends 31 March; + 15 expiry days = 15 April; evaluation 1 day later at 02:00
    assert schedule.due_date(parse_period("2025Q1")) == dt.date(2025, 4, 15)
    assert schedule.evaluation_due(schedule.job("quarterly"), parse_period("2025Q1")) == T(
        2025, 4, 16, 2
    )


def test_nothing_is_due_a_minute_early_and_the_quarter_is_due_on_its_day():
    schedule = plan_with(collect=()).schedule
    last = {"quarterly": T(2025, 1, 16, 2)}  # 2024Q4 ran on 16 January
    early, _ = due_runs(schedule, T(2025, 4, 16, 1, 59), last)
    assert early == []
    on_time, _ = due_runs(schedule, T(2025, 4, 16, 2, 0), last)
    assert [(r.job, r.period, r.due_at) for r in on_time] == [
        ("quarterly", "2025Q1", T(2025, 4, 16, 2))
    ]


def test_after_an_outage_every_missed_quarter_is_caught_up_oldest_first_up_to_the_limit():
    schedule = plan_with(collect=(), catch_up=2).schedule
    last = {"quarterly": T(2024, 4, 16, 2)}  # last run: 2024Q1; server down until 2025-05-01
    todo, skipped = due_runs(schedule, T(2025, 5, 1), last)
    # missed: 2024Q2 (Jul 16), 2024Q3 (Oct 16), 2024Q4 (Jan 16), 2025Q1 (Apr 16) = 4;
    # catch_up 2 runs the two newest, the two older ones are recorded as skipped
    assert [r.period for r in todo] == ["2024Q4", "2025Q1"]
    assert [r.period for r in skipped] == ["2024Q2", "2024Q3"]


def test_a_job_never_run_starts_with_its_latest_due_period():
    todo, skipped = due_runs(plan_with(collect=()).schedule, T(2025, 8, 1), {})
    assert [r.period for r in todo] == ["2025Q2"] and skipped == []


def test_the_reporting_check_runs_daily_from_remind_days_before_the_deadline():
    schedule = plan_with(evaluations=(), remind_days=7).schedule
    # 2025Q1 due 15 April: 7 days before is 8 April; the check runs at 08:00
    assert due_runs(schedule, T(2025, 4, 7, 9), {})[0] == []
    (run,) = due_runs(schedule, T(2025, 4, 8, 9), {})[0]
    assert (run.job, run.period, run.due_at) == ("reporting_quarter", "2025Q1", T(2025, 4, 8, 8))
    # once done today, nothing more until tomorrow 08:00
    assert due_runs(schedule, T(2025, 4, 8, 23), {"reporting_quarter": run.due_at})[0] == []

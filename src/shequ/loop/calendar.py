"""What is due when: the runs of every scheduled job between its last claimed run and now.

Two kinds of job come from a plan's ``schedule:``:

* ``<code>`` for each ``evaluations:`` entry: one run per period of its type, due
  `Schedule.evaluation_due` (the day(s) after the data deadline, at its hour);
* ``reporting_<type>`` for each collected period type: one run a day at
  ``reporting_hour``, checking the latest ended period while its deadline is at most
  ``remind_days`` away (and after it has passed, until the next period ends).

Catch-up after downtime: every evaluation missed since the job's last claimed due time is
run, oldest first, at most ``catch_up`` of them (older ones are recorded as ``skipped``, so
nothing is silently lost); a job never run before starts with its latest due time. A
reporting check catches up only its latest missed day: yesterday's reminder is stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..framework.periods import Period, PeriodType, parse_period, shift
from ..framework.schedule import Schedule

REPORTING = "reporting_"


@dataclass(frozen=True)
class DueRun:
    job: str
    due_at: dt.datetime
    period: str
    kind: str  # "evaluate" | "reporting"
    level: str | None = None


def period_of(day: dt.date, period_type: PeriodType) -> Period:
    """The period of ``period_type`` that contains ``day``."""
    if period_type == "year":
        return parse_period(str(day.year))
    if period_type == "quarter":
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    return parse_period(f"{day.year}-{day.month:02d}")


def job_codes(schedule: Schedule) -> list[str]:
    return [j.code for j in schedule.evaluations] + [REPORTING + t for t in schedule.collect]


def due_runs(
    schedule: Schedule, now: dt.datetime, last_due: dict[str, dt.datetime | None]
) -> tuple[list[DueRun], list[DueRun]]:
    """(runs to do now, oldest first; missed runs beyond ``catch_up`` to record as skipped)."""
    todo: list[DueRun] = []
    skipped: list[DueRun] = []
    for job in schedule.evaluations:
        missed = []
        period = period_of(now.date(), job.period_type)
        while True:
            due = schedule.evaluation_due(job, period)
            last = last_due.get(job.code)
            if due <= now and (last is None or due > last):
                missed.append(DueRun(job.code, due, period.code, "evaluate", job.level))
                if last is None:
                    break
            elif due <= now:
                break
            period = shift(period, -1)
        missed.reverse()
        todo += missed[-schedule.catch_up :]
        skipped += missed[: -schedule.catch_up]
    for period_type in schedule.collect:
        run = _reporting_run(schedule, period_type, now, last_due.get(REPORTING + period_type))
        if run is not None:
            todo.append(run)
    return sorted(todo, key=lambda r: (r.due_at, r.job)), skipped


def _reporting_run(
    schedule: Schedule, period_type: PeriodType, now: dt.datetime, last: dt.datetime | None
) -> DueRun | None:
    due = dt.datetime.combine(now.date(), dt.time(schedule.reporting_hour))
    if due > now:
        due -= dt.timedelta(days=1)
    if last is not None and due <= last:
        return None
    period = shift(period_of(due.date(), period_type), -1)
    deadline = schedule.due_date(period)
    if (deadline - due.date()).days > schedule.remind_days:
        return None
    return DueRun(REPORTING + period_type, due, period.code, "reporting")

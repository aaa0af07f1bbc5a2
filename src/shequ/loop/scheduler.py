"""The scheduler: claims each due run once across every server, runs it, records it.

Why not APScheduler 3.11 with its SQLAlchemy job store: APScheduler 3 keeps the schedule
in the job store but its documentation says plainly that sharing a job store between
several schedulers is unsupported and leads to duplicate or missed runs (the store holds
each job's next run time, and every scheduler that polls it may fire it: there is no
claim). "Two servers on one PostgreSQL never run the same job twice" is a requirement
here, so the claim is ours: a ``schedule_run`` row with a unique (job, due_at), inserted in
its own transaction before the work starts. PostgreSQL (and SQLite) let exactly one of any
number of racing inserts commit; the losers get an integrity error and skip. The same row
is the run's record (started, finished, outcome) and the catch-up bookmark, so nothing
else is kept. Measured: two schedulers × 50 due runs racing on the real PostgreSQL server,
every run claimed exactly once (tests/loop/test_scheduler_pg.py).

A tick (`tick`) asks `calendar.due_runs` what is due since each job's last claimed run,
claims and runs it oldest first: an evaluation (`assess`, with composite scores and the
follow-up review), then the warnings against the previous run of the same job (targets,
trends, validation rules); a reporting check; and after either, the overdue-suggestion
check. The warnings each run opens or closes are filed as notifications to their owners
(`shequ.loop.notices`), and every tick ends by sending what is due (`shequ.notify.deliver`:
immediate messages, digests whose hour has come, retries). The clock is a parameter (``now``),
so tests freeze it. `run_forever` ticks every ``interval`` seconds until stopped; `shequ
scheduler` runs it alone, and `shequ serve --scheduler` runs ticks in the server's worker
process (the evaluation engine must not run inside the web server, see web/worker.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..evaluate.assessment import assess
from ..framework.models import Plan
from ..framework.periods import parse_period
from ..notify import DeliveryReport, deliver
from ..store import runs as store_runs
from ..store import schedules
from ..store.db import Store
from ..store.tables.core import utcnow
from . import calendar, events, notices, warnings
from . import reporting as checks

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """What one tick did: runs done, runs another scheduler had claimed, runs skipped."""

    done: list[dict] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    delivery: DeliveryReport | None = None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def tick(
    store: Store,
    plan: Plan,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
    worker: str | None = None,
) -> TickReport:
    """Run every job due by ``clock()`` (UTC, naive) that no scheduler has claimed yet."""
    now = clock()
    worker = worker or worker_name()
    schedule = plan.schedule
    last = {job: schedules.last_due(store, job) for job in calendar.job_codes(schedule)}
    todo, missed = calendar.due_runs(schedule, now, last)
    report = TickReport()
    for run in missed:
        claimed = schedules.claim(
            store, run.job, run.due_at, period=run.period, worker=worker, now=now
        )
        if claimed is not None:
            message = (
                "停机期间错过，超出补跑上限 / missed during downtime, beyond the catch-up limit"
            )
            schedules.finish(store, claimed, now=now, outcome="skipped", message=message)
            report.skipped.append(f"{run.job}@{run.due_at:%Y-%m-%d %H:%M}")
    for run in todo:
        claimed = schedules.claim(
            store, run.job, run.due_at, period=run.period, worker=worker, now=now
        )
        if claimed is None:
            report.lost.append(f"{run.job}@{run.due_at:%Y-%m-%d %H:%M}")
            continue
        report.done.append(_run(store, plan, run, claimed, now, clock))
    try:  # what is due now, this tick's warnings included (retries of earlier refusals too)
        report.delivery = deliver(store, now=now)
    except Exception:  # a mail server down must not stop the loop: retried next tick
        log.exception("notification delivery failed")
    return report


def _run(
    store: Store, plan: Plan, run: calendar.DueRun, claimed: int, now: dt.datetime, clock
) -> dict:
    follow = plan.schedule.follow_up_days
    with events.collecting() as emitted:
        outcome = _checked_run(store, plan, run, claimed, now, clock, follow)
    if outcome["outcome"] == "done":
        outcome["notified"] = _notify(store, plan, emitted, now)
    return outcome


def _notify(store: Store, plan: Plan, emitted: list, now: dt.datetime) -> int:
    """File the run's warnings as notifications; a failure here never fails the run."""
    try:
        return notices.send_warnings(store, plan, emitted, now=now).new
    except Exception:
        log.exception("filing %d warning notifications failed", len(emitted))
        return 0


def _checked_run(store, plan, run, claimed, now, clock, follow) -> dict:
    try:
        if run.kind == "evaluate":
            run_id, conditions, kinds = _evaluate(store, plan, run, claimed)
            subject = None
        else:
            run_id = None
            conditions = checks.reporting_conditions(store, plan, run.period, now)
            kinds, subject = checks.REPORTING_KINDS, parse_period(run.period).type
        opened, closed = warnings.sync(
            store, kinds, conditions, run=claimed, now=now, follow_up_days=follow, subject=subject
        )
        more = warnings.sync(
            store,
            checks.SUGGESTION_KINDS,
            checks.suggestion_conditions(store, plan, now),
            run=claimed,
            now=now,
            follow_up_days=follow,
        )
    except Exception as exc:  # the run must end with a record, whatever happened
        log.exception("scheduled run %s of %s failed", claimed, run.job)
        schedules.finish(store, claimed, now=clock(), outcome="failed", message=str(exc)[:2000])
        return {"job": run.job, "period": run.period, "outcome": "failed", "message": str(exc)}
    counts = {"warnings_opened": opened + more[0], "warnings_closed": closed + more[1]}
    schedules.finish(store, claimed, now=clock(), outcome="done", run_id=run_id, **counts)
    return {"job": run.job, "period": run.period, "outcome": "done", "run_id": run_id} | counts


def _evaluate(store: Store, plan: Plan, run: calendar.DueRun, claimed: int):
    result = assess(store, plan, periods=[run.period], level=run.level, actor="scheduler")
    previous_id = schedules.previous_run_id(store, run.job, claimed)
    previous = None
    if previous_id is not None:
        with store.begin() as conn:
            previous = store_runs.results(conn, previous_id)
    evaluation = result.evaluation
    conditions = warnings.evaluation_conditions(
        evaluation.results, result.trends, plan, previous=previous, run_id=evaluation.run_id
    )
    conditions += warnings.rule_conditions(store, plan, run.period)
    return evaluation.run_id, conditions, warnings.EVALUATION_KINDS


def run_forever(
    store: Store,
    plan: Plan,
    *,
    interval: float = 60.0,
    stop: threading.Event | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
) -> None:
    """Tick every ``interval`` seconds until ``stop`` is set (``shequ scheduler``)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            report = tick(store, plan, clock=clock)
            for done in report.done:
                log.info("scheduled %s", done)
        except Exception:  # a failing tick (store down) is retried at the next one
            log.exception("scheduler tick failed")
        stop.wait(interval)


def tick_job(store_url: str, plan_source: str | None) -> list[dict]:
    """One tick in the web server's worker process (it opens the store itself)."""
    from ..framework.loader import load_plan
    from ..store.db import open_store

    store = open_store(store_url, migrate=False)
    try:
        return tick(store, load_plan(plan_source)).done
    finally:
        store.close()

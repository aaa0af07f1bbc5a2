"""Work that needs the evaluation engine, or long work, runs in a worker process.

DuckDB links its own SQLite; inside the server process, next to the server's own SQLite
connections, it could reset the WAL index under them (see evaluate/backends/duckdb.py).
So evaluations are computed in a separate process (spawned, so it inherits no open
connection), and so are report files (long to write). Each function here runs in that
process and opens the store itself. Pages need no engine: they read the stored run.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import ShequError

log = logging.getLogger(__name__)


class Worker:
    """A pool of spawned worker processes, started when first needed."""

    def __init__(self, processes: int = 1) -> None:
        self.processes = max(1, processes)
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, fn, *args: Any) -> Future:
        """Run ``fn(*args)`` in the worker; a worker that died is replaced first."""
        if self._pool is None or getattr(self._pool, "_broken", False):
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.processes, mp_context=context)
        return self._pool.submit(fn, *args)

    def shutdown(self) -> None:
        """Stop the pool with the server: queued jobs are cancelled and running workers are
        terminated, so no spawned process outlives the server (a job cut short stays
        'running' in its record)."""
        if self._pool is not None:
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            self._pool = None


class SchedulerThread:
    """Every ``interval`` seconds, one scheduler tick in the worker process (the evaluation
    engine never runs inside the server). Several servers on one PostgreSQL may all run it:
    each due run is claimed by exactly one of them (`shequ.loop.scheduler`)."""

    def __init__(self, worker: Worker, store_url: str, plan: str | None, interval: float) -> None:
        import threading

        self.worker, self.store_url, self.plan, self.interval = worker, store_url, plan, interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="shequ-scheduler", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        from ..loop.scheduler import tick_job

        while not self.stop.is_set():
            try:
                self.worker.submit(tick_job, self.store_url, self.plan).result()
            except Exception:  # a failed tick is retried at the next one
                log.exception("scheduler tick failed")
            self.stop.wait(self.interval)

    def shutdown(self) -> None:
        self.stop.set()


def evaluate_job(store_url: str, plan_source: str | None, job_id: int, period: str) -> int | None:
    """Evaluate ``period`` (with composite scores) and record the outcome in job ``job_id``."""
    from ..evaluate.assessment import assess
    from ..framework.loader import load_plan
    from ..store import jobs
    from ..store.db import open_store

    store = open_store(store_url, migrate=False)
    with store.begin() as conn:
        job = jobs.start_job(conn, job_id)
    try:
        plan = load_plan(plan_source)
        result = assess(store, plan, periods=[period], actor=job["actor"])
    except (ShequError, ValueError) as exc:
        with store.begin() as conn:
            jobs.finish_job(conn, job_id, status="failed", message=str(exc))
        return None
    except Exception as exc:  # the job must end, whatever happened
        log.exception("evaluation job %s failed", job_id)
        with store.begin() as conn:
            jobs.finish_job(conn, job_id, status="failed", message=repr(exc))
        return None
    run_id = result.evaluation.run_id
    with store.begin() as conn:
        jobs.finish_job(conn, job_id, status="done", run_id=run_id)
    store.close()
    return run_id


def report_job(
    store_url: str, job_id: int, run_id: int, unit: str, fmt: str, path: str, lang: str
) -> str | None:
    """Write a report file for job ``job_id``."""
    from ..report.context import build_context
    from ..report.formats import write
    from ..store import jobs
    from ..store.db import open_store

    store = open_store(store_url, migrate=False)
    try:
        context = build_context(store, run_id, unit)
        written = write(context, Path(path), fmt=fmt, lang=lang)
    except Exception as exc:
        log.exception("report job %s failed", job_id)
        with store.begin() as conn:
            jobs.finish_job(conn, job_id, status="failed", message=str(exc))
        return None
    with store.begin() as conn:
        jobs.finish_job(conn, job_id, status="done", run_id=run_id, output=str(written))
    return str(written)

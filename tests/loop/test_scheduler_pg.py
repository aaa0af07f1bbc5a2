"""Two schedulers on one PostgreSQL server never run the same job twice: racing threads,
each with its own engine (its own connections, as two servers would have)."""

import datetime as dt
import threading
from collections import Counter

import pytest

from shequ.ingest.orgunits import import_org_units
from shequ.loop import scheduler
from shequ.store import schedules
from shequ.store.db import open_store
from tests._files import write
from tests.loop.conftest import UNITS, plan_with

pytestmark = pytest.mark.postgres
T = dt.datetime


def race(n, work):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_schedulers_racing_for_50_due_runs_claim_each_exactly_once(pg_store):
    stores = [open_store(pg_store.url, migrate=False) for _ in range(2)]
    dues = [T(2025, 1, 1) + dt.timedelta(hours=h) for h in range(50)]

    def claim_all(i):
        won = []
        for due in dues:
            claimed = schedules.claim(
                stores[i], "quarterly", due, period="2025Q1", worker=f"s{i}", now=due
            )
            if claimed is not None:
                won.append(due)
        return won

    won = race(2, claim_all)
    # every due time won by exactly one of the two; 50 rows in all
    assert Counter(won[0] + won[1]) == Counter(dues)
    assert len(schedules.recent(pg_store, limit=100)) == 50
    for store in stores:
        store.close()


def test_two_ticking_schedulers_run_a_due_check_once(pg_store, tmp_path):
    import_org_units(pg_store, write(tmp_path / "u.csv", UNITS))
    plan = plan_with(evaluations=())  # the daily reporting check only: cheap to race
    stores = [open_store(pg_store.url, migrate=False) for _ in range(2)]
    reports = race(
        2,
        lambda i: scheduler.tick(stores[i], plan, clock=lambda: T(2025, 4, 10, 9), worker=f"s{i}"),
    )
    assert sorted(len(r.done) for r in reports) == [0, 1]
    (row,) = schedules.recent(pg_store)
    assert (row["job"], row["outcome"]) == ("reporting_quarter", "done")
    for store in stores:
        store.close()

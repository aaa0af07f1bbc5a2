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


def test_one_active_warning_per_key_holds_on_postgresql(pg_store, tmp_path):
    from shequ.loop import warnings
    from shequ.store import warnings as store_warnings

    import_org_units(pg_store, write(tmp_path / "u.csv", UNITS))
    condition = {
        "kind": "target_missed",
        "org_unit": "A",
        "subject": "living_area_per_capita",
        "severity": "medium",
        "evidence": {"value": 35.0},
        "action": "",
    }
    now = T(2025, 7, 16, 3)
    # the same condition twice, then with new evidence: still one active warning
    for value in (35.0, 35.0, 34.0):
        c = condition | {"evidence": {"value": value}}
        warnings.sync(pg_store, ("target_missed",), [c], run=1, now=now, follow_up_days=90)
    with pg_store.begin() as conn:
        (row,) = store_warnings.listing(conn).to_dict("records")
    assert row["evidence"] == {"value": 34.0}
    # the condition clears: closed; it comes back: a second, new warning
    warnings.sync(pg_store, ("target_missed",), [], run=2, now=now, follow_up_days=90)
    warnings.sync(pg_store, ("target_missed",), [condition], run=3, now=now, follow_up_days=90)
    with pg_store.begin() as conn:
        frame = store_warnings.listing(conn, active_only=False)
    assert len(frame) == 2 and frame["closed_at"].isna().sum() == 1

"""What a scheduled evaluation costs: one scheduler tick (evaluation with composite scores,
early warnings against the previous run, validation-rule warnings, the reporting and
overdue checks, notifications filed) beside what a user would otherwise schedule — cron
running the same evaluation (`assess`, what ``shequ evaluate`` does) — on the same store.

Each phase runs in its own process, so each peak RSS is its own. Prints wall time, the
ratio tick / plain evaluation, and peak memory. ``--quick`` uses a small city (CI-sized).

    python bench/loop/bench_scheduled_run.py [--quick] [--communities N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

SETUP = """
from pathlib import Path
from shequ.demo.city import generate_city
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store.db import open_store
folder = Path({folder!r})
files = generate_city(folder, n_districts={districts}, n_streets={streets}, n_communities={communities})
store = open_store(folder / "shequ.db")
plan = load_plan()
for path, importer in ((files.org_units, import_org_units), (files.values_history, import_values),
                       (files.values_latest, import_values)):
    assert importer(store, path).exit_code in (0, 1)
"""

PHASES = {
    "evaluate": """
from shequ.evaluate.assessment import assess
from shequ.framework.loader import load_plan
from shequ.store.db import open_store
store = open_store({db!r}, migrate=False)
assess(store, load_plan(), periods=["2025"], actor="cron")
""",
    "tick": """
import datetime as dt
from shequ.framework.loader import load_plan
from shequ.framework.periods import parse_period
from shequ.framework.schedule import EvaluationJob, Schedule
from shequ.loop import scheduler
from shequ.store.db import open_store
store = open_store({db!r}, migrate=False)
job = EvaluationJob(code="yearly", period_type="year", hour=3)
schedule = Schedule(collect=("year",), evaluations=(job,), catch_up=1, completeness=0.9)
plan = load_plan().model_copy(update={{"schedule": schedule}})
due = schedule.evaluation_due(job, parse_period("2025"))
report = scheduler.tick(store, plan, clock=lambda: due)
print("DONE", report.done)
""",
}

MEASURE = """
import json, resource, time, runpy, sys
start = time.perf_counter()
exec(compile(sys.stdin.read(), "phase", "exec"))
print("MEASURED", json.dumps({"seconds": time.perf_counter() - start,
      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str) -> dict:
    child = subprocess.run(
        [sys.executable, "-c", MEASURE], input=code, capture_output=True, text=True, check=False
    )
    if child.returncode != 0:
        raise SystemExit(child.stderr[-3000:])
    lines = child.stdout.splitlines()
    measured = json.loads(next(x for x in lines if x.startswith("MEASURED")).split(" ", 1)[1])
    done = [x for x in lines if x.startswith("DONE")]
    return measured | ({"done": done[0][5:]} if done else {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small city (CI)")
    parser.add_argument("--communities", type=int, default=2000)
    args = parser.parse_args()
    communities = 60 if args.quick else args.communities
    streets = max(4, communities // 5)
    districts = max(2, streets // 30)
    with tempfile.TemporaryDirectory(prefix="shequ-bench-loop-") as folder:
        setup = textwrap.dedent(SETUP).format(
            folder=folder, districts=districts, streets=streets, communities=communities
        )
        built = run(setup)
        db = str(Path(folder) / "shequ.db")
        plain = run(textwrap.dedent(PHASES["evaluate"]).format(db=db))
        ticked = run(textwrap.dedent(PHASES["tick"]).format(db=db))
    print(f"city: {communities} communities, {streets} streets, {districts} districts; "
          f"built and imported in {built['seconds']:.1f} s (peak {built['peak_mb']:.0f} MB)")  # fmt: skip
    print(f"cron + evaluate : {plain['seconds']:7.1f} s  peak {plain['peak_mb']:6.0f} MB")
    print(
        f"scheduler tick  : {ticked['seconds']:7.1f} s  peak {ticked['peak_mb']:6.0f} MB  "
        f"({ticked['seconds'] / plain['seconds']:.2f}× the plain evaluation)"
    )
    print(f"tick did: {ticked.get('done', '?')}")
    if "outcome': 'done'" not in ticked.get("done", ""):
        raise SystemExit("the scheduled run did not complete")


if __name__ == "__main__":
    main()

"""Crash trials: kill -9 at random moments of import, evaluation (plain and composite),
migration, coverage and report writing, then check that nothing is lost or half there.

For each trial, a fresh copy of a synthetic city's store (`crash_city`) is handed to a
real ``shequ`` command in a child process, which is killed with SIGKILL after a random
delay drawn from [0, the command's own duration] (measured by a probe run, then by each
trial's re-run, so the window follows the machine's load: a probe on a busy machine had
43 of 50 runs finish before their kill). Then:

* the store passes ``PRAGMA integrity_check`` (on PostgreSQL with ``--pg``: amcheck on
  every B-tree index and no dangling foreign key, see `crash_stores`) and its audit
  chain verifies;
* no run is visible unless complete: every complete run holds all its results (and, for
  ``evaluate --composite``, its scores), and the latest run is complete;
* the operation left all or nothing: the import's 2026 values are all there or none,
  the migration left the old revision or the newest, the report is whole or absent;
* the re-run completes (run in this process) and gives the whole result.

    python bench/crash/crash_trials.py            # 50 trials per operation, 1 200 communities
    python bench/crash/crash_trials.py --quick    # 1 trial per operation, 40 communities,
                                                  # killed within its first 8 s
    python bench/crash/crash_trials.py --only import,evaluate --trials 10
    python bench/crash/crash_trials.py --quick --pg postgresql://postgres@127.0.0.1:5432/x

Prints a table and writes ``bench/results/crash_trials.json``; exits 1 if a trial failed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import crash_city  # noqa: E402
from crash_stores import PostgresStores, SqliteStores  # noqa: E402

OLD_REVISION = "0006"


def _cli(args: list[str]) -> list[str]:
    return [sys.executable, "-c", "from shequ.cli import app; app()", *args]


OPERATIONS = {
    "import": lambda t: ["import", "values", str(t["files"]["values_2026"])],
    "evaluate": lambda t: ["evaluate", "--period", "2025"],
    "composite": lambda t: ["evaluate", "--period", "2025", "--composite"],
    "migration": lambda t: ["init"],
    "coverage": lambda t: [
        *("coverage", "--period", "2025", "--network", "none"),
        *("--out", str(t["dir"] / "layers")),
    ],
    "report": lambda t: ["report", "-o", str(t["dir"] / ("report" + t["suffix"]))],
}


def _prepare(op: str, stores, templates: dict, trial_dir: Path, files: dict, trial: int) -> dict:
    trial_dir.mkdir(parents=True)
    db = stores.copy(templates["old" if op == "migration" else "city"], f"{op}{trial}")
    return {"dir": trial_dir, "db": db, "files": files, "suffix": (".xlsx", ".docx")[trial % 2]}


def _run(op: str, t: dict, delay: float | None) -> tuple[int, float]:
    """Run the command; kill it after ``delay`` seconds (None: let it finish)."""
    args = _cli([*OPERATIONS[op](t), "--db", str(t["db"])])
    clock = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             cwd=t["dir"])  # fmt: skip
    if delay is not None:
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
    _, err = child.communicate()
    if delay is None and child.returncode != 0:
        raise SystemExit(f"{op} failed: {err.decode(errors='replace')[-2000:]}")
    return child.returncode, time.perf_counter() - clock


def _check(op: str, t: dict, stores, *, after_rerun: bool) -> list[str]:
    from sqlalchemy import text

    from shequ.store import audit, runs
    from shequ.store.db import current_revision, head_revision, open_store

    problems = stores.integrity(t["db"])
    store = open_store(t["db"], migrate=False)
    revision = current_revision(store)
    if op == "migration" and revision != head_revision():
        if after_rerun or revision != OLD_REVISION:
            problems.append(f"schema at {revision}")
        store.close()
        return problems  # the old schema has no chain or complete flag to check
    with store.begin() as conn:
        found = audit.verify(conn)
        if not found.intact:
            problems.append(f"audit chain: {found.reason_en}")
        short = conn.execute(text(
            "SELECT r.id FROM evaluation_run r WHERE r.complete AND r.result_count <> "
            "(SELECT coalesce(sum(x.rows), 0) FROM evaluation_result_part x WHERE x.run_id = r.id)"
        )).all()  # fmt: skip
        if short:
            problems.append(f"complete runs missing results: {short}")
        latest = runs.latest_id(conn)
        if op == "composite" and latest is not None and runs.composite_scores(conn, latest).empty:
            problems.append(f"latest run {latest} has no composite scores")
        if op in ("evaluate", "composite") and after_rerun and latest is None:
            problems.append("no complete run after the re-run")
        if op == "import":
            n = conn.execute(text("SELECT count(*) FROM data_value WHERE period = '2026'"))
            n = n.scalar()
            whole = len(crash_city.ELEMENTS) * t["communities"]
            if n not in ((whole,) if after_rerun else (0, whole)):
                problems.append(f"2026 values: {n} of {whole}")
    store.close()
    if op == "report":
        problems += _check_report(t, after_rerun=after_rerun)
    return problems


def _check_report(t: dict, *, after_rerun: bool) -> list[str]:
    """The report is whole or absent (a docx/xlsx is a zip: every member must read)."""
    path = t["dir"] / ("report" + t["suffix"])
    if not path.exists():
        return ["no report after the re-run"] if after_rerun else []
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
    except zipfile.BadZipFile:
        return ["report truncated"]
    return [f"report damaged at {bad}"] if bad else []


def _setup(work: Path, stores, communities: int, ops: list[str]) -> tuple[dict, dict]:
    from alembic import command

    from shequ.store import db as store_db

    template = stores.new("city")
    files = crash_city.build(template, work / "template", communities)
    if "report" in ops:  # a run to report on
        evaluate = ["evaluate", "--period", "2025", "--composite", "--db", str(template)]
        subprocess.run(_cli(evaluate), check=True, capture_output=True)
    templates = {"city": template}
    if "migration" not in ops:
        return templates, files
    # a copy taken down to an old schema for the migration trials
    old = templates["old"] = stores.copy(template, "old")
    store = store_db.open_store(old, migrate=False)
    config = store_db._alembic_config(store)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, OLD_REVISION)
    store.close()
    return templates, files


def trials(
    ops: list[str], n: int, communities: int, seed: int, window: float | None, pg: str | None
) -> dict:
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="shequ-crash-"))
    stores = PostgresStores(pg) if pg else SqliteStores(work)
    try:
        templates, files = _setup(work, stores, communities, ops)
        out = {}
        for op in ops:
            duration = window
            if window is None:  # kill anywhere within the command's own duration
                probe = _prepare(op, stores, templates, work / op / "probe", files, 0)
                probe["communities"] = communities
                _, duration = _run(op, probe, None)
            killed = finished = 0
            failures = []
            for i in range(n):
                t = _prepare(op, stores, templates, work / op / f"t{i}", files, i)
                t["communities"] = communities
                code, _ = _run(op, t, rng.uniform(0, duration))
                killed += code == -signal.SIGKILL
                finished += code == 0
                found = _check(op, t, stores, after_rerun=False)
                _, full = _run(op, t, None)  # the re-run completes
                if window is None:  # the next kill falls within a run as long as this one
                    duration = full
                again = _check(op, t, stores, after_rerun=True)
                found += [f"after re-run: {p}" for p in again]
                if found:
                    failures.append({"trial": i, "problems": found})
                shutil.rmtree(t["dir"], ignore_errors=True)
                stores.drop(t["db"])
            out[op] = {"trials": n, "killed": killed, "finished_first": finished,
                       "seconds": round(duration, 2), "failures": failures}  # fmt: skip
            print(f"{op:10} {n:3} trials  {killed:3} killed  {finished:3} finished first  "
                  f"{len(failures)} failed  (runs {duration:.1f} s)", flush=True)  # fmt: skip
        return out
    finally:
        if pg:
            stores.drop_all()
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 trial each, 40 communities")
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--communities", type=int, default=None)
    parser.add_argument("--only", default=",".join(OPERATIONS))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--pg", help="a PostgreSQL server URL: trials run on its databases")
    parser.add_argument("--json", type=Path, default=HERE.parent / "results" / "crash_trials.json")
    args = parser.parse_args(argv)
    n = args.trials or (1 if args.quick else 50)
    communities = args.communities or (40 if args.quick else 1200)
    ops = [o for o in args.only.split(",") if o]
    unknown = set(ops) - set(OPERATIONS)
    if unknown:
        parser.error(f"unknown operations {sorted(unknown)} (choose {', '.join(OPERATIONS)})")
    clock = time.perf_counter()
    result = trials(ops, n, communities, args.seed, 8.0 if args.quick else None, args.pg)
    summary = {"communities": communities, "seed": args.seed, "operations": result,
               "seconds": round(time.perf_counter() - clock, 1)}  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    failed = sum(len(r["failures"]) for r in result.values())
    for op, r in result.items():
        for f in r["failures"]:
            print(f"FAILED {op} trial {f['trial']}: {'; '.join(f['problems'])}")
    print(f"{sum(r['trials'] for r in result.values())} trials, {failed} failed, "
          f"{summary['seconds']} s")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

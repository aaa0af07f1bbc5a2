"""DuckDB reading the SQLite store must not corrupt the store's own connections.

DuckDB's sqlite extension links a second copy of SQLite; with a pooled connection open,
detaching it reset the WAL index under that connection and the next write died with
SIGBUS on a 2 000-community city (found by bench/report). Run in a child process, since a
regression kills the interpreter rather than raising.
"""

import subprocess
import sys
import textwrap


def test_a_large_city_evaluates_on_duckdb_and_persists(tmp_path):
    script = textwrap.dedent(f"""
        from pathlib import Path
        from shequ.demo.city import generate_city
        from shequ.evaluate.assessment import assess
        from shequ.framework.loader import load_plan
        from shequ.ingest.orgunits import import_org_units
        from shequ.ingest.values import import_values
        from shequ.store.db import open_store

        folder = Path({str(tmp_path)!r})
        files = generate_city(folder, n_districts=12, n_streets=400, n_communities=2000)
        store = open_store(folder / "shequ.db")
        plan = load_plan()
        import_org_units(store, files.org_units)
        import_values(store, files.values_history, plan=plan)
        import_values(store, files.values_latest, plan=plan)
        first = assess(store, plan, periods=["2025"], engine="duckdb")
        second = assess(store, plan, periods=["2025"], engine="duckdb")
        print(first.evaluation.run_id, second.evaluation.run_id)
    """)
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.split() == ["1", "2"]

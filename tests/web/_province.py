"""A province-sized store for the web's scale tests, generated (never committed).

The tree and values come from the evaluation benchmark's generator
(``bench/evaluate/province_data.py``: 1 province → 12 cities → districts → streets → N
communities, with a 2023 reorganisation); only the ``YEARS`` kept here are stored, written
with one executemany, then evaluated with composite scores (no Monte Carlo rank intervals),
as ``shequ evaluate --composite`` would. A province administrator ``ADMIN`` is added.
The store is cached under ``var/`` by size and generator version, so a second session
reuses it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "test-province"
YEARS = ("2024", "2025")
ADMIN, PASSWORD = "province_admin", "province admin 9"
VERSION = 1  # bump when what is built changes


def _generator():
    folder = str(ROOT / "bench" / "evaluate")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import province_data

    return province_data


def build(path: Path, communities: int, seed: int = 2025) -> dict:
    """Build the store at ``path``; returns its metadata with the build times (seconds)."""
    from shequ.evaluate.assessment import assess
    from shequ.framework.loader import load_plan
    from shequ.store.accounts import ADMINISTRATOR, add_user
    from shequ.store.db import open_store
    from shequ.store.orgunits import write_versions
    from shequ.store.values import ensure_periods

    gen = _generator()
    seconds = {}
    clock = time.perf_counter()
    rng = np.random.default_rng(seed)
    province = gen.build_tree(rng, communities)
    values = gen.value_rows(rng, province)
    values = values[values["period"].isin(YEARS)]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(path)
    try:
        with store.begin() as conn:
            write_versions(conn, province.versions, actor="test")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rows = [
            (e, u, p, "default", float(v), 0, "test", now)
            for e, u, p, v in values[["data_element", "org_unit", "period", "value"]].itertuples(
                index=False
            )
        ]
        with store.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO data_value (data_element, org_unit, period, category_option_combo,"
                " value, followup, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            ensure_periods(conn, list(YEARS))
        seconds["store"] = time.perf_counter() - clock
        clock = time.perf_counter()
        assess(store, load_plan(), periods=[YEARS[-1]], actor="test", sensitivity=False)
        seconds["evaluate"] = time.perf_counter() - clock
        add_user(store, ADMIN, PASSWORD, role=ADMINISTRATOR, scope=gen.PROVINCE, actor="test")
    finally:
        store.close()
    return {"communities": communities, "seed": seed, "version": VERSION, "seconds": seconds}


def cached(communities: int, seed: int = 2025) -> Path:
    """The store of ``communities`` communities under `CACHE`, built when missing."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"province_{communities}_s{seed}.db"
    meta_path = path.with_suffix(".json")
    wanted = {"communities": communities, "seed": seed, "version": VERSION}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in wanted.items()):
            return path
    meta = build(path, communities, seed)
    meta_path.write_text(json.dumps(meta, indent=2))
    return path


if __name__ == "__main__":  # python tests/web/_province.py 20000: build and time
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    target = CACHE / f"trial_{n}.db"
    CACHE.mkdir(parents=True, exist_ok=True)
    print(build(target, n))

"""Soak the web server (issue 13): ``--users`` concurrent users for ``--minutes``, each in a
loop over the overview, a unit scorecard, the data-entry page with a validation call, and a
resident's survey submission. Reports errors, lost submissions (accepted but not stored),
p95 per kind and the server's RSS sampled every 5 s (first, last, peak). Bounded in users and
time; loopback only; not part of CI.

    python bench/web/soak.py [--users 50] [--minutes 10] [--db var/demo/shequ.db]
    python bench/web/soak.py --quick   # 3 users for 10 s on a small city in a temp folder

``--quick`` builds its own small evaluated city (`bench/sample_city.py`; never var/demo)
and writes no results file. Exit 1 on any error or lost submission.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "web"))
import _survey  # noqa: E402
import bench_web  # noqa: E402


def _requests(base: str, communities: list[str], token: str, rng: random.Random):
    """The four kinds of a user's loop, as (kind, method, url, keyword arguments)."""
    unit = rng.choice(communities)
    cells = {"period": "2025", "cells": [{"org_unit": unit, "data_element": "x", "value": "1"}]}
    return [
        ("overview", "GET", "/", {}),
        ("scorecard", "GET", f"/units/{unit}", {}),
        ("entry", "GET", "/entry", {}),
        ("entry_check", "POST", "/entry/check", {"json": cells}),
        ("survey", "POST", "/survey", {"data": _survey.answers(rng, communities, token)}),
    ]


async def _soak(base: str, db: Path, users: int, seconds: float, communities: list[str]):
    staff = [await bench_web._logged_in(base, "admin", "demo-admin") for _ in range(users)]
    latencies: dict[str, list[float]] = {}
    counts: dict = {"errors": 0, "accepted_surveys": 0, "by_kind": {}}
    deadline = time.monotonic() + seconds
    before = _survey.count(db)

    async def user(client: httpx.AsyncClient, k: int) -> None:
        rng = random.Random(k)
        page = await client.get("/runs")
        csrf = bench_web._csrf(page.text)
        resident = httpx.AsyncClient(base_url=base, timeout=30, limits=bench_web.KEEPALIVE)
        token = bench_web._csrf((await resident.get("/survey")).text)
        while time.monotonic() < deadline:
            for kind, method, url, kwargs in _requests(base, communities, token, rng):
                who = resident if kind == "survey" else client
                headers = {"X-CSRF-Token": csrf} if kind == "entry_check" else {}
                start = time.perf_counter()
                try:
                    answer = await who.request(method, url, headers=headers, **kwargs)
                    ok = answer.status_code < 400
                    why = str(answer.status_code)
                except httpx.HTTPError as exc:
                    ok, why = False, type(exc).__name__
                if not ok:
                    key = f"{kind} {why}"
                    counts["by_kind"][key] = counts["by_kind"].get(key, 0) + 1
                latencies.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
                counts["errors"] += not ok
                counts["accepted_surveys"] += ok and kind == "survey"
        await resident.aclose()

    await asyncio.gather(*(user(c, k) for k, c in enumerate(staff)))
    for c in staff:
        await c.aclose()
    stored = _survey.count(db) - before
    p95 = {k: round(sorted(v)[int(0.95 * (len(v) - 1))], 1) for k, v in latencies.items()}
    total = sum(len(v) for v in latencies.values())
    lost = counts["accepted_surveys"] - stored
    return {"requests": total, **counts, "stored_surveys": stored, "lost": lost, "p95_ms": p95}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--db", type=Path, help="the store to copy (default var/demo/shequ.db)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 users for 10 s on a small city built in a temp folder",
    )
    args = parser.parse_args()
    if args.quick:
        args.users, args.minutes = 3, 10 / 60
    users, seconds = min(args.users, 200), min(args.minutes, 60.0) * 60
    with tempfile.TemporaryDirectory() as tmp:
        db = bench_web._copy_store(bench_web.source_store(args, Path(tmp)), Path(tmp))
        port = bench_web._free_port()
        server = bench_web._start_server(db, port, Path(tmp) / "web")
        process = psutil.Process(server.pid)
        samples: list[int] = []

        async def run():
            task = asyncio.ensure_future(
                _soak(f"http://127.0.0.1:{port}", db, users, seconds, bench_web._communities(db))
            )
            while not task.done():
                rss = process.memory_info().rss + sum(
                    c.memory_info().rss for c in process.children(recursive=True)
                )
                samples.append(rss)
                await asyncio.sleep(5)
            return task.result()

        try:
            result = asyncio.run(run())
        finally:
            server.terminate()
            server.wait(10)
    mib = [round(s / 2**20) for s in samples]
    result.update(users=users, seconds=seconds, rss_mib_first=mib[0], rss_mib_last=mib[-1],
                  rss_mib_peak=max(mib), rss_mib_samples=mib)  # fmt: skip
    print(json.dumps({k: v for k, v in result.items() if k != "rss_mib_samples"}, indent=2))
    if not args.quick:
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "web_soak.json").write_text(json.dumps(result, indent=2))
    print(
        f"CORRECTNESS: {'FAIL' if result['errors'] or result['lost'] else 'PASS'} "
        f"({result['errors']} errors, {result['lost']} lost submissions)"
    )
    if result["errors"] or result["lost"]:
        sys.exit(1)


if __name__ == "__main__":
    main()

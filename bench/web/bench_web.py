"""Load the web server on loopback with a bounded load generator (asyncio + httpx, a fixed
number of concurrent users): the overview page, unit scorecards, and residents' survey
submissions. Prints p50/p95 latency, throughput, errors and the server's peak memory, and
checks that every accepted survey is in the database afterwards.

    python bench/web/bench_web.py [--users 50] [--requests 40] [--db var/demo/shequ.db]
    python bench/web/bench_web.py --quick   # 4 users × 5 requests on a 12-community city in tmp

The store is a copy of the demo store (``make run`` builds it), so the bench never changes
it. The server is ``shequ serve`` in its own process, as in production. All simulated
residents come from 127.0.0.1, so the per-address limit on public forms is lifted for the
run (``SHEQU_WEB_PUBLIC_PER_MINUTE``); everything else is as shipped. Exit 1 when a request
failed or an accepted survey is not in the database.

``--quick`` builds its own small evaluated city with the demo accounts in a temp folder
(`bench/sample_city.py`; never var/demo) and writes no results file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "web"))
sys.path.insert(0, str(ROOT / "bench"))
import _survey  # noqa: E402
from sample_city import build_city  # noqa: E402

DEMO_DB = ROOT / "var" / "demo" / "shequ.db"
TARGET_P95_MS = 200.0
TARGET_SURVEYS_PER_S = 300.0

#: drop an idle connection before the server does (uvicorn closes after 5 s, httpx keeps 5 s:
#: a request sent on a connection the server is closing fails with ReadError, a race of the
#: client's, not an error of the server's)
KEEPALIVE = httpx.Limits(keepalive_expiry=2.0)


def _copy_store(source: Path, folder: Path) -> Path:
    """A consistent copy of the SQLite store (the backup API includes the WAL)."""
    target = folder / "shequ.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(db: Path, port: int, data_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "SHEQU_WEB_PUBLIC_PER_MINUTE": str(10**9),
        "SHEQU_WEB_PUBLIC_TOTAL_PER_MINUTE": str(10**9),
        "SHEQU_WEB_DATA_DIR": str(data_dir),
    }
    command = [
        sys.executable,
        "-c",
        "from shequ.cli import app; app()",
        "serve",
        "--db",
        str(db),
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start in 60 s")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]*)"', html).group(1)


async def _logged_in(base: str, username: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30, limits=KEEPALIVE)
    token = _csrf((await client.get("/login")).text)
    response = await client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    if response.status_code not in (200, 303) or "shequ_session" not in client.cookies:
        raise RuntimeError(f"login failed: {response.status_code}")
    return client


async def _phase(name: str, clients: list[httpx.AsyncClient], requests: int, make) -> dict:
    """Each client sends ``requests`` requests one after the other; all clients at once."""
    latencies: list[float] = []
    errors = 0

    async def user(client: httpx.AsyncClient, k: int) -> None:
        nonlocal errors
        rng = random.Random(k)
        for _ in range(requests):
            method, url, kwargs = make(client, rng)
            start = time.perf_counter()
            try:
                response = await client.request(method, url, **kwargs)
                ok = response.status_code < 400
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - start) * 1000)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(user(c, k) for k, c in enumerate(clients)))
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "phase": name,
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(seconds, 2),
        "throughput_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "ok": len(latencies) - errors,
    }


async def _run(
    base: str, db: Path, users: int, requests: int, communities: list[str]
) -> list[dict]:
    staff = [await _logged_in(base, "admin", "demo-admin") for _ in range(users)]
    # warm the page caches once per page (pages are cached per evaluation run)
    await staff[0].get("/")
    for code in communities:
        await staff[0].get(f"/units/{code}")
    results = [
        await _phase("overview", staff, requests, lambda c, r: ("GET", "/", {})),
        await _phase(
            "scorecard",
            staff,
            requests,
            lambda c, r: ("GET", f"/units/{r.choice(communities)}", {}),
        ),
    ]
    for c in staff:
        await c.aclose()
    residents = [
        httpx.AsyncClient(base_url=base, timeout=30, limits=KEEPALIVE) for _ in range(users)
    ]
    if _survey.available(base, residents[0]):
        tokens = {}
        for c in residents:
            tokens[id(c)] = _csrf((await c.get("/survey")).text)
        before = _survey.count(db)
        survey = await _phase(
            "survey",
            residents,
            requests,
            lambda c, r: (
                "POST",
                "/survey",
                {"data": _survey.answers(r, communities, tokens[id(c)])},
            ),
        )
        stored = _survey.count(db) - before
        survey.update(stored=stored, lost=survey["ok"] - stored)
        results.append(survey)
    else:
        results.append(
            {"phase": "survey", "skipped": "the residents' voice module is not in this build"}
        )
    for c in residents:
        await c.aclose()
    return results


def _communities(db: Path, n: int = 30) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT DISTINCT code FROM org_unit WHERE level = 'community' ORDER BY code"
        ).fetchall()
    return [r[0] for r in rows[:: max(1, len(rows) // n)]][:n]


def quick_store(folder: Path) -> Path:
    """A 12-community evaluated city with the demo accounts, for the quick runs."""
    return build_city(folder / "city", 12, 2, 4, accounts=True)


def source_store(args: argparse.Namespace, tmp: Path) -> Path:
    """The store to copy: ``--db`` (default var/demo/shequ.db), or with ``--quick`` and no
    ``--db`` a small city built in ``tmp``."""
    if args.quick and args.db is None:
        return quick_store(tmp)
    args.db = args.db or DEMO_DB
    if not args.db.exists():
        sys.exit(f"{args.db} not found: run `make run` (or shequ demo) first")
    return args.db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="requests per user per phase")
    parser.add_argument("--db", type=Path, help="the store to copy (default var/demo/shequ.db)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="4 users × 5 requests on a small city built in a temp folder",
    )
    args = parser.parse_args()
    if args.quick:
        args.users, args.requests = 4, 5
    with tempfile.TemporaryDirectory() as tmp:
        db = _copy_store(source_store(args, Path(tmp)), Path(tmp))
        port = _free_port()
        server = _start_server(db, port, Path(tmp) / "web")
        sampler = psutil.Process(server.pid)
        peak = 0
        try:
            loop_task = _run(
                f"http://127.0.0.1:{port}", db, args.users, args.requests, _communities(db)
            )

            async def with_memory():
                nonlocal peak
                task = asyncio.ensure_future(loop_task)
                while not task.done():
                    rss = sampler.memory_info().rss + sum(
                        c.memory_info().rss for c in sampler.children(recursive=True)
                    )
                    peak = max(peak, rss)
                    await asyncio.sleep(0.2)
                return task.result()

            results = asyncio.run(with_memory())
        finally:
            server.terminate()
            server.wait(10)
    report(results, args.users, peak, write=not args.quick)
    broken = [r for r in results if r.get("errors") or r.get("lost")]
    print(
        f"CORRECTNESS: {'FAIL' if broken else 'PASS'} (every request answered, every accepted survey stored)"
    )
    if broken:
        sys.exit(1)


def report(results: list[dict], users: int, peak: int, *, write: bool = True) -> None:
    print(
        f"shequ web bench: {users} concurrent users on loopback; server peak RSS {peak / 2**20:.0f} MiB (with its worker)"
    )
    print(
        f"{'phase':10} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}  verdict"
    )
    for r in results:
        if "skipped" in r:
            print(f"{r['phase']:10} skipped: {r['skipped']}")
            continue
        if r["phase"] == "survey":
            verdict = (
                f"{'OK' if r['throughput_per_s'] >= TARGET_SURVEYS_PER_S else 'BELOW'} ≥{TARGET_SURVEYS_PER_S:.0f}/s; "
                f"stored {r['stored']}/{r['ok']} accepted, lost {r['lost']}"
            )
        else:
            verdict = (
                f"{'OK' if r['p95_ms'] < TARGET_P95_MS else 'SLOW'} p95 < {TARGET_P95_MS:.0f} ms"
            )
        print(
            f"{r['phase']:10} {r['requests']:8} {r['errors']:6} {r['throughput_per_s']:8.1f} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f}  {verdict}"
        )
    if not write:
        return
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "web.json").write_text(
        json.dumps({"users": users, "peak_rss_bytes": peak, "phases": results}, indent=2)
    )


if __name__ == "__main__":
    main()

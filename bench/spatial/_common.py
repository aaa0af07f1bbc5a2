"""Plumbing shared by the spatial benchmarks: paths, timing, peak memory, child processes.

Imports only the standard library, NumPy and psutil, so that it loads both in shequ's
venv (our side) and in the peers' venv (/tmp/peers-venv: pandana, osmnx, spopt, access).

Every measured approach runs in a child process of its own (``run_child``), so that its
peak memory is its own: the child reads a task (JSON), loads its inputs from ``.npz``
files in a work directory, times its phases and writes a result JSON (times, peak RSS)
plus arrays (``.npz``) for the agreement checks done by the parent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
DATA = RESULTS / "spatial_data"
PEERS_PYTHON = os.environ.get("SHEQU_PEERS_PYTHON", "/tmp/peers-venv/bin/python")
OURS_PYTHON = os.environ.get("SHEQU_OURS_PYTHON", sys.executable)


def peers_available() -> bool:
    """Whether the peers' venv (bench/spatial/setup_peers.sh) is there to run."""
    return Path(PEERS_PYTHON).is_file() and os.access(PEERS_PYTHON, os.X_OK)


def peers_note(reference: str) -> str:
    """What ran instead of the peers' venv, said out loud (quick runs in CI)."""
    return (
        f"peers' venv {PEERS_PYTHON} absent (bash bench/spatial/setup_peers.sh builds it, "
        f"~7 min): shequ is checked against {reference} instead"
    )


# ----------------------------------------------------------------------------- memory


class PeakRSS:
    """Sample the resident set size (psutil) of this process and its children every
    ``interval`` seconds.

    ``baseline_mb`` is the RSS when sampling started, ``peak_mb`` the largest sample;
    ``maxrss_mb`` is the kernel's exact high-water mark (``getrusage``) of this process
    alone for its whole life, which catches spikes shorter than the sampling interval.
    """

    def __init__(self, interval: float = 0.01) -> None:
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.baseline_mb = self.peak_mb = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> float:
        """RSS of this process plus its children (pulp runs CBC as a child process)."""
        import psutil

        total = self._proc.memory_info().rss
        for child in self._proc.children(recursive=True):
            with suppress(psutil.Error):
                total += child.memory_info().rss
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._rss())
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakRSS:
        self.baseline_mb = self.peak_mb = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self._rss())

    @staticmethod
    def maxrss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Phases(dict):
    """Wall-clock seconds per named phase, in the order they ran; ``cpu`` holds the CPU
    seconds of this process (all its threads) in the same phases."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: dict[str, float] = {}

    @contextmanager
    def time(self, name: str) -> Iterator[None]:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - start
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


# ----------------------------------------------------------------------------- children

Handler = Callable[[dict, Path, Phases], dict]


def child_main(handlers: dict[str, Handler], preload: dict[str, list[str]] | None = None) -> None:
    """Entry point of a runner script: ``script.py TASK_JSON`` → writes ``task['result']``.

    The handler gets (task, workdir, phases), fills ``phases`` with its timed steps and
    returns a JSON-able dict; with ``task["repeat"] = R`` it runs R times (each from the
    input files) and the run with the smallest total is reported (``cpu_s``: the CPU
    seconds of this process, all threads, in that run's phases); arrays go to ``workdir`` as ``.npz`` files it names. The
    modules in ``preload[kind]`` are imported before memory sampling starts, so that the
    reported increase is the work's, not the libraries'.
    """
    import importlib

    parser = argparse.ArgumentParser()
    parser.add_argument("task", type=Path)
    args = parser.parse_args()
    task = json.loads(args.task.read_text())
    handler = handlers[task["kind"]]
    for module in (preload or {}).get(task["kind"], []):
        importlib.import_module(module)
    runs = []
    with PeakRSS() as rss:
        for _ in range(int(task.get("repeat", 1))):
            phases = Phases()
            out = handler(task, Path(task["workdir"]), phases)
            runs.append(phases)
    best = min(runs, key=lambda p: sum(p.values()))
    out.update(
        phases=dict(best),
        cpu_s=sum(best.cpu.values()),
        phases_cpu=best.cpu,
        runs=len(runs),
        baseline_mb=round(rss.baseline_mb, 1),
        peak_mb=round(rss.peak_mb, 1),
        maxrss_mb=round(PeakRSS.maxrss_mb(), 1),
        python=sys.executable,
    )
    Path(task["result"]).write_text(json.dumps(out, indent=1, default=_jsonable))


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(type(value))


def run_child(
    python: str, script: str, task: dict, workdir: Path, *, timeout: float = 3600
) -> dict:
    """Run ``script`` (a file in bench/spatial) with ``python`` on ``task``; return its JSON.

    On failure, returns ``{"error": <last lines of stderr>}`` instead of raising, so that
    one failing approach does not hide the others' numbers.
    """
    name = f"{task['kind']}_{task.get('label', '')}".strip("_")
    task = {**task, "workdir": str(workdir), "result": str(workdir / f"{name}.result.json")}
    task_path = workdir / f"{name}.task.json"
    task_path.write_text(json.dumps(task, indent=1))
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    proc = subprocess.run(
        [python, str(HERE / script), str(task_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-12:])
        return {"error": tail or f"exit {proc.returncode}", "wall": wall}
    result = json.loads(Path(task["result"]).read_text())
    result["wall"] = wall
    return result


# ----------------------------------------------------------------------------- arrays


def save(path: Path, **arrays: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **{k: np.asarray(v) for k, v in arrays.items()})
    return path


def load(path: Path | str) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


# ----------------------------------------------------------------------------- reporting


def machine() -> str:
    import psutil

    load1, load5, _ = os.getloadavg()
    return (
        f"{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{psutil.cpu_count(logical=True)} CPUs · {psutil.virtual_memory().total / 2**30:.0f} GiB · "
        f"Python {platform.python_version()} · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · "
        f"load average {load1:.1f} / {load5:.1f} (1 / 5 min; the machine is shared)"
    )


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def fmt_ratio(peer: float | None, ours: float | None) -> str:
    if not peer or not ours:
        return "—"
    return f"{peer / ours:.1f}×"


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table (pipes), readable on a terminal and pasteable into README.md."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def write_report(name: str, text: str, data: dict) -> Path:
    """Write ``bench/results/spatial_<name>.txt`` (the printed report) and ``.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"spatial_{name}.txt"
    path.write_text(text + "\n")
    (RESULTS / f"spatial_{name}.json").write_text(json.dumps(data, indent=1, default=_jsonable))
    return path


def memory_cell(result: dict) -> str:
    """``peak MB (Δ over the child's RSS after imports)`` for one child result."""
    if "error" in result or "peak_mb" not in result:  # failed, or not run in a child
        return "—"
    peak = max(result["peak_mb"], result["maxrss_mb"])
    return f"{peak:,.0f} (+{peak - result['baseline_mb']:,.0f})"


# ----------------------------------------------------------------------------- inputs

#: variant ``on_node_q``: edge lengths rounded UP to a multiple of this (metres). 1/8 m is
#: exact in binary floating point AND a whole number of millimetres, so pandana's integer
#: millimetre weights (it truncates ``length × 1000``) and our float64 sums are both exact.
QUANTUM_M = 0.125
VARIANTS = ("on_node", "on_node_q", "edge")


def network_arrays(task: dict) -> dict[str, np.ndarray]:
    """The network file of ``task``; lengths quantised for variant ``on_node_q``."""
    net = load(task["network"])
    if task.get("variant") == "on_node_q":
        net["length"] = np.ceil(net["length"] / QUANTUM_M) * QUANTUM_M
    return net


def points_arrays(task: dict) -> dict[str, np.ndarray]:
    """The points file of ``task``; for the ``on_node*`` variants every point and facility
    is moved exactly onto its nearest node (offset 0)."""
    pts = load(task["points"])
    if task.get("variant", "edge").startswith("on_node"):
        for key in ("px", "py", "fx", "fy"):
            pts[key] = pts[f"{key}_on_node"]
    return pts

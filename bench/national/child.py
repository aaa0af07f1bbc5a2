"""A command in a child process: its wall time, CPU time, peak resident memory and output.

The peak is read by a fresh watcher process (``getrusage(RUSAGE_CHILDREN)`` of a small
Python that runs the command), not by ``os.wait4`` on a child of the benchmark itself: on
Linux a forked child starts with its parent's high-water mark, so a step run from a
benchmark holding gigabytes (after the bulk loader, the agreement checks) reported the
benchmark's memory, not its own (``evaluate --unit 33``: 3 694 MiB instead of ~550 MiB).
"""

from __future__ import annotations

import json
import subprocess
import sys

_WATCHER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,"
    " text=True)\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stdout.write(done.stdout)\n"
    "print(json.dumps({'seconds': time.perf_counter() - t, 'peak_mib': u.ru_maxrss / 1024,"
    " 'cpu': u.ru_utime + u.ru_stime, 'exit': done.returncode}))\n"
)


def run(argv: list[str], env: dict[str, str] | None = None) -> dict:
    """Run ``argv`` watched: ``seconds``, ``peak_mib``, ``cpu`` (user + sys seconds),
    ``exit`` (its status) and ``output`` (stdout and stderr, interleaved)."""
    done = subprocess.run(
        [sys.executable, "-c", _WATCHER, *argv], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:  # the watcher itself failed (the command's status is in 'exit')
        raise SystemExit(f"watcher failed ({done.returncode}):\n{done.stderr[-3000:]}")
    *lines, last = done.stdout.rstrip("\n").split("\n")
    figures = json.loads(last)
    figures["output"] = "\n".join(lines)
    return figures

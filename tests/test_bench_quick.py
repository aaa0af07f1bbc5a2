"""Benchmarks that cannot rot: each one's ``--quick`` mode runs here (agreement with its
peers and completion only; timings are printed by the benchmark, never asserted)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["bench/evaluate/bench_province.py", "--communities", "500", "--quick"],
        ["bench/loop/bench_scheduled_run.py", "--quick"],
        pytest.param(["bench/spark/bench_spark.py", "--quick"], marks=pytest.mark.spark),
    ],
    ids=["evaluate", "loop", "spark"],
)
def test_benchmark_quick_mode_completes_and_agrees(command, tmp_path):
    child = subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert child.returncode == 0, child.stdout[-2000:] + child.stderr[-2000:]
    if "bench_province" in command[0] or "bench_spark" in command[0]:
        assert "AGREEMENT: PASS" in child.stdout

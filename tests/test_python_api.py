"""docs/python-api.md runs: its examples execute on the sample city and show what they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import shequ
from tests._files import copy_store

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "python-api.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture
def city_copy(demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample city as ``city.db`` in the working directory (a copy: runs are added)."""
    copy_store(demo_folder / "shequ.db", tmp_path / "city.db")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "city.db"


def test_the_python_api_page_runs_on_the_sample_city(city_copy, capsys):
    namespace: dict = {}
    blocks = _blocks()
    assert len(blocks) == 5
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    run, points, quick = namespace["run"], namespace["points"], namespace["quick"]
    # The sample city: 1 city + 6 districts + 41 streets + 300 communities = 348 units.
    assert set(run.results["org_unit"]) >= {"990100000000"}
    assert run.results["org_unit"].nunique() == 348
    assert run.id is not None and quick.id is None
    assert set(quick.results["level"]) == {"district"}
    assert {"score", "rank", "dimension"} <= set(run.frame("composite").columns)
    assert str(points.crs) == "EPSG:4326" and points.geometry.notna().all()
    assert set(shequ.Run.FRAMES) >= {"results", "composite", "trends"}
    printed = capsys.readouterr().out
    assert "of residents within 500 m walking" in printed


def test_an_unknown_frame_names_the_known_ones(city_copy):
    run = shequ.evaluate(shequ.open("city.db"), period="2025", persist=False)
    with pytest.raises(KeyError, match="composite"):
        run.frame("scores")


def test_the_evaluate_function_still_leads_to_the_evaluate_subpackage():
    # shequ.evaluate is the notebook function and the subpackage's namespace at once
    import shequ.evaluate.run as run_module
    from shequ.evaluate import assessment

    assert callable(shequ.evaluate) and shequ.evaluate.run is run_module
    assert shequ.evaluate.assessment is assessment
    assert shequ.evaluate.__doc__.startswith("Evaluate every indicator")

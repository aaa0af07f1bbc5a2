"""A run stores its trends, history and diagnosis inputs with its results, in one
transaction, and `assessment.load` gives back what `assess` computed.

The tiny city of `tests._city` (C ─ D ─ S1 {A, B}, S2 {E, F}), evaluated in 2023 with the
national plan, whose living-area target is ">= 40 m² per person by 2025". Yearly points sit
at x = year + 0.5, and the projection is read at x = 2025.5.
"""

import pandas as pd
import pytest
from sqlalchemy import func, select

from shequ.evaluate import assessment
from shequ.evaluate.assessment import assess, load
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store import runs
from shequ.store.tables.core import EvaluationResultPart, EvaluationRun, EvaluationTrend
from tests._city import ORG_UNITS
from tests._files import write

# living area = floor area / residents:
#   A (1 000 residents): 30 000, 32 000, 34 000, 36 000 m² → 30, 32, 34, 36
#   B (3 000 residents): 96 000, 96 000, 99 000, 99 000 m² → 32, 32, 33, 33
# E and F report nothing.
VALUES = """
org_unit,period,resident_population,residential_floor_area_m2
A,2020,1000,30000
A,2021,1000,32000
A,2022,1000,34000
A,2023,1000,36000
B,2020,3000,96000
B,2021,3000,96000
B,2022,3000,99000
B,2023,3000,99000
"""


@pytest.fixture
def city(any_store, tmp_path):
    assert import_org_units(any_store, write(tmp_path / "u.csv", ORG_UNITS)).exit_code == 0
    assert import_values(any_store, write(tmp_path / "v.csv", VALUES)).exit_code == 0
    return any_store


def _row(frame: pd.DataFrame, unit: str) -> pd.Series:
    mine = frame[(frame["org_unit"] == unit) & (frame["indicator"] == "living_area_per_capita")]
    assert len(mine) == 1
    return mine.iloc[0]


def test_the_stored_trends_are_the_computed_ones_worked_by_hand(city):
    plan = load_plan("national")
    computed = assess(city, plan, periods=["2023"], actor="test", sensitivity=False)
    with city.begin() as conn:
        stored = load(conn, computed.evaluation.run_id)
    pd.testing.assert_frame_equal(stored.trends, computed.trends)

    a = _row(stored.trends, "A")
    # A: 30, 32, 34, 36 — every pairwise slope is 2 per year; the line goes through
    # (median x, median y) = (2022.0, 33.0), so at 2025.5: 33 + 2 · 3.5 = 40 → meets ">= 40"
    assert (a["n_points"], a["slope"], a["projected_value"]) == (4, 2.0, 40.0)
    assert (a["previous_period"], a["previous_value"], a["change_vs_previous"]) == (
        "2022",
        34.0,
        2.0,
    )
    assert a["trend_status"] == "on_track"
    b = _row(stored.trends, "B")
    # B: 32, 32, 33, 33 — slopes (per year) 0, 1/2, 1/3, 1, 1/2, 0; sorted 0 0 1/3 1/2 1/2 1,
    # median (1/3 + 1/2) / 2 = 5/12; through (2022.0, 32.5): 32.5 + 5/12 · 3.5 = 33.958;
    # even the steepest slope (1) gives 32.5 + 3.5 = 36 < 40 → off_track
    assert b["slope"] == pytest.approx(5 / 12)
    assert b["projected_value"] == pytest.approx(32.5 + 5 / 12 * 3.5)
    assert b["trend_status"] == "off_track"
    assert _row(stored.trends, "E")["trend_status"] == "no_data"

    # the earlier values behind the lines are stored too (2020-2022 of A and B, and of
    # their street, district and city; units without a value store none)
    history = stored.evaluation.history
    mine = history[
        (history["org_unit"] == "A") & (history["indicator"] == "living_area_per_capita")
    ]
    assert sorted(zip(mine["period"], mine["value"], strict=True)) == [
        ("2020", 30.0),
        ("2021", 32.0),
        ("2022", 34.0),
    ]
    expected = computed.evaluation.history.dropna(subset=["value"])
    assert len(history) == len(expected)


def test_a_run_whose_trends_fail_to_save_is_not_stored_at_all(city, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(assessment.store_runs, "save_assessment", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        assess(city, load_plan("national"), periods=["2023"], sensitivity=False)
    with city.begin() as conn:
        counts = [
            conn.execute(select(func.count()).select_from(t)).scalar()
            for t in (EvaluationRun, EvaluationResultPart, EvaluationTrend)
        ]
    assert counts == [0, 0, 0]  # neither the run nor its results are half visible


def test_a_plain_evaluation_stores_no_trends(city):
    from shequ.evaluate.run import evaluate

    run = evaluate(city, load_plan("national"), periods=["2023"], actor="test")
    with city.begin() as conn:
        assert runs.trends(conn, run.run_id).empty
        assert load(conn, run.run_id).trends.empty

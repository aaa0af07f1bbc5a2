"""issue 13 #13: a run cut off before its last part (kill -9 during ``evaluate
--composite``) never becomes the latest run: a run is invisible until the transaction
that wrote its last part marks it complete, and every reader of runs filters on that.

The crash is made by hand here (a run's results committed without the rest, as a writer
killed between parts would leave them); bench/crash/crash_trials.py kills real
evaluations at random moments."""

import pytest
from sqlalchemy import text

from shequ.errors import EvaluationError
from shequ.evaluate.assessment import assess
from shequ.framework.loader import load_plan
from shequ.store import runs
from shequ.web import views
from tests import _city


@pytest.fixture
def city(any_store, tmp_path):
    _city.build(any_store, tmp_path)
    return any_store


def _cut_off_run(store, like: int) -> int:
    """A run with results but no scores, trends or task reviews, committed."""
    with store.begin() as conn:
        row = runs.get(conn, like)
        meta = {k: getattr(row, k) for k in ("actor", "plan_code", "plan_version", "plan_digest",
                "plan_json", "periods", "level", "engine", "inputs_digest", "seconds")}  # fmt: skip
        return runs.save(conn, meta, runs.results(conn, like))


def _every_unit_scored():
    # the tiny city reports too few indicators for the default data threshold (2/3)
    plan = load_plan("national")
    return plan.model_copy(
        update={"composite": plan.composite.model_copy(update={"data_threshold": 0.0})}
    )


def test_issue13_13_a_run_without_its_last_part_is_never_the_latest(city):
    whole = assess(city, _every_unit_scored(), periods=["2025"], sensitivity=False)
    whole_id = whole.evaluation.run_id
    cut = _cut_off_run(city, whole_id)
    assert cut > whole_id
    with city.begin() as conn:
        assert runs.get(conn, "latest").id == whole_id
        assert runs.latest_id(conn) == whole_id
        with pytest.raises(EvaluationError, match="not found"):
            runs.get(conn, cut)  # not even by its id
        # its rows are there (the crash left them), only never shown
        stored = conn.execute(text("SELECT complete FROM evaluation_run ORDER BY id")).all()
    assert [bool(r[0]) for r in stored] == [True, False]
    assert views.latest_run(city)[0] == whole_id
    # the ranking the pages show is the whole run's: its scores, of the tiny city's 2 streets
    with city.begin() as conn:
        scores = runs.composite_scores(conn, runs.latest_id(conn))
    street = scores[(scores["level"] == "street") & (scores["dimension"] == "overall")]
    assert sorted(street["org_unit"]) == ["S1", "S2"]


def test_a_finished_evaluation_is_marked_complete_in_its_own_transaction(city):
    plan = load_plan("national")
    first = assess(city, plan, periods=["2025"], sensitivity=False).evaluation.run_id
    second = assess(city, plan, periods=["2025"], sensitivity=False).evaluation.run_id
    with city.begin() as conn:
        assert runs.get(conn, "latest").id == second > first
        flags = conn.execute(text("SELECT complete FROM evaluation_run ORDER BY id")).all()
    assert [bool(r[0]) for r in flags] == [True, True]

"""The sample city end to end, as `make run` builds it, and the same numbers on every engine."""

import pandas as pd
import pytest

from shequ.demo.run import run_demo
from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values


@pytest.fixture(scope="module")
def demo(demo_outcome):
    return demo_outcome  # the session's sample city (tests/conftest.py), built once


def test_demo_imports_cleanly_and_evaluates_every_unit(demo):
    # the city's three files, then residents' voice: suggestions, survey, sign-in, services
    assert [r.exit_code for r in demo.imports] == [0] * 7
    results = demo.evaluation.results
    # 1 city + 6 districts + 41 streets open on 2025-12-31 + 300 communities
    assert results.groupby("level")["org_unit"].nunique().to_dict() == {
        "city": 1,
        "district": 6,
        "street": 41,
        "community": 300,
    }
    assert set(results["status"]) == {"met", "not_met", "no_data", "no_target"}
    assert demo.results_file.exists()


def test_demo_city_expected_units_and_reporting(demo):
    city = demo.evaluation.summary().set_index("indicator")
    assert set(city["expected_units"]) == {300}
    # every required indicator has a value for the city, with some communities missing
    assert city.loc["living_area_per_capita", "reporting_units"] < 300
    assert city.loc["new_service_centres", "status"] in {"met", "not_met"}


def test_rerunning_the_demo_changes_no_data(demo, tmp_path):
    import shutil

    copy = tmp_path / "again"  # a copy: the session's sample city stays as built
    shutil.copytree(demo.files.org_units.parent, copy)
    again = run_demo(str(copy / "shequ.db"), copy)
    assert [(r.inserted, r.updated) for r in again.imports] == [(0, 0)] * 7
    assert (again.voice.fed.inserted, again.voice.fed.updated) == (0, 0)
    assert again.evaluation.inputs_digest == demo.evaluation.inputs_digest


def _evaluate(store, engine):
    frame = evaluate(
        store, load_plan(), periods=["2024", "2025"], engine=engine, persist=False
    ).results
    return frame.sort_values(["period", "indicator", "org_unit"]).reset_index(drop=True)


@pytest.mark.postgres
def test_conformance_identical_numbers_on_duckdb_sqlite_and_postgres(demo, pg_store, tmp_path):
    from shequ.demo.voice import BLANK_LATEST
    from shequ.store import values as store_values
    from shequ.store.db import open_store
    from shequ.voice.rates import ELEMENTS as SUGGESTION_ELEMENTS

    sqlite_store = open_store(demo.store_url)
    for path in (demo.files.org_units, demo.files.values_history, demo.files.values_latest):
        importer = import_org_units if path == demo.files.org_units else import_values
        assert importer(pg_store, path).exit_code == 0
    # the 2025 coverage is measured from the same geometry on PostgreSQL
    from shequ.demo.spatial import build_spatial

    build_spatial(pg_store, load_plan(), demo.files.org_units.parent / "spatial_pg", period="2025")
    # the 2025 values residents' voice computed in the demo, copied as they are
    with sqlite_store.begin() as conn:
        fed = store_values.read(
            conn, periods=["2025"], data_elements=[*BLANK_LATEST, *SUGGESTION_ELEMENTS.values()]
        )
    fed.drop(columns="id").to_csv(tmp_path / "voice.csv", index=False)
    assert import_values(pg_store, tmp_path / "voice.csv").exit_code == 0
    frames = {
        "duckdb": _evaluate(sqlite_store, "duckdb"),
        "sqlite": _evaluate(sqlite_store, "sqlite"),
        "postgres": _evaluate(pg_store, "postgres"),
    }
    reference = frames.pop("duckdb")
    indicators = len(load_plan().indicators)
    assert len(reference) == 2 * indicators * (1 + 6 + 41 + 300)  # 2024 has 41 streets too
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(
            frame, reference, check_exact=False, rtol=1e-12, check_dtype=False, obj=name
        )


def test_demo_scores_ranks_with_intervals_and_diagnoses_the_weakest_street(demo):
    from shequ.store import runs
    from shequ.store.db import open_store

    with open_store(demo.store_url).begin() as conn:
        saved = runs.composite_scores(conn, demo.evaluation.run_id)
    streets = saved[(saved["level"] == "street") & (saved["dimension"] == "overall")]
    assert len(streets) == 41
    assert (streets["rank_low"] <= streets["rank_high"]).all()
    coordination = saved[saved["dimension"] == "coordination"]
    assert coordination["label"].notna().all()
    weakest = streets.sort_values("score").iloc[0]["org_unit"]
    assert demo.diagnosis.org_unit == weakest and demo.diagnosis.gaps
    assert set(demo.assessment.trends["trend_status"]) <= {
        "met",
        "on_track",
        "at_risk",
        "off_track",
        "insufficient_data",
        "no_data",
        "no_target",
    }


def test_demo_voice_feeds_2025_and_flags_small_survey_samples(demo):
    voice = demo.voice
    # two communities answered no survey, so 298 of 300 carry the survey elements
    assert voice.fed.elements["culture_answered"] == 298
    # four communities got 12-24 answers: each is flagged (< 30)
    assert voice.few_answers == 4
    # the sign-in sheets cover the seven communities of 长青街道
    assert voice.fed.elements["participants"] == 7
    assert 0 < voice.participation["rate"] < 100
    assert voice.city_rates["received"] == 6000
    assert voice.grouped.groups < 6000  # repeats were grouped


def test_the_demo_keeps_no_key_beside_the_store(demo):
    # issue 13 #7: the demo wrote its pseudonym key beside the store
    folder = demo.files.org_units.parent
    assert (folder / "shequ.db").exists() and not list(folder.rglob("*.key"))


def test_the_demo_tries_the_ten_proposed_service_centres_as_a_scenario(demo):
    compared = demo.scenario
    assert compared.name == "十个服务中心" and compared.cost["facility:service_centre"] == 10
    coverage = compared.rows[compared.rows["indicator"] == "service_radius_coverage"]
    # new centres never take a resident out of reach: no unit's coverage falls, none flips back
    assert (coverage["value_after"] >= coverage["value_before"] - 1e-9).all()
    assert (coverage["value_after"] > coverage["value_before"]).any()
    assert (compared.rows["flip"] != "missed").all()


def test_the_demo_runs_its_schedule_once_and_tells_the_owners(demo):
    loop = demo.loop
    # the yearly job evaluates 2025 the day after its data are due: 31 Dec + 15 days + 1
    assert (loop.job, loop.period, loop.due_at) == ("yearly", "2025", "2026-01-16 03:00")
    assert loop.outcome["outcome"] == "done" and loop.outcome["run_id"]
    assert loop.warnings["target_missed"] > 0
    # every opened warning was filed once as a notification, and someone has it
    assert loop.outcome["notified"] == loop.outcome["warnings_opened"] > 0
    assert loop.inboxes.get("street_staff", 0) > 0

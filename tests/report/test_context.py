"""The report context matches the stored run and says which sections are left out."""

import pandas as pd
import pytest

from shequ.errors import EvaluationError
from shequ.report.context import build_context
from shequ.store import runs


def test_city_context_uses_the_stored_run(city_context, demo_city):
    with demo_city.begin() as conn:
        stored = runs.results(conn, city_context.run_id)
    stored = stored[(stored["org_unit"] == city_context.unit)].set_index("indicator")
    mine = city_context.indicators.set_index("indicator")
    pd.testing.assert_series_equal(
        mine["value"], stored.loc[mine.index, "value"], check_names=False
    )
    assert (city_context.unit_name, city_context.level) == ("示范市", "city")
    assert sum(city_context.status_counts().values()) == len(city_context.indicators)


def test_city_ranks_its_districts_and_diagnoses_the_weakest(city_context):
    assert len(city_context.rankings) == 6  # six districts
    assert list(city_context.rankings["rank"]) == sorted(city_context.rankings["rank"])
    assert len(city_context.diagnoses) == 3
    assert "coverage" in city_context.findings  # the demo measures coverage
    assert "voice" not in city_context.missing and city_context.voice  # the demo has voice data


def test_street_context_diagnoses_the_street_itself(street_context):
    assert street_context.unit_name == "民主街道"
    assert [d.org_unit for d in street_context.diagnoses] == ["990106001000"]


def test_unknown_unit_is_refused(demo_city):
    with pytest.raises(EvaluationError, match="does not exist"):
        build_context(demo_city, unit="990199999999")


def test_trends_and_diagnoses_read_from_the_run_are_those_of_a_fresh_assessment(
    city_context, street_context, demo_city
):
    from shequ.evaluate.assessment import assess
    from shequ.evaluate.diagnosis import diagnose

    plan = city_context.plan
    fresh = assess(demo_city, plan, periods=[city_context.period], persist=False)
    keys = ["indicator", "org_unit", "period"]
    for context in (city_context, street_context):
        rows = pd.concat([context.indicators, context.subunits], ignore_index=True)
        shown = rows[[*keys, "change_vs_previous", "trend_status", "projected_value"]]
        expected = shown[keys].merge(fresh.trends, on=keys, how="left")
        pd.testing.assert_frame_equal(shown, expected[shown.columns], check_dtype=False)
        for found in context.diagnoses:
            again = diagnose(
                found.org_unit,
                fresh.evaluation.results,
                fresh.composite,
                plan,
                profile=fresh.evaluation.profile,
            )
            assert [(g.indicator, g.score, g.gain, g.action) for g in found.gaps] == [
                (g.indicator, g.score, g.gain, g.action) for g in again.gaps
            ]
            assert [[(p.org_unit, p.value) for p in g.peers] for g in found.gaps] == [
                [(p.org_unit, p.value) for p in g.peers] for g in again.gaps
            ]
            assert found.coordination["class"] == again.coordination["class"]
            assert found.coordination["coordination"] == again.coordination["coordination"]

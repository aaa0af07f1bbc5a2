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


def test_a_community_is_compared_with_its_own_district_s_communities(demo_city):
    """Issue 12 (web at province scale): a community's scorecard took ~60 s on a 20 000-unit
    province because its diagnosis compared it with every community of the province. Peers now
    come from the unit two levels up (`PEER_AREA_DEPTH`: a community's district)."""
    from shequ.evaluate.assessment import load
    from shequ.evaluate.diagnosis import PEER_AREA_DEPTH, diagnose
    from shequ.framework.periods import parse_period
    from shequ.store import orgunits, runs

    assert PEER_AREA_DEPTH == 2
    with demo_city.begin() as conn:
        run = runs.get(conn, "latest")
        period = run.periods.split(",")[-1]
        day = parse_period(period).end
        communities = orgunits.units_on(conn, day, levels=["community"])
        every = load(conn, run.id, history=False)
    results = every.evaluation.results[every.evaluation.results["period"] == period]
    checked = 0
    for code in communities["code"]:
        context = build_context(demo_city, unit=code, depth=1)
        if not context.diagnoses or not any(g.peers for g in context.diagnoses[0].gaps):
            continue
        with demo_city.begin() as conn:
            district = orgunits.ancestor(conn, code, day, 2)
            same_district = set(orgunits.subtree(conn, district, day))
        peers = {p.org_unit for g in context.diagnoses[0].gaps for p in g.peers}
        assert peers and peers <= same_district, (code, district, peers - same_district)
        # compared with the whole city's communities, some peers would be in other districts
        wide = diagnose(
            code, results, every.composite, context.plan, profile=every.evaluation.profile
        )
        if {p.org_unit for g in wide.gaps for p in g.peers} - same_district:
            checked += 1
        if checked >= 2:
            break
    assert checked >= 2  # the rule changed what was shown for these communities

"""The sample city's spatial part: geometry consistent with the statistics, coverage as
evaluation data, proposed sites, and idempotent re-runs."""

from __future__ import annotations

import json

import pytest

from shequ.demo.city import generate_city
from shequ.demo.spatial import MEASURED, build_spatial
from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store import values as store_values
from shequ.store.db import open_store


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spatial_demo")
    files = generate_city(folder, measured=MEASURED)
    store = open_store(folder / "shequ.db")
    plan = load_plan()
    import_org_units(store, files.org_units)
    import_values(store, files.values_history, plan=plan)
    import_values(store, files.values_latest, plan=plan)
    demo = build_spatial(store, plan, folder / "spatial", period="2025")
    return store, plan, demo, folder


def test_buildings_add_up_to_each_communitys_residents(city):
    store, _, demo, folder = city
    with store.begin() as conn:
        stats = store_values.read(conn, periods=["2025"], data_elements=["resident_population"])
    layer = json.loads((folder / "spatial" / "population.geojson").read_text(encoding="utf-8"))
    per_unit: dict[str, float] = {}
    for feature in layer["features"]:
        unit = feature["properties"]["id"].split("-")[0]
        per_unit[unit] = per_unit.get(unit, 0) + feature["properties"]["population"]
    assert per_unit == dict(zip(stats["org_unit"], stats["value"], strict=True))
    # every building lies inside its community's square: assigned by boundary
    assert demo.imports[1].inserted == len(layer["features"])


def test_the_cut_off_corner_is_reported_as_a_fragment(city):
    _, _, demo, _ = city
    # the 4 × 4 street nodes of the north-east corner lose every link to the rest
    assert demo.network.fragments["components"] == 1
    assert demo.network.fragments["fragment_nodes"] == 16
    assert demo.coverage.result.fragments["population_on_fragments"] > 0


def test_coverage_feeds_the_service_radius_indicator(city):
    store, plan, demo, _ = city
    result = demo.coverage.result
    assert demo.coverage.values_written["inserted"] == 300
    assert 0.5 < result.share < 1.0  # some residents are beyond 500 m of every centre
    evaluation = evaluate(store, plan, periods=["2025"], persist=False)
    city_row = evaluation.summary().set_index("indicator").loc["service_radius_coverage"]
    # ratio of sums: covered residents / residents × 100, over all 300 communities
    assert city_row["value"] == pytest.approx(100 * result.share, abs=0.01)
    assert city_row["status"] == "not_met"


def test_ten_sites_are_proposed_each_adding_residents(city):
    _, _, demo, _ = city
    sites = demo.sites
    assert len(sites.sites) == 10 and sites.result.status == "optimal"
    added = sites.sites["added"].tolist()
    assert all(a > 0 for a in added) and added == sorted(added, reverse=True)
    assert sites.covered_after == pytest.approx(sites.covered_before + sum(added))
    assert "建议新建 10 个社区服务中心" in demo.describe("zh")


def test_a_second_run_changes_nothing(city):
    store, plan, _, folder = city
    again = build_spatial(store, plan, folder / "spatial", period="2025")
    assert [r.inserted + r.updated for r in again.imports] == [0, 0, 0]
    assert again.network.status == "unchanged"
    assert again.coverage.values_written["unchanged"] == 300


def test_the_report_has_a_coverage_chapter_from_the_measured_values(city):
    from shequ.report.context import build_context
    from shequ.report.html import render_report

    store, plan, demo, _ = city
    evaluate(store, plan, periods=["2025"])
    context = build_context(store)
    zh, en = context.findings["coverage"]
    result = demo.coverage.result
    # covered residents over all residents of the city's 300 communities, as measured
    assert f"{result.covered_population:,.0f} of {result.total_population:,.0f}" in en
    assert "walking-network distance" in en and "步行网络距离" in zh
    assert "coverage" not in context.missing
    assert zh in render_report(context, lang="zh")

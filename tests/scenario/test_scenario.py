"""Scenarios: the proposed sites and a planned green area, tried on a copy of the store.

A hand-built city on one street along 39.905°N from 116.000°E to 116.020°E (one degree of
longitude there is 111 320 m × cos 39.905° ≈ 85 375 m, so 0.001° ≈ 85 m):

- community A (116.00–116.01°E): a1, 100 residents at 116.003 (≈ 85 m from the service
  centre F1 at 116.002: covered); a2, 60 residents at 116.009 (≈ 598 m from F1: not).
- community B (116.01–116.02°E): b1, 50 residents at 116.018 (≈ 1 366 m from F1: not).

Baseline service-radius coverage (500 m on the network, target ≥ 100 % for 2025):
A 100 / 160 = 62.5 %, B 0 / 50 = 0 %, street S and city C (100 + 0) / 210 = 47.6 %.
The proposed sites K1 at 116.0175 (≈ 43 m from b1) and K2 at 116.010 (≈ 85 m from a2; b1 is
≈ 683 m away) cover a2 and b1: A 160 / 160, B 50 / 50, S and C 210 / 210 = 100 %, so the
target flips to met in all four units, at a cost of 2 service centres.

Green coverage of A: 35 m² green / 100 m² land = 35 % < 38 % (某市 target); the scenario's
planned green area of 40 m² makes it 40 / 100 = 40 % ≥ 38 %: met.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import shapely

from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.scenario import actions
from shequ.scenario.compare import evaluate_scenario
from shequ.spatial import layers
from shequ.spatial.imports.boundaries import import_boundaries
from shequ.spatial.imports.facilities import import_facilities
from shequ.spatial.imports.networks import import_network
from shequ.spatial.imports.population import import_population
from shequ.store import scenarios as store_scenarios
from tests._files import write
from tests.cli._invoke import invoke

UNITS = """
code,name,parent_code,level
C,示范市,,city
S,一街道,C,street
A,甲社区,S,community
B,乙社区,S,community
"""
BOUNDARIES = """
org_unit,wkt
A,"POLYGON ((116 39.9, 116.01 39.9, 116.01 39.91, 116 39.91, 116 39.9))"
B,"POLYGON ((116.01 39.9, 116.02 39.9, 116.02 39.91, 116.01 39.91, 116.01 39.9))"
"""
FACILITIES = """
code,type,name,lon,lat
F1,service_centre,一号中心,116.002,39.9052
"""
POPULATION = """
id,lon,lat,population
a1,116.003,39.9049,100
a2,116.009,39.9049,60
b1,116.018,39.9049,50
"""
VALUES = """
org_unit,period,resident_population,green_area_m2,land_area_m2
A,2025,160,35,100
B,2025,50,,
"""
# the sites `shequ site --out` would write (its GeoJSON: points with code, name, rank, …)
SITES = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.0175, 39.9051]},
         "properties": {"rank": 1, "code": "K1", "name": "", "added": 50.0}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.010, 39.9051]},
         "properties": {"rank": 2, "code": "K2", "name": "", "added": 60.0}},
    ],
}  # fmt: skip


def build_city(store, folder):
    import_org_units(store, write(folder / "units.csv", UNITS))
    import_boundaries(store, write(folder / "b.csv", BOUNDARIES))
    street = np.array([shapely.LineString([(116.0, 39.905), (116.01, 39.905), (116.02, 39.905)])])
    import_network(store, layers.write_layer(folder / "street.gpkg", street, {"n": [1]}))
    import_population(store, write(folder / "pop.csv", POPULATION))
    import_facilities(store, write(folder / "fac.csv", FACILITIES))
    assert import_values(store, write(folder / "v.csv", VALUES)).exit_code == 0
    sites = folder / "sites_service_centre_500m_2025.geojson"
    sites.write_text(json.dumps(SITES), encoding="utf-8")
    return sites


@pytest.fixture
def city(any_store, tmp_path):
    return any_store, build_city(any_store, tmp_path)


def _row(comparison, indicator, unit):
    rows = comparison.rows
    return rows[(rows["indicator"] == indicator) & (rows["org_unit"] == unit)].iloc[0]


def test_proposed_sites_and_a_planned_green_area_flip_their_targets(city):
    store, sites = city
    plan = load_plan()
    rows = actions.from_sites(plan, sites)  # type from the file name: service_centre
    rows.append(actions.value(plan, "green_area_m2,A,2025,40"))
    with store.begin() as conn:
        store_scenarios.create(conn, "ten centres", actions.frame(rows), actor="test")
    comparison = evaluate_scenario(store, plan, "ten centres", period="2025")
    expected = {"A": (62.5, 100.0), "B": (0.0, 100.0), "S": (100 / 210 * 100, 100.0),
                "C": (100 / 210 * 100, 100.0)}  # fmt: skip
    for unit, (before, after) in expected.items():
        row = _row(comparison, "service_radius_coverage", unit)
        assert row["value_before"] == pytest.approx(before, abs=1e-9), unit
        assert row["value_after"] == pytest.approx(after, abs=1e-9), unit
        assert (row["status_before"], row["status_after"], row["flip"]) == (
            "not_met", "met", "met",
        )  # fmt: skip
    green = _row(comparison, "green_coverage", "A")
    assert (green["value_before"], green["value_after"], green["flip"]) == (35.0, 40.0, "met")
    assert comparison.cost == {"facility:service_centre": 2, "values": 1}
    flipped = comparison.flips
    assert set(zip(flipped["indicator"], flipped["org_unit"], strict=True)) >= {
        ("service_radius_coverage", u) for u in "ABSC"
    } | {("green_coverage", "A")}
    assert (flipped["flip"] == "missed").sum() == 0
    # the summary lists only the indicators whose values move, top level first
    summary = comparison.summary()
    assert set(summary["indicator"]) == {"service_radius_coverage", "green_coverage"}
    coverage = summary[summary["indicator"] == "service_radius_coverage"]
    assert coverage[["level", "units", "met_before", "met_after", "gained"]].values.tolist() == [
        ["city", 1, 0, 1, 1], ["street", 1, 0, 1, 1], ["community", 2, 0, 2, 2],
    ]  # fmt: skip


def test_evaluating_a_scenario_leaves_the_real_store_byte_for_byte_unchanged(
    sqlite_store, tmp_path
):
    sites = build_city(sqlite_store, tmp_path)
    db = sqlite_store.sqlite_path
    sqlite_store.close()
    result = invoke("scenario", "create", "proposed", "--from-sites", sites,
                    "--value", "green_area_m2,A,2025,40", "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = invoke("scenario", "evaluate", "proposed", "--period", "2025", "--db", db,
                    "--lang", "en")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    # the flipped target and units are listed, with the cost
    assert "Units whose target flips" in result.output
    assert "service_radius_coverage" in result.output and "becomes met" in result.output
    assert "62.5" in result.output and "100.0" in result.output
    assert "new Community service centre: 2" in result.output


def test_scenario_commands_list_show_delete_and_refuse_bad_input(sqlite_store, tmp_path):
    db = sqlite_store.sqlite_path
    result = invoke("scenario", "create", "park", "--value", "green_area_m2,A,2025,40",
                    "--facility", "service_centre,116.01,39.905,新中心", "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = invoke("scenario", "list", "--db", db)
    assert "park" in listed.output
    shown = invoke("scenario", "show", "park", "--db", db, "--lang", "en")
    assert "green_area_m2" in shown.output and "新中心" in shown.output
    again = invoke("scenario", "create", "park", "--value", "green_area_m2,A,2025,1", "--db", db)
    assert again.exit_code == 2 and "exists" in again.output
    bad = invoke("scenario", "create", "x", "--value", "no_such,A,2025,1", "--db", db)
    assert bad.exit_code == 2 and "no_such" in bad.output
    bad = invoke("scenario", "create", "y", "--facility", "service_centre,east,39.9", "--db", db)
    assert bad.exit_code == 2 and "east" in bad.output
    assert invoke("scenario", "delete", "park", "--db", db).exit_code == 0
    assert invoke("scenario", "show", "park", "--db", db).exit_code == 2

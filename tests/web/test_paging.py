"""Long tables page: `web.paging`, the overview's sub-units, the ranking and the JSON lists
(limit ≤ 500, offset, the whole count beside the page)."""

from __future__ import annotations

import pandas as pd

from shequ.web import paging
from tests.web import _webcity as city


def test_a_page_of_rows_and_its_neighbours():
    # 120 rows, 50 a page: pages 1–50, 51–100, 101–120 (3 pages)
    third = paging.paginate(list(range(1, 121)), 3, 50)
    assert (third.rows[0], third.rows[-1], third.first, third.last) == (101, 120, 101, 120)
    assert third.pages == 3 and third.total == 120
    assert paging.paginate(list(range(1, 121)), 9, 50).number == 3  # past the end: the last
    frame = pd.DataFrame({"code": ["a", "b", "c"]})
    assert paging.paginate(frame, 2, 2).rows == [{"code": "c"}]
    assert third.link(2, level="street", q="") == "?level=street&page=2&size=50"


def test_the_overview_lists_the_direct_sub_units_only(client_for):
    html = client_for("admin").get("/").text  # the city: its one district, no street
    table = html[html.index('id="children-table"') :]
    table = table[: table.index("</table>")]
    assert f"/?unit={city.DISTRICT}" in table
    assert city.STREET_1 not in table and city.JIA not in table


def test_the_ranking_pages_and_filters_by_unit(client_for):
    admin = client_for("admin")
    everything = admin.get("/api/scores?level=community").json()
    assert everything["total"] == 4  # 甲 乙 丙 丁
    page = admin.get("/ranking?level=community&size=1&page=2").text
    body = page[page.index('<table id="ranking">') :]
    second = everything["scores"][1]["org_unit"]  # rank order, as the API gives it
    assert second in body and everything["scores"][0]["org_unit"] not in body
    assert "第 2–2 行，共 4 行" in page
    mine = admin.get(f"/ranking?level=community&unit={city.STREET_2}").text
    rows = mine[mine.index('<table id="ranking">') :]
    assert city.BING in rows and city.JIA not in rows  # 二街道 holds 丙 and 丁 only


def test_json_lists_are_bounded_and_give_the_whole_count(client_for):
    admin = client_for("admin")
    answer = admin.get("/api/orgunits?limit=2&offset=1")
    # the 8 units by code: city, district, street 1, 甲, 乙, street 2, 丙, 丁 → offset 1: 2
    assert answer.headers["X-Total-Count"] == "8"
    assert [u["code"] for u in answer.json()] == [city.DISTRICT, city.STREET_1]
    assert admin.get("/api/orgunits?limit=501").status_code == 422  # over the maximum
    results = admin.get(f"/api/results?unit={city.JIA}&limit=3").json()
    assert len(results["results"]) == 3 and results["total"] > 3

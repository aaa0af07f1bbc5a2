"""The ranking page: district column, names with codes, the dot-and-interval chart's data,
and a clear sentence (not a bare "—") when the latest run has no composite scores."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from shequ.evaluate.assessment import assess
from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.store.db import open_store
from shequ.web.app import create_app
from shequ.web.views import district_of
from tests.web import _webcity as city
from tests.web.conftest import csrf_of, login


def _chart(html: str) -> list[dict]:
    found = re.search(r'<script type="application/json" id="ranking-data">(.*?)</script>', html)
    assert found, "no chart data"
    return json.loads(found.group(1))


def test_streets_carry_their_district_and_code(client_for):
    page = client_for("admin").get("/ranking?level=street").text
    assert f'一街道</a> <small class="muted">{city.STREET_1}</small>' in page
    assert "<td>东区</td>" in page  # both streets lie in 东区
    points = _chart(page)
    assert {p["label"] for p in points} == {f"一街道 {city.STREET_1}", f"二街道 {city.STREET_2}"}
    assert {p["district"] for p in points} == {"东区"}
    # two streets: ranks 1 and 2; the web city is assessed without sensitivity runs, so no
    # interval is drawn (low/high null, the chart draws the dot only)
    assert sorted(p["rank"] for p in points) == [1, 2]
    assert all(p["low"] is None and p["high"] is None for p in points)


def test_the_csv_export_has_the_district(client_for):
    csv = client_for("admin").get("/ranking?level=street&format=csv").content.decode("utf-8-sig")
    head, *lines = csv.strip().splitlines()
    column = head.split(",").index("所属区县")
    assert [line.split(",")[column] for line in lines] == ["东区", "东区"]


def test_district_of_walks_up_to_the_district():
    units = pd.DataFrame(
        {
            "code": ["C", "D", "S", "K"],
            "level": ["city", "district", "street", "community"],
            "parent_code": [None, "C", "D", "S"],
        }
    )
    # a community's district is its grandparent, a street's its parent, a district itself
    assert district_of(units) == {"D": "D", "S": "D", "K": "D"}


@pytest.fixture(scope="module")
def unscored_then_scored(tmp_path_factory):
    """A city whose newest run (2025, plain evaluate) has no composite scores, after an
    older assessment of 2024 that has them."""
    folder = tmp_path_factory.mktemp("unscored")
    store = open_store(folder / "shequ.db")
    city.build(store, folder)
    assess(store, load_plan(), periods=["2024"], actor="test", sensitivity=False)
    evaluate(store, load_plan(), periods=["2025"], actor="test")
    url = store.url
    store.close()
    app = create_app(url, data_dir=folder / "data")
    yield app
    app.state.worker.shutdown()


def test_an_unscored_latest_run_points_to_the_newest_scored_one(unscored_then_scored):
    with TestClient(unscored_then_scored, base_url="http://testserver") as client:
        assert login(client, "admin").status_code == 303
        page = client.get("/ranking?level=street").text
    assert csrf_of(page)
    # run 1 = the 2024 assessment (scored), run 2 = the 2025 evaluation (no composite)
    assert 'id="older-scores"' in page
    assert "最新评估 #2 未计算综合得分" in page and "#1（2024 年）" in page
    assert "一街道" in page and len(_chart(page)) == 2

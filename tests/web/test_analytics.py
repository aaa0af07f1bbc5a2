"""Analytics (issue 15 item 3): indicators × units × periods as a pivot table or charts, a
shareable URL, CSV/XLSX downloads, the same as a JSON API; scoped; bounded.

The store is the web tests' small city (tests/web/_webcity.py) evaluated twice: run A
for 2024 and 2025, then 甲社区's 2025 floor area is corrected (40 000 → 44 000 m²) and run
B evaluates 2025 alone. Each cell must come from the newest run that holds it.

Hand-worked (人均居住面积 = floor area / population; 绿化覆盖率 = green / land × 100):
- 甲社区 2024: 40 000 × 0.95 / 1 000 = 38.0; 2025 (run B): 44 000 / 1 000 = 44.0
- 乙社区 2025: 150 000 / 3 000 = 50.0
- 一街道 2025 (run B): (44 000 + 150 000) / (1 000 + 3 000) = 48.5;
  2024 (run A): (38 000 + 142 500) / 4 000 = 45.125
- 绿化覆盖率 一街道: (30 + 40) / (100 + 100) × 100 = 35.0; the sample city's target is ">= 38"
  (example_city.yaml) → not met
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from fastapi.testclient import TestClient

from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.ingest.values import import_values
from shequ.store.db import open_store
from shequ.web.app import create_app
from tests._files import write
from tests.web import _webcity
from tests.web.conftest import csrf_of, login

LIVING, GREEN = "living_area_per_capita", "green_coverage"


def build_store(folder) -> str:
    """The city evaluated twice (runs 1 and 2, see the module docstring); its URL."""
    store = open_store(folder / "shequ.db")
    _webcity.build(store, folder)
    plan = load_plan()
    run_a = evaluate(store, plan, periods=["2024", "2025"], actor="test").run_id
    fix = f"org_unit,period,residential_floor_area_m2\n{_webcity.JIA},2025,44000\n"
    assert import_values(store, write(folder / "fix.csv", fix)).exit_code == 0
    run_b = evaluate(store, plan, periods=["2025"], actor="test").run_id
    assert (run_a, run_b) == (1, 2)
    url = store.url
    store.close()
    return url


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analytics")
    application = create_app(build_store(folder), data_dir=folder / "web")
    yield application
    application.state.worker.shutdown()


def client(app, username: str) -> TestClient:
    c = TestClient(app, base_url="http://testserver")
    assert login(c, username).status_code == 303
    return c


def test_api_takes_each_cell_from_the_newest_run_that_holds_it(app):
    c = client(app, "analyst")
    query = (
        f"indicator={LIVING}&units={_webcity.STREET_1},{_webcity.JIA},{_webcity.YI}"
        "&period=2024&period=2025"
    )
    body = c.get(f"/api/analytics?{query}").json()
    cells = {(r["org_unit"], r["period"]): r for r in body["rows"]}
    assert len(cells) == 6  # 3 units × 2 periods
    assert cells[(_webcity.JIA, "2024")]["value"] == pytest.approx(38.0)
    assert cells[(_webcity.JIA, "2024")]["run_id"] == 1
    assert cells[(_webcity.JIA, "2025")]["value"] == pytest.approx(44.0)
    assert cells[(_webcity.JIA, "2025")]["run_id"] == 2
    assert cells[(_webcity.YI, "2025")]["value"] == pytest.approx(50.0)
    assert cells[(_webcity.STREET_1, "2025")]["value"] == pytest.approx(48.5)
    assert cells[(_webcity.STREET_1, "2024")]["value"] == pytest.approx(45.125)
    # the selection echoes back as the query string that reproduces it
    again = c.get(f"/api/analytics?{body['selection']}").json()
    assert again["rows"] == body["rows"]


def test_children_of_a_unit_and_target_status(app):
    c = client(app, "analyst")
    body = c.get(
        f"/api/analytics?indicator={GREEN}&unit={_webcity.DISTRICT}&level=children&period=2025"
    ).json()
    cells = {r["org_unit"]: r for r in body["rows"]}
    assert set(cells) == {_webcity.STREET_1, _webcity.STREET_2}
    street = cells[_webcity.STREET_1]
    assert street["value"] == pytest.approx(35.0)
    assert (street["comparator"], street["target"], street["status"]) == (">=", 38.0, "not_met")


def test_scope_holds_for_units_and_lists(app):
    c = client(app, "staff_s1")
    assert c.get(f"/api/analytics?unit={_webcity.STREET_2}&period=2025").status_code == 403
    listed = f"/api/analytics?units={_webcity.JIA},{_webcity.BING}&period=2025"
    assert c.get(listed).status_code == 403
    page = c.get(f"/analytics?unit={_webcity.STREET_2}&period=2025")
    assert page.status_code == 403 and "丙社区" not in page.text
    own = c.get(f"/api/analytics?unit={_webcity.STREET_1}&level=community&period=2025").json()
    assert {r["org_unit"] for r in own["rows"]} == {_webcity.JIA, _webcity.YI}


def test_refusals_name_the_reason(app):
    c = client(app, "analyst")
    unknown = c.get("/api/analytics?indicator=nope&period=2025")
    assert unknown.status_code == 400 and "nope" in unknown.json()["detail"]
    not_stored = c.get(f"/api/analytics?indicator={LIVING}&period=2019")
    assert not_stored.status_code == 400
    assert "2019" in not_stored.json()["detail"] and "2024, 2025" in not_stored.json()["detail"]
    many = ",".join(f"9901{i:08d}" for i in range(501))
    assert c.get(f"/api/analytics?units={many}&period=2025").status_code == 413
    page = c.get("/analytics?indicator=nope&period=2025")
    assert page.status_code == 400 and 'id="analytics-error"' in page.text


def test_page_pivot_formats_with_decimals_and_downloads_keep_precision(app):
    c = client(app, "analyst")
    query = (
        f"indicator={LIVING}&unit={_webcity.STREET_1}&level=self&period=2024&period=2025"
        "&rows=org_unit&chart=line"
    )
    page = c.get(f"/analytics?{query}")
    assert page.status_code == 200
    assert "45.1 m²/人" in page.text and "48.5 m²/人" in page.text  # 45.125 at 1 decimal
    data = page.text.split('id="analytics-data">')[1].split("</script>")[0]
    panels = json.loads(data)
    assert [p["title"] for p in panels] == ["人均居住面积"]
    assert panels[0]["categories"] == ["2024", "2025"]
    assert panels[0]["series"][0]["data"] == [pytest.approx(45.125), pytest.approx(48.5)]
    csv_text = c.get(f"/analytics?{query}&format=csv").content.decode("utf-8-sig")
    assert "45.125" in csv_text  # full precision in the download
    book = openpyxl.load_workbook(io.BytesIO(c.get(f"/api/analytics?{query}&format=xlsx").content))
    values = [row for row in book.active.iter_rows(values_only=True)]
    assert any(45.125 in row for row in values[1:])
    assert csrf_of(page.text)

"""Issue 13 #1/#11, the class "a body the server holds whole": every request body is bounded
(`web/bodies.py`), uploads are copied block by block and cut at the import limit
(`web/uploads.py`, now also the scenario sites upload), and a DHIS2 JSON body nested too
deeply is a 400 with the reason, not a 500. Before this, ``/api/dataValueSets`` and
``/api/values`` read any body whole and the scenario form read its file whole."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from shequ.web.app import create_app
from tests.web.conftest import csrf_of, login

LIMIT = 4096  # bytes of a non-upload body in this module's app


@pytest.fixture(scope="module")
def small_app(web_store_url, tmp_path_factory):
    app = create_app(
        web_store_url, data_dir=tmp_path_factory.mktemp("bodies"), max_body_bytes=LIMIT
    )
    yield app
    app.state.worker.shutdown()


@pytest.fixture
def admin(small_app):
    client = TestClient(small_app, base_url="http://testserver")
    assert login(client, "admin").status_code == 303
    client.headers["X-CSRF-Token"] = csrf_of(client.get("/runs").text)
    return client


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(admin):
    big = json.dumps({"dataValues": [{"value": "1" * 100}] * 100})  # ≈ 11 KB > 4 096
    response = admin.post(
        "/api/dataValueSets", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "4,096" in response.json()["detail"] and "上限" in response.json()["detail"]
    assert response.headers["content-security-policy"]  # the security headers still apply


def test_a_chunked_body_is_cut_off_at_the_limit(admin):
    def chunks():
        for _ in range(10):
            yield b" " * 1000  # 10 000 bytes, no Content-Length

    response = admin.post(
        "/api/values", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_a_small_body_still_works_and_deep_nesting_is_a_400(admin):
    ok = admin.post("/api/dataValueSets?dryRun=true", json={"dataValues": []})
    assert ok.status_code == 200, ok.text
    deep = "[" * 2000 + "]" * 2000  # 4 000 bytes: under the limit, 2 000 levels deep
    response = admin.post(
        "/api/dataValueSets", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert "dataValueSet" in response.text or "嵌套" in response.text


def test_the_scenario_sites_upload_is_cut_at_the_import_limit(admin, small_app, monkeypatch):
    monkeypatch.setenv("SHEQU_IMPORT_MAX_FILE_BYTES", "2000")
    uploads = small_app.state.settings.data_dir / "uploads"
    before = sorted(p.name for p in uploads.rglob("*")) if uploads.exists() else []
    sites = "lon,lat\n" + "120.0,30.0\n" * 500  # 5 508 bytes > 2 000
    response = admin.post(
        "/scenarios",
        data={"name": "大文件", "site_type": "service_centre"},
        files={"sites": ("sites.csv", sites.encode(), "text/csv")},
    )
    assert response.status_code == 413
    assert "2,000" in response.text  # the page says which limit, in its error page
    after = sorted(p.name for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []
    assert [n for n in after if n.endswith(".csv")] == [n for n in before if n.endswith(".csv")]

"""What the pages do with and without the optional web bundles (ECharts, Leaflet)."""

from __future__ import annotations

from shequ.web.app import STATIC, create_app


def test_pages_say_so_when_the_chart_library_is_missing(web_store_url, tmp_path):
    from fastapi.testclient import TestClient

    from tests.web.conftest import login

    app = create_app(web_store_url, data_dir=tmp_path)
    app.state.templates.env.globals["echarts_installed"] = False
    client = TestClient(app)
    login(client, "admin")
    page = client.get("/")
    assert 'id="no-echarts"' in page.text and "echarts.min.js" not in page.text


def test_a_tile_url_brings_leaflet_and_the_tiles_to_the_map(web_store_url, tmp_path):
    from fastapi.testclient import TestClient

    from tests.web.conftest import login

    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    client = TestClient(create_app(web_store_url, data_dir=tmp_path, tile_url=tiles))
    login(client, "admin")
    page = client.get("/map").text
    assert f'data-tiles="{tiles}"' in page
    # Leaflet (from npm, copied by make install) is loaded only when tiles are configured
    assert ("/static/leaflet.js" in page) == (STATIC / "leaflet.js").exists()
    login(plain := TestClient(create_app(web_store_url, data_dir=tmp_path)), "admin")
    assert "/static/leaflet.js" not in plain.get("/map").text

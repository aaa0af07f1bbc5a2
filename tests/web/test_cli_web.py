"""``shequ users add|token`` and what the pages do without the chart library."""

from __future__ import annotations

from typer.testing import CliRunner

from shequ.cli import app
from shequ.store import accounts
from shequ.store.db import open_store
from shequ.web.app import create_app
from shequ.web.pages import STATIC
from tests.web import _webcity as city


def test_users_add_and_token_from_the_command_line(tmp_path):
    store = open_store(tmp_path / "shequ.db")
    city.build(store, tmp_path)
    db = str(tmp_path / "shequ.db")
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "王芳",
            "--role",
            "unit_staff",
            "--scope",
            city.YI,
            "--password",
            "a long secret",
            "--db",
            db,
        ],
    )
    assert added.exit_code == 0, added.output
    token = runner.invoke(app, ["users", "token", "王芳", "--db", db])
    assert token.exit_code == 0 and token.output.strip().startswith("shq_")
    with store.begin() as conn:
        user = accounts.user_for_token(conn, token.output.strip())
    assert (user["username"], user["role"], user["scope"]) == ("王芳", "unit_staff", city.YI)
    bad = runner.invoke(
        app,
        [
            "users",
            "add",
            "x",
            "--role",
            "mayor",
            "--scope",
            city.YI,
            "--password",
            "a long secret",
            "--db",
            db,
        ],
    )
    assert bad.exit_code == 2 and "unknown role" in bad.output


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

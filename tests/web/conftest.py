"""Web fixtures: one small city store per session, evaluated once, and logged-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from shequ.evaluate.assessment import assess
from shequ.framework.loader import load_plan
from shequ.store.db import open_store
from shequ.web.app import create_app
from tests.web import _webcity


@pytest.fixture(scope="session")
def web_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("webcity")
    store = open_store(folder / "shequ.db")
    _webcity.build(store, folder)
    assess(store, load_plan(), periods=["2025"], actor="test", sensitivity=False)
    store.close()
    return store.url


@pytest.fixture(scope="session")
def web_app(web_store_url: str, tmp_path_factory: pytest.TempPathFactory):
    # the route walk posts to every public form as each user within a minute: a limit of
    # 200 per address keeps it clear of 429; test_public checks the limit with its own throttle
    app = create_app(
        web_store_url, data_dir=tmp_path_factory.mktemp("webdata"), public_per_minute=200
    )
    yield app
    app.state.worker.shutdown()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]*)"', html)
    assert found, "page has no CSRF token"
    return found.group(1)


def login(client: TestClient, username: str, password: str = _webcity.PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


@pytest.fixture
def client_for(web_app) -> Iterator:
    """``client_for("staff_jia")``: a client logged in as that user (CSRF token in ``.csrf``)."""
    clients = []

    def make(username: str | None) -> TestClient:
        client = TestClient(web_app, base_url="http://testserver")
        clients.append(client)
        if username is not None:
            response = login(client, username)
            assert response.status_code == 303, response.text
        client.csrf = csrf_of(
            client.get("/login").text if username is None else client.get("/runs").text
        )
        return client

    yield make
    for c in clients:
        c.close()


def path_of(request: pytest.FixtureRequest) -> Path:
    return Path(request.node.path)

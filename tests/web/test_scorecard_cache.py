"""A scorecard is built once per run and unit, and rebuilt only when what it shows besides
the run changes (units' names and tree, follow-up tasks).

Issue 13's soak found 24 scorecard requests over 30 s at 50 users on the sample city: the
scorecard's cache was keyed by the store's data version, which every survey answer, login
and token moves, so under load every scorecard was built again from the run (trends and
diagnoses included) while the run had not changed.
"""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from shequ.evaluate.assessment import assess
from shequ.framework.loader import load_plan
from shequ.store import tasks as store_tasks
from shequ.store.accounts import ANALYST, add_user
from shequ.store.db import open_store
from shequ.web.app import create_app
from tests.web import _webcity as city
from tests.web.conftest import login


@pytest.fixture
def app_and_store(tmp_path):
    store = open_store(tmp_path / "shequ.db")
    city.build(store, tmp_path)
    assess(store, load_plan(), periods=["2025"], actor="test", sensitivity=False)
    app = create_app(store.url, data_dir=tmp_path / "web")
    yield app, store
    app.state.worker.shutdown()
    store.close()


def _built(app, unit: str) -> int:
    """How many scorecard contexts of ``unit`` the app has built (one per cache key)."""
    return sum(1 for key in app.state.cache._items if key[0] == "full" and key[2] == unit)


def test_a_scorecard_is_not_rebuilt_when_unrelated_data_changes(app_and_store):
    app, store = app_and_store
    client = TestClient(app, base_url="http://testserver")
    assert login(client, "admin").status_code == 303
    assert client.get(f"/units/{city.JIA}").status_code == 200
    assert _built(app, city.JIA) == 1
    # an audited change the scorecard does not show: a new account (entity "user")
    add_user(store, "someone_new", "a long password 9", role=ANALYST, scope=city.CITY, actor="t")
    assert client.get(f"/units/{city.JIA}").status_code == 200
    assert _built(app, city.JIA) == 1  # was 2 on main before: the key held the data version
    # a follow-up task of the unit is shown at once: the key moves with tasks
    with store.begin() as conn:
        store_tasks.create(
            conn,
            actor="t",
            org_unit=city.JIA,
            indicator="living_area_per_capita",
            owner_unit=city.JIA,
            deadline=dt.date(2031, 7, 9),
        )
    page = client.get(f"/units/{city.JIA}")
    assert "2031-07-09" in page.text
    assert _built(app, city.JIA) == 2
    client.close()

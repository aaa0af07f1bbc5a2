"""/admin/schedule: the runs with their outcome, the warnings of the user's subtree, and a
supervisor confirming and dismissing in the browser's forms."""

import datetime as dt
import re

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from shequ.loop import scheduler
from shequ.store import accounts, tasks
from shequ.store import warnings as store_warnings
from shequ.web.app import create_app
from tests.loop.conftest import add_values, plan_with
from tests.loop.test_warnings import quarter

PASSWORD = "password123"


def client_as(app, username):
    client = TestClient(app, base_url="http://testserver")
    token = re.search(r'name="csrf-token" content="([^"]*)"', client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def app(city, tmp_path):
    accounts.add_user(city, "s1_head", PASSWORD, role="analyst", scope="S1", actor="t")
    accounts.add_user(city, "s2_head", PASSWORD, role="analyst", scope="S2", actor="t")
    # A 35.0 and B 36.0 miss 40 (S1 35.5 too; E 45.0 and the city 38.7 vs 40: C misses)
    values = quarter("2025Q1", 35000).replace("B,2025Q1,1000,50000", "B,2025Q1,1000,36000")
    add_values(city, tmp_path, "q1.csv", values)
    plan = plan_with(collect=())
    scheduler.tick(city, plan, clock=lambda: dt.datetime(2025, 4, 16, 3))
    app = create_app(city.url, data_dir=tmp_path / "web", worker_processes=1)
    app.state.plan = plan
    yield app
    app.state.worker.shutdown()


def test_the_page_shows_runs_and_only_the_warnings_of_the_users_subtree(app, city):
    s1 = client_as(app, "s1_head")
    html = s1.get("/admin/schedule").text
    assert "quarterly" in html and "2025-04-16 02:00" in html and ">done<" in html
    rows = re.findall(
        r'<tr class="sev-[a-z]+"><td>(\d+)</td><td>[a-z_]+</td><td>([A-Z0-9]+)</td>', html
    )
    assert {unit for _, unit in rows} == {"A", "B", "S1"}  # not C, not S2's E
    s2_html = client_as(app, "s2_head").get("/admin/schedule").text
    assert "living_area_per_capita" not in s2_html.split('id="warnings"')[1].split("</table>")[0]


def test_a_supervisor_confirms_one_and_dismisses_another_with_a_reason(app, city):
    s1 = client_as(app, "s1_head")
    html = s1.get("/admin/schedule").text
    csrf = re.search(r'name="csrf-token" content="([^"]*)"', html).group(1)
    with city.begin() as conn:
        frame = store_warnings.listing(conn, kind="target_missed").set_index("org_unit")
    a, b, c = (int(frame.loc[u, "id"]) for u in ("A", "B", "C"))
    post = lambda wid, **data: s1.post(  # noqa: E731
        f"/admin/warnings/{wid}", data={"csrf_token": csrf, **data}, follow_redirects=False
    )
    assert post(a, decision="edit", deadline="2025-08-31").status_code == 303
    assert post(a, decision="confirm").status_code == 303
    assert post(b, decision="dismiss", reason="已在改造 / renovation under way").status_code == 303
    assert post(c, decision="dismiss", reason="not mine").status_code == 403  # C is above S1
    with city.begin() as conn:
        (task,) = tasks.listing(conn).to_dict("records")
        kept = store_warnings.get(conn, b)
    assert (task["org_unit"], task["deadline"]) == ("A", dt.date(2025, 8, 31))
    assert (kept["decision"], kept["reason"]) == ("dismissed", "已在改造 / renovation under way")

"""Issue 13 #6 (scope across periods) and #9 (district files): each row of a write is
scoped by its own period; reports, jobs and quarantine files by the caller's subtree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shequ.store import values as store_values
from shequ.store.db import open_store
from shequ.store.orgunits import write_versions
from shequ.web.app import create_app
from tests._files import copy_store
from tests.web import _webcity as city
from tests.web.conftest import csrf_of, login

MOVED = "990101002009"  # 戊社区: in 二街道 until 2024, in 一街道 from 2025-01-01


@pytest.fixture
def moved_city(web_store_url: str, tmp_path: Path):
    """A copy of the web city where 戊社区 moved from 二街道 to 一街道 on 2025-01-01."""
    source = Path(web_store_url.removeprefix("sqlite:///"))
    target = tmp_path / "moved.db"
    copy_store(source, target)
    store = open_store(target)
    new = {"code": MOVED, "name": "戊社区", "level": "社区"}
    with store.begin() as conn:
        write_versions(
            conn,
            [
                {
                    **new,
                    "parent_code": city.STREET_2,
                    "valid_from": dt.date(1000, 1, 1),
                    "valid_to": dt.date(2025, 1, 1),
                },
                {
                    **new,
                    "parent_code": city.STREET_1,
                    "valid_from": dt.date(2025, 1, 1),
                    "valid_to": dt.date(9999, 12, 31),
                },
            ],
            actor="test",
        )
    app = create_app(store.url, data_dir=tmp_path / "data", worker_processes=0)
    yield store, app
    app.state.worker.shutdown()
    store.close()


def _staff_s1(app) -> TestClient:
    client = TestClient(app)
    assert login(client, "staff_s1").status_code == 303
    client.csrf = csrf_of(client.get("/runs").text)
    return client


def _stored(store, period: str) -> list:
    with store.begin() as conn:
        frame = store_values.read(conn, periods=[period], data_elements=["green_area_m2"])
    return sorted(frame[frame["org_unit"] == MOVED]["value"].tolist())


def test_issue_13_6_api_write_scopes_each_row_by_its_own_period(moved_city):
    """issue 13 #6: staff of 一街道 may write 戊社区's 2025 value (it is theirs since
    2025-01-01) but not its 2024 value (二街道's then), even in the same request."""
    store, app = moved_city
    client = _staff_s1(app)
    row = {"data_element": "green_area_m2", "org_unit": MOVED, "value": "7"}
    body = {"values": [{**row, "period": "2025"}, {**row, "period": "2024"}]}
    answer = client.post("/api/values", json=body, headers={"X-CSRF-Token": client.csrf})
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert [(p["cell"], p["column"]) for p in problems] == [(1, "org_unit")]
    assert _stored(store, "2024") == [] and _stored(store, "2025") == []  # nothing written
    ok = client.post(
        "/api/values", json={"values": body["values"][:1]}, headers={"X-CSRF-Token": client.csrf}
    )
    assert ok.status_code == 200 and _stored(store, "2025") == [7.0]


def test_issue_13_6_an_upload_scopes_each_row_by_its_own_period(moved_city, tmp_path):
    """issue 13 #6: an upload by staff of 一街道 with 戊社区's 2024 and 2025 rows keeps the
    2025 row and quarantines the 2024 one (the check used today's scope for every row)."""
    store, app = moved_city
    client = _staff_s1(app)
    csv = f"org_unit,period,green_area_m2\n{MOVED},2025,8\n{MOVED},2024,9\n"
    answer = client.post(
        "/imports",
        files={"file": ("v.csv", csv.encode(), "text/csv")},
        data={"csrf_token": client.csrf},
    )
    assert answer.status_code == 200
    assert _stored(store, "2025") == [8.0] and _stored(store, "2024") == []


@pytest.fixture
def city_copy(web_store_url: str, tmp_path: Path):
    source = Path(web_store_url.removeprefix("sqlite:///"))
    copy_store(source, tmp_path / "copy.db")
    store = open_store(tmp_path / "copy.db")
    app = create_app(store.url, data_dir=tmp_path / "data", worker_processes=0)
    yield store, app
    app.state.worker.shutdown()
    store.close()


def _as(app, username: str) -> TestClient:
    client = TestClient(app)
    assert login(client, username).status_code == 303
    client.csrf = csrf_of(client.get("/runs").text)
    return client


def test_issue_13_9_an_administrator_of_a_street_sees_only_their_subtree_s_files(
    city_copy, tmp_path
):
    """issue 13 #9: a report of 丙社区 (二街道) and an import quarantine made by the city's
    analyst are not for the administrator of 一街道 (404); the city administrator sees them."""
    from shequ.store import jobs as store_jobs

    store, app = city_copy
    output = tmp_path / "report_bing.csv"
    output.write_text("unit,score\n", encoding="utf-8")
    with store.begin() as conn:
        job = store_jobs.create_job(
            conn, "report", {"run_id": 1, "unit": city.BING, "fmt": "csv"}, actor="analyst"
        )
        store_jobs.finish_job(conn, job, status="done", output=str(output))
    analyst = _as(app, "analyst")
    # one row with an unknown data element: quarantined, nothing written
    upload = analyst.post(
        "/imports",
        files={
            "file": ("q.csv", f"org_unit,period,no_such_element\n{city.BING},2025,1\n".encode())
        },
        data={"csrf_token": analyst.csrf},
    )
    assert upload.status_code == 200
    from sqlalchemy import select

    from shequ.store.tables.core import ImportBatch

    with store.begin() as conn:
        batch = conn.execute(select(ImportBatch.id).order_by(ImportBatch.id.desc())).scalar()
    street_admin, city_admin = _as(app, "admin_s1"), _as(app, "admin")
    assert street_admin.get(f"/reports/{job}").status_code == 404
    assert street_admin.get(f"/api/jobs/{job}").status_code == 404
    assert street_admin.get(f"/imports/{batch}/quarantine").status_code == 404
    assert f"/imports/{batch}/quarantine" not in street_admin.get("/imports").text
    assert city_admin.get(f"/reports/{job}").status_code == 200
    assert city_admin.get(f"/api/jobs/{job}").status_code == 200
    assert city_admin.get(f"/imports/{batch}/quarantine").status_code == 200

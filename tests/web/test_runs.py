"""Evaluations started from the browser run in the worker process; the scorecard (with
trends, computed there too) shows the new value; reports are written and downloaded."""

from __future__ import annotations

import re
import time

import pytest

from tests.web import _webcity as city


def wait_for_job(client, job_id: int, seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


def _job_id(response) -> int:
    return int(re.search(r"job=(\d+)", response.headers["location"]).group(1))


@pytest.mark.slow
def test_evaluation_from_the_browser_shows_the_new_value_on_the_scorecard(client_for):
    client = client_for("staff_jia")
    body = {
        "values": [
            {
                "data_element": "residential_floor_area_m2",
                "org_unit": city.JIA,
                "period": "2025",
                "value": "45000",
            }
        ]
    }
    assert (
        client.post("/api/values", json=body, headers={"X-CSRF-Token": client.csrf}).status_code
        == 200
    )
    started = client.post(
        "/runs", data={"period": "2025", "csrf_token": client.csrf}, follow_redirects=False
    )
    assert started.status_code == 303
    job = wait_for_job(client, _job_id(started))
    assert job["status"] == "done", job["message"]
    page = client.get(f"/units/{city.JIA}")
    assert page.status_code == 200
    assert f"#{job['run_id']}" in page.text
    # 甲社区 per-capita living area: 45 000 m² / 1 000 residents = 45.0 m² (was 40.0)
    row = page.text.split('data-indicator="living_area_per_capita"')[1].split("</tr>")[0]
    assert "45.0" in row
    # the trend series carries the earlier years of the same indicator: 2023 = 36 000 / 1 000
    assert "36.0" in page.text or "36," in page.text


@pytest.mark.slow
def test_a_report_is_written_in_the_worker_and_downloaded(client_for):
    client = client_for("staff_s1")
    run_id = client.get("/api/results").json()["run_id"]
    started = client.post(
        "/reports",
        data={"run_id": run_id, "fmt": "xlsx", "csrf_token": client.csrf},
        follow_redirects=False,
    )
    job = wait_for_job(client, _job_id(started))
    assert job["status"] == "done", job["message"]
    download = client.get(f"/reports/{job['id']}")
    assert download.status_code == 200
    assert download.content[:2] == b"PK"  # an XLSX is a zip file
    # someone else's report is not theirs to fetch
    assert client_for("staff_jia").get(f"/reports/{job['id']}").status_code == 404


def test_a_report_of_another_street_is_refused(client_for):
    client = client_for("staff_s1")
    response = client.post(
        "/reports",
        data={"run_id": 1, "fmt": "xlsx", "unit": city.STREET_2, "csrf_token": client.csrf},
    )
    assert response.status_code == 403


@pytest.mark.slow
def test_a_dead_worker_is_replaced(tmp_path):
    import os
    import signal

    from shequ.web.worker import Worker

    worker = Worker(1)
    pid = worker.submit(os.getpid).result(60)
    os.kill(pid, signal.SIGKILL)  # the worker process dies (out of memory, say)
    deadline = time.monotonic() + 10
    while not worker._pool._broken and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker._pool._broken
    assert worker.submit(os.getpid).result(60) != pid  # the next job gets a new process
    worker.shutdown()

"""The scenario page and the Word report's scenario section, on the hand-worked city of
`test_scenario` (two proposed sites flip service-radius coverage to met in A, B, S and C)."""

from __future__ import annotations

import re

import pytest
from docx import Document

from shequ.store.accounts import add_user
from tests.cli._invoke import invoke

from .test_scenario import build_city

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from shequ.web.app import create_app

PASSWORD = "correct horse 9"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]*)"', html).group(1)


def test_the_scenario_page_creates_from_sites_and_shows_the_flips(sqlite_store, tmp_path):
    sites = build_city(sqlite_store, tmp_path)
    add_user(sqlite_store, "planner", PASSWORD, role="administrator", scope="C", actor="test")
    app = create_app(sqlite_store.url, data_dir=tmp_path / "web")
    try:
        with TestClient(app, base_url="http://testserver") as client:
            login = client.get("/login")
            client.post("/login", data={"username": "planner", "password": PASSWORD,
                                        "csrf_token": _csrf(login.text)})  # fmt: skip
            page = client.get("/scenarios?lang=en")
            assert page.status_code == 200 and "no scenarios yet" in page.text
            created = client.post(
                "/scenarios",
                data={"name": "two centres", "csrf_token": _csrf(page.text)},
                files={"sites": (sites.name, sites.read_bytes(), "application/geo+json")},
                follow_redirects=False,
            )
            assert created.status_code == 303, created.text
            shown = client.post("/scenarios/evaluate?lang=en", data={
                "name": "two centres", "period": "2025", "csrf_token": _csrf(page.text)})  # fmt: skip
            assert shown.status_code == 200, shown.text
            flips = shown.text[shown.text.index('id="flips"') :]
            # A 62.5 → 100.0, B 0.0 → 100.0, S and C 47.6 → 100.0, each "becomes met"
            for unit, before in (("A", "62.5"), ("B", "0.0"), ("S", "47.6"), ("C", "47.6")):
                assert re.search(rf"\({unit}\)</td><td>≥ 100.0</td><td>{before}</td><td>100.0</td>"
                                 r"<td>becomes met</td>", flips), unit  # fmt: skip
            assert "new Community service centre: 2" in shown.text
    finally:
        app.state.worker.shutdown()


def test_the_word_report_carries_an_optional_scenario_section(sqlite_store, tmp_path):
    sites = build_city(sqlite_store, tmp_path)
    db = sqlite_store.sqlite_path
    assert invoke("evaluate", "--period", "2025", "--db", db).exit_code == 0
    assert (
        invoke("scenario", "create", "两个中心", "--from-sites", sites, "--db", db).exit_code == 0
    )
    plain, with_scenario = tmp_path / "plain.docx", tmp_path / "scenario.docx"
    assert invoke("report", "-o", plain, "--db", db).exit_code == 0
    result = invoke("report", "-o", with_scenario, "--scenario", "两个中心", "--db", db)
    assert result.exit_code == 0, result.output
    headings = [
        p.text for p in Document(with_scenario).paragraphs if p.style.name.startswith("Heading")
    ]
    assert "七、情景评估（调整策略）" in headings
    assert "七、情景评估（调整策略）" not in [p.text for p in Document(plain).paragraphs]
    table = next(t for t in Document(with_scenario).tables if t.rows[0].cells[-1].text == "变化")
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    # 甲社区 (A): 62.5 → 100.0, 转为达标 (becomes met)
    assert rows["甲社区 (A)"][3:] == ["62.5", "100.0", "转为达标"]

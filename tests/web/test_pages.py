"""Pages as a logged-in user sees them: overview, ranking, scorecard, entry, runs."""

from __future__ import annotations

from tests.web import _webcity as city


def test_overview_shows_city_figures_against_targets(client_for):
    # The city's per-capita living area 2025: (40000+150000+70000+66000) / (1000+3000+2000+1500)
    # = 326000 / 7500 = 43.47 m², against the national target ≥ 40: met.
    client = client_for("admin")
    page = client.get("/")
    assert page.status_code == 200
    assert "示范市" in page.text
    assert "43.5" in page.text
    assert "s-met" in page.text


def test_overview_in_english(client_for):
    client = client_for("admin")
    page = client.get("/?lang=en")
    assert "Overview" in page.text and "met" in page.text


def test_ranking_lists_streets_and_exports_csv(client_for):
    client = client_for("admin")
    page = client.get("/ranking?level=street")
    assert page.status_code == 200
    assert "一街道" in page.text and "二街道" in page.text
    csv = client.get("/ranking?level=street&format=csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    # two streets, one header line
    assert len(csv.content.decode("utf-8-sig").strip().splitlines()) == 3


def test_ranking_of_a_street_user_leaves_out_the_other_street(client_for):
    client = client_for("staff_s1")
    page = client.get("/ranking?level=community")
    assert "甲社区" in page.text
    assert not any(name in page.text for name in city.OTHER_NAMES)

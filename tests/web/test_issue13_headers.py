"""Issue 13 #15: CSP without inline scripts, HSTS over https, no-store on pages with a
user's data, and the OpenAPI document behind the same login as /api/docs."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web import _webcity as city

PAGES = ["/", "/map", "/ranking", f"/units/{city.JIA}", "/runs", "/imports", "/entry", "/api/docs"]


def test_issue_13_15_every_page_has_a_csp_without_inline_scripts(client_for):
    """issue 13 #15: script-src is 'self' only and no page carries an inline script or an
    inline event handler (JSON data blocks are not scripts)."""
    admin = client_for("admin")
    for path in [*PAGES, "/login", "/survey"]:
        response = admin.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy, path
        for tag in re.findall(r"<script\b[^>]*>", response.text):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", response.text), path


def test_issue_13_15_authenticated_pages_are_not_stored_by_caches(client_for):
    """issue 13 #15: pages and API answers say no-store; static files may be cached."""
    admin = client_for("admin")
    for path in [*PAGES, "/api/orgunits?level=community"]:
        assert admin.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in admin.get("/static/app.js").headers.get("cache-control", "")


def test_issue_13_15_hsts_only_over_https(web_app):
    """issue 13 #15: Strict-Transport-Security when served over https, not over http."""
    plain = TestClient(web_app, base_url="http://testserver")
    secure = TestClient(web_app, base_url="https://testserver")
    assert "strict-transport-security" not in plain.get("/login").headers
    assert secure.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_issue_13_15_the_openapi_document_needs_a_login_like_the_docs(client_for):
    """issue 13 #15: /openapi.json answers 401 to anyone and the document to a user."""
    anonymous = client_for(None)
    assert anonymous.get("/openapi.json").status_code == 401
    assert anonymous.get("/api/docs").status_code == 401
    document = client_for("reader_s1").get("/openapi.json")
    assert document.status_code == 200 and "/api/values" in document.json()["paths"]


def test_issue_13_fuzz_finding_an_unreadable_run_id_is_a_400_not_a_500(client_for):
    """Found by schemathesis: /api/results?run= raised ValueError (500)."""
    reader = client_for("reader_s1")
    assert reader.get("/api/results?run=").status_code == 400
    assert reader.get("/api/results?run=abc").status_code == 400


def test_issue_13_fuzz_finding_a_row_id_beyond_64_bits_is_a_422_not_a_500(client_for):
    # schemathesis found GET /api/jobs/9223372036854775808 → OverflowError in SQLite (500)
    client = client_for("admin")
    assert client.get("/api/jobs/9223372036854775808").status_code == 422
    assert client.get("/api/jobs/0").status_code == 422
    assert client.get("/reports/99999999999999999999").status_code == 422

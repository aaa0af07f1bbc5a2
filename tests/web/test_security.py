"""Accounts and security: passwords, sessions and cookies, CSRF, login throttling, API
tokens, period locks and the audit trail."""

from __future__ import annotations

import pytest

from shequ.store import accounts, audit
from shequ.store.accounts import hash_password, verify_password
from shequ.store.db import open_store
from shequ.web.app import create_app
from tests.web import _webcity as city
from tests.web.conftest import csrf_of, login


def test_passwords_are_stored_as_argon2_hashes(web_store_url):
    store = open_store(web_store_url)
    with store.begin() as conn:
        user = accounts.find_user(conn, "staff_jia")
    assert user["password_hash"].startswith("$argon2id$")
    assert city.PASSWORD not in user["password_hash"]
    assert verify_password(user["password_hash"], city.PASSWORD)
    assert not verify_password(user["password_hash"], "wrong password")
    assert not verify_password(None, city.PASSWORD)  # unknown user
    assert hash_password("x" * 8) != hash_password("x" * 8)  # salted


def test_session_cookie_is_httponly_and_samesite_lax(client_for, web_app):
    from fastapi.testclient import TestClient

    client = TestClient(web_app)
    response = login(client, "staff_jia")
    cookie = response.headers["set-cookie"]
    assert "shequ_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in the test; https sets Secure (next test)


def test_session_cookie_is_secure_over_https(web_app):
    from fastapi.testclient import TestClient

    client = TestClient(web_app, base_url="https://testserver")
    cookie = login(client, "staff_jia").headers["set-cookie"]
    assert "Secure" in cookie


def test_a_form_post_without_the_csrf_token_is_refused(client_for):
    client = client_for("admin")
    refused = client.post("/admin/periods", data={"period": "2023", "locked": "true"})
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    wrong = client.post(
        "/admin/periods", data={"period": "2023", "locked": "true", "csrf_token": "x"}
    )
    assert wrong.status_code == 403


def test_a_cookie_authenticated_api_write_needs_the_csrf_header(client_for):
    client = client_for("staff_jia")
    body = {
        "values": [
            {"data_element": "green_area_m2", "org_unit": city.JIA, "period": "2025", "value": "30"}
        ]
    }
    assert client.post("/api/values", json=body).status_code == 403
    assert (
        client.post("/api/values", json=body, headers={"X-CSRF-Token": client.csrf}).status_code
        == 200
    )


def test_login_is_throttled_after_five_failures(web_store_url, tmp_path):
    from fastapi.testclient import TestClient

    app = create_app(web_store_url, data_dir=tmp_path, login_max_failures=5)
    client = TestClient(app)
    statuses = [login(client, "staff_s1", "wrong password").status_code for _ in range(6)]
    # five wrong passwords are answered 401; the sixth attempt is refused before checking
    assert statuses == [401] * 5 + [429]
    # even the right password waits out the pause
    assert login(client, "staff_s1").status_code == 429


def test_api_token_authenticates_scripts_without_csrf(web_store_url, web_app):
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from shequ.store.accounts import issue_token
    from shequ.store.tables.accounts import ApiToken

    token = issue_token(open_store(web_store_url), "staff_s1", name="test", actor="test")
    with open_store(web_store_url).begin() as conn:
        stored = conn.execute(select(ApiToken.digest)).scalars().all()
    assert token not in stored and accounts.digest(token) in stored
    client = TestClient(web_app)
    headers = {"Authorization": f"Bearer {token}"}
    units = client.get("/api/orgunits?level=community", headers=headers)
    assert units.status_code == 200
    # 一街道 has 甲社区 and 乙社区
    assert sorted(u["code"] for u in units.json()) == [city.JIA, city.YI]
    assert client.get("/api/orgunits", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_locked_period_refuses_edits_until_unlocked(client_for, web_store_url):
    admin = client_for("admin")
    staff = client_for("staff_jia")
    lock = {"period": "2024", "locked": "true", "csrf_token": admin.csrf}
    assert admin.post("/admin/periods", data=lock, follow_redirects=False).status_code == 303
    body = {
        "values": [
            {"data_element": "green_area_m2", "org_unit": city.JIA, "period": "2024", "value": "31"}
        ]
    }
    refused = staff.post("/api/values", json=body, headers={"X-CSRF-Token": staff.csrf})
    assert refused.status_code == 422
    assert "locked" in refused.json()["problems"][0]["reason_en"]
    unlock = {"period": "2024", "locked": "false", "csrf_token": admin.csrf}
    admin.post("/admin/periods", data=unlock)
    assert (
        staff.post("/api/values", json=body, headers={"X-CSRF-Token": staff.csrf}).status_code
        == 200
    )
    with open_store(web_store_url).begin() as conn:
        # the whole-tree lock is an approval of the top unit (the city)
        trail = audit.history(conn, "period_approval", f"{city.CITY}/2024")
    assert list(trail["action"]) == ["unlock", "approve"]  # newest first
    assert set(trail["actor"]) == {"admin"}


def test_only_a_top_level_administrator_may_lock_periods(client_for):
    street_admin = client_for("admin_s1")
    response = street_admin.post(
        "/admin/periods", data={"period": "2024", "locked": "true", "csrf_token": street_admin.csrf}
    )
    assert response.status_code == 403


def test_every_change_is_in_the_audit_page_with_who_before_and_after(client_for):
    staff = client_for("staff_jia")
    body = {
        "values": [
            {"data_element": "land_area_m2", "org_unit": city.JIA, "period": "2023", "value": "101"}
        ]
    }
    assert (
        staff.post("/api/values", json=body, headers={"X-CSRF-Token": staff.csrf}).status_code
        == 200
    )
    admin = client_for("admin")
    page = admin.get(f"/admin/audit?key=land_area_m2/{city.JIA}/2023")
    assert page.status_code == 200
    # the value was 100 (from the import) and is now 101, changed by staff_jia
    assert "staff_jia" in page.text
    assert "&#34;value&#34;: 100.0" in page.text and "&#34;value&#34;: 101.0" in page.text


@pytest.mark.parametrize("limit", [3])
def test_public_forms_are_rate_limited_per_address(web_store_url, tmp_path, limit):
    from fastapi.testclient import TestClient

    app = create_app(web_store_url, data_dir=tmp_path, public_per_minute=limit)
    client = TestClient(app)
    token = csrf_of(client.get("/survey").text)
    statuses = [
        client.post("/survey", data={"csrf_token": token}).status_code for _ in range(limit + 1)
    ]
    # the first three get through the limit (to the form's own answer); the fourth is refused
    assert 429 not in statuses[:limit] and statuses[limit] == 429


def test_logging_out_ends_the_session_at_once(client_for):
    from fastapi.testclient import TestClient

    client = client_for("reader_s1")
    assert client.get("/").status_code == 200
    cookie = client.cookies.get("shequ_session")
    client.post("/logout", data={"csrf_token": client.csrf})
    # the old cookie, sent again (say, from a copy), no longer opens a page
    replay = TestClient(client.app, cookies={"shequ_session": cookie})
    response = replay.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_login_does_not_redirect_to_another_site(web_app):
    from fastapi.testclient import TestClient

    for evil in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        client = TestClient(web_app)
        token = csrf_of(client.get("/login").text)
        form = {
            "username": "reader_s1",
            "password": city.PASSWORD,
            "csrf_token": token,
            "next": evil,
        }
        response = client.post("/login", data=form, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", evil

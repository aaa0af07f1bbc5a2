"""Issue 13 #8: users can be disabled and enabled, tokens revoked, and a new password ends
every session and token of the old one (`shequ users disable|enable|revoke-token|list`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shequ.store.accounts import add_user, issue_token
from shequ.store.db import open_store
from shequ.web.app import create_app
from tests._files import copy_store
from tests.cli._invoke import invoke
from tests.web import _webcity as city
from tests.web.conftest import login


@pytest.fixture
def accounts_city(web_store_url: str, tmp_path: Path):
    source = Path(web_store_url.removeprefix("sqlite:///"))
    copy_store(source, tmp_path / "copy.db")
    store = open_store(tmp_path / "copy.db")
    app = create_app(store.url, data_dir=tmp_path / "data", worker_processes=0)
    yield store, app, tmp_path / "copy.db"
    app.state.worker.shutdown()
    store.close()


def _units(client: TestClient, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return client.get("/api/orgunits?level=community", headers=headers).status_code


def test_issue_13_8_a_new_password_ends_old_sessions_and_tokens(accounts_city):
    """issue 13 #8: after the password of staff_s1 changes, the browser logged in with the
    old one is sent to the login page and the old token answers 401."""
    store, app, _db = accounts_city
    browser = TestClient(app)
    assert login(browser, "staff_s1").status_code == 303
    token = issue_token(store, "staff_s1", name="script", actor="test")
    assert _units(TestClient(app), token) == 200
    add_user(store, "staff_s1", "a new secret 1", role="unit_staff", scope=city.STREET_1, actor="t")
    assert browser.get("/runs", follow_redirects=False).status_code == 303  # to /login
    assert _units(TestClient(app), token) == 401
    assert login(TestClient(app), "staff_s1", "a new secret 1").status_code == 303


def test_issue_13_8_users_disable_enable_and_revoke_token_from_the_cli(accounts_city):
    """issue 13 #8: `shequ users disable` ends the session and refuses login and token;
    `enable` lets the user in again; `revoke-token` kills the token for good; `list`."""
    store, app, db = accounts_city
    browser = TestClient(app)
    assert login(browser, "reader_s1").status_code == 303
    token = issue_token(store, "reader_s1", name="script", actor="test")
    result = invoke("users", "disable", "reader_s1", "--db", db)
    assert result.exit_code == 0, result.output
    assert browser.get("/runs", follow_redirects=False).status_code == 303
    assert login(TestClient(app), "reader_s1").status_code == 401
    assert _units(TestClient(app), token) == 401
    listed = invoke("users", "list", "--db", db)
    assert listed.exit_code == 0
    line = next(x for x in listed.output.splitlines() if x.startswith("reader_s1"))
    assert "disabled" in line and "read_only" in line
    assert invoke("users", "enable", "reader_s1", "--db", db).exit_code == 0
    assert login(TestClient(app), "reader_s1").status_code == 303
    assert _units(TestClient(app), token) == 200
    revoked = invoke("users", "revoke-token", "reader_s1", "--db", db)
    assert revoked.exit_code == 0 and "1 token(s) revoked" in revoked.output
    assert _units(TestClient(app), token) == 401
    unknown = invoke("users", "disable", "nobody", "--db", db)
    assert unknown.exit_code == 2 and "no user nobody" in unknown.output

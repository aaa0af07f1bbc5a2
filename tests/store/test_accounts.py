"""Accounts on SQLite and PostgreSQL: users, tokens, sessions, period locks."""

from __future__ import annotations

import pytest

from shequ.store import accounts, approvals, audit
from shequ.store.accounts import add_user, issue_token
from shequ.store.db import open_store, upgrade
from tests.web import _webcity as city


def test_users_tokens_sessions_and_locks_on_both_databases(any_store, tmp_path):
    city.build(any_store, tmp_path)  # creates the six test users
    token = issue_token(any_store, "staff_jia", name="script", actor="test")
    with any_store.begin() as conn:
        assert accounts.user_for_token(conn, token)["scope"] == city.JIA
        assert accounts.user_for_token(conn, token + "x") is None
        user = accounts.find_user(conn, "staff_s1")
        cookie, csrf = accounts.open_session(conn, user["id"], hours=1)
        found, found_csrf = accounts.session_user(conn, cookie)
        assert found["username"] == "staff_s1" and found_csrf == csrf
        accounts.close_session(conn, cookie)
        assert accounts.session_user(conn, cookie) is None
        approvals.set_period_lock(conn, "2025", locked=True, actor="admin")
        assert approvals.periods(conn).set_index("code").loc["2025", "locked"]
        trail = audit.history(conn, "user")
    # six users created, each audited without its password hash
    assert len(trail) == len(city.USERS)
    assert not trail["after"].str.contains("argon2").any()


def test_a_user_needs_a_known_role_and_unit(sqlite_store, tmp_path):
    city.build(sqlite_store, tmp_path)
    with pytest.raises(accounts.AccountError, match="unknown role"):
        add_user(sqlite_store, "x", "long enough", role="mayor", scope=city.CITY, actor="t")
    with pytest.raises(accounts.AccountError, match="unknown org unit"):
        add_user(sqlite_store, "x", "long enough", role="analyst", scope="000", actor="t")
    with pytest.raises(accounts.AccountError, match="8 characters"):
        add_user(sqlite_store, "x", "short", role="analyst", scope=city.CITY, actor="t")


def test_init_upgrades_a_store_made_before_the_web_tables(tmp_path):
    store = open_store(tmp_path / "old.db", migrate=False)
    upgrade(store, "0002")
    upgrade(store)  # what shequ init does on an existing store
    with store.begin() as conn:
        assert accounts.list_users(conn).empty

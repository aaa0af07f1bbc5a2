"""``shequ users add|token``: web users and API tokens from the command line."""

from __future__ import annotations

from typer.testing import CliRunner

from shequ.cli import app
from shequ.store import accounts
from shequ.store.db import open_store
from tests.web import _webcity as city


def test_users_add_and_token_from_the_command_line(tmp_path):
    store = open_store(tmp_path / "shequ.db")
    city.build(store, tmp_path)
    db = str(tmp_path / "shequ.db")
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "王芳",
            "--role",
            "unit_staff",
            "--scope",
            city.YI,
            "--password",
            "a long secret",
            "--db",
            db,
        ],
    )
    assert added.exit_code == 0, added.output
    token = runner.invoke(app, ["users", "token", "王芳", "--db", db])
    assert token.exit_code == 0 and token.output.strip().startswith("shq_")
    with store.begin() as conn:
        user = accounts.user_for_token(conn, token.output.strip())
    assert (user["username"], user["role"], user["scope"]) == ("王芳", "unit_staff", city.YI)
    bad = runner.invoke(
        app,
        [
            "users",
            "add",
            "x",
            "--role",
            "mayor",
            "--scope",
            city.YI,
            "--password",
            "a long secret",
            "--db",
            db,
        ],
    )
    assert bad.exit_code == 2 and "unknown role" in bad.output

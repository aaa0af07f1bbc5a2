"""Account operations shared by the CLI and the demo: add a user, issue an API token."""

from __future__ import annotations

from ..store import accounts
from ..store.db import Store
from .security import hash_password


def add_user(
    store: Store,
    username: str,
    password: str,
    *,
    role: str,
    scope: str,
    display_name: str = "",
    actor: str,
) -> int:
    """Create or update ``username`` with an argon2 hash of ``password``."""
    if len(password) < 8:
        msg = "密码至少8个字符 / the password needs at least 8 characters"
        raise accounts.AccountError(msg)
    with store.begin() as conn:
        return accounts.add_user(
            conn,
            username=username,
            password_hash=hash_password(password),
            role=role,
            scope=scope,
            display_name=display_name,
            actor=actor,
        )


def issue_token(store: Store, username: str, *, name: str, actor: str) -> str:
    """A new API token for ``username`` (shown once; only its digest is stored)."""
    with store.begin() as conn:
        user = accounts.find_user(conn, username)
        if user is None:
            raise accounts.AccountError(f"没有用户 {username} / no user {username}")
        return accounts.issue_token(conn, user["id"], name=name, actor=actor)

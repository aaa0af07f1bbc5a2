"""Web accounts: the roles, users with a role and an org-unit scope, password hashing,
API tokens and sessions.

Passwords are stored as argon2 hashes; API tokens and session ids only as SHA-256 digests,
so a copy of the database does not let anyone log in. Every change of a user or a token is
written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import cache
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select, update

from ..errors import ShequError
from . import audit
from . import orgunits as store_orgunits
from .db import Store
from .tables.accounts import ApiToken, User, WebSession
from .tables.core import utcnow

ADMINISTRATOR = "administrator"
ANALYST = "analyst"
UNIT_STAFF = "unit_staff"
READ_ONLY = "read_only"
#: every role a user may have (what each may do: `shequ.web.deps.PERMISSIONS`)
ROLES = (ADMINISTRATOR, ANALYST, UNIT_STAFF, READ_ONLY)
MIN_PASSWORD = 8
#: longest user name (a longer name given at login is cut to this before the lookup)
MAX_USERNAME = 150

_hasher = PasswordHasher()


class AccountError(ShequError, ValueError):
    """A user or token cannot be created or used (unknown role, duplicate name, no such unit)."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A real hash to verify against when the user does not exist (same time either way)."""
    return _hasher.hash("not a password")


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; takes the same time for unknown users."""
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _public(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("username", "role", "scope", "display_name", "active")}


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
    if len(password) < MIN_PASSWORD:
        msg = "密码至少8个字符 / the password needs at least 8 characters"
        raise AccountError(msg)
    with store.begin() as conn:
        return save_user(
            conn,
            username=username,
            password_hash=hash_password(password),
            role=role,
            scope=scope,
            display_name=display_name,
            actor=actor,
        )


def save_user(
    conn: Connection,
    *,
    username: str,
    password_hash: str,
    role: str,
    scope: str,
    display_name: str = "",
    actor: str,
) -> int:
    """Create a user (or replace the password, role and scope of one with that name)."""
    if role not in ROLES:
        msg = f"未知的角色 {role}（可选：{', '.join(ROLES)}）/ unknown role {role} (choose {', '.join(ROLES)})"
        raise AccountError(msg)
    store_orgunits.require(conn, scope, AccountError)
    fields = {
        "username": username,
        "password_hash": password_hash,
        "role": role,
        "scope": scope,
        "display_name": display_name,
        "active": True,
    }
    old = find_user(conn, username)
    if old is None:
        user_id = conn.execute(insert(User).values(**fields).returning(User.id)).scalar_one()
        audit.record(conn, [("insert", "user", username, None, _public(fields))], actor=actor)
        return int(user_id)
    fields["active"] = old["active"]  # a new password does not re-enable a disabled user
    conn.execute(update(User).where(User.id == old["id"]).values(**fields))
    audit.record(conn, [("update", "user", username, _public(old), _public(fields))], actor=actor)
    if old["password_hash"] != password_hash:
        _end_access(conn, old, actor=actor, why="password changed")
    return int(old["id"])


def _end_access(conn: Connection, user: dict[str, Any], *, actor: str, why: str) -> int:
    """End every session of ``user`` and revoke their API tokens (audited); the count."""
    conn.execute(delete(WebSession).where(WebSession.user_id == user["id"]))
    return _revoke(conn, user, None, actor=actor, why=why)


def _revoke(
    conn: Connection, user: dict[str, Any], name: str | None, *, actor: str, why: str
) -> int:
    query = select(ApiToken.id, ApiToken.name).where(
        ApiToken.user_id == user["id"], ApiToken.revoked.is_(False)
    )
    if name is not None:
        query = query.where(ApiToken.name == name)
    tokens = conn.execute(query).all()
    if tokens:
        conn.execute(
            update(ApiToken).where(ApiToken.id.in_([t.id for t in tokens])).values(revoked=True)
        )
        changes = [
            ("revoke", "api_token", f"{user['id']}:{t.name}", {"name": t.name}, {"why": why})
            for t in tokens
        ]
        audit.record(conn, changes, actor=actor)
    return len(tokens)


def set_active(store: Store, username: str, active: bool, *, actor: str) -> None:
    """Enable or disable ``username``; disabling ends their sessions at once (their tokens
    stop working while disabled: a token of a disabled user is refused)."""
    with store.begin() as conn:
        user = _existing(conn, username)
        conn.execute(update(User).where(User.id == user["id"]).values(active=active))
        after = {**_public(user), "active": active}
        audit.record(conn, [("update", "user", username, _public(user), after)], actor=actor)
        if not active:
            conn.execute(delete(WebSession).where(WebSession.user_id == user["id"]))


def revoke_tokens(store: Store, username: str, *, name: str | None = None, actor: str) -> int:
    """Revoke ``username``'s API tokens (only those called ``name`` when given); the count."""
    with store.begin() as conn:
        return _revoke(conn, _existing(conn, username), name, actor=actor, why="revoked")


def _existing(conn: Connection, username: str) -> dict[str, Any]:
    user = find_user(conn, username)
    if user is None:
        raise AccountError(f"没有用户 {username} / no user {username}")
    return user


def find_user(conn: Connection, username: str) -> dict[str, Any] | None:
    return _one(conn, select(User.__table__).where(User.username == username))


def get_user(conn: Connection, user_id: int) -> dict[str, Any] | None:
    return _one(conn, select(User.__table__).where(User.id == user_id))


def _one(conn: Connection, query) -> dict[str, Any] | None:
    row = conn.execute(query).mappings().first()
    return None if row is None else dict(row)


def list_users(conn: Connection) -> pd.DataFrame:
    query = select(User.id, User.username, User.role, User.scope, User.display_name, User.active)
    return pd.DataFrame(conn.execute(query.order_by(User.username)).all())


def issue_token(store: Store, username: str, *, name: str, actor: str) -> str:
    """A new API token for ``username``; the token is returned once and only its digest kept."""
    with store.begin() as conn:
        user = _existing(conn, username)
        token = "shq_" + secrets.token_urlsafe(32)
        conn.execute(insert(ApiToken).values(user_id=user["id"], digest=digest(token), name=name))
        key = f"{user['id']}:{name}"
        audit.record(conn, [("insert", "api_token", key, None, {"name": name})], actor=actor)
        return token


def user_for_token(conn: Connection, token: str) -> dict[str, Any] | None:
    query = (
        select(User.__table__)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.digest == digest(token), ApiToken.revoked.is_(False), User.active.is_(True))
    )
    return _one(conn, query)


def open_session(conn: Connection, user_id: int, *, hours: float) -> tuple[str, str]:
    """Start a session; returns (cookie value, CSRF token)."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(hours=hours)
    conn.execute(
        insert(WebSession).values(
            digest=digest(cookie), user_id=user_id, csrf_token=csrf, expires_at=expires
        )
    )
    return cookie, csrf


def session_user(conn: Connection, cookie: str) -> tuple[dict[str, Any], str] | None:
    """The active user of a session cookie and the session's CSRF token, or None."""
    query = (
        select(User.__table__, WebSession.csrf_token.label("session_csrf"))
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.digest == digest(cookie), WebSession.expires_at > utcnow())
        .where(User.active.is_(True))
    )
    row = _one(conn, query)
    return None if row is None else (row, row.pop("session_csrf"))


def close_session(conn: Connection, cookie: str) -> None:
    conn.execute(delete(WebSession).where(WebSession.digest == digest(cookie)))

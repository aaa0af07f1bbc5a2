"""Web accounts: users with a role and an org-unit scope, API tokens, sessions, and
background jobs (evaluation runs and reports started from the browser).

Passwords are stored as argon2 hashes; API tokens and session ids only as SHA-256 digests,
so a copy of the database does not let anyone log in. Every change of a user, a token or a
period lock is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

import pandas as pd
from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import ShequError
from . import audit
from .models import Base, Period, utcnow

ROLES = ("administrator", "analyst", "unit_staff", "read_only")


class AccountError(ShequError, ValueError):
    """A user or token cannot be created or used (unknown role, duplicate name, no such unit)."""


class User(Base):
    """A person who logs in: a role and the org unit whose subtree they may see and change."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ApiToken(Base):
    """A token for scripts; only its SHA-256 digest is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSession(Base):
    """A logged-in browser: the digest of its cookie, its CSRF token and when it expires."""

    __tablename__ = "web_session"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class WebJob(Base):
    """Work started from the browser and done in a worker process (evaluations, reports)."""

    __tablename__ = "web_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    params: Mapped[str] = mapped_column(Text, default="{}")
    actor: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)
    output: Mapped[str | None] = mapped_column(String(500))
    message: Mapped[str | None] = mapped_column(Text)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _public(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("username", "role", "scope", "display_name", "active")}


def add_user(
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
    from .models import OrgUnit

    if conn.execute(select(OrgUnit.id).where(OrgUnit.code == scope).limit(1)).first() is None:
        msg = f"未知的组织单位 {scope}（请先导入组织机构）/ unknown org unit {scope} (import org units first)"
        raise AccountError(msg)
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
    conn.execute(update(User).where(User.id == old["id"]).values(**fields))
    audit.record(conn, [("update", "user", username, _public(old), _public(fields))], actor=actor)
    return int(old["id"])


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


def issue_token(conn: Connection, user_id: int, *, name: str, actor: str) -> str:
    """A new API token for ``user_id``; the token is returned once and only its digest kept."""
    token = "shq_" + secrets.token_urlsafe(32)
    conn.execute(insert(ApiToken).values(user_id=user_id, digest=digest(token), name=name))
    audit.record(
        conn, [("insert", "api_token", f"{user_id}:{name}", None, {"name": name})], actor=actor
    )
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


def set_period_lock(conn: Connection, period: str, *, locked: bool, actor: str) -> None:
    """Approve ``period`` for every top unit (locking the whole tree), or withdraw those
    approvals; audited. Approvals of lower units are left alone (see `approvals`)."""
    from . import approvals

    for unit in approvals.top_units(conn):
        if locked:
            approvals.approve(conn, unit, period, actor=actor)
        else:
            approvals.unlock(conn, unit, period, actor=actor)


def periods(conn: Connection) -> pd.DataFrame:
    """Known periods, newest first; ``locked`` when approved for the whole tree, and the
    number of per-unit ``approvals``."""
    from . import approvals

    codes = list(conn.execute(select(Period.code, Period.type).order_by(Period.code.desc())))
    frame = pd.DataFrame(codes, columns=["code", "type"])
    whole = approvals.whole_tree_approved(conn, frame["code"])
    counts = approvals.approvals(conn).groupby("period").size()
    frame["locked"] = frame["code"].isin(whole)
    frame["approvals"] = frame["code"].map(counts).fillna(0).astype(int)
    return frame


def create_job(conn: Connection, kind: str, params: dict[str, Any], *, actor: str) -> int:
    statement = insert(WebJob).values(kind=kind, params=json.dumps(params), actor=actor)
    return int(conn.execute(statement.returning(WebJob.id)).scalar_one())


def finish_job(conn: Connection, job_id: int, **fields: Any) -> None:
    conn.execute(update(WebJob).where(WebJob.id == job_id).values(finished_at=utcnow(), **fields))


def get_job(conn: Connection, job_id: int) -> dict[str, Any] | None:
    return _one(conn, select(WebJob.__table__).where(WebJob.id == job_id))


def recent_jobs(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    rows = conn.execute(select(WebJob.__table__).order_by(WebJob.id.desc()).limit(limit))
    return [dict(r) for r in rows.mappings()]

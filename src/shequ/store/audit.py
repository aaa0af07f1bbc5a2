"""The audit trail: every change to the store, with who, when, the row before and after."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, select

from .tables.core import AuditEntry, utcnow


def _json(row: Mapping[str, Any] | None) -> str | None:
    if row is None:
        return None
    return json.dumps(row, ensure_ascii=False, default=str, sort_keys=True)


def record(
    conn: Connection,
    entries: Iterable[tuple[str, str, str, Mapping[str, Any] | None, Mapping[str, Any] | None]],
    *,
    actor: str,
    import_id: int | None = None,
) -> int:
    """Write audit entries ``(action, entity, key, before, after)`` in one statement."""
    now = utcnow()
    rows = [
        {
            "at": now,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_key": key,
            "before": _json(before),
            "after": _json(after),
            "import_id": import_id,
        }
        for action, entity, key, before, after in entries
    ]
    if rows:
        conn.execute(insert(AuditEntry), rows)
    return len(rows)


def history(
    conn: Connection,
    entity: str | None = None,
    key: str | None = None,
    *,
    actor: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The audit trail, newest first, optionally for one entity, one row or one actor, and
    at most ``limit`` entries."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if limit is not None:
        query = query.limit(limit)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if key is not None:
        query = query.where(AuditEntry.entity_key == key)
    return pd.read_sql(query, conn)


def data_version(conn: Connection) -> int:
    """The id of the newest audit entry: any change of data moves it."""
    return int(conn.execute(select(func.max(AuditEntry.id))).scalar() or 0)

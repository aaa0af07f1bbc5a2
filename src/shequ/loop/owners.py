"""Who owns a warning: the unit's staff (active users scoped to the unit) and its
supervisors (active users scoped to the nearest ancestor that has any)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select

from ..store import orgunits
from ..store.tables.accounts import User


def owners(conn: Connection, units: set[str], day: dt.date) -> dict[str, dict[str, list[str]]]:
    """``{unit: {"staff": [...], "supervisors": [...]}}`` for every unit in ``units``."""
    tree = orgunits.units_on(conn, day)
    parent = dict(zip(tree["code"], tree["parent_code"], strict=True))
    by_scope: dict[str, list[str]] = {}
    query = select(User.username, User.scope).where(User.active.is_(True)).order_by(User.username)
    for username, scope in conn.execute(query):
        by_scope.setdefault(scope, []).append(username)
    out = {}
    for unit in units:
        above = parent.get(unit)
        while above is not None and above not in by_scope:
            above = parent.get(above)
        supervisors = by_scope.get(above, []) if above is not None else []
        out[unit] = {"staff": by_scope.get(unit, []), "supervisors": supervisors}
    return out


def recipients(owner: dict[str, list[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(owner.get("staff", []) + owner.get("supervisors", [])))

"""Early warnings (预警): the one active warning per (kind, unit, subject), opened, kept up
to date, closed when its condition clears; and a supervisor's decision on its follow-up.

"Active" means not closed (``closed_at`` empty); a partial unique index keeps one active
warning per key, so a dismissed warning whose condition persists is not raised again.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from ..errors import ShequError
from . import audit
from .tables.loop import EarlyWarning

COLUMNS = [
    "id",
    "kind",
    "org_unit",
    "subject",
    "severity",
    "evidence",
    "owners",
    "opened_at",
    "closed_at",
    "decision",
    "action",
    "owner_unit",
    "deadline",
    "decided_by",
    "decided_at",
    "reason",
    "task_id",
]
DECISIONS = ("proposed", "confirmed", "dismissed")


class WarningError(ShequError, ValueError):
    """A warning cannot be decided as asked (unknown, already decided, closed)."""


def active(
    conn: Connection, kinds: tuple[str, ...], *, subject: str | None = None
) -> dict[tuple[str, str, str], int]:
    """Active warnings of ``kinds`` (and ``subject``), by (kind, org_unit, subject) → id."""
    query = select(EarlyWarning.id, EarlyWarning.kind, EarlyWarning.org_unit, EarlyWarning.subject)
    query = query.where(EarlyWarning.closed_at.is_(None), EarlyWarning.kind.in_(kinds))
    if subject is not None:
        query = query.where(EarlyWarning.subject == subject)
    return {(r.kind, r.org_unit, r.subject): r.id for r in conn.execute(query)}


def open_warning(conn: Connection, fields: dict[str, Any], *, now: dt.datetime, run: int) -> int:
    """Insert a new active warning (``fields``: kind, org_unit, subject, severity, evidence,
    owners as dicts, action, owner_unit, deadline); returns its id."""
    values = _encoded(fields) | {"opened_at": now, "opened_by_run": run, "last_run": run}
    statement = insert(EarlyWarning).values(**values).returning(EarlyWarning.id)
    return int(conn.execute(statement).scalar_one())


def refresh(conn: Connection, warning_id: int, fields: dict[str, Any], *, run: int) -> None:
    """The condition still holds: new severity, evidence and owners."""
    keep = {k: fields[k] for k in ("severity", "evidence", "owners") if k in fields}
    conn.execute(
        update(EarlyWarning)
        .where(EarlyWarning.id == warning_id)
        .values(**_encoded(keep), last_run=run)
    )


def close(conn: Connection, ids: list[int], *, now: dt.datetime, run: int) -> None:
    """The condition cleared: close the warnings."""
    if ids:
        statement = update(EarlyWarning).where(EarlyWarning.id.in_(ids))
        conn.execute(statement.values(closed_at=now, last_run=run))


def get(conn: Connection, warning_id: int) -> dict[str, Any]:
    row = conn.execute(select(EarlyWarning.__table__).where(EarlyWarning.id == warning_id))
    found = row.mappings().first()
    if found is None:
        raise WarningError(f"找不到预警 {warning_id} / warning {warning_id} not found")
    return _decoded(dict(found))


def listing(
    conn: Connection,
    *,
    active_only: bool = True,
    org_units: list[str] | None = None,
    kind: str | None = None,
) -> pd.DataFrame:
    """Warnings, newest first; evidence and owners decoded to dicts."""
    query = select(*(getattr(EarlyWarning, c) for c in COLUMNS)).order_by(EarlyWarning.id.desc())
    if active_only:
        query = query.where(EarlyWarning.closed_at.is_(None))
    if org_units is not None:
        query = query.where(EarlyWarning.org_unit.in_(org_units))
    if kind:
        query = query.where(EarlyWarning.kind == kind)
    rows = [_decoded(dict(r._mapping)) for r in conn.execute(query)]
    return pd.DataFrame(rows, columns=COLUMNS)


def decide(conn: Connection, warning_id: int, *, actor: str, changes: dict[str, Any]) -> None:
    """Record a supervisor's decision (audited): ``changes`` are EarlyWarning columns."""
    before = get(conn, warning_id)
    conn.execute(update(EarlyWarning).where(EarlyWarning.id == warning_id).values(**changes))
    shown = {k: before[k] for k in changes}
    audit.record(conn, [("update", "early_warning", str(warning_id), shown, changes)], actor=actor)


def _encoded(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key in ("evidence", "owners"):
        if key in out and not isinstance(out[key], str):
            out[key] = json.dumps(out[key], ensure_ascii=False, default=str, sort_keys=True)
    return out


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("evidence", "owners"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row

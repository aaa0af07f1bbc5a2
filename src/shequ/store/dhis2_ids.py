"""DHIS2 UIDs ↔ shequ codes (the `Dhis2Id` table): load a mapping, translate both ways.

A mapping row is (kind, uid, code) with kind one of `KINDS`. Loading is a diff keyed on
(kind, uid): new rows are inserted, a UID that now names another code is updated, each
change audited.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from . import audit
from .tables.core import utcnow
from .tables.dhis2 import KINDS, Dhis2Id


def read(conn: Connection, kind: str | None = None) -> pd.DataFrame:
    """Mapping rows (kind, uid, code), optionally of one kind."""
    query = select(Dhis2Id.kind, Dhis2Id.uid, Dhis2Id.code).order_by(Dhis2Id.kind, Dhis2Id.uid)
    if kind is not None:
        query = query.where(Dhis2Id.kind == kind)
    return pd.DataFrame(conn.execute(query).all(), columns=["kind", "uid", "code"])


def codes_of(conn: Connection, kind: str) -> dict[str, str]:
    """UID → code for one kind."""
    frame = read(conn, kind)
    return dict(zip(frame["uid"], frame["code"], strict=True))


def uids_of(conn: Connection, kind: str) -> dict[str, str]:
    """code → UID for one kind."""
    frame = read(conn, kind)
    return dict(zip(frame["code"], frame["uid"], strict=True))


def save(conn: Connection, rows: pd.DataFrame, *, actor: str) -> dict[str, int]:
    """Write mapping rows (kind, uid, code), checked by the caller: inserted / updated /
    unchanged counts."""
    stored = read(conn).set_index(["kind", "uid"])["code"].to_dict()
    new, changed, now = [], [], utcnow()
    for r in rows.itertuples(index=False):
        before = stored.get((r.kind, r.uid))
        if before is None:
            new.append({"kind": r.kind, "uid": r.uid, "code": r.code})
        elif before != r.code:
            changed.append((r.kind, r.uid, before, r.code))
    if new:
        conn.execute(insert(Dhis2Id), [n | {"updated_by": actor, "updated_at": now} for n in new])
    for kind, uid, _before, code in changed:
        conn.execute(
            update(Dhis2Id)
            .where(Dhis2Id.kind == kind, Dhis2Id.uid == uid)
            .values(code=code, updated_by=actor, updated_at=now)
        )
    entries = [("insert", "dhis2_id", f"{n['kind']}/{n['uid']}", None, n) for n in new]
    entries += [
        ("update", "dhis2_id", f"{k}/{u}", {"code": b}, {"code": c}) for k, u, b, c in changed
    ]
    audit.record(conn, entries, actor=actor)
    return {
        "inserted": len(new),
        "updated": len(changed),
        "unchanged": len(rows) - len(new) - len(changed),
    }


__all__ = ["KINDS", "codes_of", "read", "save", "uids_of"]

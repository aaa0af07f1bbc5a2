"""Idempotent, audited upserts of keyed rows (facilities, population points, boundaries):
insert new keys, update rows whose fields differ, leave equal ones alone."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, insert, select, update

from ..store import audit
from ..store.tables.core import utcnow

CHUNK = 5_000


def upsert(
    conn: Connection,
    table,
    good: pd.DataFrame,
    *,
    key: str,
    entity: str,
    actor: str,
    import_id: int,
) -> dict[str, int]:
    """Write ``good`` (columns = table fields, ``key`` unique) into ``table``; audit changes."""
    fields = [c for c in good.columns if c != key]
    column = getattr(table, key)
    stored_parts = []
    keys = good[key].tolist()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        query = select(table.id, column, *(getattr(table, f) for f in fields)).where(
            column.in_(chunk)
        )
        stored_parts.append(pd.DataFrame(conn.execute(query).all(), columns=["id", key, *fields]))
    stored = pd.concat(stored_parts, ignore_index=True) if stored_parts else pd.DataFrame()
    merged = (
        good.merge(stored, on=key, how="left", suffixes=("", "_old"))
        if len(stored)
        else (good.assign(id=np.nan))
    )
    is_new = merged["id"].isna()
    differs = pd.Series(False, index=merged.index)
    for f in fields:
        if f"{f}_old" in merged:
            differs |= ~_equal(merged[f], merged[f"{f}_old"])
    changed = ~is_new & differs
    now = utcnow()
    new_rows = _records(merged.loc[is_new, [key, *fields]])
    if new_rows:
        for start in range(0, len(new_rows), CHUNK):
            part = new_rows[start : start + CHUNK]
            conn.execute(
                insert(table), [{**r, "import_id": import_id, "updated_at": now} for r in part]
            )
    changed_frame = merged[changed]
    if len(changed_frame):
        statement = (
            update(table)
            .where(table.id == bindparam("row_id"))
            .values(
                {
                    **{f: bindparam(f"new_{f}") for f in fields},
                    "import_id": import_id,
                    "updated_at": now,
                }
            )
        )
        params = [
            {"row_id": int(r["id"]), **{f"new_{f}": r[f] for f in fields}}
            for r in _records(changed_frame[["id", *fields]])
        ]
        conn.execution_options(synchronize_session=False).execute(statement, params)
    entries = [("insert", entity, str(r[key]), None, _plain(r)) for r in new_rows]
    for r in _records(changed_frame):
        before = {f: r[f"{f}_old"] for f in fields}
        after = {f: r[f] for f in fields}
        entries.append(("update", entity, str(r[key]), _plain(before), _plain(after)))
    audit.record(conn, entries, actor=actor, import_id=import_id)
    return {
        "inserted": int(is_new.sum()),
        "updated": int(changed.sum()),
        "unchanged": int((~is_new & ~changed).sum()),
    }


def _equal(a: pd.Series, b: pd.Series) -> pd.Series:
    both_missing = a.isna() & b.isna()
    numeric_a = pd.to_numeric(a, errors="coerce")
    numeric_b = pd.to_numeric(b, errors="coerce")
    numeric = numeric_a.notna() & numeric_b.notna()
    close = (numeric_a - numeric_b).abs() <= 1e-9 * numeric_b.abs().clip(lower=1.0)
    same = a.astype(object).where(a.notna(), None) == b.astype(object).where(b.notna(), None)
    return both_missing | (numeric & close) | (~numeric & same)


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in out:
        for k, v in row.items():
            if isinstance(v, np.generic):
                row[k] = v.item()
            elif isinstance(v, pd.Timestamp):
                row[k] = v.date()
    return out


def _plain(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}

"""The one audited writer of a batch of imported or computed values.

Every file import and every computation that writes into the store (the voice feed,
coverage) goes through here, so the steps are the same everywhere:

1. **lock check**: values of an approved (org unit, period) are refused whole, the message
   naming the first locked unit and the approving unit (`store.approvals`);
2. **diff**: new keys, changed values and values equal to what is stored; writing the same
   rows twice changes nothing;
3. **batch row**: an `ImportBatch` records what wrote them (kind, file or label, SHA-256,
   actor, counts, status), and every value and audit entry points to it;
4. **apply**: inserts and updates, each audited with before and after (`store.audit`).

`write_values` does the four for data values. `upsert_rows` does diff and apply for keyed
rows of other tables (facilities, population points, boundaries). `start_batch` and
`finish_batch` are the batch row itself, which a file import opens before it writes and
closes with the counts of its report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, insert, select, update

from ..errors import ShequError
from . import approvals, audit, values
from .tables.core import ImportBatch, utcnow

CHUNK = 5_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Batch:
    """The batch row a computation writes under: its ``kind`` (``voice``, ``coverage``),
    a ``label`` stored as the file name, and the SHA-256 of its input (may be empty).

    With ``always`` a batch row is written even when nothing changed (coverage records
    every run); without it an unchanged run leaves no trace (the voice feed).
    """

    kind: str
    label: str
    sha256: str = ""
    always: bool = True


@dataclass
class Written:
    """What a write did: rows inserted, updated and equal to the stored ones; with a DHIS2
    import strategy also rows deleted and rows ignored (a new key under ``UPDATE``, a
    stored one under ``CREATE``, a deletion of a value that is not stored)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    import_id: int | None = None
    deleted: int = 0
    ignored: int = 0

    def counts(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


def start_batch(
    conn: Connection, *, kind: str, file_name: str, file_sha256: str, actor: str
) -> int:
    """Open a batch row (status ``running``) and return its id."""
    statement = insert(ImportBatch).values(
        kind=kind, file_name=file_name, file_sha256=file_sha256, actor=actor, status="running"
    )
    return int(conn.execute(statement.returning(ImportBatch.id)).scalar_one())


def finish_batch(
    conn: Connection,
    import_id: int,
    *,
    status: str,
    rows_total: int,
    inserted: int,
    updated: int,
    unchanged: int,
    empty: int = 0,
    quarantined: int = 0,
    quarantine_path: Path | None = None,
) -> None:
    """Close a batch row with its status (``ok``, ``partial``, ``rejected``) and counts."""
    conn.execute(
        update(ImportBatch)
        .where(ImportBatch.id == import_id)
        .values(
            finished_at=utcnow(),
            status=status,
            rows_total=rows_total,
            rows_inserted=inserted,
            rows_updated=updated,
            rows_unchanged=unchanged,
            rows_empty=empty,
            rows_quarantined=quarantined,
            quarantine_path=str(quarantine_path) if quarantine_path else None,
        )
    )


def refuse_locked(
    conn: Connection, rows: pd.DataFrame, error: Callable[[str], Exception] = ShequError
) -> None:
    """Raise ``error`` when any (org_unit, period) of ``rows`` is approved and locked."""
    if message := approvals.lock_message(approvals.locked(conn, rows)):
        raise error(message)


def write_values(
    conn: Connection,
    rows: pd.DataFrame,
    *,
    actor: str,
    batch: Batch | int | None = None,
    locked: Callable[[str], Exception] = ShequError,
    progress: Progress | None = None,
    deletes: pd.DataFrame | None = None,
    delete_reason: str | None = None,
    create: bool = True,
    update: bool = True,
    dry_run: bool = False,
    record_new: Callable[[pd.DataFrame], None] | None = None,
) -> Written:
    """Write data values (data_element, org_unit, period, value, optional
    category_option_combo and DHIS2 attributes): lock check, diff, batch row, apply, in
    the caller's transaction.

    ``batch`` is a `Batch` to record (opened and closed here), the id of a batch the
    caller keeps open (a file import), or None (a web edit, audited without a batch).
    A locked key raises ``locked`` with the bilingual message and writes nothing.
    ``deletes`` are keys whose stored values are deleted (audited, with ``delete_reason``); ``create=False``
    ignores new keys and ``update=False`` stored ones (DHIS2's ``UPDATE`` and ``CREATE``
    strategies); ``dry_run`` counts what would happen and writes nothing. ``record_new``
    is `values.apply`'s (a file import written in parts records one entry of new values).
    """
    deletes = rows.iloc[0:0] if deletes is None else deletes
    refuse_locked(conn, pd.concat([rows, deletes]) if len(deletes) else rows, locked)
    new, changed, unchanged = values.diff(conn, rows)
    gone = values.stored_of(conn, deletes) if len(deletes) else None
    ignored = len(deletes) - (0 if gone is None else len(gone))
    if not create:
        ignored, new = ignored + len(new), new.iloc[0:0]
    if not update:
        ignored, changed = ignored + len(changed), changed.iloc[0:0]
    written = Written(len(new), len(changed), unchanged)
    written.deleted, written.ignored = (0 if gone is None else len(gone)), ignored
    if dry_run:
        return written
    if gone is not None:
        values.remove(
            conn,
            gone,
            actor=actor,
            import_id=batch if isinstance(batch, int) else None,
            reason=delete_reason,
        )
    if isinstance(batch, Batch):
        if not (batch.always or len(new) or len(changed)):
            return written
        written.import_id = start_batch(
            conn, kind=batch.kind, file_name=batch.label, file_sha256=batch.sha256, actor=actor
        )
    else:
        written.import_id = batch
    values.apply(
        conn,
        new,
        changed,
        actor=actor,
        import_id=written.import_id,
        progress=progress,
        record_new=record_new,
    )
    if isinstance(batch, Batch):
        finish_batch(conn, written.import_id, status="ok", rows_total=len(rows), **written.counts())
    return written


def upsert_rows(
    conn: Connection,
    table,
    good: pd.DataFrame,
    *,
    key: str,
    entity: str,
    actor: str,
    import_id: int,
) -> dict[str, int]:
    """Write ``good`` (columns = fields of ``table``, ``key`` unique) into ``table``: insert
    new keys, update rows whose fields differ, leave equal ones alone; audit each change.
    Returns the counts ``inserted``, ``updated`` and ``unchanged``."""
    fields = [c for c in good.columns if c != key]
    stored = _stored(conn, table, good[key].tolist(), key, fields)
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


def _stored(conn: Connection, table, keys: list, key: str, fields: list[str]) -> pd.DataFrame:
    column = getattr(table, key)
    parts = []
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        query = select(table.id, column, *(getattr(table, f) for f in fields)).where(
            column.in_(chunk)
        )
        parts.append(pd.DataFrame(conn.execute(query).all(), columns=["id", key, *fields]))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


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

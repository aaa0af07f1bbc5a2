"""The audit trail: every change to the store, with who, when, the row before and after.

This module is the one writer of the trail. Each entry carries the hash of the entry
before it and its own hash (sha256 over that previous hash and the entry's fields), so
that an entry changed, removed or slipped in afterwards breaks the chain: `verify` walks
it and reports the first broken link (``shequ audit verify``). Writers take the trail's
lock first (SQLite: the write lock; PostgreSQL: a transaction advisory lock), so two
transactions never chain onto the same entry.

The chain shows tampering by anyone who edits rows without recomputing every later hash;
someone who can rewrite the whole table can recompute it too, which is why `verify` prints
the newest hash: kept elsewhere (a ticket, a mail), it pins the trail up to that entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, bindparam, func, insert, select, text, update

from .tables.core import AuditEntry, utcnow

GENESIS = "0" * 64  # the "previous hash" of the first entry
HASHED = ("at", "actor", "action", "entity", "entity_key", "before", "after", "import_id")
_LOCK = {
    "sqlite": "UPDATE audit_log SET id = id WHERE id = (SELECT max(id) FROM audit_log)",
    "postgresql": "SELECT pg_advisory_xact_lock(7140013)",
}


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
        previous = _lock_and_read_head(conn)
        for row in rows:
            row["prev_hash"] = previous
            row["entry_hash"] = previous = entry_hash(previous, row)
        conn.execute(insert(AuditEntry), rows)
    return len(rows)


def entry_hash(previous: str, entry: Mapping[str, Any]) -> str:
    """sha256 (hex) of the previous entry's hash and this entry's `HASHED` fields."""
    at = entry["at"]
    fields = [at.isoformat(timespec="microseconds") if isinstance(at, dt.datetime) else at]
    fields += [entry[name] for name in HASHED[1:]]
    payload = json.dumps([previous, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_and_read_head(conn: Connection) -> str:
    """Take the trail's lock for the rest of the transaction; the newest entry's hash."""
    lock = _LOCK.get(conn.dialect.name)
    if lock is not None:
        conn.execute(text(lock))
    newest = select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    return conn.execute(newest).scalar() or GENESIS


@dataclass
class Verification:
    """What `verify` found: entries checked, the newest hash, and the first broken link
    (the entry's id and why, in Chinese and English), or none."""

    checked: int
    head: str
    broken_id: int | None = None
    reason_zh: str = ""
    reason_en: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify(conn: Connection, *, chunk: int = 10_000) -> Verification:
    """Walk the trail in id order and recompute every hash; stop at the first broken link.

    An entry whose fields no longer give its hash was changed; an entry whose previous hash
    is not the hash of the entry before it follows a removed or slipped-in entry. Reads
    ``chunk`` entries at a time (memory stays flat on millions of entries)."""
    columns = [getattr(AuditEntry, c) for c in ("id", *HASHED, "prev_hash", "entry_hash")]
    previous, checked, last_id = GENESIS, 0, 0
    while True:
        query = select(*columns).where(AuditEntry.id > last_id).order_by(AuditEntry.id)
        batch = conn.execute(query.limit(chunk)).mappings().all()
        if not batch:
            return Verification(checked, previous)
        for entry in batch:
            if entry["prev_hash"] != previous:
                return _broken(checked, previous, entry["id"], "chain")
            if entry["entry_hash"] != entry_hash(previous, entry):
                return _broken(checked, previous, entry["id"], "content")
            previous, checked, last_id = entry["entry_hash"], checked + 1, entry["id"]


def _broken(checked: int, head: str, entry_id: int, kind: str) -> Verification:
    if kind == "chain":
        zh = f"第 {entry_id} 条记录的前一哈希不符：其前有记录被删除或插入"
        en = f"entry {entry_id}: its previous hash does not match (an entry before it was removed or inserted)"
    else:
        zh = f"第 {entry_id} 条记录的内容与其哈希不符：记录被修改"
        en = f"entry {entry_id}: its content does not match its hash (the entry was changed)"
    return Verification(checked, head, entry_id, zh, en)


def rehash(conn: Connection, *, chunk: int = 10_000) -> int:
    """Compute the chain over every entry, oldest first (what migration 0013 does for the
    entries written before it); returns the number of entries."""
    columns = [getattr(AuditEntry, c) for c in ("id", *HASHED)]
    previous, done, last_id = GENESIS, 0, 0
    while True:
        query = select(*columns).where(AuditEntry.id > last_id).order_by(AuditEntry.id)
        batch = conn.execute(query.limit(chunk)).mappings().all()
        if not batch:
            return done
        hashes = []
        for entry in batch:
            new = entry_hash(previous, entry)
            hashes.append({"entry_id": entry["id"], "prev": previous, "own": new})
            previous = new
        statement = (
            update(AuditEntry)
            .where(AuditEntry.id == bindparam("entry_id"))
            .values(prev_hash=bindparam("prev"), entry_hash=bindparam("own"))
        )
        conn.execute(statement, hashes)
        done, last_id = done + len(batch), batch[-1]["id"]


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


def data_version(conn: Connection, entities: Collection[str] | None = None) -> int:
    """The id of the newest audit entry (of ``entities`` only, when given): any change of
    that data moves it."""
    query = select(func.max(AuditEntry.id))
    if entities is not None:
        query = query.where(AuditEntry.entity.in_(sorted(entities)))
    return int(conn.execute(query).scalar() or 0)


def keys_sha256(parts: Iterable[bytes]) -> str:
    """The SHA-256 of a batch entry's sorted keys, one a line (no line break after the
    last), given in order as UTF-8 text in parts, each key followed by a line break
    (`key_lines`): a national batch's keys are never one string in memory."""
    digest, pending = hashlib.sha256(), b""
    for part in parts:
        if part:
            digest.update(pending + part[:-1])
            pending = part[-1:]  # the line break after the last key is not hashed
    return digest.hexdigest()


def key_lines(keys: list[str], size: int = 50_000) -> Iterable[bytes]:
    """Sorted ``keys`` as the parts `keys_sha256` reads, ``size`` keys at a time."""
    for start in range(0, len(keys), size):
        yield "".join(f"{k}\n" for k in keys[start : start + size]).encode()

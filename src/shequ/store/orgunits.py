"""The org-unit tree: versions of units, and its closure table for subtree queries.

Each unit may have several versions (a community moved to a new street on 2023-01-01 has
one version under the old street until then and one under the new street after). The
closure table ``org_unit_path`` lists every ancestor of every unit with the interval in
which that ancestry holds, so "all communities of district X on day D" is one join, on
every engine, without recursion.

"Is this an org unit?" has one answer here: `known_codes` for a set of codes, `exists` for
one, `require` raising the caller's domain error with the one bilingual message
(`UNKNOWN_ZH` / `UNKNOWN_EN`, also the reason given for the rows an import rejects).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.orm import Session

from . import audit, bulk
from .tables.core import OrgUnit, OrgUnitPath, utcnow

VERSION_FIELDS = ("code", "name", "level", "parent_code", "valid_from", "valid_to")
MAX_DEPTH = 32
#: the one message for a code that names no stored unit; ``{code}`` is the code
UNKNOWN_ZH = "未知的组织单位“{code}”（请先导入组织机构）"
UNKNOWN_EN = "unknown org unit '{code}' (import org units first)"
_FEW = 500  # up to this many codes are looked up with IN (...); more read every code once


def unknown_message(code: str) -> str:
    """The bilingual message for ``code`` naming no stored org unit."""
    return f"{UNKNOWN_ZH.format(code=code)} / {UNKNOWN_EN.format(code=code)}"


def known_codes(conn: Connection | Session, codes: Iterable[object]) -> set[str]:
    """The codes among ``codes`` that name a stored org unit (any version)."""
    wanted = {str(c) for c in codes if c is not None and str(c) != ""}
    if not wanted:
        return set()
    query = select(OrgUnit.code).distinct()
    if len(wanted) <= _FEW:
        query = query.where(OrgUnit.code.in_(sorted(wanted)))
    return set(conn.execute(query).scalars()) & wanted


def exists(conn: Connection | Session, code: str) -> bool:
    """Whether ``code`` names a stored org unit."""
    return bool(known_codes(conn, [code]))


def require(
    conn: Connection | Session,
    code: str,
    error: Callable[..., Exception],
    **details: Any,
) -> None:
    """Raise ``error(unknown_message(code), **details)`` unless ``code`` is a stored unit;
    each caller names its domain error (``AccountError``, ``VoiceError, field="org_unit"``)."""
    if not exists(conn, code):
        raise error(unknown_message(code), **details)


def top_units(conn: Connection) -> list[str]:
    """Codes of the units that have no parent (the roots of the tree)."""
    rows = conn.execute(select(OrgUnit.code, OrgUnit.parent_code)).all()
    with_parent = {code for code, parent in rows if parent is not None}
    return sorted({code for code, _ in rows} - with_parent)


def is_top(conn: Connection, code: str) -> bool:
    """Whether ``code`` is a stored unit that has no parent in any version (a root)."""
    parents = list(conn.execute(select(OrgUnit.parent_code).where(OrgUnit.code == code)).scalars())
    return bool(parents) and all(p is None for p in parents)


def versions(conn: Connection) -> pd.DataFrame:
    """Every stored version of every unit (columns: id and `VERSION_FIELDS`)."""
    query = select(OrgUnit.id, *(getattr(OrgUnit, f) for f in VERSION_FIELDS))
    rows = conn.execute(query.order_by(OrgUnit.code, OrgUnit.valid_from)).all()
    return pd.DataFrame(rows, columns=["id", *VERSION_FIELDS], dtype=object)


def write_versions(
    conn: Connection,
    rows: Iterable[Mapping[str, Any]] | pd.DataFrame,
    *,
    actor: str,
    import_id: int | None = None,
) -> dict[str, int]:
    """Insert or update unit versions keyed by (code, valid_from), in bulk.

    Rows equal to what is stored are left alone, so writing the same rows twice changes
    nothing. New versions are written in one bulk insert and audited as one entry (the
    batch's counts and the SHA-256 of the inserted keys; the rows carry ``import_id``);
    each changed version is audited with its before and after. The closure table is
    rebuilt (set-based) when anything changed. Returns ``inserted``, ``updated`` and
    ``unchanged``.
    """
    incoming = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if incoming.empty:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    incoming = incoming[list(VERSION_FIELDS)].astype(object)
    incoming["parent_code"] = incoming["parent_code"].where(
        incoming["parent_code"].notna() & (incoming["parent_code"] != ""), None
    )
    stored = versions(conn)
    merged = incoming.merge(
        stored, on=["code", "valid_from"], how="left", suffixes=("", "_old"), indicator=True
    )
    is_new = (merged["_merge"] == "left_only").to_numpy()
    differs = pd.Series(False, index=merged.index)
    for f in ("name", "level", "parent_code", "valid_to"):
        new, old = merged[f], merged[f"{f}_old"]
        differs |= ~((new == old) | (new.isna() & old.isna()))
    changed = merged[~is_new & differs.to_numpy()]
    added = merged.loc[is_new, list(VERSION_FIELDS)]
    counts = {
        "inserted": len(added),
        "updated": len(changed),
        "unchanged": len(merged) - len(added) - len(changed),
    }
    if len(added):
        now = utcnow()
        bulk.insert_rows(conn, OrgUnit.__table__, added.assign(import_id=import_id, updated_at=now))
        audit.record(conn, [_added_entry(added, counts)], actor=actor, import_id=import_id)
    entries = []
    for r in changed.to_dict("records"):
        new = {f: r[f] for f in VERSION_FIELDS}
        before = {f: r[f] if f in ("code", "valid_from") else r[f"{f}_old"] for f in VERSION_FIELDS}
        conn.execute(
            update(OrgUnit).where(OrgUnit.id == int(r["id"])).values(**new, import_id=import_id)
        )
        entries.append(("update", "org_unit", f"{new['code']}@{new['valid_from']}", before, new))
    audit.record(conn, entries, actor=actor, import_id=import_id)
    if len(added) or entries:
        rebuild_paths(conn)
    return counts


def _added_entry(added: pd.DataFrame, counts: dict[str, int]) -> tuple:
    """One audit entry for the versions a write inserts: counts, keys' SHA-256, first and last."""
    keys = sorted(f"{c}@{f}" for c, f in zip(added["code"], added["valid_from"], strict=True))
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    summary = {**counts, "keys_sha256": digest, "first": keys[0], "last": keys[-1]}
    return ("insert_batch", "org_unit", f"{len(keys)} versions", None, summary)


def rebuild_paths(conn: Connection) -> int:
    """Recompute the closure table from the unit versions, set-based in the database (one
    INSERT ... SELECT per depth, nothing read into Python); returns the number of paths.

    Each path's interval is the intersection of the intervals of every link on it and of
    the ancestor's own existence, so a path exists only while the whole chain does.
    """
    conn.execute(delete(OrgUnitPath))
    cols = "ancestor_code, descendant_code, depth, valid_from, valid_to"
    total = conn.execute(
        text(
            f"INSERT INTO org_unit_path ({cols}) "
            "SELECT code, code, 0, valid_from, valid_to FROM org_unit"
        )
    ).rowcount
    most, least = ("greatest", "least") if conn.dialect.name == "postgresql" else ("max", "min")
    start = f"{most}(p.valid_from, u.valid_from, a.valid_from)"
    end = f"{least}(p.valid_to, u.valid_to, a.valid_to)"
    step = text(
        f"INSERT INTO org_unit_path ({cols}) "
        f"SELECT DISTINCT u.parent_code, p.descendant_code, :depth, {start}, {end} "
        "FROM org_unit_path p "
        "JOIN org_unit u ON u.code = p.ancestor_code AND u.parent_code IS NOT NULL "
        "JOIN org_unit a ON a.code = u.parent_code "
        f"WHERE p.depth = :above AND {start} < {end}"
    )
    for depth in range(1, MAX_DEPTH + 1):
        added = conn.execute(step, {"depth": depth, "above": depth - 1}).rowcount
        if not added:
            break
        total += added
    return total


def units_on(
    conn: Connection,
    day: dt.date,
    *,
    codes: Collection[str] | None = None,
    levels: Collection[str] | None = None,
    under: str | None = None,
) -> pd.DataFrame:
    """Units that exist on ``day``, one row each (code, name, level, parent_code); only
    ``codes`` (up to `_FEW` are looked up in SQL), units of ``levels`` or units in the
    subtree of ``under`` (itself included), when given."""
    columns = ["code", "name", "level", "parent_code"]
    query = select(*(getattr(OrgUnit, c) for c in columns)).where(
        OrgUnit.valid_from <= day, OrgUnit.valid_to > day
    )
    if under is not None:
        query = query.join(OrgUnitPath, OrgUnitPath.descendant_code == OrgUnit.code).where(
            OrgUnitPath.ancestor_code == under,
            OrgUnitPath.valid_from <= day,
            OrgUnitPath.valid_to > day,
        )
    if codes is not None and len(codes) <= _FEW:
        query = query.where(OrgUnit.code.in_(sorted(codes)))
    if levels is not None:
        query = query.where(OrgUnit.level.in_(sorted(levels)))
    frame = pd.DataFrame(conn.execute(query.order_by(OrgUnit.code)).all(), columns=columns)
    if codes is not None and len(codes) > _FEW:
        frame = frame[frame["code"].isin(set(codes))].reset_index(drop=True)
    return frame


def subtree(conn: Connection, code: str, day: dt.date) -> list[str]:
    """Codes of ``code`` and all its descendants on ``day`` (one indexed query)."""
    query = (
        select(OrgUnitPath.descendant_code)
        .where(OrgUnitPath.ancestor_code == code)
        .where(OrgUnitPath.valid_from <= day, OrgUnitPath.valid_to > day)
        .order_by(OrgUnitPath.depth, OrgUnitPath.descendant_code)
    )
    return list(conn.execute(query).scalars())


def ancestor(conn: Connection, code: str, day: dt.date, depth: int) -> str | None:
    """The unit ``depth`` levels above ``code`` on ``day`` (1: its parent), or None."""
    query = (
        select(OrgUnitPath.ancestor_code)
        .where(OrgUnitPath.descendant_code == code, OrgUnitPath.depth == depth)
        .where(OrgUnitPath.valid_from <= day, OrgUnitPath.valid_to > day)
    )
    return conn.execute(query).scalars().first()


def names(conn: Connection) -> dict[str, str]:
    """The latest name of every unit code."""
    frame = versions(conn).sort_values("valid_from")
    return dict(zip(frame["code"], frame["name"], strict=True))


def subtree_depths(
    conn: Connection, code: str, day: dt.date, *, max_depth: int | None = None
) -> dict[str, int]:
    """``{descendant: depth below code}`` for ``code``'s subtree on ``day`` (down to
    ``max_depth`` levels below it, when given: 1 = the unit and its children)."""
    query = (
        select(OrgUnitPath.descendant_code, OrgUnitPath.depth)
        .where(OrgUnitPath.ancestor_code == code)
        .where(OrgUnitPath.valid_from <= day, OrgUnitPath.valid_to > day)
    )
    if max_depth is not None:
        query = query.where(OrgUnitPath.depth <= max_depth)
    return {row[0]: int(row[1]) for row in conn.execute(query)}


def subtree_sums(
    conn: Connection, rows: pd.DataFrame, day: dt.date, sums: list[str]
) -> pd.DataFrame:
    """Roll-up: sum the ``sums`` columns of ``rows`` (one per unit, column ``org_unit``)
    into every unit above or equal to it in the tree of ``day`` (closure rows valid that
    day). A rate is then the ratio of the sums, never a mean of rates.

    Returns one row per unit with data below it: unit, level, name and the sums.
    """
    if rows.empty:
        return pd.DataFrame(columns=["unit", "level", "name", *sums])
    query = select(OrgUnitPath.ancestor_code, OrgUnitPath.descendant_code).where(
        OrgUnitPath.valid_from <= day, OrgUnitPath.valid_to > day
    )
    paths = pd.read_sql(query, conn).rename(
        columns={"ancestor_code": "unit", "descendant_code": "org_unit"}
    )
    out = rows.merge(paths, on="org_unit").groupby("unit", as_index=False)[sums].sum()
    units = units_on(conn, day)[["code", "name", "level"]]
    out = out.merge(units, left_on="unit", right_on="code", how="left").drop(columns="code")
    return out[["unit", "level", "name", *sums]]

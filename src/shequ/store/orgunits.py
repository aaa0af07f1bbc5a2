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
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import Session

from . import audit
from .tables.core import OrgUnit, OrgUnitPath

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
    rows: Iterable[Mapping[str, Any]],
    *,
    actor: str,
    import_id: int | None = None,
) -> dict[str, int]:
    """Insert or update unit versions keyed by (code, valid_from); audit each change.

    Rows equal to what is stored are left alone, so writing the same rows twice changes
    nothing. The closure table is rebuilt when anything changed. Returns the counts
    ``inserted``, ``updated`` and ``unchanged``.
    """
    stored = {(r.code, r.valid_from): r for r in versions(conn).itertuples(index=False)}
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    changes = []
    inserts = []
    for row in rows:
        new = {f: row[f] for f in VERSION_FIELDS}
        old = stored.get((new["code"], new["valid_from"]))
        key = f"{new['code']}@{new['valid_from']}"
        if old is None:
            inserts.append({**new, "import_id": import_id})
            changes.append(("insert", "org_unit", key, None, new))
            counts["inserted"] += 1
            continue
        before = {f: getattr(old, f) for f in VERSION_FIELDS}
        if before == new:
            counts["unchanged"] += 1
            continue
        conn.execute(update(OrgUnit).where(OrgUnit.id == old.id).values(**new, import_id=import_id))
        changes.append(("update", "org_unit", key, before, new))
        counts["updated"] += 1
    if inserts:
        conn.execute(insert(OrgUnit), inserts)
    audit.record(conn, changes, actor=actor, import_id=import_id)
    if changes:
        rebuild_paths(conn)
    return counts


def rebuild_paths(conn: Connection) -> int:
    """Recompute the closure table from the unit versions; returns the number of paths."""
    units = versions(conn)
    paths = closure(units)
    conn.execute(delete(OrgUnitPath))
    if len(paths):
        conn.execute(insert(OrgUnitPath), paths.to_dict("records"))
    return len(paths)


def closure(units: pd.DataFrame) -> pd.DataFrame:
    """Closure of a versioned tree, computed level by level (no recursion).

    Each path's interval is the intersection of the intervals of every link on it and of
    the ancestor's own existence, so a path exists only while the whole chain does.
    """
    links = units[["code", "parent_code", "valid_from", "valid_to"]]
    existence = units[["code", "valid_from", "valid_to"]].rename(columns={"code": "ancestor_code"})
    frontier = pd.DataFrame(
        {
            "ancestor_code": units["code"],
            "descendant_code": units["code"],
            "depth": 0,
            "valid_from": units["valid_from"],
            "valid_to": units["valid_to"],
        }
    )
    found = [frontier]
    for depth in range(1, MAX_DEPTH + 1):
        step = frontier.merge(links, left_on="ancestor_code", right_on="code", suffixes=("", "_l"))
        step = step[step["parent_code"].notna()]
        step = _intersect(step, "_l")
        step = step.assign(ancestor_code=step["parent_code"], depth=depth)
        step = step.merge(existence, on="ancestor_code", suffixes=("", "_p"))
        step = _intersect(step, "_p")
        frontier = step[["ancestor_code", "descendant_code", "depth", "valid_from", "valid_to"]]
        if frontier.empty:
            break
        found.append(frontier)
    paths = pd.concat(found, ignore_index=True).drop_duplicates()
    return paths.sort_values(["descendant_code", "depth", "valid_from"], ignore_index=True)


def _intersect(frame: pd.DataFrame, suffix: str) -> pd.DataFrame:
    start = frame[["valid_from", f"valid_from{suffix}"]].max(axis=1)
    end = frame[["valid_to", f"valid_to{suffix}"]].min(axis=1)
    out = frame.assign(valid_from=start, valid_to=end)
    return out[out["valid_from"] < out["valid_to"]]


def units_on(
    conn: Connection,
    day: dt.date,
    *,
    codes: Collection[str] | None = None,
    levels: Collection[str] | None = None,
) -> pd.DataFrame:
    """Units that exist on ``day``, one row each (code, name, level, parent_code); only
    ``codes`` (up to `_FEW` are looked up in SQL) or units of ``levels``, when given."""
    columns = ["code", "name", "level", "parent_code"]
    query = select(*(getattr(OrgUnit, c) for c in columns)).where(
        OrgUnit.valid_from <= day, OrgUnit.valid_to > day
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

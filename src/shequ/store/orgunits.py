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

import numpy as np
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
CODES_PER_QUERY = 5_000  # codes per IN list of `versions`
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


def versions(conn: Connection, codes: Iterable[object] | None = None) -> pd.DataFrame:
    """Every stored version of every unit (columns: id and `VERSION_FIELDS`); of the units
    ``codes`` only when given (looked up `CODES_PER_QUERY` at a time: an import of one
    province reads that province's units, not the nation's)."""
    columns = ["id", *VERSION_FIELDS]
    if codes is not None:
        wanted = {str(c) for c in codes if c is not None and str(c) != ""}
        found = bulk.select_rows(
            conn, OrgUnit.__table__, columns, {"code": wanted}, chunked="code",
            size=CODES_PER_QUERY, order_by=("code", "valid_from"),
        )  # fmt: skip
        return found.astype(object)
    found = bulk.read_rows(conn, OrgUnit.__table__, columns, order_by=("code", "valid_from"))
    return found.astype(dict.fromkeys(VERSION_FIELDS, object), copy=False)  # ids: int64


def write_versions(
    conn: Connection,
    rows: Iterable[Mapping[str, Any]] | pd.DataFrame,
    *,
    actor: str,
    import_id: int | None = None,
    stored: pd.DataFrame | None = None,
) -> dict[str, int]:
    """Insert or update unit versions keyed by (code, valid_from), in bulk.

    Rows equal to what is stored are left alone, so writing the same rows twice changes
    nothing. New versions are written in one bulk insert and audited as one entry (the
    batch's counts and the SHA-256 of the inserted keys; the rows carry ``import_id``);
    each changed version is audited with its before and after. The closure table is
    rebuilt (set-based) when the tree changed: a version added, or one given another
    parent or end (a new name or level leaves every path as it was). ``stored`` is
    `versions` when the caller has just read them in this transaction. Returns
    ``inserted``, ``updated`` and ``unchanged``.
    """
    incoming = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if incoming.empty:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    incoming = incoming[list(VERSION_FIELDS)].astype(object, copy=False).reset_index(drop=True)
    incoming["parent_code"] = incoming["parent_code"].where(
        incoming["parent_code"].notna() & (incoming["parent_code"] != ""), None
    )
    stored = versions(conn) if stored is None else stored
    found = stored_positions(incoming, stored)  # -1: a new version
    is_new = found < 0
    matched = found[~is_new]
    differs = np.zeros(len(matched), dtype=bool)
    moved = np.zeros(len(matched), dtype=bool)  # another parent or end: the paths change
    for f in ("name", "level", "parent_code", "valid_to"):
        new = incoming[f].to_numpy()[~is_new]
        before = stored[f].to_numpy()[matched]
        unequal = ~((new == before) | (pd.isna(new) & pd.isna(before)))
        differs |= unequal
        if f in ("parent_code", "valid_to"):
            moved |= unequal
    added = incoming if is_new.all() else incoming[is_new]
    counts = {
        "inserted": len(added),
        "updated": int(differs.sum()),
        "unchanged": len(matched) - int(differs.sum()),
    }
    if len(added):
        now = utcnow()
        table = OrgUnit.__table__
        new_rows = added.assign(import_id=import_id, updated_at=now)
        if stored.empty:  # an empty table: its indexes built once, no big page cache
            with bulk.indexes_aside(conn, table):
                bulk.insert_rows(conn, table, new_rows, page_cache_kib=0)
        else:
            bulk.insert_rows(conn, table, new_rows)
        del new_rows
        audit.record(conn, [_added_entry(added, counts)], actor=actor, import_id=import_id)
    entries = []
    changed = np.flatnonzero(~is_new)[differs]
    for new, before in zip(
        incoming.iloc[changed].to_dict("records"),
        stored.iloc[found[changed]].to_dict("records"),
        strict=True,
    ):
        conn.execute(
            update(OrgUnit)
            .where(OrgUnit.id == int(before.pop("id")))
            .values(**new, import_id=import_id)
        )
        entries.append(("update", "org_unit", f"{new['code']}@{new['valid_from']}", before, new))
    audit.record(conn, entries, actor=actor, import_id=import_id)
    if len(added) or moved.any():
        rebuild_paths(conn)
    return counts


def stored_positions(incoming: pd.DataFrame, stored: pd.DataFrame) -> np.ndarray:
    """For each version of ``incoming``, the position in ``stored`` (`versions`) of the
    version of the same (code, valid_from), or -1: codes and days hashed as one integer
    key each, no tuple per version."""
    if stored.empty:
        return np.full(len(incoming), -1)
    numbers, _ = pd.factorize(pd.concat([stored["code"], incoming["code"]], ignore_index=True))
    days = day_numbers(pd.concat([stored["valid_from"], incoming["valid_from"]], ignore_index=True))
    keys = numbers.astype(np.int64) * (1 << 22) + days  # days stay below 2**22 (year 9999)
    return pd.Index(keys[: len(stored)]).get_indexer(keys[len(stored) :])


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Dates as day numbers (`datetime.date.toordinal`, one call per distinct date)."""
    numbers, uniques = pd.factorize(dates)
    return np.array([d.toordinal() for d in uniques], dtype=np.int64)[numbers]


def _added_entry(added: pd.DataFrame, counts: dict[str, int]) -> tuple:
    """One audit entry for the versions a write inserts: counts, keys' SHA-256, first and last."""
    keys = sorted(f"{c}@{f}" for c, f in zip(added["code"], added["valid_from"], strict=True))
    digest = audit.keys_sha256(audit.key_lines(keys))
    summary = {**counts, "keys_sha256": digest, "first": keys[0], "last": keys[-1]}
    return ("insert_batch", "org_unit", f"{len(keys)} versions", None, summary)


def rebuild_paths(conn: Connection) -> int:
    """Recompute the closure table from the unit versions, set-based in the database
    (nothing read into Python); returns the number of paths.

    Each path's interval is the intersection of the intervals of every link on it and of
    the ancestor's own existence, so a path exists only while the whole chain does. The
    links (a version, its parent and the interval both exist) are joined once into a
    temporary table; each depth then joins only the paths of the depth above (a temporary
    frontier) with the links, so a depth costs one pass over its own paths, not over the
    whole closure. As a unit has at most one version on any day, no path comes out twice.
    On SQLite the closure's indexes are built once after the load (`bulk.indexes_aside`).
    """
    conn.execute(delete(OrgUnitPath))
    most, least = ("greatest", "least") if conn.dialect.name == "postgresql" else ("max", "min")
    cols = "ancestor_code, descendant_code, depth, valid_from, valid_to"
    run = lambda sql, **params: conn.execute(text(sql), params).rowcount  # noqa: E731
    for name in _SCRATCH:
        run(f"DROP TABLE IF EXISTS {name}")
    with bulk.indexes_aside(conn, OrgUnitPath.__table__):
        total = run(
            f"INSERT INTO org_unit_path ({cols}) "
            "SELECT code, code, 0, valid_from, valid_to FROM org_unit"
        )
        start, end = f"{most}(u.valid_from, a.valid_from)", f"{least}(u.valid_to, a.valid_to)"
        run(
            f"CREATE TEMPORARY TABLE path_link AS SELECT u.code AS code, u.parent_code AS "
            f"parent, {start} AS valid_from, {end} AS valid_to FROM org_unit u "
            f"JOIN org_unit a ON a.code = u.parent_code WHERE {start} < {end}"
        )
        run("CREATE INDEX ix_path_link ON path_link (code)")
        run(
            "CREATE TEMPORARY TABLE path_front AS SELECT code AS ancestor, code AS descendant,"
            " valid_from, valid_to FROM org_unit"
        )
        start, end = f"{most}(p.valid_from, l.valid_from)", f"{least}(p.valid_to, l.valid_to)"
        for depth in range(1, MAX_DEPTH + 1):
            run(
                f"CREATE TEMPORARY TABLE path_next AS SELECT l.parent AS ancestor, "
                f"p.descendant AS descendant, {start} AS valid_from, {end} AS valid_to "
                f"FROM path_front p JOIN path_link l ON l.code = p.ancestor WHERE {start} < {end}"
            )
            run("DROP TABLE path_front")
            run("ALTER TABLE path_next RENAME TO path_front")
            added = run(
                f"INSERT INTO org_unit_path ({cols}) SELECT ancestor, descendant, :depth, "
                "valid_from, valid_to FROM path_front",
                depth=depth,
            )
            if not added:
                break
            total += added
    for name in _SCRATCH:
        run(f"DROP TABLE IF EXISTS {name}")
    return total


_SCRATCH = ("path_link", "path_front", "path_next")  # the temporary tables of `rebuild_paths`


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


def siblings_on(conn: Connection, day: dt.date, codes: Iterable[str]) -> dict[str, str | None]:
    """The parent on ``day`` of each unit of ``codes`` and of every unit sharing a parent
    with one of them (code → parent code): the peers an outlier check compares a value with.
    Two indexed lookups `CODES_PER_QUERY` codes at a time, not a read of the whole tree."""
    parents: dict[str, str | None] = {}

    def add(found: pd.DataFrame) -> None:
        found = found[(found["valid_from"] <= day) & (found["valid_to"] > day)]
        parents.update(
            zip(
                found["code"],
                found["parent_code"].where(found["parent_code"].notna(), None),
                strict=True,
            )
        )

    columns = ["code", "parent_code", "valid_from", "valid_to"]
    table, size = OrgUnit.__table__, CODES_PER_QUERY
    add(bulk.select_rows(conn, table, columns, {"code": set(codes)}, chunked="code", size=size))
    if None in parents.values():  # a top unit's peers are the other top units
        roots = select(*(table.c[c] for c in columns)).where(OrgUnit.parent_code.is_(None))
        add(pd.DataFrame(conn.execute(roots).all(), columns=columns))
    above = {p for p in parents.values() if p is not None}
    add(
        bulk.select_rows(
            conn, table, columns, {"parent_code": above}, chunked="parent_code", size=size
        )
    )
    return parents


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

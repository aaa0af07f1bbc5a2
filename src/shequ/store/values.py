"""Data values: read and write one value per data element × org unit × period.

Writes are diffs: `apply` inserts new keys, updates changed values and leaves equal ones
alone, auditing each change, so loading the same data twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, bindparam, insert, select, update

from ..framework.periods import parse_period
from . import audit
from .tables.core import DataValue, Period, utcnow

KEY = ["data_element", "org_unit", "period"]


def read(
    conn: Connection,
    *,
    periods: Iterable[str] | None = None,
    data_elements: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Stored values (id, data_element, org_unit, period, value), optionally filtered."""
    query = select(DataValue.id, *(getattr(DataValue, k) for k in KEY), DataValue.value)
    if periods is not None:
        query = query.where(DataValue.period.in_(list(periods)))
    if data_elements is not None:
        query = query.where(DataValue.data_element.in_(list(data_elements)))
    return pd.read_sql(query, conn)


def diff(conn: Connection, incoming: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Split ``incoming`` (KEY + value) into new rows, changed rows (with ``id`` and
    ``old_value``) and the number of rows equal to what is stored."""
    stored = read(
        conn,
        periods=incoming["period"].unique().tolist(),
        data_elements=incoming["data_element"].unique().tolist(),
    ).rename(columns={"value": "old_value"})
    merged = incoming.merge(stored, on=KEY, how="left")
    is_new = merged["id"].isna()
    changed = ~is_new & ~_same(merged["value"], merged["old_value"])
    unchanged = int((~is_new & ~changed).sum())
    return merged[is_new][[*KEY, "value"]], merged[changed], unchanged


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    scale = b.abs().clip(lower=1.0)
    return ((a - b).abs() <= 1e-9 * scale).fillna(False)


def apply(
    conn: Connection,
    new: pd.DataFrame,
    changed: pd.DataFrame,
    *,
    actor: str,
    import_id: int | None = None,
) -> None:
    """Insert ``new`` and update ``changed`` (from `diff`), auditing every row."""
    now = utcnow()
    if len(new):
        rows = new.assign(import_id=import_id, updated_by=actor, updated_at=now)
        conn.execute(insert(DataValue), rows.to_dict("records"))
    if len(changed):
        statement = (
            update(DataValue)
            .where(DataValue.id == bindparam("row_id"))
            .values(
                value=bindparam("new_value"), import_id=import_id, updated_by=actor, updated_at=now
            )
        )
        params = [
            {"row_id": int(r.id), "new_value": float(r.value)}
            for r in changed.itertuples(index=False)
        ]
        conn.execution_options(synchronize_session=False).execute(statement, params)
    ensure_periods(conn, set(new["period"]) | set(changed["period"]))
    audit.record(conn, _audit_entries(new, changed), actor=actor, import_id=import_id)


def _audit_entries(new: pd.DataFrame, changed: pd.DataFrame):
    for r in new.itertuples(index=False):
        key = f"{r.data_element}/{r.org_unit}/{r.period}"
        yield "insert", "data_value", key, None, {"value": float(r.value)}
    for r in changed.itertuples(index=False):
        key = f"{r.data_element}/{r.org_unit}/{r.period}"
        yield "update", "data_value", key, {"value": r.old_value}, {"value": float(r.value)}


def ensure_periods(conn: Connection, codes: Iterable[str]) -> None:
    """Register periods not yet in the period table."""
    codes = set(codes)
    if not codes:
        return
    known = set(conn.execute(select(Period.code).where(Period.code.in_(codes))).scalars())
    rows = []
    for code in sorted(codes - known):
        p = parse_period(code)
        rows.append({"code": p.code, "type": p.type, "start_date": p.start, "end_date": p.end})
    if rows:
        conn.execute(insert(Period), rows)

"""Data values: read and write one value per data element × org unit × period × category
option combo (``default`` when a value has no disaggregation).

Writes are diffs: `apply` inserts new keys, updates changed values and leaves equal ones
alone, auditing each change, so loading the same data twice changes nothing. A frame
without a ``category_option_combo`` column means the ``default`` combo. DHIS2's
``comment``, ``followup`` and ``stored_by`` (`ATTRIBUTES`) are written when the frame
carries them and left as stored when it does not; a change of one of them alone is a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from ..framework.periods import parse_period
from . import audit, bulk
from .tables.core import DEFAULT_COMBO, DataValue, Period, utcnow

COMBO = "category_option_combo"
KEY = ["data_element", "org_unit", "period", COMBO]
ATTRIBUTES = ["comment", "followup", "stored_by"]
UNITS_PER_QUERY = 5_000  # org units per IN list of `read`
BULK = 200_000  # new rows per bulk insert (progress is reported after each)


def read(
    conn: Connection,
    *,
    periods: Iterable[str] | None = None,
    data_elements: Iterable[str] | None = None,
    org_units: Iterable[str] | None = None,
    detail: bool = False,
) -> pd.DataFrame:
    """Stored values, optionally filtered (``org_units``: a few codes, such as one street's
    communities): (id, data_element, org_unit, period, value),
    each element's total summed over its combos; with ``detail`` one row per combo with
    ``category_option_combo``, `ATTRIBUTES` and ``updated_at`` (``id`` is then the row's).

    ``org_units`` are looked up `UNITS_PER_QUERY` at a time (each an indexed IN list), so an
    import of one province reads that province's stored values, not the nation's."""
    query = select(DataValue.id, *(getattr(DataValue, k) for k in KEY), DataValue.value)
    if detail:
        query = query.add_columns(
            *(getattr(DataValue, a) for a in ATTRIBUTES), DataValue.updated_at
        )
    if periods is not None:
        query = query.where(DataValue.period.in_(list(periods)))
    if data_elements is not None:
        query = query.where(DataValue.data_element.in_(list(data_elements)))
    if org_units is None:
        frame = pd.read_sql(query, conn)
    else:
        columns = ["id", *KEY, "value", *((*ATTRIBUTES, "updated_at") if detail else ())]
        filters = {"org_unit": set(org_units)}
        if periods is not None:
            filters["period"] = set(periods)
        if data_elements is not None:
            filters["data_element"] = set(data_elements)
        frame = bulk.select_rows(
            conn, DataValue.__table__, columns, filters, chunked="org_unit", size=UNITS_PER_QUERY
        )
        frame["value"] = frame["value"].astype(float)
    if detail:
        return frame
    totals = frame.groupby(KEY[:3], as_index=False, sort=False).agg(
        id=("id", "min"), value=("value", "sum")
    )
    return totals[["id", *KEY[:3], "value"]]


def updated_by(conn: Connection, ids: list[int]) -> dict[int, str]:
    """Who last wrote each value row (by id)."""
    out: dict[int, str] = {}
    for start in range(0, len(ids), 5_000):
        part = [int(i) for i in ids[start : start + 5_000]]
        query = select(DataValue.id, DataValue.updated_by).where(DataValue.id.in_(part))
        out.update(dict(conn.execute(query).all()))
    return out


def with_combo(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``category_option_combo`` column (``default`` where missing or empty)."""
    combo = frame[COMBO] if COMBO in frame else pd.Series(DEFAULT_COMBO, index=frame.index)
    combo = combo.where(combo.notna() & (combo.astype(str) != ""), DEFAULT_COMBO)
    return frame.assign(**{COMBO: combo.astype(str)})


def diff(conn: Connection, incoming: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Split ``incoming`` (KEY + value, optional `ATTRIBUTES`) into new rows, changed rows
    (with ``id``, ``old_value`` and ``old_<attribute>``) and the number equal to the store."""
    incoming = with_combo(incoming)
    carried = [a for a in ATTRIBUTES if a in incoming]
    stored = stored_of(conn, incoming).rename(
        columns={"value": "old_value", **{a: f"old_{a}" for a in ATTRIBUTES}}
    )
    if stored.empty:  # nothing of it is stored yet (a first import): every row is new
        return incoming[[*KEY, "value", *carried]], incoming.iloc[0:0], 0
    merged = incoming.merge(stored, on=KEY, how="left")
    is_new = merged["id"].isna()
    same = _same(merged["value"], merged["old_value"])
    for a in carried:
        if a != "stored_by":  # who stored it is provenance: written with a change, never one
            same &= _same_attribute(merged[a], merged[f"old_{a}"])
    changed = ~is_new & ~same
    unchanged = int((~is_new & ~changed).sum())
    return merged[is_new][[*KEY, "value", *carried]], merged[changed], unchanged


def stored_of(conn: Connection, keys: pd.DataFrame) -> pd.DataFrame:
    """The stored rows (detail) of the keys in ``keys`` (KEY columns)."""
    stored = read(
        conn,
        periods=keys["period"].unique().tolist(),
        data_elements=keys["data_element"].unique().tolist(),
        detail=True,
        org_units=keys["org_unit"].unique().tolist(),
    )
    wanted = with_combo(keys)[KEY].drop_duplicates()
    return stored.merge(wanted, on=KEY, how="inner")


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    scale = b.abs().clip(lower=1.0)
    return ((a - b).abs() <= 1e-9 * scale).fillna(False)


def _same_attribute(a: pd.Series, b: pd.Series) -> pd.Series:
    blank_a = a.isna() | (a.astype(str) == "")
    blank_b = b.isna() | (b.astype(str) == "")
    if a.map(lambda v: isinstance(v, bool)).any():
        return a.fillna(False).astype(bool) == b.fillna(False).astype(bool)
    return (blank_a & blank_b) | (a.astype(str) == b.astype(str))


def apply(
    conn: Connection,
    new: pd.DataFrame,
    changed: pd.DataFrame,
    *,
    actor: str,
    import_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    record_new: Callable[[pd.DataFrame], None] | None = None,
) -> None:
    """Insert ``new`` and update ``changed`` (from `diff`), audited.

    New rows go in one bulk insert (`store.bulk`); with an ``import_id`` they are audited as
    one entry (counts and the SHA-256 of their keys; each row carries the batch id, who and
    when), without one (a web edit) each row has its entry. Every changed row is audited
    with its value before and after. ``progress`` gets (rows done, rows to write).
    ``record_new`` (a batch written in parts) gets the new rows instead of their entry being
    recorded here: the caller records one entry for all parts (`inserted_entry`).
    """
    now = utcnow()
    new, changed = _flagged(with_combo(new)), _flagged(with_combo(changed))
    # in the order of the unit index: each index then grows at a few places, not everywhere
    new = new.sort_values(["org_unit", "period", "data_element", COMBO], kind="stable")
    total = len(new) + len(changed)
    for start in range(0, len(new), BULK):
        part = new.iloc[start : start + BULK]
        rows = part.assign(import_id=import_id, updated_by=actor, updated_at=now)
        bulk.insert_rows(conn, DataValue.__table__, rows)
        if progress:
            progress(start + len(part), total)
    if len(changed):
        carried = [a for a in ATTRIBUTES if a in changed]
        statement = (
            update(DataValue)
            .where(DataValue.id == bindparam("row_id"))
            .values(
                value=bindparam("new_value"),
                import_id=import_id,
                updated_by=actor,
                updated_at=now,
                **{a: bindparam(f"new_{a}") for a in carried},
            )
        )
        params = [
            {"row_id": int(r["id"]), "new_value": float(r["value"])}
            | {f"new_{a}": r[a] for a in carried}
            for r in _records(changed)
        ]
        conn.execution_options(synchronize_session=False).execute(statement, params)
        if progress:
            progress(total, total)
    ensure_periods(conn, set(new["period"]) | set(changed["period"]))
    if record_new is not None:
        record_new(new[KEY])
    batched = import_id is not None and len(new) and record_new is None
    summary = [inserted_entry(*_new_summary(new))] if batched else []
    one_entry = summary or record_new is not None  # not one entry per new value
    entries = _audit_entries(new.iloc[0:0] if one_entry else new, changed)
    audit.record(conn, [*summary, *entries], actor=actor, import_id=import_id)


def _new_summary(new: pd.DataFrame) -> tuple:
    keys = sorted(map("/".join, zip(*(new[k].astype(str).tolist() for k in KEY), strict=True)))
    periods = new.groupby("period").size()
    return (
        len(new),
        {str(p): int(n) for p, n in periods.items()},
        int(new["data_element"].nunique()),
        int(new["org_unit"].nunique()),
        audit.keys_sha256(audit.key_lines(keys)),
    )


def inserted_entry(
    inserted: int, periods: dict[str, int], data_elements: int, org_units: int, digest: str
) -> tuple:
    """The one audit entry of a batch's new values: how many, per period and element, and
    the SHA-256 of their sorted keys (`audit.keys_sha256`; the rows themselves carry the batch id)."""
    summary = {
        "inserted": inserted,
        "periods": periods,
        "data_elements": data_elements,
        "org_units": org_units,
        "keys_sha256": digest,
    }
    return "insert_batch", "data_value", f"{inserted} values", None, summary


def _flagged(frame: pd.DataFrame) -> pd.DataFrame:
    if "followup" not in frame:
        return frame
    return frame.assign(followup=frame["followup"].fillna(False).astype(bool))


def remove(
    conn: Connection,
    stored: pd.DataFrame,
    *,
    actor: str,
    import_id: int | None = None,
    reason: str | None = None,
) -> None:
    """Delete the stored rows of ``stored`` (from `stored_of`), auditing each with its
    value before (and the ``reason`` given, as the entry's after: ``{"reason": …}``)."""
    if not len(stored):
        return
    ids = [int(i) for i in stored["id"]]
    for start in range(0, len(ids), 5_000):
        conn.execute(delete(DataValue).where(DataValue.id.in_(ids[start : start + 5_000])))
    why = {"reason": reason} if reason else None
    entries = [("delete", "data_value", _key(r), _after(r, "value"), why) for r in _records(stored)]
    audit.record(conn, entries, actor=actor, import_id=import_id)


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in out:
        for k, v in row.items():
            if hasattr(v, "item"):
                row[k] = v.item()
    return out


def _key(r: dict) -> str:
    key = f"{r['data_element']}/{r['org_unit']}/{r['period']}"
    combo = r.get(COMBO) or DEFAULT_COMBO
    return key if combo == DEFAULT_COMBO else f"{key}/{combo}"


def _after(r: dict, value: str, prefix: str = "") -> dict:
    out = {"value": None if r.get(value) is None else float(r[value])}
    for a in ATTRIBUTES:
        if f"{prefix}{a}" in r and r[f"{prefix}{a}"] not in (None, "", False):
            out[a] = r[f"{prefix}{a}"]
    return out


def _audit_entries(new: pd.DataFrame, changed: pd.DataFrame):
    for r in _records(new):
        yield "insert", "data_value", _key(r), None, _after(r, "value")
    for r in _records(changed):
        yield "update", "data_value", _key(r), _after(r, "old_value", "old_"), _after(r, "value")


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

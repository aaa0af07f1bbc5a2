"""Roll community rows up the org-unit tree of a period's last day (ratio of sums)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, and_, select

from ..framework.periods import parse_period
from ..store import orgunits
from ..store.tables.core import OrgUnitPath


def paths_on(conn: Connection, period: str) -> pd.DataFrame:
    """(ancestor, descendant) pairs of the tree on the period's last day, depth 0 included."""
    day = parse_period(period).end
    query = select(OrgUnitPath.ancestor_code, OrgUnitPath.descendant_code).where(
        and_(OrgUnitPath.valid_from <= day, OrgUnitPath.valid_to > day)
    )
    return pd.read_sql(query, conn).rename(
        columns={"ancestor_code": "unit", "descendant_code": "org_unit"}
    )


def roll_up(conn: Connection, rows: pd.DataFrame, period: str, sums: list[str]) -> pd.DataFrame:
    """Sum ``sums`` of community ``rows`` (column org_unit) into every ancestor unit.

    Returns one row per unit with data below it: unit, level, name and the sums.
    """
    if rows.empty:
        return pd.DataFrame(columns=["unit", "level", "name", *sums])
    merged = rows.merge(paths_on(conn, period), on="org_unit")
    out = merged.groupby("unit", as_index=False)[sums].sum()
    units = orgunits.units_on(conn, parse_period(period).end)[["code", "name", "level"]]
    out = out.merge(units, left_on="unit", right_on="code", how="left").drop(columns="code")
    return out[["unit", "level", "name", *sums]]

"""Stored data checked against the plan's validation rules and outlier settings.

`violations` answers ``shequ validate`` and the approval check: every rule violated by the
stored values of a period (for the whole tree or a unit's subtree), and the outliers among
them. `check_incoming` answers an import or the entry grid: the rules that values about to
be written would violate, together with what is already stored for the same unit and
period. The checks themselves are `shequ.framework.rules`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from ..errors import StoreError
from ..framework import rules
from ..framework.models import Plan
from ..framework.periods import parse_period
from . import orgunits as store_orgunits
from . import values as store_values
from .tables.core import Period

IMPORTANCE_ORDER = {"high": 0, "medium": 1, "low": 2}


def violations(
    conn: Connection,
    plan: Plan,
    period: str,
    *,
    unit: str | None = None,
    outliers: bool = True,
) -> pd.DataFrame:
    """Violations of ``period`` (`rules.COLUMNS` plus ``name``), must-fix first.

    With ``unit``, only that unit and the units below it (on the period's last day) are
    checked; outliers are still judged against all their peers and their own history.
    Costs one read of the period's values (and, with ``outliers``, of every period of the
    same type, for the history).
    """
    code = parse_period(period).code
    units = store_orgunits.units_on(conn, parse_period(code).end)
    scope = set(units["code"])
    if unit is not None:
        store_orgunits.require(conn, unit, StoreError)
        scope = set(store_orgunits.subtree(conn, unit, parse_period(code).end))
    values = store_values.read(conn, periods=[code])
    checked = values[values["org_unit"].isin(scope)]
    found = [rules.rule_violations(checked, plan.validation_rules)]
    if outliers:
        history = _same_types(conn, [code])
        parents = dict(zip(units["code"], units["parent_code"], strict=True))
        found.append(rules.outliers(checked, history, parents, plan.outliers))
    return _ordered(conn, rules.combine(found))


def must_fix(conn: Connection, plan: Plan, unit: str, period: str) -> pd.DataFrame:
    """The high-importance rule violations in ``unit``'s subtree for ``period``."""
    found = violations(conn, plan, period, unit=unit, outliers=False)
    return found[found["importance"] == "high"].reset_index(drop=True)


def check_incoming(conn: Connection, plan: Plan, incoming: pd.DataFrame) -> pd.DataFrame:
    """Rule violations that ``incoming`` values (data_element, org_unit, period, value)
    would cause, read together with the stored values of the same units and periods.

    Only rules that read at least one incoming element of the unit and period are
    reported, so a file is not blamed for what it did not touch. Outliers of the incoming
    values are judged against stored history and peers.
    """
    if incoming.empty:
        return rules.empty()
    keys = incoming[["org_unit", "period"]].drop_duplicates()
    periods = keys["period"].unique().tolist()
    incoming_units = keys["org_unit"].unique()
    parents: dict[str, str | None] = {}
    for day in sorted({parse_period(p).end for p in periods}):
        parents.update(store_orgunits.siblings_on(conn, day, incoming_units))
    # history is the unit's own, peers share its parent: read those units' values only
    above = {parents.get(u) for u in incoming_units}
    kin = {u for u, p in parents.items() if p in above} | set(incoming_units)
    elements = set(incoming["data_element"].unique())
    read_by_rules = {e for rule in plan.validation_rules for e in rule.elements}
    # one read serves both checks: the history of the incoming elements (outliers) and,
    # for the incoming units and periods, every stored value the rules read
    history = _same_types(conn, periods, sorted(elements | read_by_rules), kin)
    stored = history.merge(keys, on=["org_unit", "period"])
    merged = _stack(incoming, stored[incoming.columns])
    found = rules.rule_violations(merged, plan.validation_rules)
    hit = incoming.merge(found[["org_unit", "period"]].drop_duplicates(), on=["org_unit", "period"])
    touched = hit.groupby(["org_unit", "period"])["data_element"].agg(set).to_dict()
    reads = found["data_elements"].str.split(",").map(set)
    keep = [
        bool(reads.iloc[i] & touched.get((u, p), set()))
        for i, (u, p) in enumerate(zip(found["org_unit"], found["period"], strict=True))
    ]
    found = found[keep]
    history = history[history["data_element"].isin(elements)]
    context = _stack(incoming, history[incoming.columns])
    found_outliers = rules.outliers(incoming, context, parents, plan.outliers)
    return rules.combine([found, found_outliers])


def _stack(first: pd.DataFrame, then: pd.DataFrame) -> pd.DataFrame:
    """``first`` and the rows of ``then`` whose key it does not hold (first wins)."""
    if then.empty:
        return first
    both = pd.concat([first, then], ignore_index=True)
    return both.drop_duplicates(["data_element", "org_unit", "period"], keep="first")


def _same_types(conn: Connection, periods, data_elements=None, org_units=None) -> pd.DataFrame:
    """Stored values of every period of the same type (year, month, ...) as ``periods``,
    optionally of some data elements and org units only."""
    wanted = {parse_period(p).type for p in periods}
    known = conn.execute(select(Period.code)).scalars()  # every period a value was written in
    same = sorted({p for p in known if parse_period(p).type in wanted} | set(periods))
    frame = store_values.read(conn, periods=same, data_elements=data_elements, org_units=org_units)
    return frame[["data_element", "org_unit", "period", "value"]]


def _ordered(conn: Connection, found: pd.DataFrame) -> pd.DataFrame:
    if found.empty:
        return found.assign(name=pd.Series(dtype=str))
    found = found.assign(
        name=found["org_unit"].map(store_orgunits.names(conn)),
        _rank=found["importance"].map(IMPORTANCE_ORDER),
    )
    found = found.sort_values(["_rank", "period", "org_unit", "rule"], kind="stable")
    return found.drop(columns="_rank").reset_index(drop=True)


def describe(found: pd.DataFrame, *, limit: int = 10) -> str:
    """A bilingual list of the first ``limit`` violations, one per line."""
    lines = [
        f"{r.org_unit} {r.period} [{r.rule}] {r.message_zh} / {r.message_en}"
        for r in found.head(limit).itertuples(index=False)
    ]
    if len(found) > limit:
        lines.append(f"… 另有 {len(found) - limit} 条 / {len(found) - limit} more")
    return "\n".join(lines)

"""Follow-up tasks from a diagnosis, and their review at each evaluation.

Review rule: for each open task whose unit and indicator the evaluation covers (latest
period first), the new value is compared with the value when the task was created:
``improved`` / ``worse`` when it moved in the good / bad direction by at least half a unit
of the indicator's last shown decimal, else ``unchanged``; the task closes itself when the
indicator's status is ``met``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection

from ..framework.models import Plan
from ..store import tasks as store_tasks
from ..store.tables.core import utcnow


def create_task(
    conn: Connection,
    results: pd.DataFrame,
    plan: Plan,
    *,
    org_unit: str,
    indicator: str,
    owner_unit: str,
    deadline: dt.date,
    note: str = "",
    actor: str,
    run_id: int | None = None,
) -> int:
    """Create a task for ``indicator`` of ``org_unit``, starting from its value in ``results``."""
    plan.indicator(indicator)  # unknown indicator -> KeyError before anything is written
    rows = results[(results["org_unit"] == org_unit) & (results["indicator"] == indicator)]
    if rows.empty:
        msg = (
            f"评估结果中没有 {org_unit} 的 {indicator} / no result for {indicator} of "
            f"{org_unit} in the evaluation"
        )
        raise store_tasks.TaskError(msg)
    latest = rows.sort_values("period").iloc[-1]
    return store_tasks.create(
        conn,
        actor=actor,
        org_unit=org_unit,
        indicator=indicator,
        owner_unit=owner_unit,
        deadline=deadline,
        note=note,
        source_run_id=run_id,
        start_period=latest["period"],
        start_value=_number(latest["value"]),
        target=_number(latest["target"]),
        comparator=latest["comparator"] if isinstance(latest["comparator"], str) else None,
    )


def review_tasks(
    conn: Connection, results: pd.DataFrame, plan: Plan, *, run_id: int | None, actor: str
) -> pd.DataFrame:
    """Mark every open task covered by ``results``; returns the tasks reviewed with outcome."""
    tasks = store_tasks.open_tasks(conn)
    if tasks.empty:
        return tasks
    latest = results.sort_values("period").drop_duplicates(["org_unit", "indicator"], keep="last")
    merged = tasks.merge(latest, on=["org_unit", "indicator"], suffixes=("", "_new"))
    reviewed = []
    for row in merged.itertuples(index=False):
        outcome = _outcome(row, plan)
        changes = {
            "outcome": outcome,
            "last_period": row.period,
            "last_value": _number(row.value),
            "last_run_id": run_id,
        }
        if row.status_new == "met":
            changes |= {
                "status": "closed",
                "closed_at": utcnow(),
                "closed_by": actor,
                "close_reason": "目标已达成 / target met",
            }
        store_tasks.record_review(conn, int(row.id), actor=actor, changes=changes)
        reviewed.append(
            {
                "id": int(row.id),
                "org_unit": row.org_unit,
                "indicator": row.indicator,
                "outcome": outcome,
                "value": _number(row.value),
                "closed": row.status_new == "met",
            }
        )
    return pd.DataFrame(reviewed)


def _outcome(row, plan: Plan) -> str:
    new, old = _number(row.value), row.start_value
    if new is None or old is None or pd.isna(old):
        return "no_data"
    ind = plan.indicator(row.indicator)
    tolerance = 0.5 * 10 ** (-ind.decimals)
    change = new - old if ind.direction == "higher" else old - new
    if change >= tolerance:
        return "improved"
    if change <= -tolerance:
        return "worse"
    return "unchanged"


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)

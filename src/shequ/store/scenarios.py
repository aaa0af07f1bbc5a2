"""Scenarios and their actions: create, list, read, delete (queries only; what a scenario
does to the numbers is `shequ.scenario`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, case, delete, func, insert, select

from ..errors import StoreError
from .audit import record
from .tables.scenarios import ACTION_KINDS, Scenario, ScenarioAction

ACTION_COLUMNS = [
    "position", "kind", "facility_type", "name", "lon", "lat",
    "data_element", "org_unit", "period", "value", "source",
]  # fmt: skip


def create(
    conn: Connection, name: str, actions: pd.DataFrame, *, description: str = "", actor: str
) -> int:
    """Store scenario ``name`` with ``actions`` (rows with `ACTION_COLUMNS` but ``position``);
    refuses a name in use and an unknown action kind. Returns the scenario id."""
    name = name.strip()
    if not name:
        raise StoreError("情景名称不能为空 / a scenario needs a name")
    if conn.execute(select(Scenario.id).where(Scenario.name == name)).first() is not None:
        msg = f"情景“{name}”已存在（先删除）/ scenario '{name}' exists (delete it first)"
        raise StoreError(msg)
    bad = sorted(set(actions["kind"]) - set(ACTION_KINDS)) if len(actions) else []
    if bad:
        raise StoreError(f"未知的动作类型 / unknown action kind: {', '.join(bad)}")
    scenario_id = conn.execute(
        insert(Scenario)
        .values(name=name, description=description, created_by=actor)
        .returning(Scenario.id)
    ).scalar_one()
    rows = actions.reindex(columns=ACTION_COLUMNS).assign(
        position=range(1, len(actions) + 1), scenario_id=scenario_id
    )
    rows["name"] = rows["name"].fillna("")
    rows["source"] = rows["source"].fillna("")
    rows = rows.astype(object).where(rows.notna(), None)
    if len(rows):
        conn.execute(insert(ScenarioAction), rows.to_dict("records"))
    record(conn, [("create", "scenario", name, None, {"actions": len(rows)})], actor=actor)
    return int(scenario_id)


def listing(conn: Connection) -> pd.DataFrame:
    """Every scenario with its counts of facilities and value changes, newest first."""
    kinds = {
        kind: func.sum(case((ScenarioAction.kind == kind, 1), else_=0)).label(kind)
        for kind in ACTION_KINDS
    }
    query = (
        select(Scenario.name, Scenario.description, Scenario.created_by, Scenario.created_at,
               *kinds.values())
        .outerjoin(ScenarioAction, ScenarioAction.scenario_id == Scenario.id)
        .group_by(Scenario.id)
        .order_by(Scenario.created_at.desc(), Scenario.id.desc())
    )  # fmt: skip
    frame = pd.DataFrame(conn.execute(query).mappings().all(),
                         columns=["name", "description", "created_by", "created_at", *kinds])  # fmt: skip
    for kind in ACTION_KINDS:
        frame[kind] = frame[kind].fillna(0).astype(int)
    return frame


def get(conn: Connection, name: str) -> tuple[dict[str, Any], pd.DataFrame]:
    """Scenario ``name`` (its row as a dict) and its actions in order; refuses an unknown name."""
    row = conn.execute(select(Scenario.__table__).where(Scenario.name == name)).one_or_none()
    if row is None:
        raise StoreError(f"没有名为“{name}”的情景 / no scenario named '{name}'")
    actions = pd.DataFrame(
        conn.execute(
            select(*(getattr(ScenarioAction, c) for c in ACTION_COLUMNS))
            .where(ScenarioAction.scenario_id == row.id)
            .order_by(ScenarioAction.position)
        ).all(),
        columns=ACTION_COLUMNS,
    )
    meta = {"id": row.id, "name": row.name, "description": row.description,
            "created_by": row.created_by, "created_at": row.created_at}  # fmt: skip
    return meta, actions


def remove(conn: Connection, name: str, *, actor: str) -> None:
    """Delete scenario ``name`` and its actions (audited); refuses an unknown name."""
    meta, actions = get(conn, name)
    conn.execute(delete(ScenarioAction).where(ScenarioAction.scenario_id == meta["id"]))
    conn.execute(delete(Scenario).where(Scenario.id == meta["id"]))
    record(conn, [("delete", "scenario", name, {"actions": len(actions)}, None)], actor=actor)

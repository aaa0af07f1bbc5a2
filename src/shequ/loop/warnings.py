"""Early warnings (预警): which conditions hold after a scheduled run, and keeping the
store's warnings in step with them.

Conditions, each on one unit and subject (the warning's key with its kind):

* ``target_missed`` — an indicator's status is ``not_met`` in the evaluated period;
  severity ``high`` once the target period has been reached, else ``medium``;
* ``trend_off_track`` — its trend is ``off_track``: the Theil–Sen projection misses the
  target in the target year (`shequ.evaluate.trends`); ``medium``;
* ``reporting`` — a unit above the leaves whose share of reporting leaf units (any value
  for the period) is below the plan's ``completeness`` as the deadline nears (``medium``)
  or after it (``high``); the evidence names the units that have not reported;
* ``suggestion_overdue`` — a suggestion not answered by its respond-by day (``medium``)
  or not resolved by its resolve-by day (``high``), to its handler;
* ``rule_violation`` — a validation rule of the plan does not hold for the unit and the
  evaluated period (`shequ.store.validation`); severity from the rule's importance.

Evidence carries the values: this and the previous period's value, the previous
scheduled run's value and status, the projection. `sync` opens a warning for a condition
that has no active warning, refreshes the evidence of one that has, and closes active
warnings of the examined kinds whose condition is gone; every opening and closing is handed
to `shequ.loop.events`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..evaluate.diagnosis import action_for
from ..framework.models import Plan
from ..framework.periods import parse_period
from ..store import validation as store_validation
from ..store import warnings as store_warnings
from ..store.db import Store
from . import events
from .owners import owners, recipients

INDICATOR_KINDS = ("target_missed", "trend_off_track")
EVALUATION_KINDS = (*INDICATOR_KINDS, "rule_violation")
Condition = dict[str, Any]


def evaluation_conditions(
    results: pd.DataFrame,
    trends: pd.DataFrame,
    plan: Plan,
    *,
    previous: pd.DataFrame | None,
    run_id: int | None,
) -> list[Condition]:
    """Target and trend conditions of the evaluated period's rows."""
    keys = ["indicator", "org_unit", "period"]
    extra = ["previous_period", "previous_value", "slope", "projected_value", "trend_status"]
    rows = results.merge(trends[keys + extra], on=keys, how="left")
    rows = rows[rows["period"] == rows["period"].max()]
    before = _previous(previous)
    out = []
    for row in rows.itertuples(index=False):
        evidence = {
            "period": row.period,
            "value": _num(row.value),
            "target": _num(row.target),
            "comparator": row.comparator,
            "target_period": row.target_period,
            "previous_period": row.previous_period
            if isinstance(row.previous_period, str)
            else None,
            "previous_value": _num(row.previous_value),
            "projected_value": _num(row.projected_value),
            "slope_per_year": _num(row.slope),
            "run_id": run_id,
            **before.get((row.indicator, row.org_unit), {}),
        }
        action = action_for(row.indicator, plan)[0]
        common = {"org_unit": row.org_unit, "subject": row.indicator, "action": action}
        if not isinstance(row.target_period, str):
            continue
        reached = parse_period(row.period).end >= parse_period(row.target_period).end
        if row.status == "not_met":
            severity = "high" if reached else "medium"
            out.append(
                common | {"kind": "target_missed", "severity": severity, "evidence": evidence}
            )
        if row.trend_status == "off_track" and not reached:
            out.append(
                common | {"kind": "trend_off_track", "severity": "medium", "evidence": evidence}
            )
    return out


def rule_conditions(store: Store, plan: Plan, period: str) -> list[Condition]:
    """Validation-rule violations of ``period`` (outliers are listed by ``shequ validate``,
    not warned about: they are questions, not faults)."""
    with store.begin() as conn:
        found = store_validation.violations(conn, plan, period, outliers=False)
    return [
        {
            "kind": "rule_violation",
            "org_unit": r.org_unit,
            "subject": f"{r.rule}/{r.period}",
            "severity": r.importance,
            "action": "",
            "evidence": {
                "period": r.period,
                "rule": r.rule,
                "left": _num(r.left),
                "operator": r.operator,
                "right": _num(r.right),
                "message_zh": r.message_zh,
                "message_en": r.message_en,
            },
        }
        for r in found.itertuples(index=False)
    ]


def _previous(previous: pd.DataFrame | None) -> dict[tuple[str, str], dict[str, Any]]:
    if previous is None or previous.empty:
        return {}
    latest = previous.sort_values("period").drop_duplicates(["indicator", "org_unit"], keep="last")
    return {
        (r.indicator, r.org_unit): {
            "previous_run_period": r.period,
            "previous_run_value": _num(r.value),
            "previous_run_status": r.status,
        }
        for r in latest.itertuples(index=False)
    }


def sync(
    store: Store,
    kinds: tuple[str, ...],
    conditions: list[Condition],
    *,
    run: int,
    now: dt.datetime,
    follow_up_days: int,
    subject: str | None = None,
) -> tuple[int, int]:
    """Bring the active warnings of ``kinds`` (of ``subject`` only, when given) in step with
    ``conditions``; returns (opened, closed)."""
    emitted: list[events.WarningEvent] = []
    with store.begin() as conn:
        active = store_warnings.active(conn, kinds, subject=subject)
        units = {c["org_unit"] for c in conditions} | {
            c["handler"] for c in conditions if c.get("handler")
        }
        owner = owners(conn, units, now.date())
        seen = set()
        for condition in conditions:
            key = (condition["kind"], condition["org_unit"], condition["subject"])
            seen.add(key)
            fields = {k: v for k, v in condition.items() if k != "handler"}
            fields["owners"] = _owner(owner, condition)
            if key in active:
                store_warnings.refresh(conn, active[key], fields, run=run)
                continue
            if fields.get("action"):
                fields.setdefault("owner_unit", condition["org_unit"])
                fields.setdefault("deadline", now.date() + dt.timedelta(days=follow_up_days))
            new_id = store_warnings.open_warning(conn, fields, now=now, run=run)
            who = recipients(fields["owners"])
            emitted.append(events.WarningEvent("opened", fields | {"id": new_id}, who))
        gone = [i for key, i in active.items() if key not in seen]
        store_warnings.close(conn, gone, now=now, run=run)
        for warning_id in gone:
            closed = store_warnings.get(conn, warning_id)
            emitted.append(events.WarningEvent("closed", closed, recipients(closed["owners"])))
    for event in emitted:
        events.emit(store, event)
    return len(emitted) - len(gone), len(gone)


def _owner(owner: dict[str, dict[str, list[str]]], condition: Condition) -> dict[str, list[str]]:
    """The unit's owners; a suggestion's handler (when it is a unit with users) is its staff."""
    mine = owner[condition["org_unit"]]
    handler = owner.get(condition.get("handler") or "", {}).get("staff")
    return mine | {"staff": handler} if handler else mine


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)

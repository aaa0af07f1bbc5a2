"""Conditions that need no evaluation: reporting completeness before and after the data
deadline, and residents' suggestions overdue at their stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import select

from ..framework.models import Plan
from ..framework.periods import parse_period
from ..store import orgunits
from ..store.db import Store
from ..store.tables.core import DataValue
from ..store.tables.voice import Suggestion
from ..voice.workdays import WorkCalendar

REPORTING_KINDS = ("reporting",)
SUGGESTION_KINDS = ("suggestion_overdue",)
MAX_LISTED = 50
Condition = dict[str, Any]


def reporting_conditions(
    store: Store, plan: Plan, period: str, now: dt.datetime
) -> list[Condition]:
    """Units above the leaves whose reporting leaves are below the plan's completeness.

    A leaf unit (one without children on the period's last day) has reported when it has at
    least one stored value for ``period``. A unit's completeness is its reporting leaves /
    its leaves; evidence lists the leaves that have not reported (at most 50 named) and the
    days to the deadline (negative once it has passed).
    """
    schedule = plan.schedule
    code = parse_period(period)
    deadline = schedule.due_date(code)
    days_left = (deadline - now.date()).days
    with store.begin() as conn:
        tree = orgunits.units_on(conn, code.end)
        query = select(DataValue.org_unit).where(DataValue.period == period).distinct()
        reported = set(conn.execute(query).scalars())
    parent = dict(zip(tree["code"], tree["parent_code"], strict=True))
    leaves = set(tree["code"]) - set(tree["parent_code"].dropna())
    expected: dict[str, list[str]] = {}
    for leaf in sorted(leaves):
        above = parent.get(leaf)
        while above is not None:
            expected.setdefault(above, []).append(leaf)
            above = parent.get(above)
    out = []
    for unit, under in sorted(expected.items()):
        missing = [u for u in under if u not in reported]
        share = 1 - len(missing) / len(under)
        if share >= schedule.completeness or not missing:
            continue
        evidence = {
            "period": period,
            "deadline": deadline.isoformat(),
            "days_to_deadline": days_left,
            "expected": len(under),
            "reported": len(under) - len(missing),
            "completeness": round(share, 4),
            "threshold": schedule.completeness,
            "missing": missing[:MAX_LISTED],
            "missing_count": len(missing),
        }
        severity = "high" if days_left < 0 else "medium"
        out.append(
            {"kind": "reporting", "org_unit": unit, "subject": code.type, "severity": severity}
            | {"evidence": evidence, "action": ""}
        )
    return out


def suggestion_conditions(store: Store, plan: Plan, now: dt.datetime) -> list[Condition]:
    """Suggestions past their respond-by day unanswered, or past resolve-by unresolved.

    Deadlines are working days after receipt (`shequ.voice.workdays`, vectorised over all
    waiting suggestions); a deadline through a year the calendar does not know is blank and
    raises no warning (the desk shows it as unknown)."""
    calendar = WorkCalendar.from_settings(plan.voice, on_unknown_year="blank")
    limits = plan.voice.deadlines
    columns = (Suggestion.id, Suggestion.org_unit, Suggestion.status, Suggestion.received_at)
    query = select(*columns, Suggestion.responsible_unit).where(
        Suggestion.status.in_(("received", "assigned", "responded"))
    )
    with store.begin() as conn:
        frame = pd.read_sql(query.order_by(Suggestion.id), conn)
    if frame.empty:
        return []
    answered = frame["status"] == "responded"
    respond_by = calendar.deadlines(frame["received_at"], limits.respond)
    resolve_by = calendar.deadlines(frame["received_at"], limits.resolve)
    frame["by"] = resolve_by.where(answered, respond_by)
    today = pd.Timestamp(now.date())
    late = frame[frame["by"].notna() & (frame["by"] < today)]
    out = []
    for s in late.itertuples(index=False):
        stage = "resolve" if s.status == "responded" else "respond"
        evidence = {
            "suggestion": int(s.id),
            "stage": stage,
            "status": s.status,
            "received_at": s.received_at.isoformat(),
            "due": s.by.date().isoformat(),
            "days_overdue": (today - s.by).days,
            "handler": s.responsible_unit,
        }
        out.append(
            {"kind": "suggestion_overdue", "org_unit": s.org_unit}
            | {
                "subject": f"suggestion/{s.id}",
                "severity": "high" if stage == "resolve" else "medium",
            }
            | {"evidence": evidence, "action": "", "handler": s.responsible_unit}
        )
    return out

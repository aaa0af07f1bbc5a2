"""The demo's loop: the sample plan's schedule runs once by itself, on the day the 2025
data are due plus one (a frozen clock), raising the early warnings and filing them to their
owners' inboxes — what `make run` shows of "evaluate regularly, warn in time"."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select

from ..framework.models import Plan
from ..framework.periods import parse_period
from ..loop import scheduler
from ..store import warnings as store_warnings
from ..store.db import Store
from ..store.tables.accounts import User
from ..store.tables.notify import InboxItem


@dataclass
class LoopDemo:
    """One scheduled run: when, what it did, the warnings open by kind, the inboxes."""

    job: str
    period: str
    due_at: str
    outcome: dict
    warnings: dict[str, int] = field(default_factory=dict)
    inboxes: dict[str, int] = field(default_factory=dict)
    examples: list[dict] = field(default_factory=list)


def run_schedule_once(store: Store, plan: Plan, *, period: str) -> LoopDemo | None:
    """Tick the scheduler at the moment the plan's first evaluation job evaluates ``period``."""
    schedule = plan.schedule
    jobs = [j for j in schedule.evaluations if j.period_type == parse_period(period).type]
    if not jobs:
        return None
    job = jobs[0]
    due_at = schedule.evaluation_due(job, parse_period(period))
    report = scheduler.tick(store, plan, clock=lambda: due_at)
    done = [d for d in report.done if d["job"] == job.code and d["period"] == period]
    with store.begin() as conn:
        active = store_warnings.listing(conn)
        inboxes = dict(
            conn.execute(
                select(User.username, func.count(InboxItem.message_id))
                .join(InboxItem, InboxItem.user_id == User.id)
                .group_by(User.username)
                .order_by(User.username)
            ).all()
        )
    return LoopDemo(
        job=job.code,
        period=period,
        due_at=f"{due_at:%Y-%m-%d %H:%M}",
        outcome=(done[0] if done else {"outcome": "already run"})
        | {
            "warnings_opened": sum(d.get("warnings_opened", 0) for d in report.done),
            "notified": sum(d.get("notified", 0) for d in report.done),
        },
        warnings=dict(Counter(active["kind"])) if not active.empty else {},
        inboxes=inboxes,
        examples=_examples(active),
    )


def _examples(active: pd.DataFrame, n: int = 3) -> list[dict]:
    if active.empty:
        return []
    rank = active["severity"].map({"high": 0, "medium": 1, "low": 2})
    top = active.assign(_rank=rank).sort_values(["_rank", "org_unit"]).head(n)
    return top.drop(columns="_rank").to_dict("records")

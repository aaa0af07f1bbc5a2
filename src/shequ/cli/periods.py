"""``shequ periods approve|unlock UNIT PERIOD``: per-unit period approval from the command
line, acting as a web user who supervises the unit."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import DbOption, PlanOption, command_group, console

periods_app = command_group(
    "期间审核：按单位审核锁定或解锁 / approve (lock) or unlock a unit's period."
)

UnitArg = Annotated[str, typer.Argument(help="组织单位编码 / org-unit code")]
PeriodArg = Annotated[str, typer.Argument(help="期间，如 2025、2025Q3 / period")]
UserOpt = Annotated[
    str,
    typer.Option(
        "--user",
        help="以该网页用户身份审核（须为该单位的上级审核人）/ act as this web user "
        "(must supervise the unit)",
    ),
]


@periods_app.command("approve")
def approve(
    unit: UnitArg, period: PeriodArg, user: UserOpt, db: DbOption = None, plan: PlanOption = None
) -> None:
    """审核并锁定单位及其下级在该期间的数据（有必须修正的校验问题时拒绝）/ approve and lock a
    unit's subtree for a period (refused while must-fix validation problems remain)."""
    _change(unit, period, user, db, approved=True, plan=plan)


@periods_app.command("unlock")
def unlock(unit: UnitArg, period: PeriodArg, user: UserOpt, db: DbOption = None) -> None:
    """解锁单位在该期间的审核 / withdraw a unit's approval for a period."""
    _change(unit, period, user, db, approved=False)


def _change(
    unit: str, period: str, user: str, db: str | None, *, approved: bool, plan: str | None = None
) -> None:
    from ..framework.loader import load_plan
    from ..store.approvals import set_approval_as
    from ..store.db import open_store

    chosen = load_plan(plan) if approved else None
    with open_store(db).begin() as conn:
        changed = set_approval_as(conn, user, unit, period, approved=approved, plan=chosen)
    done = ("已审核锁定", "approved and locked") if approved else ("已解锁", "unlocked")
    state = "" if changed else "（无变化 / no change）"
    console.print(f"{unit} {period}: {done[0]} / {done[1]}{state}", markup=False)

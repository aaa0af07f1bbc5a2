"""``shequ scheduler`` (the loop on its own) and ``shequ warnings list|confirm|edit|dismiss``."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import DbOption, PlanOption, actor, command_group, console

warnings_app = command_group("预警与整改 / early warnings and their follow-up.")


def scheduler(
    db: DbOption = None,
    plan: PlanOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="只运行一次到期任务 / one tick, then exit")
    ] = False,
    at: Annotated[
        str | None, typer.Option(help="按此时间（UTC，2025-04-16T03:00）运行 / run as of this time")
    ] = None,
    interval: Annotated[float, typer.Option(help="检查间隔秒数 / seconds between ticks")] = 60.0,
) -> None:
    """按计划运行评估与预警 / run scheduled evaluations and warnings (alone, beside any server)."""
    import datetime as dt

    from ..framework.loader import load_plan
    from ..loop import scheduler as loop_scheduler
    from ..store.db import open_store
    from ._show_loop import print_tick

    store, chosen = open_store(db), load_plan(plan)
    if once or at:
        moment = dt.datetime.fromisoformat(at) if at else None
        clock = (lambda: moment) if moment else loop_scheduler.utcnow
        print_tick(console, loop_scheduler.tick(store, chosen, clock=clock))
        return
    console.print(f"调度运行中 / scheduler running, every {interval:g} s (Ctrl+C 停止 / to stop)")
    loop_scheduler.run_forever(store, chosen, interval=interval)


@warnings_app.command("list")
def warnings_list(
    db: DbOption = None,
    all_: Annotated[bool, typer.Option("--all", help="含已关闭 / include closed")] = False,
    kind: Annotated[str | None, typer.Option(help="预警类别 / warning kind")] = None,
) -> None:
    """列出预警 / list early warnings (open ones unless --all)."""
    from ..store import warnings as store_warnings
    from ..store.db import open_store
    from ._show_loop import print_warnings

    with open_store(db).begin() as conn:
        print_warnings(console, store_warnings.listing(conn, active_only=not all_, kind=kind))


@warnings_app.command("confirm")
def warnings_confirm(
    warning_id: Annotated[int, typer.Argument(help="预警编号 / warning id")],
    db: DbOption = None,
    plan: PlanOption = None,
) -> None:
    """确认预警的整改建议，生成整改任务 / confirm the proposed follow-up task."""
    from ..framework.loader import load_plan
    from ..loop import followup
    from ..store.db import open_store

    with open_store(db).begin() as conn:
        task_id = followup.confirm(conn, warning_id, load_plan(plan), actor=actor())
    console.print(f"已生成整改任务 #{task_id} / created task #{task_id}")


@warnings_app.command("edit")
def warnings_edit(
    warning_id: Annotated[int, typer.Argument(help="预警编号 / warning id")],
    owner: Annotated[str | None, typer.Option(help="责任单位编码 / owner unit")] = None,
    deadline: Annotated[str | None, typer.Option(help="截止日期 2026-06-30 / deadline")] = None,
    action: Annotated[str | None, typer.Option(help="整改措施 / action")] = None,
    db: DbOption = None,
) -> None:
    """修改整改建议（确认前）/ edit the proposed task before confirming it."""
    from ..loop import followup
    from ..store.db import open_store
    from ..store.tasks import parse_deadline

    day = parse_deadline(deadline) if deadline else None
    with open_store(db).begin() as conn:
        followup.edit(
            conn, warning_id, actor=actor(), owner_unit=owner, deadline=day, action=action
        )
    console.print(f"已修改预警 #{warning_id} / warning #{warning_id} edited")


@warnings_app.command("dismiss")
def warnings_dismiss(
    warning_id: Annotated[int, typer.Argument(help="预警编号 / warning id")],
    reason: Annotated[str, typer.Option(help="忽略原因 / why")],
    db: DbOption = None,
) -> None:
    """忽略预警的整改建议（记录原因）/ dismiss the proposal, with the reason."""
    from ..loop import followup
    from ..store.db import open_store

    with open_store(db).begin() as conn:
        followup.dismiss(conn, warning_id, actor=actor(), reason=reason)
    console.print(f"已忽略预警 #{warning_id} / warning #{warning_id} dismissed")

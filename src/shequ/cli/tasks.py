"""``shequ tasks list|create|close``: follow-up tasks on the gaps an evaluation found."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import DbOption, LangOption, PlanOption, actor, command_group, console, language

tasks_app = command_group("整改任务 / follow-up tasks.")


@tasks_app.command("list")
def tasks_list(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(help="open | closed")] = None,
    lang: LangOption = "",
) -> None:
    """列出整改任务 / list follow-up tasks."""
    from ..store import tasks as store_tasks
    from ..store.db import open_store
    from ._show_composite import print_tasks

    with open_store(db).begin() as conn:
        print_tasks(console, store_tasks.listing(conn, status=status), language(lang))


@tasks_app.command("create")
def tasks_create(
    unit: Annotated[str, typer.Argument(help="单位编码 / org unit code")],
    indicator: Annotated[str, typer.Argument(help="指标编码 / indicator code")],
    owner: Annotated[str, typer.Option(help="责任单位编码 / owner unit")],
    deadline: Annotated[str, typer.Option(help="截止日期 2026-06-30 / deadline")],
    note: Annotated[str, typer.Option(help="说明 / note")] = "",
    db: DbOption = None,
    plan: PlanOption = None,
) -> None:
    """按最近一次评估创建整改任务 / create a task from the latest evaluation run."""
    from ..evaluate.tasks import create_task
    from ..framework.loader import load_plan
    from ..store import runs
    from ..store import tasks as store_tasks
    from ..store.db import open_store

    with open_store(db).begin() as conn:
        run = runs.get(conn, "latest")
        task_id = create_task(
            conn,
            runs.results(conn, run.id),
            load_plan(plan),
            org_unit=unit,
            indicator=indicator,
            owner_unit=owner,
            deadline=store_tasks.parse_deadline(deadline),
            note=note,
            actor=actor(),
            run_id=run.id,
        )
    console.print(f"已创建整改任务 #{task_id} / created task #{task_id}")


@tasks_app.command("close")
def tasks_close(
    task_id: Annotated[int, typer.Argument(help="任务编号 / task id")],
    reason: Annotated[str, typer.Option(help="关闭原因 / why")],
    db: DbOption = None,
) -> None:
    """手动关闭整改任务 / close a task by hand."""
    from ..store import tasks as store_tasks
    from ..store.db import open_store

    with open_store(db).begin() as conn:
        store_tasks.close(conn, task_id, actor=actor(), reason=reason)
    console.print(f"已关闭任务 #{task_id} / closed task #{task_id}")

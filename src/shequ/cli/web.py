"""``shequ serve`` and ``shequ users add|token``: the web application's commands."""

from __future__ import annotations

from typing import Annotated

import typer

from ..store.accounts import ROLES
from ._common import DbOption, PlanOption, actor, command_group, console

users_app = command_group("网页用户与 API 令牌 / web users and API tokens.")


def serve(
    db: DbOption = None,
    plan: PlanOption = None,
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
    scheduler: Annotated[
        bool, typer.Option("--scheduler", help="同时按计划运行评估与预警 / also run the schedule")
    ] = False,
) -> None:
    """启动网页服务 / serve the web application (dashboard, data entry, API)."""
    from ..web.serve import serve as run_server

    console.print(f"网页服务 / serving on http://{host}:{port} (Ctrl+C 停止 / to stop)")
    run_server(db, plan=plan, host=host, port=port, scheduler=scheduler or None)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    role: Annotated[str, typer.Option(help=" | ".join(ROLES))],
    scope: Annotated[
        str, typer.Option(help="可见范围：组织单位编码 / org-unit code of the subtree")
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="密码 / password"
        ),
    ],
    name: Annotated[str, typer.Option(help="显示名 / display name")] = "",
    db: DbOption = None,
) -> None:
    """添加或更新网页用户 / add or update a web user."""
    from ..store.accounts import add_user
    from ..store.db import open_store

    add_user(
        open_store(db), username, password, role=role, scope=scope, display_name=name,
        actor=actor(),
    )  # fmt: skip
    console.print(f"用户已保存 / user saved: {username} ({role}, {scope})")


@users_app.command("token")
def users_token(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    name: Annotated[str, typer.Option(help="令牌用途 / what the token is for")] = "script",
    db: DbOption = None,
) -> None:
    """为脚本生成 API 令牌（只显示一次）/ issue an API token for scripts (shown once)."""
    from ..store.accounts import issue_token
    from ..store.db import open_store

    token = issue_token(open_store(db), username, name=name, actor=actor())
    console.print(token, markup=False)

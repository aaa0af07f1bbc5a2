"""``shequ serve`` and ``shequ users add|token|list|disable|enable|revoke-token``: the web
application's commands."""

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


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """列出网页用户 / list the web users (name, role, scope, active)."""
    from ..store.accounts import list_users
    from ..store.db import open_store

    with open_store(db).begin() as conn:
        users = list_users(conn)
    for row in users.itertuples(index=False):
        state = "启用 / active" if row.active else "停用 / disabled"
        console.print(f"{row.username}\t{row.role}\t{row.scope}\t{state}", markup=False)


def _set_active(username: str, active: bool, db: str | None) -> None:
    from ..store.accounts import set_active
    from ..store.db import open_store

    set_active(open_store(db), username, active, actor=actor())
    said = "已启用 / enabled" if active else "已停用，会话已结束 / disabled, sessions ended"
    console.print(f"{username}: {said}", markup=False)


@users_app.command("disable")
def users_disable(
    username: Annotated[str, typer.Argument(help="用户名 / user name")], db: DbOption = None
) -> None:
    """停用用户并结束其会话 / disable a user and end their sessions."""
    _set_active(username, False, db)


@users_app.command("enable")
def users_enable(
    username: Annotated[str, typer.Argument(help="用户名 / user name")], db: DbOption = None
) -> None:
    """重新启用用户 / enable a user again."""
    _set_active(username, True, db)


@users_app.command("revoke-token")
def users_revoke_token(
    username: Annotated[str, typer.Argument(help="用户名 / user name")],
    name: Annotated[
        str | None, typer.Option(help="只撤销此用途的令牌 / only the tokens of this name")
    ] = None,
    db: DbOption = None,
) -> None:
    """撤销用户的 API 令牌 / revoke a user's API tokens."""
    from ..store.accounts import revoke_tokens
    from ..store.db import open_store

    count = revoke_tokens(open_store(db), username, name=name, actor=actor())
    console.print(f"{username}: 已撤销 {count} 个令牌 / {count} token(s) revoked", markup=False)

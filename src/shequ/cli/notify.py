"""``shequ notify deliver|test|subscribe|subscriptions|log``: notifications (inbox, e-mail,
WeCom/DingTalk robots, JSON webhooks). SMTP settings come from ``SHEQU_SMTP_*`` (see
`shequ.notify.settings`)."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import DbOption, command_group, console

notify_app = command_group("通知：收件箱、邮件、企业微信/钉钉机器人 / notifications.")


@notify_app.command("deliver")
def notify_deliver(db: DbOption = None) -> None:
    """发送到期的通知（失败的按退避重试）/ send due notifications, retrying refused ones."""
    from ..notify import deliver
    from ..store.db import open_store

    report = deliver(open_store(db))
    console.print(
        f"已发送 {len(report.sent)}，待重试 {len(report.retrying)}，放弃 {len(report.failed)} / "
        f"sent {len(report.sent)}, retrying {len(report.retrying)}, failed {len(report.failed)}"
    )


@notify_app.command("test")
def notify_test(
    to: Annotated[
        str, typer.Option("--to", help="邮箱或网络钩子地址 / e-mail address or webhook URL")
    ],
    kind: Annotated[
        str, typer.Option(help="email | wecom | dingtalk | json（默认按地址判断）")
    ] = "",
    secret: Annotated[str, typer.Option(help="钉钉加签密钥 / DingTalk signing secret")] = "",
    lang: Annotated[str, typer.Option(help="zh | en")] = "zh",
) -> None:
    """立即发送一条测试通知 / send one test notification now (nothing is stored)."""
    from ..notify.deliver import send_test

    used, error = send_test(to, kind=kind, secret=secret, lang=lang)
    if error:
        console.print(f"发送失败 / refused ({used}): {error}", style="red", markup=False)
        raise typer.Exit(2)
    console.print(f"已发送测试通知 / test notification sent ({used}) → {to}", markup=False)


@notify_app.command("subscribe")
def notify_subscribe(
    owner: Annotated[
        str, typer.Argument(help="user:用户名 或 unit:单位编码 / user:NAME or unit:CODE")
    ],
    to: Annotated[str, typer.Option("--to", help="邮箱或网络钩子地址 / e-mail or webhook URL")],
    kind: Annotated[
        str, typer.Option(help="email | wecom | dingtalk | json（默认按地址判断）")
    ] = "",
    secret: Annotated[str, typer.Option(help="钉钉加签密钥 / DingTalk signing secret")] = "",
    min_severity: Annotated[str, typer.Option(help="info | warning | critical")] = "info",
    digest: Annotated[str, typer.Option(help="immediate | daily")] = "immediate",
    text_format: Annotated[str, typer.Option("--format", help="markdown | text")] = "markdown",
    lang: Annotated[str, typer.Option(help="zh | en")] = "zh",
    off: Annotated[bool, typer.Option("--off", help="停用此订阅 / switch it off")] = False,
    db: DbOption = None,
) -> None:
    """订阅（或修改）某用户或单位子树的通知 / subscribe a user's or a unit's subtree."""
    from ..notify import subscribe
    from ..notify.deliver import guess_kind
    from ..store.db import open_store

    sub_id = subscribe(
        open_store(db), owner=owner, kind=kind or guess_kind(to), target=to, secret=secret,
        min_severity=min_severity, digest=digest, text_format=text_format, lang=lang,
        active=not off,
    )  # fmt: skip
    console.print(f"订阅 #{sub_id} 已保存 / subscription #{sub_id} saved", markup=False)


@notify_app.command("subscriptions")
def notify_subscriptions(db: DbOption = None) -> None:
    """列出订阅 / list subscriptions."""
    from ..store import notify as store_notify
    from ..store.db import open_store

    with open_store(db).begin() as conn:
        for s in store_notify.subscriptions(conn):
            state = "" if s["active"] else " (off)"
            console.print(
                f"#{s['id']} {s['owner']} {s['kind']} {s['target']} ≥{s['min_severity']} "
                f"{s['digest']} {s['lang']}{state}",
                markup=False,
            )


@notify_app.command("log")
def notify_log(
    db: DbOption = None, limit: Annotated[int, typer.Option(help="条数 / rows")] = 50
) -> None:
    """投递记录（每次尝试、状态、错误）/ the delivery log: attempts, status, error."""
    from ..store import notify as store_notify
    from ..store.db import open_store

    with open_store(db).begin() as conn:
        for r in store_notify.delivery_log(conn, limit):
            console.print(
                f"{r['attempted_at']:%Y-%m-%d %H:%M:%S} #{r['delivery_id']} {r['kind']} "
                f"{r['target']} {r['status']} ({r['delivery_status']}, {r['attempts']}×, "
                f"{r['messages']} msg) {r['error'] or ''}",
                markup=False,
            )

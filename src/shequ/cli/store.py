"""``shequ init``, ``shequ backup``, ``shequ restore`` and ``shequ audit verify``: the store
as a whole."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, command_group, console

audit_app = command_group("审计记录 / the audit trail.")
FileArgument = Annotated[Path, typer.Argument(help="备份文件 / backup file")]


def init(db: DbOption = None) -> None:
    """创建或升级数据库 / create or upgrade the store."""
    from ..store import db as store_db

    store = store_db.open_store(db)
    console.print(
        f"数据库就绪 / store ready: {store.url} (schema {store_db.current_revision(store)})"
    )


def backup(file: FileArgument, db: DbOption = None) -> None:
    """备份整个数据库（运行中亦可）/ back up the whole store (also while it is in use)."""
    from ..store import backup as store_backup
    from ..store.db import open_store

    path = store_backup.backup(open_store(db), file)
    console.print(f"已备份 / backed up: {path} ({path.stat().st_size:,} bytes)")


def restore(
    file: FileArgument,
    db: DbOption = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="不再确认，直接覆盖 / overwrite without asking")
    ] = False,
) -> None:
    """用备份替换数据库的全部内容 / replace everything in the store with a backup."""
    from ..store import backup as store_backup
    from ..store.db import open_store

    store = open_store(db, migrate=False)
    store_backup.backup_kind(file)  # refuse a file that is no backup before asking
    if not yes:
        typer.confirm(f"覆盖 {store.url}？/ overwrite {store.url}?", abort=True)
    store_backup.restore(store, file)
    console.print(f"已恢复 / restored {file} into {store.url}")


@audit_app.command("verify")
def audit_verify(db: DbOption = None) -> None:
    """检查审计记录链是否完整（被改、删、插入）/ check the audit chain for tampering."""
    from ..store import audit
    from ..store.db import open_store

    with open_store(db).begin() as conn:
        found = audit.verify(conn)
    if found.intact:
        console.print(
            f"审计链完整：{found.checked:,} 条 / the audit chain is intact: {found.checked:,} "
            f"entries; newest hash {found.head}"
        )
        return
    console.print(
        f"审计链在第 {found.broken_id} 条断开 / the audit chain breaks at entry {found.broken_id}"
        f" ({found.checked:,} entries before it are intact)\n{found.reason_zh}\n{found.reason_en}",
        style="red",
        markup=False,
    )
    raise typer.Exit(3)

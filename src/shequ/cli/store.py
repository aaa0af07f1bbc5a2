"""``shequ init``: create or upgrade the store."""

from __future__ import annotations

from ._common import DbOption, console


def init(db: DbOption = None) -> None:
    """创建或升级数据库 / create or upgrade the store."""
    from ..store import db as store_db

    store = store_db.open_store(db)
    console.print(
        f"数据库就绪 / store ready: {store.url} (schema {store_db.current_revision(store)})"
    )

"""SQLite itself, through Ibis's sqlite backend (the store file, read in place)."""

from __future__ import annotations

import ibis

from ...errors import EvaluationError
from ...store.db import Store
from . import TABLES, Engine, Reads, register


@register("sqlite")
def connect(store: Store, reads: Reads) -> Engine:  # reads the store in place
    path = store.sqlite_path
    if path is None:
        msg = "SQLite 引擎只能读取 SQLite 存储 / the sqlite engine reads SQLite stores only"
        raise EvaluationError(msg)
    con = ibis.sqlite.connect(str(path))
    tables = {name: con.table(name) for name in TABLES}
    return Engine("sqlite", con, tables, close=con.disconnect)

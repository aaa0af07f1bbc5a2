"""PostgreSQL: the evaluation runs inside the server that holds the store."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from ...errors import EvaluationError, MissingExtraError
from ...store.db import Store
from . import TABLES, Engine, Reads, register


@register("postgres")
def connect(store: Store, reads: Reads) -> Engine:  # reads the store in place
    if store.dialect != "postgresql":
        msg = "postgres 引擎需要 PostgreSQL 存储 / the postgres engine needs a PostgreSQL store"
        raise EvaluationError(msg)
    try:
        import ibis

        url = make_url(store.url)
        con = ibis.postgres.connect(
            host=url.host or "localhost",
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database=url.database,
        )
    except (ImportError, ModuleNotFoundError):
        raise MissingExtraError("ibis-framework[postgres]", "postgres") from None
    tables = {name: con.table(name) for name in TABLES}
    return Engine("postgres", con, tables, close=con.disconnect)

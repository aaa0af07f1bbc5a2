"""Open the store: an SQLite file (default) or a PostgreSQL URL, migrated to the latest schema.

The location comes from the argument, else the ``SHEQU_DB`` environment variable, else
``shequ.db`` in the working directory. A path or ``sqlite:///`` URL opens SQLite in WAL
mode (readers never block the writer); ``postgresql://`` opens PostgreSQL through psycopg 3.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from ..errors import MissingExtraError, StoreError

DEFAULT_DB = "shequ.db"


@dataclass
class Store:
    """An open store: its SQLAlchemy engine and where it lives."""

    url: str
    engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None for a server database."""
        if self.dialect != "sqlite":
            return None
        return Path(make_url(self.url).database or "")

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """Turn a path, URL or nothing (``SHEQU_DB``, else ``shequ.db``) into a SQLAlchemy URL."""
    raw = str(target) if target is not None else os.environ.get("SHEQU_DB", DEFAULT_DB)
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if "://" in raw:
        return raw
    return f"sqlite:///{Path(raw).expanduser().resolve()}"


def open_store(
    target: str | os.PathLike[str] | None = None, *, migrate: bool = True, pooled: bool = False
) -> Store:
    """Open (and by default create or upgrade) the store at ``target``.

    ``pooled=True`` keeps SQLite connections open between transactions (much faster for
    many short requests); only for a process that never starts the DuckDB engine, such as
    the web server, whose evaluations run in a worker process (see below).
    """
    url = resolve_url(target)
    engine = _create_engine(url, pooled=pooled)
    store = Store(url, engine)
    if migrate:
        upgrade(store)
    return store


def _create_engine(url: str, *, pooled: bool = False) -> Engine:
    if url.startswith("postgresql"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise MissingExtraError("psycopg", "postgres") from None
        return create_engine(url, pool_pre_ping=True)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # NullPool: no SQLite connection stays open between transactions. DuckDB's sqlite
        # extension links its own copy of SQLite; two copies in one process do not see each
        # other's POSIX locks, so a pooled connection's WAL index (-shm, memory-mapped) could
        # be reset under it when DuckDB detaches (seen as SIGBUS on a 2 000-community city).
        if pooled:
            engine = create_engine(
                url,
                connect_args={"timeout": 30, "check_same_thread": False},
                pool_size=8,
                max_overflow=56,
            )
        else:
            engine = create_engine(url, connect_args={"timeout": 30}, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    msg = f"不支持的数据库地址 {url} / unsupported database URL {url} (sqlite or postgresql)"
    raise StoreError(msg)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config(store: Store):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("shequ.store") / "migrations"))
    config.attributes["store_url"] = store.url
    return config


def upgrade(store: Store, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision`` (idempotent)."""
    from alembic import command

    if revision == "head" and current_revision(store) == head_revision():
        return  # nothing to do: no write lock taken (opening a store never waits for one)
    config = _alembic_config(store)
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # Python's sqlite3 opens no transaction before DDL: each CREATE or ALTER TABLE of
            # a migration committed on its own, so a kill -9 mid-migration left 0007's tables
            # with the store still at 0006, and the re-run failed ("table evaluation_trend
            # already exists"; the crash trials). One explicit transaction makes the whole
            # upgrade all or nothing, as it is on PostgreSQL.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current_revision(store: Store) -> str | None:
    """The schema revision the store is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def table_names(store: Store) -> list[str]:
    return sorted(inspect(store.engine).get_table_names())


def head_revision() -> str:
    """The newest schema revision this code ships."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(resources.files("shequ.store") / "migrations"))
    return str(script.get_current_head())

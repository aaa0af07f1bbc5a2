"""Alembic environment: runs on the connection shequ hands over (see ``store.db.upgrade``)."""

from alembic import context
from sqlalchemy import create_engine

from shequ.store.tables.core import Base  # the package registers every table on it

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(
            config.attributes.get("store_url") or config.get_main_option("sqlalchemy.url")
        )
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

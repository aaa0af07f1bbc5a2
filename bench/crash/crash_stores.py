"""Where the crash trials keep their stores: SQLite files (copied with the online backup
API) or databases of one PostgreSQL server (copied with ``CREATE DATABASE … TEMPLATE``).

The integrity check is ``PRAGMA integrity_check`` on SQLite; on PostgreSQL, amcheck's
``bt_index_check`` on every B-tree index (index and table agree) plus no row whose
foreign key points nowhere (none should exist: the constraints are checked per statement).
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text


class SqliteStores:
    def __init__(self, work: Path) -> None:
        self.work = work

    def new(self, name: str) -> str:
        path = self.work / "stores" / f"{name}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)

    def copy(self, source: str, name: str) -> str:
        target = self.new(name)
        with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
            a.backup(b)
        return target

    def drop(self, target: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)

    def integrity(self, target: str) -> list[str]:
        with sqlite3.connect(target) as conn:
            verdict = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        return [] if verdict == ["ok"] else [f"integrity_check: {verdict[:3]}"]


ORPHANS = """
SELECT c.conrelid::regclass::text, c.confrelid::regclass::text,
       a.attname, af.attname
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1
"""
INDEXES = """
SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE am.amname = 'btree' AND n.nspname = 'public'
"""


class PostgresStores:
    def __init__(self, server_url: str) -> None:
        self.base = "postgresql+psycopg://" + server_url.split("://", 1)[1].rsplit("/", 1)[0]
        self.admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://"),
                                   isolation_level="AUTOCOMMIT")  # fmt: skip
        self.made: list[str] = []

    def _create(self, name: str, template: str | None = None) -> str:
        db = f"crash_{name}_{uuid.uuid4().hex[:6]}".lower()
        extra = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db}"{extra}'))
        self.made.append(db)
        return f"{self.base}/{db}"

    def new(self, name: str) -> str:
        return self._create(name)

    def copy(self, source: str, name: str) -> str:
        return self._create(name, template=source.rsplit("/", 1)[1])

    def drop(self, target: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.rsplit("/", 1)[1]}" WITH (FORCE)'))

    def drop_all(self) -> None:
        for db in self.made:
            self.drop(f"{self.base}/{db}")

    def integrity(self, target: str) -> list[str]:
        engine = create_engine(target)
        problems = []
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
                for (index,) in conn.execute(text(INDEXES)).all():
                    conn.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"),
                                 {"i": index})  # fmt: skip
                for table, parent, column, key in conn.execute(text(ORPHANS)).all():
                    lost = conn.execute(text(
                        f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT "
                        f"EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = t.{column})"
                    )).scalar()  # fmt: skip
                    if lost:
                        problems.append(f"{lost} rows of {table}.{column} point nowhere")
        except Exception as exc:
            problems.append(f"consistency check: {exc}"[:300])
        finally:
            engine.dispose()
        return problems

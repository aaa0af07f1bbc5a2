"""Back up and restore the whole store: ``shequ backup FILE`` and ``shequ restore FILE``.

SQLite: SQLite's online backup API copies a consistent snapshot while others go on
writing (in WAL mode readers never block the writer); the copy is written beside FILE and
renamed onto it once it passes ``PRAGMA integrity_check``, so a crash never leaves a
half-written backup under FILE. Restoring copies the backup into the store through the
same API (one exclusive lock on the store for the copy), so connections open elsewhere see
the old store or the restored one, never a mix; then migrations bring an older backup up
to this code's schema.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists``, from
``/usr/lib/postgresql/<newest>/bin`` or else the PATH; the password travels in
``PGPASSWORD``, never on the command line. A dump is one snapshot (a repeatable-read
transaction), so it is consistent while the server writes.

A file is recognised by its first bytes (``SQLite format 3`` or ``PGDMP``): a backup of
one kind is refused for a store of the other, and any other file is refused, with exit 2.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from ..errors import StoreError
from .db import Store, upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def backup(store: Store, path: str | os.PathLike[str]) -> Path:
    """Write a consistent copy of ``store`` to ``path`` (replaced only once complete)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    if store.sqlite_path is not None:
        _sqlite_copy(store.sqlite_path, partial)
        problems = _integrity(partial)
        if problems:
            partial.unlink(missing_ok=True)
            msg = f"备份未通过完整性检查 / the backup failed its integrity check: {problems}"
            raise StoreError(msg)
    else:
        _pg(store, "pg_dump", "--format=custom", "--no-owner", f"--file={partial}")
    partial.replace(path)
    return path


def restore(store: Store, path: str | os.PathLike[str]) -> None:
    """Replace everything in ``store`` with the backup at ``path``, then migrate it up."""
    path = Path(path)
    kind = backup_kind(path)
    wanted = "sqlite" if store.sqlite_path is not None else "postgresql"
    if kind != wanted:
        msg = (
            f"{path} 是 {kind} 备份，不能恢复到 {wanted} 数据库 / "
            f"{path} is a {kind} backup; it cannot be restored into a {wanted} store"
        )
        raise StoreError(msg)
    if kind == "sqlite":
        problems = _integrity(path)
        if problems:
            msg = f"备份文件已损坏 / the backup is damaged: {path}: {problems}"
            raise StoreError(msg)
        store.engine.dispose()
        _sqlite_copy(path, store.sqlite_path)
    else:
        store.engine.dispose()
        _pg(store, "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
            str(path))  # fmt: skip
    upgrade(store)


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``, by the file's first bytes; refuses anything else."""
    if not path.is_file():
        msg = f"找不到备份文件 {path} / backup file not found: {path}"
        raise StoreError(msg)
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    msg = (
        f"{path} 不是 shequ 备份（SQLite 文件或 pg_dump 自定义格式）/ "
        f"{path} is not a shequ backup (an SQLite file or a pg_dump custom-format dump)"
    )
    raise StoreError(msg)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy ``source`` onto ``target`` with the online backup API (both WAL-aware)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        if dst.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


def _integrity(path: Path) -> str:
    """'' when ``PRAGMA integrity_check`` passes, else what it found (first lines)."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()
    if rows != ["ok"]:
        return "; ".join(rows[:5])
    if "alembic_version" not in tables:
        return "no shequ schema (alembic_version) / 不是 shequ 数据库"
    return ""


def pg_tool(name: str) -> str:
    """The newest ``/usr/lib/postgresql/*/bin/<name>``, else ``<name>`` on the PATH."""
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if found:
        return str(found[-1])
    on_path = shutil.which(name)
    if on_path is None:
        msg = f"找不到 {name}（请安装 PostgreSQL 客户端）/ {name} not found (install the PostgreSQL client)"
        raise StoreError(msg)
    return on_path


def _pg(store: Store, tool: str, *args: str) -> None:
    url = make_url(store.url)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run(
        [pg_tool(tool), f"--dbname={dsn}", *args], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        msg = f"{tool} 失败 / {tool} failed: {done.stderr.strip()[-2000:]}"
        raise StoreError(msg)

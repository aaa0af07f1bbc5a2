"""Writing small input files for tests."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, content: str, encoding: str = "utf-8") -> Path:
    """Write ``content`` (indentation stripped from each line) and return ``path``."""
    lines = [line.strip() for line in content.strip().splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def copy_store(source: Path, target: Path) -> Path:
    """Copy the SQLite store ``source`` to ``target`` with SQLite's online backup API.

    Never ``shutil.copy`` a store that this process has open: opening and closing another
    descriptor of the file drops every POSIX lock the process holds on it, so another
    process's last connection may take the store for unused, checkpoint and delete the
    -wal and -shm files under this process's live connections ("database disk image is
    malformed", a worker's commits invisible to the server)."""
    import sqlite3

    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return Path(target)

"""Writing small input files for tests."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, content: str, encoding: str = "utf-8") -> Path:
    """Write ``content`` (indentation stripped from each line) and return ``path``."""
    lines = [line.strip() for line in content.strip().splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path

"""Engines the evaluation runs on, behind one face: ``connect(store) -> Engine``.

Each module registers itself in `ENGINES` (``duckdb``, ``sqlite``, ``postgres``,
``spark``); an `Engine` gives the Ibis connection and the
store's tables (``data_value``, ``org_unit``, ``org_unit_path``) as Ibis tables. Nothing
else here knows SQL dialects: the evaluation is Ibis expressions only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...errors import EvaluationError
from ...store.db import Store

TABLES = ("data_value", "org_unit", "org_unit_path")


@dataclass(frozen=True)
class Reads:
    """What an evaluation will read, so an engine that copies data (DuckDB) can copy no
    more: the data values of ``periods`` (None: all), of the (data element, period)
    ``cells`` only (None: every element of those periods), of ``unit``'s subtree (None:
    every unit; its subtree in any period's tree). Engines that read the store in place
    ignore it."""

    periods: tuple[str, ...] | None = None
    unit: str | None = None
    cells: tuple[tuple[str, str], ...] | None = None


@dataclass
class Engine:
    """An Ibis connection with the store's tables, and how to close it."""

    name: str
    con: Any
    tables: dict[str, Any]
    close: Callable[[], None] = field(default=lambda: None)
    fetch: Callable[[Any], Any] | None = None  # expr -> pyarrow Table (default to_pyarrow)

    def arrow(self, expr: Any) -> Any:
        """The rows of ``expr`` as a pyarrow Table, fetched the engine's way."""
        return expr.to_pyarrow() if self.fetch is None else self.fetch(expr)

    def batches(self, expr: Any, size: int = 1_000_000) -> Any:
        """The rows of ``expr`` streamed as Arrow batches (a record batch reader), or as the
        engine's own fetch returns them (Spark in local mode: Parquet written by the
        executors; Ibis' PySpark batches would collect every row to the driver first)."""
        return expr.to_pyarrow_batches(chunk_size=size) if self.fetch is None else self.fetch(expr)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Factory = Callable[..., Engine]  # (store, reads, **settings) -> Engine
ENGINES: dict[str, Factory] = {}


@dataclass(frozen=True)
class EngineChoice:
    """An engine by name with its settings, e.g. ``EngineChoice("spark", {"master":
    "spark://host:7077", "parquet": "export/"})``; a plain name means no settings."""

    name: str
    settings: dict[str, Any] = field(default_factory=dict)


def register(name: str) -> Callable[[Factory], Factory]:
    def decorate(factory: Factory) -> Factory:
        ENGINES[name] = factory
        return factory

    return decorate


def default_engine(store: Store) -> str:
    """DuckDB for an SQLite store (measured fastest, see bench/evaluate), the server itself
    for PostgreSQL."""
    return "postgres" if store.dialect == "postgresql" else "duckdb"


def connect(
    store: Store, engine: str | EngineChoice | None = None, *, reads: Reads | None = None
) -> Engine:
    """Open ``engine`` (default: `default_engine`) over ``store``; ``reads`` says what
    the caller will read (default: everything)."""
    from . import duckdb, postgres, spark, sqlite  # noqa: F401  (register themselves)

    choice = engine if isinstance(engine, EngineChoice) else EngineChoice(engine or "")
    name = choice.name or default_engine(store)
    if name not in ENGINES:
        msg = f"未知的计算引擎 {name}（可选：{', '.join(ENGINES)}）/ unknown engine {name}"
        raise EvaluationError(msg)
    return ENGINES[name](store, reads or Reads(), **choice.settings)

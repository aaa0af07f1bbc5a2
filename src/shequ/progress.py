"""Progress of long work: the one place library code reports what it is doing.

Library code (imports, evaluation, coverage, siting, reports, the demo) says which step it
is in and how far it got, never how that is shown. Each call is one line beside the work::

    from .. import progress

    progress.phase("读取数据 / reading data")             # a step without a count
    progress.phase("写入数值 / writing values", total=n, unit="行 rows")
    for chunk in chunks:
        write(chunk)
        progress.advance(len(chunk))                       # the current step moves on
    for city in progress.track(cities, "覆盖分析 / coverage", unit="城市 cities"):
        ...                                                # one step per item

A phase lasts until the next phase of the same thread starts, or until `end` (or the end
of a ``with progress.phase(...):`` block). By default nothing is shown and each call costs
a function call, so the web server, notebooks and tests are quiet. A front end installs a
`Reporter` with `using`: the ``shequ`` command installs a rich display only when its
output is a terminal (`cli._progress`), so a piped or redirected run prints no bar.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

T = TypeVar("T")


class Reporter(Protocol):
    """What shows progress: a step starts (``total`` None when unknown), advances, ends."""

    def start(self, label: str, total: float | None, unit: str) -> object: ...

    def advance(self, handle: object, amount: float) -> None: ...

    def finish(self, handle: object) -> None: ...


class _Silent:
    def start(self, label: str, total: float | None, unit: str) -> object:
        return None

    def advance(self, handle: object, amount: float) -> None:
        return None

    def finish(self, handle: object) -> None:
        return None


SILENT: Reporter = _Silent()
_reporter: Reporter = SILENT
_lock = threading.Lock()
_local = threading.local()  # the current phase of each thread


class Phase:
    """A step under way; `advance` it by rows, units or items done. Also a context
    manager that ends the step when its block ends."""

    def __init__(self, reporter: Reporter, label: str, total: float | None, unit: str) -> None:
        self.label, self.total, self.done = label, total, 0.0
        self._reporter = reporter
        self._handle = reporter.start(label, total, unit)
        self._open = True

    def advance(self, amount: float = 1) -> None:
        self.done += amount
        self._reporter.advance(self._handle, amount)

    def end(self) -> None:
        if self._open:
            self._open = False
            self._reporter.finish(self._handle)
        if getattr(_local, "phase", None) is self:
            _local.phase = None

    def __enter__(self) -> Phase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()


def phase(label: str, *, total: float | None = None, unit: str = "") -> Phase:
    """Start step ``label`` of ``total`` units (None: no count), ending this thread's
    previous step; returns it (usable as ``with progress.phase(...) as step:``)."""
    end()
    step = Phase(_reporter, label, total, unit)
    _local.phase = step
    return step


def advance(amount: float = 1) -> None:
    """Move this thread's current step on by ``amount`` (nothing if there is none)."""
    step = getattr(_local, "phase", None)
    if step is not None:
        step.advance(amount)


def reached(done: float, total: float | None = None) -> None:
    """Move this thread's current step to ``done`` of ``total`` (a ``(done, total)``
    callback, as the importers' writers call it)."""
    step = getattr(_local, "phase", None)
    if step is not None and done > step.done:
        step.advance(done - step.done)


def end() -> None:
    """End this thread's current step, if any."""
    step = getattr(_local, "phase", None)
    if step is not None:
        step.end()


def track(
    items: Iterable[T], label: str, *, total: int | None = None, unit: str = ""
) -> Iterator[T]:
    """Yield ``items`` as step ``label``, one unit per item (``total`` defaults to
    ``len(items)``); the step ends with the loop."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    step = Phase(_reporter, label, total, unit)  # not the thread's phase: loops may nest
    try:
        for item in items:
            yield item
            step.advance(1)
    finally:
        step.end()


@contextmanager
def using(reporter: Reporter) -> Iterator[Reporter]:
    """Show what is reported while the block runs on ``reporter`` (then as before)."""
    global _reporter
    with _lock:
        before, _reporter = _reporter, reporter
    try:
        yield reporter
    finally:
        end()
        with _lock:
            _reporter = before


def current() -> Reporter:
    """The reporter in use (`SILENT` unless a front end installed one)."""
    return _reporter


def quiet_duckdb(config: dict | None = None, database: str = ":memory:"):
    """A DuckDB connection (to ``database``, in memory by default) that draws no progress
    bar of its own: DuckDB prints one on stdout for queries over ~2 s (also into pipes and
    logs, e.g. the CSV ``shequ evaluate`` streams); shequ's progress is shown by `Reporter`
    alone."""
    import duckdb

    con = duckdb.connect(database, config=config or {})
    con.execute("SET enable_progress_bar = false")  # a session option, not a config one
    return con

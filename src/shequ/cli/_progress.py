"""The terminal display of `shequ.progress`: rich progress bars while a command runs.

Shown only when the console writes to a terminal (`display`): a piped, redirected or
tested run prints no bar and no control characters. The display starts with the first step
reported and stops when the command ends; finished steps stay listed with their time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from .. import progress

QUIET_COMMANDS = {"serve"}  # a server's long life is not one piece of work


class RichReporter:
    """A `progress.Reporter` drawing one rich bar per step (a spinner when uncounted)."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._started = False
        self._lock = threading.Lock()

    def start(self, label: str, total: float | None, unit: str) -> TaskID:
        with self._lock:
            if not self._started:
                self._progress.start()
                self._started = True
        return self._progress.add_task(label, total=total, unit=unit)

    def advance(self, handle: object, amount: float) -> None:
        self._progress.advance(handle, amount)  # type: ignore[arg-type]

    def finish(self, handle: object) -> None:
        task = self._progress.tasks[self._index(handle)]
        total = task.total if task.total is not None else max(task.completed, 1)
        self._progress.update(handle, total=total, completed=total)  # type: ignore[arg-type]

    def _index(self, handle: object) -> int:
        return next(k for k, t in enumerate(self._progress.tasks) if t.id == handle)

    def close(self) -> None:
        with self._lock:
            if self._started:
                self._progress.stop()
                self._started = False


@contextmanager
def display(console: Console, command: str | None) -> Iterator[None]:
    """Show the progress reported while the block runs, if ``console`` is a terminal
    (and not for `QUIET_COMMANDS`, nor inside a command already showing it)."""
    wanted = (
        console.is_terminal
        and command not in QUIET_COMMANDS
        and progress.current() is progress.SILENT
    )
    if not wanted:
        with nullcontext():
            yield
        return
    reporter = RichReporter(console)
    try:
        with progress.using(reporter):
            yield
    finally:
        reporter.close()

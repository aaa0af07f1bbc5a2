"""The hook through which warnings reach people.

The loop calls `emit` for every warning it opens or closes; listeners registered with
`subscribe` receive ``(store, event)``; `collecting` gathers the events of a block (the
scheduler hands those of each run to `shequ.loop.notices`, which files them as
notifications). A listener that fails is logged and never stops the scheduled run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WarningEvent:
    """``kind`` is ``opened`` or ``closed``; ``warning`` the warning's fields (with id,
    unit, severity, evidence); ``recipients`` the user names of its owners."""

    kind: str
    warning: dict[str, Any]
    recipients: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Any, WarningEvent], None]
_LISTENERS: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Call ``listener(store, event)`` for every event from now on."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _LISTENERS:
        _LISTENERS.remove(listener)


def emit(store: Any, event: WarningEvent) -> None:
    """Hand ``event`` to every listener."""
    log.info(
        "warning %s %s %s → %s",
        event.kind,
        event.warning.get("kind"),
        event.warning.get("org_unit"),
        ", ".join(event.recipients) or "-",
    )
    for listener in list(_LISTENERS):
        try:
            listener(store, event)
        except Exception:  # a broken listener must not stop the loop
            log.exception("warning listener %r failed", listener)


@contextmanager
def collecting() -> Iterator[list[WarningEvent]]:
    """Inside the block, also gather every emitted event in the yielded list."""
    gathered: list[WarningEvent] = []

    def gather(_store: Any, event: WarningEvent) -> None:
        gathered.append(event)

    subscribe(gather)
    try:
        yield gathered
    finally:
        unsubscribe(gather)

"""CSRF comparison and sliding-window throttles (passwords: `shequ.store.accounts`).

The throttles live in the server process: one uvicorn process serves a city, so counting
there is exact; several processes behind a proxy would each count on their own.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import defaultdict, deque


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


class Throttle:
    """At most ``limit`` events per key within ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        events = self._events[key]
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._trim(k, now)) >= self.limit for k in keys)

    def hit(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._trim(k, now).append(now)

    def allow(self, key: str) -> bool:
        """Count one event for ``key`` unless the limit is reached; False when refused."""
        now = time.monotonic()
        with self._lock:
            events = self._trim(key, now)
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def clear(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._events.pop(k, None)

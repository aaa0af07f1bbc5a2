"""CSRF comparison, client addresses, sliding-window throttles, the per-address login delay
and the bounded pool of password checks (passwords themselves: `shequ.store.accounts`).

The throttles live in the server process: one uvicorn process serves a city, so counting
there is exact; several processes behind a proxy would each count on their own. Every
table here is bounded (``max_keys``): a flood of new addresses forgets the oldest ones
instead of growing the server's memory.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from fastapi import Request

T = TypeVar("T")
MAX_KEYS = 10_000


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def content_policy(tile_url: str = "") -> str:
    """The Content-Security-Policy: scripts only from our own static files (no inline script,
    no eval), so a name that slips into HTML cannot run; images also from the tile server."""
    tiles = urlsplit(tile_url)
    tile_origin = f" {tiles.scheme}://{tiles.netloc}" if tiles.scheme and tiles.netloc else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:{tile_origin}; connect-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def response_headers(settings, secure: bool, path: str) -> list[tuple[str, str]]:
    """Headers of every response: CSP and friends; HSTS when served over https; and
    ``Cache-Control: no-store`` on everything but the static files (pages show a user's data)."""
    headers = [
        ("Content-Security-Policy", content_policy(settings.tile_url)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    if not path.startswith("/static/"):
        headers.append(("Cache-Control", "no-store"))
    return headers


def client_address(request: Request) -> str:
    """The client's address: the peer, or, when the peer is a configured trusted proxy, the
    nearest ``X-Forwarded-For`` entry that is not itself a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    trusted: frozenset[str] = request.app.state.settings.proxies
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return peer


class _Bounded:
    """An insertion-ordered table of at most ``max_keys`` entries (oldest forgotten)."""

    def __init__(self, max_keys: int) -> None:
        self.max_keys = max_keys
        self._table: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def _entry(self, key: str, make: Callable[[], T]) -> T:
        if key in self._table:
            self._table.move_to_end(key)
        else:
            self._table[key] = make()
            while len(self._table) > self.max_keys:
                self._table.popitem(last=False)
        return self._table[key]  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._table)


class Throttle(_Bounded):
    """At most ``limit`` events per key within ``window`` seconds."""

    def __init__(self, limit: int, window: float, max_keys: int = MAX_KEYS) -> None:
        super().__init__(max_keys)
        self.limit, self.window = limit, window

    def allow(self, key: str) -> bool:
        """Count one event for ``key`` unless the limit is reached; False when refused."""
        now = time.monotonic()
        with self._lock:
            events: deque[float] = self._entry(key, deque)
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True


class LoginDelay(_Bounded):
    """A progressive delay per client address after failed logins (never a lockout of a user
    name, which anyone could trigger for the real user from anywhere).

    ``free`` failures cost nothing; after that each attempt must wait ``base * 2**k`` seconds
    (k = failures beyond ``free``, capped at ``cap``) from the last failure. An attempt is
    counted as a failure *before* its password is checked (in one locked step), so concurrent
    attempts cannot all pass the check; a success forgets the address's failures.
    """

    def __init__(self, free: int, base: float, cap: float, max_keys: int = MAX_KEYS) -> None:
        super().__init__(max_keys)
        self.free, self.base, self.cap = free, base, cap

    def wait(self, failures: int) -> float:
        return (
            0.0 if failures < self.free else min(self.cap, self.base * 2 ** (failures - self.free))
        )

    def reserve(self, key: str) -> float:
        """0 when an attempt may go ahead (and is counted), else the seconds still to wait."""
        now = time.monotonic()
        with self._lock:
            state: list[float] = self._entry(key, lambda: [0, 0.0])
            failures, last = int(state[0]), state[1]
            if failures and now - last > self.cap + self.base:
                failures = 0  # a quiet address starts again
            left = last + self.wait(failures) - now
            if failures >= self.free and left > 0:
                return left
            state[0], state[1] = failures + 1, now
            return 0.0

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._table.pop(key, None)


class PasswordPool:
    """At most ``size`` password checks at once (argon2 takes 64 MiB each); a check that
    cannot start within ``timeout`` seconds is refused (None) rather than queued forever."""

    def __init__(self, size: int, timeout: float = 10.0) -> None:
        self._slots = threading.BoundedSemaphore(size)
        self.timeout = timeout
        self._lock = threading.Lock()
        self.running = self.peak = 0

    def run(self, check: Callable[[], T]) -> T | None:
        if not self._slots.acquire(timeout=self.timeout):
            return None
        try:
            with self._lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
            return check()
        finally:
            with self._lock:
                self.running -= 1
            self._slots.release()

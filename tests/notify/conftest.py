"""A real SMTP server (aiosmtpd) and a real HTTP receiver, both on 127.0.0.1, and the
hand-worked city of `tests._city` with three users:

    d  scope D  (the district: sees A, B, E, F)
    s1 scope S1 (sees A, B)
    s2 scope S2 (sees E, F)
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from shequ.notify.settings import SendSettings
from shequ.store import accounts, orgunits
from shequ.store.db import Store
from shequ.store.tables.core import SINCE_EVER, UNTIL_FURTHER


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Mailbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Mailbox, SendSettings]]:
    mailbox = _Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield (
            mailbox,
            SendSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="shequ@example.org"),
        )
    finally:
        controller.stop()


class Receiver:
    """Records every POST; answers with the scripted (status, body) pairs, then 200."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict]] = []
        self.url = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            got.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)}
            )
            status, answer = (
                got.script.pop(0) if got.script else (200, {"errcode": 0, "errmsg": "ok"})
            )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    got.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()


TREE = [  # the tree of tests._city (C > D > S1 > A, B; D > S2 > E, F)
    ("C", "示范市", "市", None), ("D", "东区", "区", "C"), ("S1", "一街道", "街道", "D"),
    ("S2", "二街道", "街道", "D"), ("A", "甲社区", "社区", "S1"), ("B", "乙社区", "社区", "S1"),
    ("E", "丙社区", "社区", "S2"), ("F", "丁社区", "社区", "S2"),
]  # fmt: skip


@pytest.fixture(scope="session")
def password_hash() -> str:
    return accounts.hash_password("password-1")


def _build(store: Store, password_hash: str) -> Store:
    rows = [
        {"code": c, "name": n, "level": lv, "parent_code": p, "valid_from": SINCE_EVER,
         "valid_to": UNTIL_FURTHER}
        for c, n, lv, p in TREE
    ]  # fmt: skip
    with store.begin() as conn:
        orgunits.write_versions(conn, rows, actor="test")
        for name, scope in (("d", "D"), ("s1", "S1"), ("s2", "S2")):
            accounts.save_user(conn, username=name, password_hash=password_hash,
                               role="unit_staff", scope=scope, actor="test")  # fmt: skip
    return store


@pytest.fixture
def city(any_store: Store, password_hash: str) -> Store:
    """The tree and users on SQLite and on PostgreSQL."""
    return _build(any_store, password_hash)


@pytest.fixture
def sqlite_city(sqlite_store: Store, password_hash: str) -> Store:
    """The tree and users in ``tmp_path / "shequ.db"`` (for the CLI)."""
    return _build(sqlite_store, password_hash)

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
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from shequ.notify.settings import SendSettings
from shequ.store import accounts
from shequ.store.db import Store
from tests import _city


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
        yield mailbox, SendSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="shequ@example.org")
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
        def do_POST(self):  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            got.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)}
            )
            status, answer = got.script.pop(0) if got.script else (200, {"errcode": 0, "errmsg": "ok"})
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


@pytest.fixture
def city(sqlite_store: Store, tmp_path: Path) -> Store:
    _city.build(sqlite_store, tmp_path)
    for name, scope in (("d", "D"), ("s1", "S1"), ("s2", "S2")):
        accounts.add_user(sqlite_store, name, "password-" + name, role="unit_staff", scope=scope, actor="test")
    return sqlite_store

"""The inbox in a real browser (chromium via Playwright, real uvicorn on 127.0.0.1): the
menu shows the unread count, the page lists the street's warning, marking it read clears
the badge. Screenshot: var/test-artifacts/web/inbox.png."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from shequ.notify import Message, dispatch
from shequ.store.db import open_store
from tests.web import _webcity as city
from tests.web.test_e2e import ARGS, CHROMIUM, _free_port, _log_in, _need_browser, _shot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from shequ.web.app import create_app

    folder = tmp_path_factory.mktemp("inbox-e2e")
    store = open_store(folder / "shequ.db")
    city.build(store, folder)
    dispatch(store, [
        Message(subject_zh="甲社区绿地率未达标", body_zh="绿地率 31%，目标 ≥ 35%", unit=city.JIA,
                severity="warning", link="/", source_kind="e2e", source_id="1"),
        Message(subject_zh="丙社区未按期报送", unit=city.BING, severity="critical",
                source_kind="e2e", source_id="2"),
    ])  # fmt: skip
    store.close()
    app = create_app(store.url, data_dir=folder / "web")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    app.state.worker.shutdown()


def test_street_staff_reads_the_warning_in_the_inbox(server):
    sync_playwright = _need_browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        _log_in(page, server, "staff_s1")
        assert page.inner_text("#nav-inbox .badge") == "1"
        page.click("#nav-inbox")
        page.wait_for_url(f"{server}/inbox")
        rows = page.locator("#inbox tbody tr")
        assert rows.count() == 1 and "甲社区绿地率未达标" in rows.first.inner_text()
        assert "丙社区" not in page.content()
        _shot(page, "inbox")
        rows.first.locator("button").click()
        page.wait_for_url(f"{server}/inbox")
        assert page.locator("#nav-inbox .badge").count() == 0
        assert page.locator("#inbox tr.read").count() == 1
        browser.close()

"""The inbox page: a user sees only their subtree's notifications; mark read; nav badge."""

from __future__ import annotations

import re

from shequ.notify import Message, dispatch
from shequ.store.db import open_store
from tests.web import _webcity


def _badge(html: str) -> str | None:
    found = re.search(r'id="nav-inbox">[^<]*(?:<span class="badge">(\d+)</span>)?</a>', html)
    assert found, "no inbox link in the nav"
    return found.group(1)


def test_inbox_is_scoped_and_marks_read(web_store_url, client_for):
    store = open_store(web_store_url, migrate=False)
    dispatch(store, [
        Message(subject_zh="甲社区绿地率未达标", subject_en="A misses green area", unit=_webcity.JIA,
                severity="warning", link="/scorecard", source_kind="web-test", source_id="jia"),
        Message(subject_zh="丙社区未按期报送", unit=_webcity.BING, severity="critical",
                source_kind="web-test", source_id="bing"),
    ])  # fmt: skip
    store.close()
    staff = client_for("staff_s1")  # scope 一街道: sees 甲社区, never 丙社区
    page = staff.get("/inbox")
    assert page.status_code == 200
    assert "甲社区绿地率未达标" in page.text and "丙社区未按期报送" not in page.text
    assert _badge(page.text) == "1"
    admin = client_for("admin")  # the city sees both
    assert "丙社区未按期报送" in admin.get("/inbox").text and _badge(admin.get("/").text) == "2"
    english = staff.get("/inbox?lang=en").text
    assert "A misses green area" in english and "warning" in english
    message_id = re.search(r'data-message="(\d+)" class="unread', page.text).group(1)
    done = staff.post("/inbox/read", data={"message_id": message_id, "csrf_token": staff.csrf},
                      follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    after = staff.get("/inbox").text
    assert _badge(after) is None and 'class="read' in after
    assert staff.get("/inbox?unread=1").text.count("data-message=") == 0
    # the admin's copy is still unread
    assert _badge(admin.get("/inbox").text) == "2"
    admin.post("/inbox/read", data={"csrf_token": admin.csrf})
    assert _badge(admin.get("/inbox").text) is None


def test_inbox_needs_a_login(client_for):
    anonymous = client_for(None)
    assert anonymous.get("/inbox", follow_redirects=False).status_code in (303, 401)


def test_a_user_sets_their_own_channel(client_for, web_store_url):
    from shequ.store import notify as store_notify

    staff = client_for("reader_s1")
    form = {"kind": "email", "target": "reader@example.org", "min_severity": "warning",
            "digest": "daily", "csrf_token": staff.csrf}  # fmt: skip
    assert staff.post("/inbox/preferences", data=form, follow_redirects=False).status_code == 303
    page = staff.get("/inbox").text
    assert "reader@example.org" in page and "≥ warning" in page
    bad = staff.post("/inbox/preferences", data={**form, "kind": "sms"})
    assert bad.status_code == 422 and "unknown channel &#39;sms&#39;" in bad.text
    off = staff.post("/inbox/preferences", data={**form, "active": "false"}, follow_redirects=False)
    assert off.status_code == 303
    store = open_store(web_store_url, migrate=False)
    with store.begin() as conn:
        mine = [s for s in store_notify.subscriptions(conn) if s["owner"] == "user:reader_s1"]
    store.close()
    assert [(s["kind"], s["target"], s["digest"], s["active"]) for s in mine] == [
        ("email", "reader@example.org", "daily", False)
    ]

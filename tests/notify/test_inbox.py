"""The inbox: each user sees the messages of their own subtree, read or unread."""

from __future__ import annotations

import datetime as dt

from shequ.notify import Message, dispatch
from shequ.store import accounts
from shequ.store import notify as store_notify

T0 = dt.datetime(2026, 3, 2, 1, 0)
DAY = dt.date(2026, 3, 2)


def _inbox(store, username, **kw):
    with store.begin() as conn:
        user = accounts.find_user(conn, username)
        rows = store_notify.inbox(conn, user["id"], user["scope"], DAY, **kw)
        return [r["subject_zh"] for r in rows], store_notify.unread_count(conn, user["id"])


def test_a_user_never_sees_another_subtrees_messages(city):
    dispatch(city, [Message(subject_zh="甲", unit="A"), Message(subject_zh="丙", unit="E"),
                    Message(subject_zh="东区", unit="D")], now=T0)  # fmt: skip
    # newest first; the three share a time, so by id descending
    assert _inbox(city, "d") == (["东区", "丙", "甲"], 3)
    assert _inbox(city, "s1") == (["甲"], 1)
    assert _inbox(city, "s2") == (["丙"], 1)


def test_marking_read(city):
    report = dispatch(city, [Message(subject_zh="一", unit="A"), Message(subject_zh="二", unit="B")],
                      now=T0)  # fmt: skip
    with city.begin() as conn:
        s1 = accounts.find_user(conn, "s1")["id"]
        d = accounts.find_user(conn, "d")["id"]
        assert store_notify.mark_read(conn, s1, [report.messages[0]], T0) == 1
        # another user's inbox is untouched
        assert store_notify.unread_count(conn, d) == 2
    assert _inbox(city, "s1") == (["二", "一"], 1)
    assert _inbox(city, "s1", unread_only=True) == (["二"], 1)
    with city.begin() as conn:
        assert store_notify.mark_read(conn, s1, None, T0) == 1
    assert _inbox(city, "s1")[1] == 0

"""Retries with backoff, digests instead of floods, minimum severity, idempotent re-runs."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.notify import Message, NotifyError, deliver, dispatch, subscribe
from shequ.notify.settings import SendSettings
from shequ.store import notify as store_notify

T0 = dt.datetime(2026, 3, 2, 1, 0)  # 2026-03-02 09:00 Beijing time
MINUTE = dt.timedelta(minutes=1)
NO_SMTP = SendSettings()


def _message(n: int, unit: str = "A", severity: str = "warning") -> Message:
    return Message(subject_zh=f"预警 {n}", unit=unit, severity=severity, source_kind="warning",
                   source_id=f"w-{n}")  # fmt: skip


def test_refused_twice_then_accepted_shows_three_attempts(city, receiver):
    receiver.script = [(500, {}), (500, {})]
    subscribe(city, owner="unit:S1", kind="json", target=receiver.url)
    dispatch(city, [_message(1)], now=T0)
    assert deliver(city, now=T0, settings=NO_SMTP).retrying == [1]
    # backoff after the 1st refusal is 1 minute: 30 s later nothing is due
    assert deliver(city, now=T0 + MINUTE / 2, settings=NO_SMTP).retrying == []
    assert len(receiver.requests) == 1
    assert deliver(city, now=T0 + MINUTE, settings=NO_SMTP).retrying == [1]
    # after the 2nd refusal the wait is 2 minutes: due at T0 + 1 + 2 = T0 + 3 minutes
    assert deliver(city, now=T0 + 2 * MINUTE, settings=NO_SMTP).sent == []
    assert deliver(city, now=T0 + 3 * MINUTE, settings=NO_SMTP).sent == [1]
    # running the step again sends nothing twice
    assert deliver(city, now=T0 + 60 * MINUTE, settings=NO_SMTP).sent == []
    assert len(receiver.requests) == 3
    with city.begin() as conn:
        log = store_notify.attempts(conn, 1)
        (row,) = [r for r in store_notify.delivery_log(conn) if r["status"] == "sent"]
    assert [(a["status"], a["attempted_at"]) for a in log] == [
        ("refused", T0), ("refused", T0 + MINUTE), ("sent", T0 + 3 * MINUTE)
    ]  # fmt: skip
    assert log[0]["error"] == "HTTP 500 Internal Server Error"
    assert row["delivery_status"] == "sent" and row["attempts"] == 3


def test_a_delivery_gives_up_after_five_refusals(city, receiver):
    receiver.script = [(503, {})] * 5
    subscribe(city, owner="unit:S1", kind="json", target=receiver.url)
    dispatch(city, [_message(1)], now=T0)
    # refusals at 0, then waits of 1, 2, 4, 8 minutes: tries at 0, 1, 3, 7, 15 minutes
    for minutes in (0, 1, 3, 7):
        assert deliver(city, now=T0 + minutes * MINUTE, settings=NO_SMTP).retrying == [1]
    assert deliver(city, now=T0 + 15 * MINUTE, settings=NO_SMTP).failed == [1]
    assert deliver(city, now=T0 + 999 * MINUTE, settings=NO_SMTP).failed == []
    assert len(receiver.requests) == 5


def test_messages_waiting_together_become_one_digest(city, receiver):
    subscribe(city, owner="unit:D", kind="json", target=receiver.url)
    dispatch(city, [_message(1, "A"), _message(2, "E"), _message(3, "B")], now=T0)
    report = deliver(city, now=T0, settings=NO_SMTP)
    assert report.bundled == 1 and len(report.sent) == 1
    (request,) = receiver.requests
    assert request["body"]["digest"] is True
    assert [m["subject_zh"] for m in request["body"]["messages"]] == ["预警 1", "预警 2", "预警 3"]


def test_wecom_digest_title(city, receiver):
    subscribe(city, owner="unit:S1", kind="wecom", target=receiver.url, text_format="text")
    dispatch(city, [_message(1, "A"), _message(2, "B", "critical")], now=T0)
    deliver(city, now=T0, settings=NO_SMTP)
    assert receiver.requests[0]["body"]["text"]["content"] == (
        "2 条通知（shequ）\n\n[预警] 预警 1\n单位: A\n\n[严重] 预警 2\n单位: B"
    )


def test_daily_digest_waits_for_eight_oclock_beijing_time(city, receiver):
    subscribe(city, owner="user:s2", kind="json", target=receiver.url, digest="daily")
    dispatch(city, [_message(1, "E")], now=T0)  # 09:00 Beijing: past today's 08:00
    dispatch(city, [_message(2, "F")], now=T0 + 5 * 60 * MINUTE)  # 14:00 Beijing
    # next 08:00 Beijing is 2026-03-03 08:00 = 2026-03-03 00:00 UTC
    assert deliver(city, now=dt.datetime(2026, 3, 2, 23, 59), settings=NO_SMTP).bundled == 0
    report = deliver(city, now=dt.datetime(2026, 3, 3, 0, 0), settings=NO_SMTP)
    assert report.bundled == 1 and len(report.sent) == 1
    assert len(receiver.requests[0]["body"]["messages"]) == 2


def test_minimum_severity_and_subtree_choose_the_messages(city, receiver):
    subscribe(
        city, owner="unit:S1", kind="json", target=receiver.url + "/s1", min_severity="warning"
    )
    subscribe(city, owner="unit:S2", kind="json", target=receiver.url + "/s2")
    dispatch(city, [_message(1, "A", "info"), _message(2, "A", "critical"), _message(3, "E", "info")],
             now=T0)  # fmt: skip
    deliver(city, now=T0, settings=NO_SMTP)
    got = {r["path"]: [m["subject_zh"] for m in r["body"]["messages"]] for r in receiver.requests}
    # S1 wants warning and above of A, B: only #2; S2 gets everything of E, F: only #3
    assert got == {"/s1": ["预警 2"], "/s2": ["预警 3"]}


def test_dispatching_the_same_source_twice_files_it_once(city, receiver):
    subscribe(city, owner="unit:S1", kind="json", target=receiver.url)
    first = dispatch(city, [_message(1)], now=T0)
    again = dispatch(city, [_message(1)], now=T0 + MINUTE)
    assert (first.new, first.inbox_items, first.queued) == (1, 2, 1)  # inboxes of d and s1
    assert (again.new, again.inbox_items, again.queued) == (0, 0, 0)
    assert again.messages == first.messages
    deliver(city, now=T0 + MINUTE, settings=NO_SMTP)
    assert len(receiver.requests) == 1


def test_bad_messages_and_subscriptions_are_refused_by_name(city):
    with pytest.raises(NotifyError, match="unknown severity 'urgent'"):
        Message(subject_zh="x", unit="A", severity="urgent")
    with pytest.raises(NotifyError, match="unknown org unit 'Z'"):
        dispatch(city, [Message(subject_zh="x", unit="Z")])
    with pytest.raises(NotifyError, match="unknown channel 'sms'"):
        subscribe(city, owner="unit:A", kind="sms", target="13800000000")
    with pytest.raises(NotifyError, match="must start with http"):
        subscribe(city, owner="unit:A", kind="wecom", target="qyapi.weixin.qq.com")

"""The loop tells people: a scheduled run's warnings reach their owners' inboxes and the
unit's WeCom robot in the same tick (a real HTTP receiver on 127.0.0.1)."""

import datetime as dt

from shequ.loop import scheduler
from shequ.notify import subscribe
from shequ.store import accounts
from shequ.store import notify as store_notify
from tests.loop.conftest import add_values, plan_with
from tests.loop.test_warnings import quarter
from tests.notify.conftest import receiver  # noqa: F401  (the fixture)

T = dt.datetime


def inbox_of(store, username):
    with store.begin() as conn:
        user = accounts.find_user(conn, username)
        return store_notify.inbox(conn, user["id"], user["scope"], dt.date(2025, 7, 16))


def test_a_new_warning_reaches_its_owners_and_the_street_robot_and_its_clearing_follows(
    city,
    tmp_path,
    receiver,  # noqa: F811
):
    for name, scope in (("a_staff", "A"), ("s1_head", "S1"), ("boss", "C")):
        accounts.add_user(city, name, "password123", role="unit_staff", scope=scope, actor="t")
    subscribe(city, owner="unit:S1", kind="wecom", target=receiver.url + "/robot")
    plan = plan_with(collect=())
    add_values(city, tmp_path, "q1.csv", quarter("2025Q1", 41000))
    scheduler.tick(city, plan, clock=lambda: T(2025, 4, 16, 3))  # A 41.0 ≥ 40: nothing to say
    assert inbox_of(city, "a_staff") == [] and receiver.requests == []
    # Q2: A 35 000 m² / 1 000 residents = 35.0 < 40 (street and city still meet it)
    add_values(city, tmp_path, "q2.csv", quarter("2025Q2", 35000))
    report = scheduler.tick(city, plan, clock=lambda: T(2025, 7, 16, 3))
    (done,) = report.done
    assert done["notified"] == done["warnings_opened"] >= 1
    living = [m for m in inbox_of(city, "a_staff") if "人均" in m["subject_zh"]]
    (message,) = living
    assert message["subject_zh"].startswith("预警：甲社区（A）")
    assert message["severity"] == "warning"  # medium: the target year 2025 is not over yet
    assert "2025Q2 实际 35，目标 ≥ 40" in message["body_zh"]
    assert message["source_kind"] == "warning_opened"
    # the owners are A's staff and its street's head; the city's user is not flooded
    assert [m["id"] for m in inbox_of(city, "s1_head") if m["id"] == message["id"]]
    assert not [m for m in inbox_of(city, "boss") if m["id"] == message["id"]]
    # the same tick delivered it to S1's WeCom robot, in WeCom's markdown message format
    assert report.delivery is not None and len(report.delivery.sent) == 1
    (posted,) = receiver.requests
    assert posted["path"] == "/robot" and posted["body"]["msgtype"] == "markdown"
    assert "甲社区（A）" in posted["body"]["markdown"]["content"]
    # a repeated tick files nothing twice and sends nothing more
    again = scheduler.tick(city, plan, clock=lambda: T(2025, 7, 16, 4))
    assert again.done == [] and len(receiver.requests) == 1
    # Q3: A recovers to 42.0: the warning closes, and its owners are told so
    add_values(city, tmp_path, "q3.csv", quarter("2025Q3", 42000))
    scheduler.tick(city, plan, clock=lambda: T(2025, 10, 16, 3))
    cleared = [m for m in inbox_of(city, "a_staff") if m["source_kind"] == "warning_closed"]
    assert any(m["subject_zh"].startswith("已解除：甲社区（A）") for m in cleared)
    assert all(m["severity"] == "info" for m in cleared)

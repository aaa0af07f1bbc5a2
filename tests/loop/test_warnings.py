"""Early warnings on a frozen clock: a community slipping below its target, a street that
has not reported by the deadline, an overdue suggestion; follow-up confirm and dismiss."""

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from shequ.loop import events, followup, scheduler
from shequ.store import accounts, tasks
from shequ.store import warnings as store_warnings
from shequ.store.warnings import WarningError
from shequ.voice.suggestions import submit_suggestion
from tests.loop.conftest import add_values, plan_with

T = dt.datetime


def quarter(period, a_area):
    # A 1000 residents; B 50 000 m² / 1000 = 50.0; E 45.0 — all three report
    return (
        "org_unit,period,resident_population,residential_floor_area_m2\n"
        f"A,{period},1000,{a_area}\nB,{period},1000,50000\nE,{period},1000,45000\n"
    )


@pytest.fixture
def heard():
    got = []
    listener = lambda store, event: got.append(event)  # noqa: E731
    events.subscribe(listener)
    yield got
    events.unsubscribe(listener)


@pytest.fixture
def staffed(city):
    for name, scope in (("a_staff", "A"), ("s1_head", "S1"), ("s2_staff", "S2"), ("boss", "C")):
        accounts.add_user(city, name, "password123", role="unit_staff", scope=scope, actor="t")
    return city


def living_area(store):
    with store.begin() as conn:
        frame = store_warnings.listing(conn, active_only=False, kind="target_missed")
    return frame[frame["subject"] == "living_area_per_capita"]


def test_a_community_that_slips_below_its_target_raises_one_warning_closed_on_recovery(
    staffed, tmp_path, heard
):
    plan = plan_with(collect=())
    add_values(staffed, tmp_path, "q1.csv", quarter("2025Q1", 41000))
    scheduler.tick(staffed, plan, clock=lambda: T(2025, 4, 16, 3))  # A 41.0 ≥ 40: met
    assert living_area(staffed).empty
    # Q2: A 35 000 / 1000 = 35.0 < 40; S1 (35 000 + 50 000) / 2000 = 42.5 and the city
    # (35 000 + 50 000 + 45 000) / 3000 = 43.3 still meet it: one warning, on A
    add_values(staffed, tmp_path, "q2.csv", quarter("2025Q2", 35000))
    scheduler.tick(staffed, plan, clock=lambda: T(2025, 7, 16, 3))
    (warning,) = living_area(staffed).to_dict("records")
    assert (warning["org_unit"], warning["severity"], warning["closed_at"]) == ("A", "medium", None)
    assert warning["evidence"]["value"] == 35.0 and warning["evidence"]["target"] == 40.0
    assert warning["evidence"]["previous_run_value"] == 41.0
    assert warning["owners"] == {"staff": ["a_staff"], "supervisors": ["s1_head"]}
    assert warning["deadline"] == dt.date(2025, 7, 16) + dt.timedelta(days=90)
    opened = [
        e for e in heard if e.kind == "opened" and e.warning["subject"] == "living_area_per_capita"
    ]
    assert [e.recipients for e in opened] == [("a_staff", "s1_head")]
    # Q3: A 42.0 again: the warning closes itself, no new one
    add_values(staffed, tmp_path, "q3.csv", quarter("2025Q3", 42000))
    scheduler.tick(staffed, plan, clock=lambda: T(2025, 10, 16, 3))
    (closed,) = living_area(staffed).to_dict("records")
    assert closed["id"] == warning["id"] and closed["closed_at"] == T(2025, 10, 16, 3)


def test_a_street_that_has_not_reported_by_the_deadline_gets_a_reminder(staffed, tmp_path):
    plan = plan_with(evaluations=(), remind_days=7)
    # only S1's communities A and B report 2025Q1; S2's only community E does not
    add_values(
        staffed, tmp_path, "q1.csv", quarter("2025Q1", 41000).replace("E,2025Q1,1000,45000\n", "")
    )
    scheduler.tick(staffed, plan, clock=lambda: T(2025, 4, 8, 9))  # 7 days before 15 April
    with staffed.begin() as conn:
        rows = store_warnings.listing(conn, kind="reporting").set_index("org_unit")
    # S2: 0 of 1 reported; the city: 2 of 3 (66.7 % < 100 %); S1 complete: no warning
    assert sorted(rows.index) == ["C", "S2"]
    s2 = rows.loc["S2"]
    assert s2["severity"] == "medium" and s2["owners"] == {
        "staff": ["s2_staff"],
        "supervisors": ["boss"],
    }
    assert s2["evidence"]["missing"] == ["E"] and s2["evidence"]["days_to_deadline"] == 7
    # after the deadline (16 April: -1 day) the reminder turns high
    scheduler.tick(staffed, plan, clock=lambda: T(2025, 4, 16, 9))
    with staffed.begin() as conn:
        s2 = store_warnings.listing(conn, kind="reporting").set_index("org_unit").loc["S2"]
    assert s2["severity"] == "high" and s2["evidence"]["days_to_deadline"] == -1
    # E reports: both reporting warnings close at the next daily check
    add_values(staffed, tmp_path, "e.csv", "org_unit,period,resident_population\nE,2025Q1,1000\n")
    scheduler.tick(staffed, plan, clock=lambda: T(2025, 4, 17, 9))
    with staffed.begin() as conn:
        assert store_warnings.listing(conn, kind="reporting").empty


def test_an_overdue_suggestion_raises_a_warning_to_its_handler(staffed, tmp_path):
    plan = plan_with(evaluations=())
    with Session(staffed.engine) as session:
        s = submit_suggestion(
            session,
            text="楼道灯坏了",
            channel="hotline",
            org_unit="A",
            received_at=T(2025, 3, 3, 9),  # a Monday
            plan=plan,
        )
        s.status, s.responsible_unit = "assigned", "S1"
        session.commit()
        suggestion_id = s.id
    # respond within 2 working days from the day after: Tue 4, Wed 5 March → due 5 March
    add_values(staffed, tmp_path, "q.csv", quarter("2024Q4", 41000))
    scheduler.tick(staffed, plan, clock=lambda: T(2025, 3, 5, 9))  # not overdue yet
    scheduler.tick(staffed, plan, clock=lambda: T(2025, 3, 6, 9))
    with staffed.begin() as conn:
        frames = [store_warnings.listing(conn, kind="suggestion_overdue", active_only=False)]
    (warning,) = frames[0].to_dict("records")
    assert warning["subject"] == f"suggestion/{suggestion_id}" and warning["org_unit"] == "A"
    assert warning["evidence"]["stage"] == "respond" and warning["evidence"]["days_overdue"] == 1
    # the handler S1's staff receive it, with A's supervisor (S1's head)
    assert warning["owners"] == {"staff": ["s1_head"], "supervisors": ["s1_head"]}


def test_a_confirmed_warning_becomes_a_follow_up_task_and_a_dismissal_keeps_its_reason(
    staffed, tmp_path
):
    plan = plan_with(collect=())
    # A 35.0 and B 36.0 both miss 40 (as do S1 35.5 and the city 38.7)
    values = quarter("2025Q1", 35000).replace("B,2025Q1,1000,50000", "B,2025Q1,1000,36000")
    add_values(staffed, tmp_path, "q1.csv", values)
    scheduler.tick(staffed, plan, clock=lambda: T(2025, 4, 16, 3))
    frame = living_area(staffed).set_index("org_unit")
    assert sorted(frame.index) == ["A", "B", "C", "S1"]
    warning = frame.loc["A"]
    with staffed.begin() as conn:
        followup.edit(conn, int(warning["id"]), actor="s1_head", deadline=dt.date(2025, 9, 30))
        task_id = followup.confirm(conn, int(warning["id"]), plan, actor="s1_head")
        (task,) = tasks.listing(conn).to_dict("records")
        with pytest.raises(WarningError):
            followup.dismiss(conn, int(warning["id"]), actor="x", reason="late")
    assert task["id"] == task_id and (task["org_unit"], task["deadline"]) == (
        "A",
        dt.date(2025, 9, 30),
    )
    assert task["start_value"] == 35.0 and task["indicator"] == "living_area_per_capita"
    with staffed.begin() as conn:
        other = int(frame.loc["B", "id"])
        with pytest.raises(WarningError):
            followup.dismiss(conn, other, actor="boss", reason=" ")
        followup.dismiss(conn, other, actor="boss", reason="数据口径调整中 / definition changing")
        kept = store_warnings.get(conn, other)
    assert (kept["decision"], kept["decided_by"], kept["closed_at"]) == ("dismissed", "boss", None)

"""The suggestions desk as the web app uses it: intake, workflow steps, history, deadlines
(the file import: `tests/voice/imports/test_suggestions.py`)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from shequ.errors import VoiceError
from shequ.store.db import Store
from shequ.voice import suggestions as desk

T = dt.datetime


def test_a_suggestion_moves_through_the_workflow_with_its_history(city: Store) -> None:
    with Session(city.engine) as s, s.begin():
        new = desk.submit_suggestion(
            s,
            text="3号楼楼道灯坏了，电话13812345678",
            channel="热线",
            org_unit="A",
            received_at=T(2025, 9, 30, 9),
            actor="staff",
        )
        # the phone number is masked before it is stored; keyword rules label it
        assert new.text == "3号楼楼道灯坏了，电话138****5678"
        assert (new.category, new.dimension, new.label_source) == (
            "lighting",
            "infrastructure",
            "rule",
        )
        desk.assign(s, new.id, unit="物业公司", actor="staff", at=T(2025, 9, 30, 10))
        desk.reply(s, new.id, text="已派电工", actor="物业", at=T(2025, 10, 9, 9))
        desk.reply(s, new.id, text="已换灯泡", actor="物业", at=T(2025, 10, 10, 9))
        desk.resolve(s, new.id, actor="物业", at=T(2025, 10, 10, 10))
        done = desk.close(s, new.id, actor="staff", rating=5, at=T(2025, 10, 11, 9))
        assert (done.status, done.rating, done.responded_at) == ("closed", 5, T(2025, 10, 9, 9))
        actions = [e.action for e in desk.history(s, new.id)]
        assert actions == ["received", "assigned", "replied", "replied", "resolved", "closed"]
        # Tue Sep 30 + 2 working days over the National Day holiday: Fri Oct 10;
        # + 15: Oct 9, 10, 11 (adjusted Sat) = 3, 13-17 = 8, 20-24 = 13, 27 = 14, 28 = 15 -> Tue Oct 28
        assert desk.due(done) == desk.Due(dt.date(2025, 10, 10), dt.date(2025, 10, 28))


def test_steps_out_of_order_or_back_in_time_are_refused(city: Store) -> None:
    with Session(city.engine) as s, s.begin():
        new = desk.submit_suggestion(
            s, text="电梯坏了", channel="form", org_unit="A", received_at=T(2025, 3, 1, 9)
        )
        with pytest.raises(VoiceError) as caught:
            desk.resolve(s, new.id, actor="x")  # not answered yet
        assert caught.value.field == "status"
        with pytest.raises(VoiceError) as caught:
            desk.reply(s, new.id, text="好的", actor="x", at=T(2025, 2, 28))  # before receipt
        assert caught.value.field == "at"
        with pytest.raises(VoiceError) as caught:
            desk.assign(s, new.id, unit="", actor="x")
        assert caught.value.field == "unit"
        for bad in (
            {"text": "", "channel": "form", "org_unit": "A"},
            {"text": "x", "channel": "pigeon", "org_unit": "A"},
            {"text": "x", "channel": "form", "org_unit": "nowhere"},
        ):
            with pytest.raises(VoiceError):
                desk.submit_suggestion(s, **bad)


def test_a_staff_label_wins_and_lists_filter_by_scope(city: Store) -> None:
    with Session(city.engine) as s, s.begin():
        a = desk.submit_suggestion(s, text="晚上回家黑漆漆的", channel="visit", org_unit="A")
        desk.submit_suggestion(s, text="电梯坏了", channel="visit", org_unit="E")
        assert a.category is None  # no keyword: unclassified until staff or the model decide
        desk.confirm_label(s, a.id, "lighting", actor="staff")
        assert (a.category, a.label_source, a.confidence) == ("lighting", "staff", 1.0)
        scoped = desk.list_suggestions(s, org_units=["A", "B"])
        assert [x.id for x in scoped] == [a.id]
        with pytest.raises(VoiceError):
            desk.confirm_label(s, a.id, "no_such_category", actor="staff")


def test_a_contact_number_is_kept_only_as_its_pseudonym(city: Store, key: bytes) -> None:
    from shequ.voice.participation import pseudonym

    with Session(city.engine) as s, s.begin():
        new = desk.submit_suggestion(
            s, text="路灯不亮", channel="hotline", org_unit="A", contact="138 1234 5678"
        )
        assert new.contact == pseudonym("13812345678", key)
        assert "5678" not in new.contact


def test_times_are_kept_in_china_standard_time(city: Store) -> None:
    # 2025-03-06 (Thu) 20:00 UTC is Fri 2025-03-07 04:00 in Beijing: due Tue 11 (Mon 10,
    # Tue 11), not Mon 10 as a Thursday receipt would be (Fri 7, Mon 10)
    utc = dt.UTC
    with Session(city.engine) as s, s.begin():
        new = desk.submit_suggestion(
            s,
            text="路灯不亮",
            channel="form",
            org_unit="A",
            received_at=T(2025, 3, 6, 20, 0, tzinfo=utc),
        )
        assert new.received_at == T(2025, 3, 7, 4, 0)
        assert desk.due(new).respond_by == dt.date(2025, 3, 11)
        desk.reply(s, new.id, text="好", actor="x", at=T(2025, 3, 7, 0, 0, tzinfo=utc))
        assert new.responded_at == T(2025, 3, 7, 8, 0)

"""The suggestions desk as the web app uses it: intake, workflow steps, history, deadlines;
and the file import with bad rows, quarantine, masking and idempotence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shequ.errors import VoiceError
from shequ.store.db import Store
from shequ.store.voice import Suggestion, SuggestionEvent
from shequ.voice import suggestions as desk
from shequ.voice.intake import import_suggestions
from tests._files import write

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


FILE = """
编号,内容,渠道,社区编码,受理时间,责任单位,转办时间,答复时间,办结时间,关闭时间,满意度评价,类别
k1,楼道灯坏了 身份证11010519491231002X,热线,A,2025-03-03 09:00,,,2025-03-04 09:00,,,,
k2,电梯困人,表单,A,2025/3/3 10:00,物业,2025-03-03 11:00,,,,,电梯
k3,,热线,A,2025-03-03 09:00,,,,,,,
k4,路灯,信鸽,Z,2025-03-03,,,,,,,
k5,路灯,热线,A,2025-03-05 09:00,,,2025-03-04 09:00,,,,
k6,路灯,热线,A,2025-03-05 09:00,,,,2025-03-06 09:00,,6,
k1,重复编号,热线,A,2025-03-03 09:00,,,,,,,
"""


def test_import_reports_each_bad_row_and_loads_the_rest_once(city: Store, tmp_path: Path) -> None:
    report = import_suggestions(city, write(tmp_path / "s.csv", FILE))
    found = {(p.row, p.column) for p in report.problems}
    # row 4 k3: empty text; row 5 k4: unknown channel and unit; row 6 k5: answered before
    # receipt; row 7 k6: resolved without a response, rating 6 without closing;
    # rows 2 and 8: k1 twice
    assert found == {
        (4, "text"),
        (5, "channel"),
        (5, "org_unit"),
        (6, "responded_at"),
        (7, "resolved_at"),
        (7, "rating"),
        (2, "ref"),
        (8, "ref"),
    }
    assert (report.exit_code, report.inserted) == (1, 1)  # only k2 loads
    with city.begin() as conn:
        k2 = conn.execute(select(Suggestion).where(Suggestion.ref == "k2")).one()
        events = conn.execute(select(func.count()).select_from(SuggestionEvent)).scalar()
    assert (k2.status, k2.category, k2.label_source) == ("assigned", "elevator", "staff")
    assert events == 2  # received, assigned
    fixed = FILE.replace("k1,重复编号", "k7,重复编号")
    second = import_suggestions(city, write(tmp_path / "s.csv", fixed))
    assert (second.inserted, second.unchanged) == (2, 1)
    with city.begin() as conn:
        k1 = conn.execute(select(Suggestion.text).where(Suggestion.ref == "k1")).scalar_one()
    assert k1 == "楼道灯坏了 身份证110105********002X"
    third = import_suggestions(city, write(tmp_path / "s.csv", fixed))
    assert (third.inserted, third.updated, third.unchanged) == (0, 0, 3)


def test_strict_import_loads_nothing_when_a_row_is_bad(city: Store, tmp_path: Path) -> None:
    report = import_suggestions(city, write(tmp_path / "s.csv", FILE), strict=True)
    assert report.exit_code == 2
    with city.begin() as conn:
        assert conn.execute(select(func.count()).select_from(Suggestion)).scalar() == 0


def test_a_changed_row_updates_the_suggestion_and_its_history(city: Store, tmp_path: Path) -> None:
    first = "编号,内容,渠道,社区编码,受理时间,答复时间\nu1,路灯不亮,热线,A,2025-03-03 09:00,"
    import_suggestions(city, write(tmp_path / "u.csv", first))
    report = import_suggestions(city, write(tmp_path / "u.csv", first + "2025-03-04 09:00"))
    assert report.updated == 1
    with city.begin() as conn:
        row = conn.execute(select(Suggestion).where(Suggestion.ref == "u1")).one()
        events = (
            conn.execute(
                select(SuggestionEvent.action).where(SuggestionEvent.suggestion_id == row.id)
            )
            .scalars()
            .all()
        )
    assert row.status == "responded" and sorted(events) == ["received", "replied"]


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


def test_reimporting_a_file_keeps_a_label_staff_confirmed_in_the_app(
    city: Store, tmp_path: Path
) -> None:
    file = "编号,内容,渠道,社区编码,受理时间\nl1,晚上回家黑漆漆的,热线,A,2025-03-03 09:00"
    import_suggestions(city, write(tmp_path / "l.csv", file))
    with Session(city.engine) as s, s.begin():
        found = s.scalars(select(Suggestion).where(Suggestion.ref == "l1")).one()
        desk.confirm_label(s, found.id, "lighting", actor="staff")
    again = import_suggestions(city, write(tmp_path / "l.csv", file))
    assert (again.updated, again.unchanged) == (0, 1)
    changed = import_suggestions(city, write(tmp_path / "l.csv", file.replace("热线", "表单")))
    assert changed.updated == 1
    with city.begin() as conn:
        row = conn.execute(select(Suggestion).where(Suggestion.ref == "l1")).one()
    assert (row.category, row.label_source, row.channel) == ("lighting", "staff", "form")


def test_locations_and_texts_are_stored_masked_from_the_desk_and_the_import(
    city: Store, tmp_path: Path
) -> None:
    # issue 13 #7: suggestion locations were stored in clear, and +86 / full-width numbers
    # in texts too; bad rows' texts reached the quarantine file in clear
    with Session(city.engine) as s, s.begin():
        new = desk.submit_suggestion(
            s,
            text="噪音扰民，请回电＋８６ １３９－８７６５－４３２１",
            channel="form",
            org_unit="A",
            location="3号楼 联系人 138.1234.5678",
        )
        assert new.text == "噪音扰民，请回电+86 139****4321"
        assert new.location == "3号楼 联系人 138****5678"
    file = """
    编号,内容,渠道,社区编码,受理时间,楼栋,答复内容,答复时间
    p1,路灯坏了 8613700001111,热线,A,2025-03-03 09:00,5号楼 13600002222,已回电13500003333,2025-03-04 09:00
    p2,电梯坏了 13711112222,热线,nowhere,2025-03-03 09:00,6号楼 13622223333,,
    """
    report = import_suggestions(city, write(tmp_path / "p.csv", file))
    assert (report.inserted, report.quarantined_rows) == (1, 1)
    with city.begin() as conn:
        row = conn.execute(select(Suggestion).where(Suggestion.ref == "p1")).one()
        replies = conn.execute(select(SuggestionEvent.text)).scalars().all()
    assert (row.text, row.location) == ("路灯坏了 86137****1111", "5号楼 136****2222")
    assert "已回电135****3333" in replies
    quarantine = report.quarantine_path.read_text(encoding="utf-8-sig")
    assert "13711112222" not in quarantine and "137****2222" in quarantine
    assert "13622223333" not in quarantine and "136****3333" in quarantine

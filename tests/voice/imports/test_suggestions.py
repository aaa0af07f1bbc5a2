"""Importing suggestions: every bad row reported with row, column and reason, the rest
loaded once; a changed row updates the suggestion and its history."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shequ.store.db import Store
from shequ.store.tables.voice import Suggestion, SuggestionEvent
from shequ.voice import suggestions as desk
from shequ.voice.imports.suggestions import import_suggestions
from tests._files import write

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

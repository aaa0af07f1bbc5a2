"""Importing sign-in sheets: a bad row is quarantined with its row, column and reason, and
neither the store nor the quarantine file holds a raw ID or mobile number."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from shequ.store.db import Store
from shequ.voice.imports.attendance import import_attendance
from tests._files import write

PERSON_1 = "11010519491231002X"  # the same test person as tests/voice/test_participation.py


def test_bad_sign_in_rows_are_quarantined_without_the_raw_number(
    city: Store, key: bytes, tmp_path: Path
) -> None:
    sheet = """
    活动编号,活动类型,社区编码,活动日期,身份证号/手机号
    m1,居民会议,A,2025-03-01,13812345678
    m1,居民会议,A,2025-03-01,1381234
    m2,野餐,A,2025-13-01,13912345678
    """
    report = import_attendance(city, write(tmp_path / "bad.csv", sheet))
    found = {(p.row, p.column) for p in report.problems}
    assert found == {(3, "identifier"), (4, "kind"), (4, "held_on")}
    quarantine = report.quarantine_path.read_text(encoding="utf-8-sig")
    assert "13912345678" not in quarantine and "139****5678" in quarantine
    assert "1381234" not in quarantine
    with city.begin() as conn:
        assert conn.execute(select(text("count(*)")).select_from(text("attendance"))).scalar() == 1


def test_activity_titles_are_stored_masked(city: Store, key: bytes, tmp_path: Path) -> None:
    # issue 13 #7: activity titles were stored in clear
    sheet = f"""
    活动编号,活动类型,活动名称,社区编码,活动日期,身份证号/手机号
    t1,居民会议,议事会（联系人１３８１２３４５６７８）,A,2025-03-01,{PERSON_1}
    """
    report = import_attendance(city, write(tmp_path / "t.csv", sheet))
    assert report.exit_code == 0, report.problems
    with city.begin() as conn:
        title = conn.execute(text("SELECT title FROM activity")).scalar_one()
    assert title == "议事会（联系人138****5678）"

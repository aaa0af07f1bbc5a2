"""Importing sign-in sheets: a bad row is quarantined with its row, column and reason, and
neither the store nor the quarantine file holds a raw ID or mobile number."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from shequ.store.db import Store
from shequ.voice.imports.attendance import import_attendance
from tests._files import write


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

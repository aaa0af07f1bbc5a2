"""The three rates of the suggestions desk, with stage limits in working days (2 to answer),
counted with the plan's 2025 holidays and adjusted working days."""

from __future__ import annotations

from pathlib import Path

import pytest

from shequ.framework.loader import load_plan
from shequ.store.db import Store
from shequ.voice import rates
from shequ.voice.imports.suggestions import import_suggestions
from tests._files import write

# Worked deadlines (2 working days from the day after receipt):
# s1 Fri 2025-01-24: Sat 25 off, Sun 26 is an adjusted working day (1), Mon 27 (2) -> answered
#    Mon 27 16:00: in time (a weekend day worked for the Spring Festival counts).
# s2 Tue 2025-09-30: Oct 1-8 National Day holiday; Thu Oct 9 (1), Fri Oct 10 (2) -> answered
#    Fri Oct 10 18:00: in time, although 10 calendar days later.
# s3 Fri 2025-03-07: Mon Mar 10 (1), Tue Mar 11 (2) -> answered Wed Mar 12: late.
# s4 Wed 2025-04-30: May 1-5 holiday; Tue May 6 (1), Wed May 7 (2) -> answered Thu May 8: late.
# s5 Mon 2025-06-16: never answered: not in time.
# s6 (B) Sat 2025-02-01: Feb 2-4 holiday; Wed Feb 5 (1), Thu Feb 6 (2) -> answered Feb 6 23:30: in time.
# s7 received 2024-12-31: outside 2025, not counted.
SUGGESTIONS = """
编号,内容,渠道,社区编码,受理时间,责任单位,转办时间,答复时间,答复内容,办结时间,关闭时间,满意度评价
s1,3号楼楼道灯坏了,热线,A,2025-01-24 10:00,物业,2025-01-24 11:00,2025-01-27 16:00,已报修,2025-01-28 10:00,2025-02-10 09:00,5
s2,小区门口路面坑洼,表单,A,2025-09-30 09:00,,,2025-10-10 18:00,已安排,2025-10-20 10:00,2025-10-21 10:00,3
s3,电梯经常困人,走访,A,2025-03-07 15:00,,,2025-03-12 09:00,已联系维保,,,
s4,增加老年助餐点,议事会,A,2025-04-30 08:00,,,2025-05-08 10:00,已纳入计划,2025-05-20 10:00,2025-05-21 10:00,4
s5,楼下噪音扰民,问卷,A,2025-06-16 10:00,,,,,,,
s6,垃圾清运不及时,form,B,2025-02-01 10:00,,,2025-02-06 23:30,已整改,,,
s7,路灯不亮,hotline,B,2024-12-31 10:00,,,2025-01-02 10:00,已修,,,
"""


def test_three_rates_count_working_days_not_calendar_days(city: Store, tmp_path: Path) -> None:
    report = import_suggestions(city, write(tmp_path / "s.csv", SUGGESTIONS))
    assert report.exit_code == 0, report.problems
    with city.begin() as conn:
        out = rates.suggestion_rates(conn, "2025", load_plan()).set_index("unit")
    a, s1 = out.loc["A"], out.loc["S1"]
    # A: received 5 (s1-s5); in time s1, s2 -> 2/5 = 40 %; resolved s1, s2, s4 -> 3/5 = 60 %;
    # rated s1 (5), s2 (3), s4 (4) -> satisfied 5 and 4 -> 2/3 = 66.7 %
    assert (a["received"], a["responded_in_time"], a["resolved"]) == (5, 2, 3)
    assert a["response_rate"] == pytest.approx(40.0)
    assert a["resolution_rate"] == pytest.approx(60.0)
    assert a["satisfaction_rate"] == pytest.approx(200 / 3)
    # S1 = A + B: received 6, in time 2 + 1 = 3 -> 50 %; resolved 3/6 = 50 % (ratio of sums)
    assert (s1["received"], s1["responded_in_time"], s1["resolved"]) == (6, 3, 3)
    assert s1["response_rate"] == pytest.approx(50.0)
    assert s1["resolution_rate"] == pytest.approx(50.0)
    # B has no rating: its satisfaction rate is no data, not 0
    assert out.loc["B", "rated"] == 0
    assert out.loc["B", "satisfaction_rate"] != out.loc["B", "satisfaction_rate"]  # NaN


def test_resolution_within_fifteen_working_days(city: Store, tmp_path: Path) -> None:
    # s2: received Tue 2025-09-30; 15 working days after: Oct 9, 10, 11 (adjusted Sat) = 3,
    # 13-17 = 8, 20-24 = 13, 27, 28 -> the 15th is Tue Oct 28; resolved Oct 20 is in time.
    # s4: received Wed 2025-04-30; May 6-9 (4), 12-16 (9), 19-23 (14), 26 (15): resolved
    # May 20 is in time. s1: Jan 24 -> Jan 26 (adjusted), 27 (2); Jan 28 is a holiday but
    # s1 was resolved on Jan 28 itself, before its deadline. So 3 of 5 in time in A.
    import_suggestions(city, write(tmp_path / "s.csv", SUGGESTIONS))
    with city.begin() as conn:
        out = rates.suggestion_rates(conn, "2025", load_plan(), level="community")
    assert out.set_index("unit").loc["A", "resolved_in_time"] == 3


def test_volume_by_category_and_the_top_categories_per_unit(city: Store, tmp_path: Path) -> None:
    # keyword labels: s1 lighting (楼道灯), s2 roads (路面, 坑洼), s3 elevator, s4 elderly_care
    # (老年, 助餐), s5 disputes (噪音, 扰民), s6 environment (垃圾, 清运); s7 is 2024.
    # A has five categories with one each: the top 2 are the first two codes alphabetically
    # among ties (disputes, elderly_care); S1 adds B's environment: still one each.
    import_suggestions(city, write(tmp_path / "s.csv", SUGGESTIONS))
    with city.begin() as conn:
        out = rates.category_volume(conn, "2025", load_plan(), top=2)
    a = out[out["unit"] == "A"]
    assert a["category"].tolist() == ["disputes", "elderly_care"]
    assert a["count"].tolist() == [1, 1] and a["rank"].tolist() == [1, 2]
    assert a["category_name"].tolist() == ["邻里纠纷", "养老"]
    city_row = out[out["unit"] == "C"]
    assert city_row["count"].sum() == 2 and len(city_row) == 2

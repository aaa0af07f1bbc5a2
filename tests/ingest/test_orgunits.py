"""Org-unit imports: headers in either language, the temporal tree, every bad-row class."""

import pandas as pd
import pytest

from shequ.errors import ImportFileError
from shequ.ingest.orgunits import import_org_units
from shequ.store import orgunits
from tests._files import write

GOOD = """
code,name,parent_code,level
990100000000,示范市,,city
990102000000,东湖区,990100000000,district
990102001000,望江街道,990102000000,street
990102001001,翠苑社区,990102001000,community
"""


def test_english_headers_and_levels_load(any_store, tmp_path):
    report = import_org_units(any_store, write(tmp_path / "u.csv", GOOD))
    assert (report.exit_code, report.inserted, report.quarantined_rows) == (0, 4, 0)


def test_chinese_headers_levels_and_dates_describe_a_reorganisation(any_store, tmp_path):
    # 老街道 closes on 2023-01-01; its community moves to 新街道, which opens that day.
    path = write(
        tmp_path / "u.csv",
        """
        编码,名称,上级编码,层级,启用日期,停用日期
        9901,示范市,,市,,
        990102,东湖区,9901,区,,
        990102001,老街道,990102,街道,,2023-01-01
        990102002,新街道,990102,街道,2023/1/1,
        990102001001,翠苑社区,990102001,社区,,2023-01-01
        990102001001,翠苑社区,990102002,社区,2023年1月1日,
    """,
    )
    report = import_org_units(any_store, path)
    assert report.exit_code == 0, report.problems
    with any_store.begin() as conn:
        import datetime as dt

        assert orgunits.subtree(conn, "990102001", dt.date(2022, 12, 31)) == [
            "990102001",
            "990102001001",
        ]
        assert orgunits.subtree(conn, "990102001", dt.date(2023, 12, 31)) == []
        assert orgunits.subtree(conn, "990102002", dt.date(2023, 12, 31)) == [
            "990102002",
            "990102001001",
        ]


BAD = """
code,name,parent_code,level,opened,closed
990100000000,示范市,,市,,
990102000000,东湖区,990100000000,区,,
990102001000,望江街道,990102000000,街道,,
990102001001,翠苑社区,990199999999,社区,,
990102001002,,990102001000,社区,,
990102001003,锦绣社区,990102001000,小区,,
990102001004,和平社区,990102001000,社区,2024-13-01,
990102001005,幸福社区,990102001000,社区,2024-01-01,2023-01-01
990102001006,重复社区,990102001000,社区,,
990102001006,重复社区,990102001000,社区,,
990102001007,倒挂社区,990102001008,区,,
990102001008,倒挂街道,990102001000,社区,,
99@1,坏编码,990102001000,社区,,
"""


def test_every_bad_org_unit_row_is_reported_with_row_column_reason(any_store, tmp_path):
    path = write(tmp_path / "bad.csv", BAD)
    report = import_org_units(any_store, path)
    found = {(p.row, p.column) for p in report.problems}
    # header is row 1, so the first unit is row 2
    assert (5, "parent_code") in found  # parent 990199999999 exists nowhere
    assert (6, "name") in found  # empty name
    assert (7, "level") in found  # 小区 is not a level
    assert (8, "opened") in found  # month 13
    assert (9, "closed") in found  # closed before opened
    assert (10, "code") in found and (11, "code") in found  # duplicate: both rows
    assert (12, "level") in found  # a 区 under a 社区 is upside down
    assert (14, "code") in found  # '@' is not allowed in a code
    assert report.exit_code == 1
    assert report.inserted == 4  # rows 2, 3, 4 and the parent 倒挂街道 (row 13) load
    reasons = {p.row: (p.reason_zh, p.reason_en) for p in report.problems}
    assert "不存在" in reasons[5][0] and "does not exist" in reasons[5][1]
    quarantine = pd.read_csv(report.quarantine_path, dtype=str, encoding="utf-8-sig")
    assert sorted(quarantine["行号 row"].astype(int)) == [5, 6, 7, 8, 9, 10, 11, 12, 14]
    assert "code" in quarantine.columns and "name" in quarantine.columns


def test_a_cycle_of_parents_is_refused(any_store, tmp_path):
    path = write(
        tmp_path / "cycle.csv",
        """
        code,name,parent_code,level
        X,甲,Y,street
        Y,乙,X,street
    """,
    )
    report = import_org_units(any_store, path)
    assert report.exit_code == 2 and report.inserted == 0
    assert {p.row for p in report.problems} == {2, 3}


def test_strict_mode_loads_nothing_when_one_row_is_bad(any_store, tmp_path):
    path = write(tmp_path / "u.csv", GOOD + "X1,,990102001000,社区\n")
    report = import_org_units(any_store, path, strict=True)
    assert (report.exit_code, report.inserted) == (2, 0)
    with any_store.begin() as conn:
        assert orgunits.versions(conn).empty


def test_reimporting_the_same_file_changes_nothing(any_store, tmp_path):
    path = write(tmp_path / "u.csv", GOOD)
    import_org_units(any_store, path)
    again = import_org_units(any_store, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    renamed = write(tmp_path / "u2.csv", GOOD.replace("翠苑社区", "翠苑新社区"))
    third = import_org_units(any_store, renamed)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 3)


def test_missing_columns_reject_the_whole_file(any_store, tmp_path):
    with pytest.raises(ImportFileError, match="missing columns parent_code, level"):
        import_org_units(any_store, write(tmp_path / "u.csv", "code,name\nA,甲\n"))


def test_only_the_units_on_a_cycle_are_named_by_it_not_those_below(any_store, tmp_path):
    # X > Y > W > X is a cycle; Z hangs below X and C is an ordinary chain beside it
    path = write(
        tmp_path / "cycle3.csv",
        """
        code,name,parent_code,level
        X,甲,W,district
        Y,乙,X,street
        W,丙,Y,community
        Z,丁,X,street
        C,戊,,city
        D,己,C,district
    """,
    )
    report = import_org_units(any_store, path)
    cycle = {p.row for p in report.problems if "cycle" in p.reason_en}
    assert cycle == {2, 3, 4}


def test_an_excel_sheet_with_numeric_codes_and_padded_names_loads_as_typed(any_store, tmp_path):
    # Excel stores 990100000000 as a number (a float once it went through a formula) and
    # keeps the spaces typed around a name: the codes are read as the text they show,
    # the names stripped; a full-width code is its ASCII form; a bad code is row 6's
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["编码", "名称", "上级编码", "层级"])
    sheet.append([9901, " 示范市 ", None, "市"])
    sheet.append([990102.0, "东湖区", 9901, "区"])
    sheet.append(["９９０１０２００１", "望江街道\u3000", "990102", "街道"])
    sheet.append([990102001001, "翠苑社区", 990102001, "社区"])
    sheet.append(["99 01", "坏编码", 9901, "社区"])
    path = tmp_path / "units.xlsx"
    book.save(path)
    report = import_org_units(any_store, path)
    assert (report.inserted, report.quarantined_rows) == (4, 1)
    assert [(p.row, p.column) for p in report.problems] == [(6, "code")]
    with any_store.begin() as conn:
        names = orgunits.names(conn)
    assert names == {
        "9901": "示范市",
        "990102": "东湖区",
        "990102001": "望江街道",
        "990102001001": "翠苑社区",
    }

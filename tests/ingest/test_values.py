"""Data-value imports: forms, encodings, empty cells, every bad-row class, idempotence."""

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from shequ.errors import ImportFileError
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store import approvals
from shequ.store import values as store_values
from shequ.store.tables.core import AuditEntry, DataValue
from tests._files import write

UNITS = """
code,name,parent_code,level,opened,closed
C,示范市,,city,,
S,一街道,C,street,,
A,甲社区,S,community,,
B,乙社区,S,community,,
Z,旧社区,S,community,,2022-01-01
"""


@pytest.fixture
def store(any_store, tmp_path):
    assert import_org_units(any_store, write(tmp_path / "units.csv", UNITS)).exit_code == 0
    return any_store


def stored(store) -> dict:
    with store.begin() as conn:
        frame = store_values.read(conn)
    return {(r.data_element, r.org_unit, r.period): r.value for r in frame.itertuples()}


def count(store, table) -> int:
    with store.begin() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_long_form_loads_and_an_empty_value_is_no_value(store, tmp_path):
    path = write(
        tmp_path / "v.csv",
        """
        data_element,org_unit,period,value
        resident_population,A,2025,1200
        常住人口,B,2025,800
        residential_floor_area_m2,A,2025,
    """,
    )
    report = import_values(store, path)
    assert (report.exit_code, report.inserted, report.empty) == (0, 2, 1)
    assert stored(store) == {
        ("resident_population", "A", "2025"): 1200.0,
        ("resident_population", "B", "2025"): 800.0,
    }  # the empty cell is absent, not zero


def test_gbk_wide_form_with_chinese_headers(store, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(
        "单位编码,年度,常住人口,住宅建筑面积\r\nA,2025,1000,45000.5\r\nB,2025,,30000\r\n".encode(
            "gbk"
        )
    )
    report = import_values(store, path)
    assert report.file_format == "csv/gb18030"
    assert (report.exit_code, report.inserted, report.empty) == (0, 3, 1)
    assert stored(store)[("residential_floor_area_m2", "A", "2025")] == 45000.5


def test_utf8_bom_and_xlsx_sheet_choice(store, tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + "org_unit,period,常住人口\nA,2025,10\n".encode())
    assert import_values(store, bom).inserted == 1
    book = Workbook()
    book.active.title = "说明"
    sheet = book.create_sheet("数据")
    sheet.append(["org_unit", "period", "adult_population"])
    sheet.append(["A", 2025, 8])  # numbers as Excel stores them
    book.save(tmp_path / "v.xlsx")
    report = import_values(store, tmp_path / "v.xlsx", sheet="数据")
    assert (report.file_format, report.inserted) == ("xlsx", 1)
    with pytest.raises(ImportFileError, match="no sheet 'nope'"):
        import_values(store, tmp_path / "v.xlsx", sheet="nope")


BAD = """
data_element,org_unit,period,value
resident_population,A,2025,1000
no_such_element,A,2025,5
resident_population,NOPE,2025,5
resident_population,B,2025x,5
resident_population,B,2025,abc
criminal_cases,B,2025,-1
public_security_cases,B,2025,2.5
adult_population,A,2025,700
adult_population,A,2025,710
resident_population,Z,2025,100
"""


def test_every_bad_value_row_is_reported_and_the_good_rows_load(store, tmp_path):
    report = import_values(store, write(tmp_path / "bad.csv", BAD))
    reasons = {(p.row, p.column): p.reason_en for p in report.problems}
    assert "unknown data element" in reasons[(3, "data_element")]
    assert "unknown org unit" in reasons[(4, "org_unit")]
    assert "not valid" in reasons[(5, "period")]
    assert "not a number" in reasons[(6, "value")]
    assert "below the minimum" in reasons[(7, "value")]
    assert "whole number" in reasons[(8, "value")]
    assert "more than once" in reasons[(9, "value")] and (10, "value") in reasons
    assert "does not exist in period 2025" in reasons[(11, "org_unit")]  # Z closed in 2022
    assert report.exit_code == 1 and report.inserted == 1
    assert stored(store) == {("resident_population", "A", "2025"): 1000.0}
    quarantine = pd.read_csv(report.quarantine_path, dtype=str, encoding="utf-8-sig")
    assert list(quarantine["行号 row"].astype(int)) == list(range(3, 12))
    assert {"原因", "reason", "data_element", "value"} <= set(quarantine.columns)


def test_fixed_quarantine_file_imports_as_it_is(store, tmp_path):
    report = import_values(store, write(tmp_path / "bad.csv", BAD))
    fixed = pd.read_csv(report.quarantine_path, dtype=str, encoding="utf-8-sig")
    fixed = fixed[fixed["行号 row"] == "6"].assign(value="1500")
    fixed.to_csv(tmp_path / "fixed.csv", index=False, encoding="utf-8-sig")
    again = import_values(store, tmp_path / "fixed.csv")
    assert (again.exit_code, again.inserted) == (0, 1)
    assert stored(store)[("resident_population", "B", "2025")] == 1500.0


def test_wide_form_quarantines_the_whole_row_of_a_bad_cell(store, tmp_path):
    path = write(
        tmp_path / "w.csv",
        """
        org_unit,period,resident_population,adult_population,mystery_column
        A,2025,1000,800,
        B,2025,900,x,
        A,2024,1000,800,7
    """,
    )
    report = import_values(store, path)
    assert {(p.row, p.column) for p in report.problems} == {
        (3, "adult_population"),
        (4, "mystery_column"),
    }
    assert set(stored(store)) == {
        ("resident_population", "A", "2025"),
        ("adult_population", "A", "2025"),
    }


def test_strict_mode_and_all_bad_files_load_nothing(store, tmp_path):
    report = import_values(store, write(tmp_path / "bad.csv", BAD), strict=True)
    assert (report.exit_code, report.inserted, report.status) == (2, 0, "rejected")
    assert stored(store) == {}
    only_bad = write(tmp_path / "worse.csv", "data_element,org_unit,period,value\nx,A,2025,1\n")
    assert import_values(store, only_bad).exit_code == 2


def test_reimport_is_idempotent_and_changes_are_audited(store, tmp_path):
    path = write(
        tmp_path / "v.csv",
        "org_unit,period,常住人口,成年常住人口\nA,2025,1000,800\nB,2025,500,400\n",
    )
    first = import_values(store, path)
    audits = count(store, AuditEntry)
    values = count(store, DataValue)
    second = import_values(store, path)
    assert (first.inserted, second.inserted, second.updated, second.unchanged) == (4, 0, 0, 4)
    assert (count(store, AuditEntry), count(store, DataValue)) == (audits, values)
    changed = write(tmp_path / "v2.csv", "org_unit,period,常住人口\nA,2025,1100\n")
    third = import_values(store, changed)
    assert (third.updated, third.unchanged) == (1, 0)
    assert stored(store)[("resident_population", "A", "2025")] == 1100.0
    with store.begin() as conn:
        last = conn.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.entity_key) == ("update", "resident_population/A/2025")
    assert '"value": 1000.0' in last.before and '"value": 1100.0' in last.after


def test_a_locked_period_refuses_edits(store, tmp_path):
    """The city approved 2025, so community A (below it) refuses edits for 2025."""
    import_values(store, write(tmp_path / "v.csv", "org_unit,period,常住人口\nA,2025,1000\n"))
    with store.begin() as conn:
        approvals.approve(conn, "C", "2025", actor="test")
    report = import_values(
        store, write(tmp_path / "v2.csv", "org_unit,period,常住人口\nA,2025,1\n")
    )
    assert report.exit_code == 2 and "locked" in report.problems[0].reason_en


def test_unreadable_files_are_refused_whole(store, tmp_path):
    with pytest.raises(ImportFileError, match="unsupported file type"):
        import_values(store, write(tmp_path / "v.json", "{}"))
    with pytest.raises(ImportFileError, match="missing columns"):
        import_values(store, write(tmp_path / "v.csv", "data_element,value\nx,1\n"))
    with pytest.raises(ImportFileError, match="file not found"):
        import_values(store, tmp_path / "nope.csv")
